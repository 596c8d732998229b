"""A3C checkpoints are read as data only: crafted, damaged and foreign files give one-line
errors and never run code."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
import torch

from rl_assets.a3c.checkpoint import load_checkpoint, model_from_checkpoint, save_checkpoint
from rl_assets.a3c.config import A3CConfig, EvaluationSettings
from rl_assets.a3c.evaluate import evaluate_checkpoint
from rl_assets.a3c.model import build_model
from rl_assets.a3c.shared_optim import make_optimizer
from rl_assets.cli import main
from rl_assets.errors import CheckpointError
from tests.fakes.hostile_files import crafted_checkpoint, crafted_pickle, damaged_files

GAME = "CartPole-v1"


def payload(lstm: bool = False) -> dict[str, Any]:
    """What the trainer saves, for a CartPole policy (observations (4,), 2 actions)."""
    config = A3CConfig(env=GAME, lstm=lstm, workers=1)
    model = build_model((4,), 2, lstm=lstm)
    optimizer = make_optimizer(
        config.optimizer, model.parameters(), config.lr, config.rmsprop_alpha, config.rmsprop_eps
    )
    return {
        "env": GAME,
        "obs_shape": (4,),
        "n_actions": 2,
        "lstm": lstm,
        "frames_per_step": 1,
        "atari_settings": asdict(config.atari_settings()),
        "steps": 10,
        "frames": 10,
        "episodes": 1,
        "config": asdict(config),
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
    }


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / GAME / "checkpoint.pt"
    save_checkpoint(path, payload(lstm=True))
    return path


def assert_one_line(error: BaseException) -> str:
    message = str(error)
    assert "\n" not in message and len(message) < 600
    return message


def test_a_checkpoint_the_trainer_writes_loads_as_data_only(good: Path) -> None:
    checkpoint = load_checkpoint(good)
    assert checkpoint["env"] == GAME and checkpoint["config"]["lstm"] is True
    model = model_from_checkpoint(checkpoint)
    assert not model.training
    # The file itself is plain data: torch's restricted unpickler takes it as it is.
    torch.load(good, weights_only=True)


@pytest.mark.parametrize("make", [crafted_checkpoint, crafted_pickle])
def test_a_crafted_checkpoint_is_refused_without_running_it(tmp_path: Path, make) -> None:
    marker = tmp_path / "code-ran"
    path = make(tmp_path / "checkpoint.pt", marker)
    with pytest.raises(CheckpointError, match="not an A3C checkpoint") as raised:
        load_checkpoint(path)
    assert_one_line(raised.value)
    assert not marker.exists()


def test_a_crafted_checkpoint_that_looks_like_ours_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "code-ran"
    path = crafted_checkpoint(tmp_path / "checkpoint.pt", marker, {"format": 1, **payload()})
    with pytest.raises(CheckpointError, match="could run code; refused") as raised:
        load_checkpoint(path)
    assert "posix.open" in assert_one_line(raised.value)
    assert not marker.exists()


def test_a3c_play_refuses_a_crafted_checkpoint(tmp_path: Path, capsys) -> None:
    marker = tmp_path / "code-ran"
    (tmp_path / GAME).mkdir()
    crafted_checkpoint(tmp_path / GAME / "checkpoint.pt", marker, {"format": 1, **payload()})
    assert main(["play", "--game", GAME, "--episodes", "1", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "could run code; refused" in err and len(err.strip().splitlines()) == 1
    assert not marker.exists()


def test_damaged_files_are_clear_errors(tmp_path: Path, good: Path) -> None:
    for name, path in damaged_files(tmp_path, good).items():
        with pytest.raises(CheckpointError) as raised:
            load_checkpoint(path)
        message = assert_one_line(raised.value)
        assert str(path) in message, name
        assert "a3c train" in message, name


def _saved(tmp_path: Path, content: Any) -> Path:
    path = tmp_path / "foreign.pt"
    torch.save(content, path)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: build_model((4,), 2).state_dict(), "checkpoint format None"),
        (lambda p: [p], "holds a list"),
        (lambda p: {**p, "format": 99}, "checkpoint format 99"),
        (lambda p: {k: v for k, v in p.items() if k != "model"}, "lacks model"),
        (lambda p: {**p, "n_actions": "2"}, "n_actions has type str"),
        (lambda p: {**p, "lstm": 1}, "lstm has type int"),
        (lambda p: {**p, "obs_shape": (4, 84)}, "describe no network"),
        (lambda p: {**p, "obs_shape": (4, 10**6, 10**6)}, "do not fit"),
        (lambda p: {**p, "obs_shape": (4, 3, 3)}, "describes no network"),
        (lambda p: {**p, "n_actions": 6}, "wrong shape: policy.weight (2, 64) instead of (6, 64)"),
        (lambda p: {**p, "lstm": True}, "missing: lstm.weight_ih"),
        (lambda p: {**p, "model": {**p["model"], "extra": torch.zeros(1)}}, "unexpected: extra"),
        (lambda p: {**p, "model": {**p["model"], "value.bias": 0.0}}, "value.bias float"),
        (
            lambda p: {**p, "atari_settings": {"frame_skip": "4"}},
            "atari_settings[frame_skip] has type str",
        ),
        (lambda p: {**p, "atari_settings": {"shell": "rm"}}, "unknown atari_settings key"),
        (lambda p: {**p, "optimizer": {}}, "optimizer state"),
    ],
)
def test_foreign_checkpoints_are_clear_errors(tmp_path: Path, change, message: str) -> None:
    path = _saved(tmp_path, change({"format": 1, **payload()}))
    with pytest.raises(CheckpointError, match="a3c train") as raised:
        load_checkpoint(path)
    assert message in assert_one_line(raised.value)


def test_playing_a_checkpoint_of_another_game_is_refused(good: Path) -> None:
    with pytest.raises(CheckpointError, match="holds a policy for 'CartPole-v1', not 'Pong'"):
        evaluate_checkpoint(good, EvaluationSettings(episodes=1), expected_env="Pong")


def test_a_checkpoint_whose_network_does_not_fit_its_env_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.pt"
    wrong = {**payload(), "obs_shape": (8,), "model": build_model((8,), 2).state_dict()}
    save_checkpoint(path, wrong)
    with pytest.raises(CheckpointError, match=r"expects observations \(8,\)"):
        evaluate_checkpoint(path, EvaluationSettings(episodes=1))

"""A short Atari run through the CLI and through Dagster: checkpoint, resume, play, GIF, check."""

import dagster as dg
import pytest
import torch
from PIL import Image

from rl_assets.a3c.checkpoint import RunPaths
from rl_assets.a3c.evaluate import Evaluation
from rl_assets.cli import main
from rl_assets.defs.assets import a3c_evaluation, a3c_policy
from rl_assets.defs.checks import a3c_policy_beats_random, a3c_policy_is_playable


@pytest.mark.slow
def test_cli_trains_resumes_and_plays_pong(tmp_path, capsys):
    data = ["--data-dir", str(tmp_path)]
    train = ["train", "--game", "Pong", "--workers", "2", "--envs-per-worker", "2", *data]
    assert main([*train, "--frames", "2000"]) == 0
    checkpoint = torch.load(tmp_path / "Pong" / "checkpoint.pt", weights_only=True)
    assert checkpoint["env"] == "Pong" and checkpoint["frames"] >= 2000
    assert checkpoint["config"]["anneal_lr"] is True
    first_frames = checkpoint["frames"]

    assert main([*train, "--frames", "1000", "--constant-lr"]) == 0
    resumed = torch.load(tmp_path / "Pong" / "checkpoint.pt", weights_only=True)
    assert resumed["frames"] >= first_frames + 1000  # continued, not restarted
    assert resumed["config"]["anneal_lr"] is False
    assert not torch.equal(resumed["model"]["policy.weight"], checkpoint["model"]["policy.weight"])

    gif = tmp_path / "pong.gif"
    capsys.readouterr()
    assert (
        main(
            [
                "play",
                "--game",
                "Pong",
                "--episodes",
                "1",
                "--max-frames",
                "1500",
                "--gif",
                str(gif),
                *data,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "policy trained for" in out and f"{resumed['frames']:,} frames" in out
    with Image.open(gif) as image:
        assert image.is_animated and image.n_frames > 100


def test_cli_errors_are_clear(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["train", "--game", "Pongg"])
    assert "Unknown game 'Pongg'. Did you mean Pong?" in capsys.readouterr().err
    assert main(["play", "--game", "Breakout", "--data-dir", str(tmp_path)]) == 1
    assert "No checkpoint" in capsys.readouterr().err
    assert main(["play", "--game", "Acrobot-v1", "--gif", str(tmp_path / "x.gif")]) == 2
    assert "Acrobot-v1 is neither: leave --gif out" in capsys.readouterr().err


@pytest.mark.slow
def test_assets_materialize_with_a_tiny_budget_and_the_check_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("RL_DATA_DIR", str(tmp_path))
    margin = 0.5
    run_config = {
        "ops": {
            "a3c_policy": {"config": {"frames": 2000, "workers": 2, "envs_per_worker": 2}},
            "a3c_evaluation": {"config": {"episodes": 2, "max_episode_frames": 1200}},
            "a3c_evaluation_a3c_policy_beats_random": {"config": {"margin": margin}},
        }
    }
    result = dg.materialize(
        [a3c_policy, a3c_evaluation, a3c_policy_beats_random, a3c_policy_is_playable],
        partition_key="Breakout",
        run_config=run_config,
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success

    policy = result.asset_materializations_for_node("a3c_policy")[0].metadata
    assert policy["frames_trained"].value >= 2000 and policy["frames_per_s"].value > 0
    assert policy["learning_curve"].value.startswith("![learning curve](data:image/png;base64,")
    paths = RunPaths.for_game("Breakout", tmp_path)
    assert paths.checkpoint.exists() and paths.learning_curve.exists()

    evaluation = result.asset_materializations_for_node("a3c_evaluation")[0].metadata
    assert evaluation["episode_gif"].value.startswith(
        "![one evaluation game](data:image/gif;base64,"
    )
    assert {
        "policy_mean_score",
        "policy_std_score",
        "policy_min_score",
        "policy_max_score",
        "random_mean_score",
        "advantage_over_random",
        "scores",
        "episode_gif_url",
    } <= set(evaluation)
    with Image.open(paths.evaluation_gif) as image:
        assert image.is_animated

    checks = {check.check_name: check for check in result.get_asset_check_evaluations()}
    check = checks["a3c_policy_beats_random"]
    stored = Evaluation.load(paths.evaluation_json)
    assert check.check_name == "a3c_policy_beats_random"
    assert check.passed == (stored.policy.mean - stored.random.mean >= margin)
    assert check.metadata["required_margin"].value == margin
    # 2,000 frames are 500 agent steps: no Breakout game ends, so nothing shows the policy plays.
    playable = checks["a3c_policy_is_playable"]
    assert playable.passed == (policy["training_games"].value > 0)
    assert playable.metadata["game"].value == "Breakout"

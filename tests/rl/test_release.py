"""Shipped policies: `a3c release` writes the weights and their provenance, loading them back is
safe and refuses anything else in one line, and installing one makes it the game's checkpoint."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import shlex
from pathlib import Path

import pytest
import torch
from PIL import Image
from policy_files import (
    CARTPOLE,
    always_left,
    network,
    release_payload,
    sha256,
    trainer_checkpoint,
    write_provenance,
    write_release,
)

from hn_assets.config_adapter import from_arguments
from rl_assets.a3c import release as release_module
from rl_assets.a3c.checkpoint import RunPaths, load_checkpoint
from rl_assets.a3c.config import A3CConfig, EvaluationSettings, config_from_dict, default_config
from rl_assets.a3c.evaluate import evaluate_checkpoint
from rl_assets.a3c.health import policy_health
from rl_assets.a3c.release import (
    ReleasePaths,
    install_release,
    installed_release,
    load_release,
    make_release,
    release_provenance,
    shipped_policies_dir,
)
from rl_assets.cli import build_parser, main
from rl_assets.errors import CheckpointError, ReleaseError
from tests.fakes.hostile_files import crafted_checkpoint

FEW_GAMES = EvaluationSettings(episodes=3)


def one_line(error: BaseException, fix: str = "a3c release") -> str:
    message = str(error)
    assert "\n" not in message and len(message) < 800, message
    assert fix in message, message
    return message


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    return tmp_path / "runs"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "policies"


def released(runs: Path, out: Path, env: str = CARTPOLE, **kwargs) -> ReleasePaths:
    trainer_checkpoint(RunPaths.for_game(env, runs).checkpoint, env)
    release, _ = make_release(env, runs, out, FEW_GAMES, allow_worse_than_random=True, **kwargs)
    return release.paths


# ---- making a release ------------------------------------------------------------------------


def test_a_release_holds_the_weights_and_where_they_come_from(runs: Path, out: Path) -> None:
    checkpoint = trainer_checkpoint(RunPaths.for_game(CARTPOLE, runs).checkpoint)
    release, evaluation = make_release(
        CARTPOLE, runs, out, FEW_GAMES, allow_worse_than_random=True, release_command="a3c x"
    )
    paths = release.paths
    assert paths == ReleasePaths(out / "CartPole-v1.policy.pt", out / "CartPole-v1.json")
    # Weights only, as plain data, identical to the trained ones.
    shipped = torch.load(paths.weights, weights_only=True)
    assert "optimizer" not in shipped and set(shipped) == set(release_payload())
    trained = torch.load(checkpoint, weights_only=True)["model"]
    assert all(torch.equal(shipped["model"][name], trained[name]) for name in trained)

    provenance = json.loads(paths.provenance.read_text())
    assert provenance == release.provenance
    assert provenance["game"] == CARTPOLE and provenance["weights_file"] == paths.weights.name
    assert provenance["weights_sha256"] == sha256(paths.weights)
    assert provenance["weights_bytes"] == paths.weights.stat().st_size
    training = provenance["training"]
    assert training["frames"] == 12_000 and training["games"] == 150
    assert training["wall_time_s"] == 42.5 and training["wall_time_source"].startswith("checkpoint")
    assert config_from_dict(CARTPOLE, training["config"]) == default_config(CARTPOLE, workers=2)
    assert training["command"] == "a3c train --game CartPole-v1 --workers 2"
    scores = provenance["evaluation"]
    assert scores["games"] == 3 and len(scores["policy"]["scores"]) == 3
    assert scores["policy"]["mean"] == evaluation.policy.mean
    assert scores["random"]["mean"] == evaluation.random.mean  # type: ignore[union-attr]
    commit = provenance["code"]["git_commit"]
    assert commit == "unknown" or re.fullmatch(r"[0-9a-f]{40}", commit)
    assert dt.datetime.fromisoformat(provenance["created"]).tzinfo is not None
    assert provenance["versions"]["torch"] == torch.__version__
    assert provenance["release_command"] == "a3c x"
    assert load_release(CARTPOLE, out).sha256 == provenance["weights_sha256"]


def test_the_training_command_reads_back_as_the_runs_settings(runs: Path, out: Path) -> None:
    config = default_config(CARTPOLE, workers=3, lr=1e-3, anneal_lr=False, t_max=20)
    trainer_checkpoint(
        RunPaths.for_game(CARTPOLE, runs).checkpoint, config=config.__dict__ | {"source": "train"}
    )
    release, _ = make_release(CARTPOLE, runs, out, FEW_GAMES, allow_worse_than_random=True)
    command = release.provenance["training"]["command"]
    args = build_parser().parse_args(shlex.split(command)[1:])
    assert from_arguments(A3CConfig, args, default_config(args.env)) == config


@pytest.mark.parametrize("episodes_logged", [True, False])
def test_an_older_checkpoint_takes_its_wall_time_from_the_games(
    runs: Path, out: Path, episodes_logged: bool
) -> None:
    """Checkpoints written before the trainer recorded wall time (the Pong run's)."""
    run = RunPaths.for_game(CARTPOLE, runs)
    payload = torch.load(trainer_checkpoint(run.checkpoint), weights_only=True)
    del payload["wall_time_s"]
    torch.save(payload, run.checkpoint)
    if episodes_logged:
        run.episodes_csv.write_text(
            "episode,frames,score,length,worker,wall_time\n"
            "1,100,10.0,10,0,1000.0\n2,200,30.0,30,1,1090.5\n"
            "3,99000,500.0,500,1,5000.0\n"  # after the checkpoint (12,000 frames): left out
        )
    release, _ = make_release(CARTPOLE, runs, out, FEW_GAMES, allow_worse_than_random=True)
    training = release.provenance["training"]
    if episodes_logged:
        assert training["wall_time_s"] == 90.5 and "episodes.csv" in training["wall_time_source"]
        assert training["mean_score_last_100_games"] == 20.0
    else:
        assert training["wall_time_s"] is None and training["wall_time_source"].startswith(
            "unknown"
        )


def test_the_paper_network_ships_in_a_few_megabytes(runs: Path, out: Path) -> None:
    trainer_checkpoint(RunPaths.for_game("Pong", runs).checkpoint, "Pong", network("Pong"))
    settings = EvaluationSettings(episodes=1, max_episode_frames=400)
    release, _ = make_release("Pong", runs, out, settings, allow_worse_than_random=True)
    size = release.paths.weights.stat().st_size
    assert 2_000_000 < size < 4_000_000, size  # 676k float32 parameters
    assert release.provenance["network"]["parameters"] == sum(
        tensor.numel() for tensor in network("Pong").state_dict().values()
    )
    assert load_release("Pong", out).payload["obs_shape"] == (4, 84, 84)


def test_a_policy_worse_than_random_is_not_released(runs: Path, out: Path) -> None:
    trainer_checkpoint(RunPaths.for_game(CARTPOLE, runs).checkpoint, model=always_left(network()))
    with pytest.raises(ReleaseError, match="does not beat random play") as raised:
        make_release(CARTPOLE, runs, out, FEW_GAMES)
    one_line(raised.value, "--allow-worse-than-random")
    assert not out.exists() or list(out.iterdir()) == []


def test_releasing_without_a_checkpoint_is_one_clear_line(runs: Path, out: Path) -> None:
    with pytest.raises(CheckpointError, match="No checkpoint at") as raised:
        make_release(CARTPOLE, runs, out, FEW_GAMES)
    one_line(raised.value, "a3c train --game CartPole-v1")


# ---- reading a release back ------------------------------------------------------------------


def _truncate(paths: ReleasePaths) -> None:
    data = paths.weights.read_bytes()
    paths.weights.write_bytes(data[: len(data) // 2])


def _huge(paths: ReleasePaths, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(release_module, "MAX_RELEASE_BYTES", 1000)


BROKEN = {
    "no provenance": (lambda p, d, m: p.provenance.unlink(), "has no provenance record"),
    "provenance not JSON": (
        lambda p, d, m: p.provenance.write_text("{"),
        "unreadable JSON",
    ),
    "provenance of another game": (
        lambda p, d, m: write_provenance(p, "Pong"),
        "describes a policy for 'Pong', not 'CartPole-v1'",
    ),
    "provenance without scores": (
        lambda p, d, m: write_provenance(p, CARTPOLE, evaluation={}),
        "lacks the evaluation's mean scores",
    ),
    "truncated": (lambda p, d, m: _truncate(p), "its SHA-256 differs"),
    "edited": (lambda p, d, m: p.weights.write_bytes(b"x" + p.weights.read_bytes()), "differs"),
    "too large": (lambda p, d, m: _huge(p, m), "bytes, more than the 1,000"),
    "a list": (lambda p, d, m: write_release(d, CARTPOLE, [1, 2]), "holds a list"),
    "random bytes": (
        lambda p, d, m: (
            p.weights.write_bytes(bytes(range(256)) * 8),
            write_provenance(p, CARTPOLE),
        ),
        "not a torch checkpoint",
    ),
    "a state_dict only": (
        lambda p, d, m: write_release(d, CARTPOLE, network().state_dict()),
        "it lacks format, kind, env",
    ),
    "another format": (
        lambda p, d, m: write_release(d, CARTPOLE, release_payload(format=2)),
        "format 2",
    ),
    "another game's policy": (
        lambda p, d, m: write_release(d, CARTPOLE, release_payload(env="Acrobot-v1")),
        "holds a policy for 'Acrobot-v1', not 'CartPole-v1'",
    ),
    "weights of another shape": (
        lambda p, d, m: write_release(
            d, CARTPOLE, release_payload(model=network("Pong").state_dict())
        ),
        "do not fit the network it describes",
    ),
    "a Pong network named CartPole": (
        lambda p, d, m: write_release(
            d,
            CARTPOLE,
            release_payload(model=network("Pong"), obs_shape=(4, 84, 84), n_actions=6),
        ),
        "but CartPole-v1 has (4,) and 2, so it was not made for CartPole-v1",
    ),
    "NaN weights": (
        lambda p, d, m: write_release(
            d,
            CARTPOLE,
            release_payload(
                model={**network().state_dict(), "value.bias": torch.tensor([math.nan])}
            ),
        ),
        "value.bias is torch.float32 or holds NaN/inf",
    ),
    "float16 weights": (
        lambda p, d, m: write_release(
            d,
            CARTPOLE,
            release_payload(model={k: v.half() for k, v in network().state_dict().items()}),
        ),
        "torch.float16",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_release_is_refused_in_one_line(
    runs: Path, out: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    paths = released(runs, out)
    damage, message = BROKEN[case]
    damage(paths, out, monkeypatch)
    with pytest.raises(ReleaseError) as raised:
        load_release(CARTPOLE, out)
    assert message in one_line(raised.value)


def test_no_shipped_policy_says_how_to_make_one(out: Path) -> None:
    with pytest.raises(ReleaseError, match="No policy is shipped for Pong") as raised:
        load_release("Pong", out)
    one_line(raised.value, "a3c release --game Pong --data-dir")


def test_a_crafted_release_is_refused_without_running_it(tmp_path: Path, out: Path) -> None:
    marker = tmp_path / "code-ran"
    out.mkdir()
    paths = ReleasePaths.for_game(CARTPOLE, out)
    crafted_checkpoint(paths.weights, marker, release_payload())
    write_provenance(paths, CARTPOLE)  # its SHA-256 matches: only weights_only protects
    with pytest.raises(ReleaseError, match="could run code; refused") as raised:
        load_release(CARTPOLE, out)
    one_line(raised.value)
    assert not marker.exists()


def test_releases_are_looked_for_in_the_package_unless_told(monkeypatch) -> None:
    monkeypatch.delenv("RL_POLICIES_DIR")
    package = Path(release_module.__file__).resolve().parents[1]
    assert shipped_policies_dir() == package / "policies"
    assert ReleasePaths.for_game("Pong").weights == package / "policies" / "Pong.policy.pt"


# ---- installing a release --------------------------------------------------------------------


def test_installing_moves_a_different_run_aside_and_is_idempotent(
    tmp_path: Path, runs: Path, out: Path
) -> None:
    released(runs, out)
    run = RunPaths.for_game(CARTPOLE, tmp_path / "elsewhere")
    old = trainer_checkpoint(run.checkpoint, model=network(seed=5))
    run.episodes_csv.write_text("episode,frames,score,length,worker,wall_time\n")
    run.evaluation_json.write_text("{}")
    old_bytes = old.read_bytes()

    installed = install_release(CARTPOLE, run, out)
    assert not installed.already_installed and installed.moved_aside is not None
    moved = installed.moved_aside
    assert moved.parent == run.root and moved.name.startswith("previous-")
    assert (moved / "checkpoint.pt").read_bytes() == old_bytes  # nothing lost
    assert (moved / "episodes.csv").exists() and (moved / "evaluation.json").exists()
    assert not run.evaluation_json.exists()  # it described the old policy

    checkpoint = load_checkpoint(run.checkpoint)
    release = load_release(CARTPOLE, out)
    assert installed_release(checkpoint) == release.sha256
    assert release_provenance(checkpoint) == release.provenance
    assert checkpoint["frames"] == 12_000 and checkpoint["wall_time_s"] == 42.5
    assert all(torch.equal(checkpoint["model"][k], v) for k, v in release.payload["model"].items())
    evaluation, _ = evaluate_checkpoint(run.checkpoint, FEW_GAMES, expected_env=CARTPOLE)
    assert evaluation.frames_trained == 12_000

    again = install_release(CARTPOLE, run, out)
    assert again.already_installed and again.moved_aside is None
    assert [p.name for p in run.root.iterdir() if p.name.startswith("previous-")] == [moved.name]


def test_installing_over_an_unreadable_checkpoint_moves_it_aside(
    tmp_path: Path, runs: Path, out: Path
) -> None:
    released(runs, out)
    run = RunPaths.for_game(CARTPOLE, tmp_path / "elsewhere")
    run.root.mkdir(parents=True)
    run.checkpoint.write_bytes(b"garbage")
    installed = install_release(CARTPOLE, run, out)
    assert (installed.moved_aside / "checkpoint.pt").read_bytes() == b"garbage"  # type: ignore[operator]
    load_checkpoint(run.checkpoint)


# ---- the a3c_policy check's judgement --------------------------------------------------------


def test_the_policy_check_judges_trained_and_released_policies(
    tmp_path: Path, runs: Path, out: Path
) -> None:
    run = RunPaths.for_game(CARTPOLE, tmp_path / "judged")
    missing = policy_health(CARTPOLE, run)
    assert not missing.passed and "No checkpoint" in missing.summary

    trainer_checkpoint(run.checkpoint)
    trained = policy_health(CARTPOLE, run)
    assert trained.passed and trained.source == "train" and "150 finished" in trained.summary
    assert trained.facts["frames_trained"] == 12_000.0

    trainer_checkpoint(run.checkpoint, episodes=0)
    assert "no game ended yet" in policy_health(CARTPOLE, run).summary
    assert not policy_health(CARTPOLE, run).passed

    diverged = network()
    with torch.no_grad():
        diverged.value.bias.fill_(math.nan)
    trainer_checkpoint(run.checkpoint, model=diverged)
    health = policy_health(CARTPOLE, run)
    assert not health.passed and "value.bias hold NaN" in health.summary

    trainer_checkpoint(run.checkpoint, env="Pong", model=network("Pong"))
    assert "not 'CartPole-v1'" in policy_health(CARTPOLE, run).summary

    paths = write_release(out, CARTPOLE, release_payload())
    install_release(CARTPOLE, run, out)
    health = policy_health(CARTPOLE, run)
    assert health.passed and health.source == "release"
    assert health.facts["release_policy_mean_score"] == 200.0

    write_provenance(paths, CARTPOLE, evaluation={"policy": {"mean": 9}, "random": {"mean": 20}})
    install_release(CARTPOLE, run, out)
    health = policy_health(CARTPOLE, run)
    assert not health.passed and "scored 9.00 vs random 20.00" in health.summary


# ---- the commands ----------------------------------------------------------------------------


def test_release_install_and_play_commands(tmp_path: Path, runs: Path, out: Path, capsys) -> None:
    trainer_checkpoint(RunPaths.for_game(CARTPOLE, runs).checkpoint)
    common = ["--game", CARTPOLE]
    release = ["release", *common, "--data-dir", str(runs), "--out", str(out), "--episodes", "2"]
    assert main([*release, "--allow-worse-than-random"]) == 0
    printed = capsys.readouterr().out
    assert f"Released {CARTPOLE}: {out / 'CartPole-v1.policy.pt'}" in printed
    assert "over 2 games; trained 12,000 frames in 1 min" in printed
    provenance = json.loads((out / "CartPole-v1.json").read_text())
    assert provenance["release_command"] == shlex.join(
        ["a3c", *release, "--allow-worse-than-random"]
    )

    elsewhere = ["--data-dir", str(tmp_path / "elsewhere")]
    install = ["install", *common, *elsewhere, "--from", str(out)]
    assert main(install) == 0
    assert "Installed the shipped CartPole-v1 policy" in capsys.readouterr().out
    assert main(install) == 0
    assert "nothing changed" in capsys.readouterr().out

    gif = tmp_path / "cartpole.gif"
    play = ["play", *common, *elsewhere, "--episodes", "1", "--gif", str(gif)]
    assert main(play) == 0
    with Image.open(gif) as image:
        assert image.is_animated and image.size == (480, 320)

    assert main(["install", "--game", "Pong", "--from", str(tmp_path / "none"), *elsewhere]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "No policy is shipped for Pong" in err

    assert main(["release", *common, "--data-dir", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "No checkpoint at" in err


def test_release_help_says_what_it_writes(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["release", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in ("--data-dir", "--out", "--episodes", "(default: 10)", "provenance", "SHA-256"):
        assert words in text

"""The `a3c` job as the demo runs it: CartPole trained and evaluated with its checks passing, a
release of that run installed through the job (source: release), and metadata a person reads."""

from __future__ import annotations

import base64
import re
from io import BytesIO
from pathlib import Path

import dagster as dg
import numpy as np
import pytest
from PIL import Image

from rl_assets.a3c.checkpoint import RunPaths, load_checkpoint
from rl_assets.a3c.config import EvaluationSettings, default_config
from rl_assets.a3c.evaluate import PREVIEW_MAX_FRAMES, plot_learning_curve, preview_gif
from rl_assets.a3c.release import load_release, make_release
from rl_assets.a3c.trainer import TrainingResult
from rl_assets.defs.assets import GAMES, _training_metadata, game_partitions
from rl_assets.defs.definitions import A3C_JOB, a3c_job, defs

INT_MAX = 2**31 - 1
CARTPOLE = "CartPole-v1"
SELECTION = [dg.AssetKey("a3c_policy"), dg.AssetKey("a3c_evaluation")]


def run_a3c(instance, game: str, policy_config: dict, episodes: int = 5):
    """What the demo does: the named job for one game."""
    return defs.resolve_job_def(A3C_JOB).execute_in_process(
        instance=instance,
        partition_key=game,
        asset_selection=SELECTION,
        run_config={
            "ops": {
                "a3c_policy": {"config": policy_config},
                "a3c_evaluation": {"config": {"episodes": episodes}},
            }
        },
        raise_on_error=False,
    )


def metadata_of(result, node: str) -> dict:
    return result.asset_materializations_for_node(node)[0].metadata


def assert_no_int_overflows(result) -> None:
    """Dagster's GraphQL returns an int above 2**31 - 1 as null: none may be that large."""
    values = [
        value
        for node in ("a3c_policy", "a3c_evaluation")
        for value in metadata_of(result, node).values()
    ] + [
        value for check in result.get_asset_check_evaluations() for value in check.metadata.values()
    ]
    for value in values:
        if isinstance(value, dg.IntMetadataValue):
            assert value.value is None or abs(value.value) <= INT_MAX


def gif_in_markdown(markdown: str) -> Image.Image:
    match = re.fullmatch(r"!\[one evaluation game\]\(data:image/gif;base64,(.+)\)", markdown)
    assert match, markdown[:80]
    return Image.open(BytesIO(base64.b64decode(match.group(1))))


def test_the_job_covers_both_assets_every_game_and_cartpole():
    assert GAMES == ("Pong", "Breakout", "BeamRider", "Qbert", "SpaceInvaders", CARTPOLE)
    assert game_partitions.get_partition_keys() == list(GAMES)
    job = defs.resolve_job_def("a3c")
    assert job.name == "a3c" == A3C_JOB == a3c_job.name and job.partitions_def == game_partitions
    assert {node.name for node in job.nodes} == {
        "a3c_policy",
        "a3c_evaluation",
        "a3c_policy_a3c_policy_is_playable",
        "a3c_evaluation_a3c_policy_beats_random",
    }


def assert_what_a_person_reads(trained) -> None:
    """Typed, honestly named metadata: frames as floats, a scores table, a readable GIF."""
    policy = metadata_of(trained, "a3c_policy")
    assert policy["source"].value == "train"
    assert isinstance(policy["frames_trained"], dg.FloatMetadataValue)
    assert policy["frames_trained"].value >= 60_000
    assert policy["wall_time_this_run_s"].value > 0
    assert "--frames 60000" in policy["training_command"].value
    evaluation = metadata_of(trained, "a3c_evaluation")
    assert evaluation["policy_mean_score"].value > evaluation["random_mean_score"].value + 1
    table = evaluation["scores"].value
    assert [record.data["player"] for record in table.records] == ["A3C policy", "random play"]
    assert table.records[0].data["games"] == 5
    assert [column.name for column in table.schema.columns][:3] == ["player", "games", "mean"]
    with gif_in_markdown(evaluation["episode_gif"].value) as preview:
        assert preview.size == (480, 320) and preview.n_frames > 10
    gif = Path(evaluation["episode_gif_path"].value)
    assert gif.exists() and evaluation["episode_gif_url"].value == gif.as_uri()
    assert_no_int_overflows(trained)


@pytest.mark.slow
def test_cartpole_trains_and_a_release_of_it_installs_through_the_job(tmp_path, monkeypatch):
    runs, fresh = tmp_path / "runs", tmp_path / "fresh"
    monkeypatch.setenv("RL_DATA_DIR", str(runs))
    with dg.instance_for_test() as instance:
        # A tenth of CartPole's default budget: enough to beat random play by far.
        trained = run_a3c(instance, CARTPOLE, {"frames": 60_000, "workers": 2})
        assert trained.success
        assert trained.dagster_run.job_name == "a3c"
        checks = {check.check_name: check for check in trained.get_asset_check_evaluations()}
        assert set(checks) == {"a3c_policy_is_playable", "a3c_policy_beats_random"}
        for check in checks.values():
            assert check.passed, check.description
            assert check.partition == CARTPOLE and check.metadata["game"].value == CARTPOLE

        assert_what_a_person_reads(trained)

        # Ship it, then install it into an empty data dir through the job.
        make_release(CARTPOLE, runs, None, EvaluationSettings(episodes=3))
        monkeypatch.setenv("RL_DATA_DIR", str(fresh))
        installed = run_a3c(instance, CARTPOLE, {"source": "release"})
        assert installed.success
        for check in installed.get_asset_check_evaluations():
            assert check.passed, check.description
        policy = metadata_of(installed, "a3c_policy")
        assert policy["source"].value == "release"
        provenance = load_release(CARTPOLE).provenance
        assert policy["provenance"].value == provenance
        assert (
            policy["release_policy_mean_score"].value == provenance["evaluation"]["policy"]["mean"]
        )
        assert policy["frames_trained"].value == provenance["training"]["frames"]
        assert metadata_of(installed, "a3c_evaluation")["policy_source"].value == "release"
        assert RunPaths.for_game(CARTPOLE, fresh).checkpoint.exists()
        assert (fresh / CARTPOLE / "evaluation.json").exists()

        # Training continues from the installed release, its wall time adding up.
        resumed = run_a3c(instance, CARTPOLE, {"frames": 2_000, "workers": 2}, episodes=1)
        assert resumed.success
        checkpoint = load_checkpoint(RunPaths.for_game(CARTPOLE, fresh).checkpoint)
        assert checkpoint["frames"] >= provenance["training"]["frames"] + 2_000
        assert checkpoint["wall_time_s"] > provenance["training"]["wall_time_s"] > 0
        assert "release" not in checkpoint  # no longer the shipped policy

        # No release for Pong: the run fails on a3c_policy with the fix in its message.
        missing = run_a3c(instance, "Pong", {"source": "release"})
        assert not missing.success
        error = missing.failure_data_for_node("a3c_policy").error.cause
        assert error.cls_name == "ReleaseError"
        assert "No policy is shipped for Pong" in error.message
        assert "a3c release --game Pong" in error.message


def test_frame_counts_beyond_int32_stay_exact(tmp_path):
    paths = RunPaths(tmp_path)
    paths.episodes_csv.write_text("episode,frames,score,length,worker,wall_time\n")
    plot_learning_curve(paths.episodes_csv, paths.learning_curve, "test")
    frames = 80_000_000 * 57  # the paper's budget for every Atari game together
    result = TrainingResult(
        frames=frames,
        run_frames=frames,
        frames_per_step=4,
        wall_time_s=1.0,
        frames_per_s=1.0,
        episodes=3,
        run_episodes=3,
        mean_score_100=1.0,
        stopped_because="frame budget",
        checkpoint=paths.checkpoint,
        paths=paths,
    )
    metadata = _training_metadata(result, default_config("Pong", workers=2), paths)
    assert metadata["frames_trained"] == dg.MetadataValue.float(float(frames))
    assert int(metadata["frames_trained"].value) == frames > INT_MAX
    for value in metadata.values():
        if isinstance(value, dg.IntMetadataValue):
            assert value.value is not None and value.value <= INT_MAX


@pytest.mark.parametrize(("height", "width", "shown_width"), [(210, 160, 320), (320, 480, 480)])
def test_the_preview_is_readable_and_small(height, width, shown_width):
    rng = np.random.default_rng(0)
    frames = [np.zeros((height, width, 3), np.uint8) for _ in range(1000)]
    for index, frame in enumerate(frames):  # a moving block over a dark screen, like a game
        frame[40:60, index % (width - 20) : index % (width - 20) + 20] = 200
        frame[100:104] = rng.integers(0, 255, (4, width, 3), dtype=np.uint8)
    game = "Pong" if width == 160 else CARTPOLE
    with Image.open(BytesIO(data := preview_gif(frames, game))) as preview:
        assert preview.size[0] == shown_width >= 320
        assert preview.n_frames == PREVIEW_MAX_FRAMES
    assert len(data) < 1_500_000

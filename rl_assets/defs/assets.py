"""Dagster assets for A3C: thin glue over ``rl_assets.a3c`` (which knows nothing of Dagster).

``a3c_policy`` trains (resuming from the game's last checkpoint) or installs the policy shipped
for the game (``source: release``), and ``a3c_evaluation`` plays the policy against random play;
both are partitioned by game: the A3C paper's five Atari games and CartPole-v1 (which A3C
solves in well under a minute on 2 cores). Files live in the game's run folder under
``RL_DATA_DIR`` (default ``./data/rl``), see ``rl_assets.a3c.checkpoint``.
"""

import time

import dagster as dg
from pydantic import Field

from hn_assets.config_adapter import dagster_config, from_dagster_config
from hn_assets.reporting import image_markdown
from rl_assets.a3c.checkpoint import RunPaths, load_checkpoint
from rl_assets.a3c.config import (
    A3CConfig,
    EvaluationSettings,
    command_line,
    default_config,
    game_defaults_text,
)
from rl_assets.a3c.evaluate import Evaluation, evaluate_policy, plot_learning_curve, preview_gif
from rl_assets.a3c.release import (
    InstalledRelease,
    describe_release,
    install_release,
    release_provenance,
)
from rl_assets.a3c.trainer import TrainingProgress, TrainingResult, train
from rl_assets.atari import PAPER_GAMES
from rl_assets.errors import WorkerCrashedError

#: The paper's five games, and CartPole: a game A3C learns while a person watches.
GAMES: tuple[str, ...] = (*PAPER_GAMES, "CartPole-v1")
game_partitions = dg.StaticPartitionsDefinition(list(GAMES))

_DEFAULTS = A3CConfig()


def _describe(name: str, help: str) -> str:
    return f"{help} (default: {getattr(_DEFAULTS, name)}{game_defaults_text(name)})"


# Every setting defaults to None, "the game's default" (rl_assets.a3c.config.GAME_DEFAULTS),
# so a per-game default is not overridden by the config's own; a value given here still wins.
A3CTrainingConfig = dagster_config(
    A3CConfig,
    "A3CTrainingConfig",
    exclude=("env",),  # the partition is the game
    keep_base=True,
    describe=_describe,
    extra={
        "resume": (
            bool,
            Field(
                default=True,
                description="Continue from the game's checkpoint; false moves the old run "
                "aside to previous-<time>/. Only for source: train.",
            ),
        )
    },
)
A3CEvaluationConfig = dagster_config(EvaluationSettings, "A3CEvaluationConfig")


def training_config(config: A3CTrainingConfig, game: str) -> A3CConfig:  # type: ignore[valid-type]
    """The settings of an ``a3c_policy`` run for ``game``: the run config over the game's defaults."""
    return from_dagster_config(A3CConfig, config, default_config(game))


def _log_progress_every(context: dg.AssetExecutionContext, seconds: float):
    last = [0.0]

    def log(progress: TrainingProgress) -> None:
        if time.monotonic() - last[0] < seconds:
            return
        last[0] = time.monotonic()
        mean = "n/a" if progress.mean_score_100 is None else f"{progress.mean_score_100:.1f}"
        context.log.info(
            f"{progress.run_frames:,}/{progress.budget_frames:,} frames, {progress.frames_per_s:,.0f} frames/s, "
            f"{progress.episodes} games, mean score (last 100) {mean}"
        )

    return log


def _frames(count: int) -> dg.MetadataValue:
    """Frame counts pass 2**31 - 1 (Pong takes tens of millions; the paper trains 80 million
    per game), above which Dagster's GraphQL returns an int as null: a float keeps them exact up
    to 2**53 and still plots."""
    return dg.MetadataValue.float(float(count))


@dg.asset(
    partitions_def=game_partitions,
    group_name="rl",
    code_version="a3c-2",
    kinds={"pytorch"},
    description=(
        "A3C policy for the game (Mnih et al. 2016): the paper's network trained by one "
        "actor-learner process per core with shared RMSprop. Each materialization trains for the "
        "configured budget, continuing from the game's previous checkpoint; with source: release "
        "it installs the policy shipped in rl_assets/policies/ instead (see its provenance)."
    ),
)
def a3c_policy(
    context: dg.AssetExecutionContext,
    config: A3CTrainingConfig,  # type: ignore[valid-type]
) -> dg.MaterializeResult:
    game = context.partition_key
    paths = RunPaths.for_game(game)
    a3c_config = training_config(config, game)
    a3c_config.validate()
    if a3c_config.source == "release":
        installed = install_release(game, paths)
        context.log.info(
            f"Installed the shipped {game} policy ({installed.release.paths.weights}) in "
            f"{paths.root}: {describe_release(installed.release.provenance)}"
        )
        return dg.MaterializeResult(metadata=_release_metadata(installed))
    context.log.info(f"Training {game} with {a3c_config.workers} workers in {paths.root}")
    try:
        result = train(
            a3c_config,
            paths.root,
            on_progress=_log_progress_every(context, 30.0),
            resume=config.resume,  # type: ignore[attr-defined]
        )
    except WorkerCrashedError as error:
        context.log.error(f"The crashed worker's traceback:\n{error.worker_traceback}")
        raise
    plot_learning_curve(paths.episodes_csv, paths.learning_curve, f"A3C on {game}")
    return dg.MaterializeResult(metadata=_training_metadata(result, a3c_config, paths))


def _training_metadata(
    result: TrainingResult, a3c_config: A3CConfig, paths: RunPaths
) -> dict[str, dg.MetadataValue]:
    return {
        "source": dg.MetadataValue.text("train"),
        "frames_trained": _frames(result.frames),
        "frames_this_run": _frames(result.run_frames),
        "wall_time_this_run_s": dg.MetadataValue.float(round(result.wall_time_s, 1)),
        "frames_per_s": dg.MetadataValue.float(round(result.frames_per_s, 1)),
        "agent_steps_per_s": dg.MetadataValue.float(round(result.steps_per_s, 1)),
        "workers": dg.MetadataValue.int(a3c_config.workers),
        "envs_per_worker": dg.MetadataValue.int(a3c_config.envs_per_worker),
        "training_games": dg.MetadataValue.int(result.episodes),
        "training_games_this_run": dg.MetadataValue.int(result.run_episodes),
        # Whole games, unclipped score, played while learning (actions sampled): the mean of
        # the last 100, or of all when fewer were played.
        "mean_training_score": dg.MetadataValue.float(
            float("nan") if result.mean_score_100 is None else round(result.mean_score_100, 2)
        ),
        "training_games_averaged": dg.MetadataValue.int(min(100, result.episodes)),
        "stopped_because": dg.MetadataValue.text(result.stopped_because),
        "training_command": dg.MetadataValue.md(f"```\n{command_line(a3c_config)}\n```"),
        "checkpoint": dg.MetadataValue.path(str(result.checkpoint.resolve())),
        "learning_curve": dg.MetadataValue.md(
            image_markdown(paths.learning_curve.read_bytes(), "learning curve")
        ),
        "learning_curve_png": dg.MetadataValue.path(str(paths.learning_curve.resolve())),
    }


def _release_metadata(installed: InstalledRelease) -> dict[str, dg.MetadataValue]:
    provenance = installed.release.provenance
    training = provenance.get("training") or {}
    evaluation = provenance["evaluation"]
    code = provenance.get("code") or {}
    wall_time = training.get("wall_time_s")
    frames = training.get("frames")
    return {
        "source": dg.MetadataValue.text("release"),
        "release": dg.MetadataValue.path(str(installed.release.paths.weights.resolve())),
        "provenance": dg.MetadataValue.json(provenance),
        "release_summary": dg.MetadataValue.text(describe_release(provenance)),
        "frames_trained": _frames(frames) if isinstance(frames, int) else dg.MetadataValue.null(),
        "training_wall_time_s": dg.MetadataValue.float(float(wall_time))
        if isinstance(wall_time, int | float)
        else dg.MetadataValue.null(),
        "training_command": dg.MetadataValue.md(f"```\n{training.get('command') or '?'}\n```"),
        "release_policy_mean_score": dg.MetadataValue.float(float(evaluation["policy"]["mean"])),
        "release_random_mean_score": dg.MetadataValue.float(float(evaluation["random"]["mean"])),
        "release_evaluation_games": dg.MetadataValue.int(int(evaluation.get("games") or 0)),
        "git_commit": dg.MetadataValue.text(str(code.get("git_commit", "unknown"))),
        "released_at": dg.MetadataValue.text(str(provenance.get("created", "unknown"))),
        "already_installed": dg.MetadataValue.bool(installed.already_installed),
        "previous_run_moved_to": dg.MetadataValue.path(str(installed.moved_aside))
        if installed.moved_aside is not None
        else dg.MetadataValue.text("nothing to move"),
        "checkpoint": dg.MetadataValue.path(str(installed.checkpoint.resolve())),
    }


@dg.asset(
    partitions_def=game_partitions,
    group_name="rl",
    code_version="a3c-eval-2",
    deps=[a3c_policy],
    kinds={"pytorch"},
    description=(
        "The game's A3C policy played over whole games (Atari: no-op starts, all lives, unclipped "
        "score) next to uniformly random play on the same seeds, with a GIF of one game."
    ),
)
def a3c_evaluation(
    context: dg.AssetExecutionContext,
    config: A3CEvaluationConfig,  # type: ignore[valid-type]
) -> dg.MaterializeResult:
    game = context.partition_key
    paths = RunPaths.for_game(game)
    settings = from_dagster_config(EvaluationSettings, config)
    settings.validate()
    checkpoint = load_checkpoint(paths.checkpoint)
    evaluation, frames = evaluate_policy(
        checkpoint, paths.checkpoint, settings, gif_path=paths.evaluation_gif, expected_env=game
    )
    evaluation.save(paths.evaluation_json)
    gif = paths.evaluation_gif.resolve()
    source = "train" if release_provenance(checkpoint) is None else "release"
    return dg.MaterializeResult(
        metadata={
            "policy_source": dg.MetadataValue.text(source),
            "games_per_player": dg.MetadataValue.int(settings.episodes),
            "frames_trained": _frames(evaluation.frames_trained),
            **_score_metadata(evaluation),
            "evaluation_wall_time_s": dg.MetadataValue.float(evaluation.wall_time_s or 0.0),
            "episode_gif": dg.MetadataValue.md(
                image_markdown(preview_gif(frames, game), "one evaluation game", "image/gif")
            ),
            "episode_gif_path": dg.MetadataValue.path(str(gif)),
            "episode_gif_url": dg.MetadataValue.url(gif.as_uri()),
        }
    )


_SCORE_COLUMNS = [
    dg.TableColumn("player", "string"),
    dg.TableColumn("games", "int"),
    dg.TableColumn("mean", "float"),
    dg.TableColumn("std", "float"),
    dg.TableColumn("min", "float"),
    dg.TableColumn("max", "float"),
]


def _score_metadata(evaluation: Evaluation) -> dict[str, dg.MetadataValue]:
    assert evaluation.random is not None, "a3c_evaluation always plays the random baseline"
    players = (("A3C policy", evaluation.policy), ("random play", evaluation.random))
    records = [
        dg.TableRecord(
            {"player": name, "games": len(scores.scores)}
            | {key: round(value, 2) for key, value in scores.summary().items()}
        )
        for name, scores in players
    ]
    policy, random_play = evaluation.policy.summary(), evaluation.random.summary()
    return {
        "policy_mean_score": dg.MetadataValue.float(policy["mean"]),
        "policy_std_score": dg.MetadataValue.float(policy["std"]),
        "policy_min_score": dg.MetadataValue.float(policy["min"]),
        "policy_max_score": dg.MetadataValue.float(policy["max"]),
        "random_mean_score": dg.MetadataValue.float(random_play["mean"]),
        "random_std_score": dg.MetadataValue.float(random_play["std"]),
        "advantage_over_random": dg.MetadataValue.float(
            evaluation.advantage_over_random  # type: ignore[arg-type]
        ),
        "scores": dg.MetadataValue.table(
            records=records, schema=dg.TableSchema(columns=_SCORE_COLUMNS)
        ),
    }

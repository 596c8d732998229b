"""Dagster assets for A3C: thin glue over ``rl_assets.a3c`` (which knows nothing of Dagster).

``a3c_policy`` trains (resuming from the game's last checkpoint) and ``a3c_evaluation`` plays the
policy against random play; both are partitioned by the A3C paper's five games. Files live in the
game's run folder under ``RL_DATA_DIR`` (default ``./data/rl``), see ``rl_assets.a3c.checkpoint``.
"""

import time

import dagster as dg
from pydantic import Field

from hn_assets.config_adapter import dagster_config, from_dagster_config
from hn_assets.reporting import image_markdown
from rl_assets.a3c.checkpoint import RunPaths
from rl_assets.a3c.config import A3CConfig, EvaluationSettings
from rl_assets.a3c.evaluate import evaluate_checkpoint, gif_bytes, plot_learning_curve
from rl_assets.a3c.trainer import TrainingProgress, train
from rl_assets.atari import PAPER_GAMES
from rl_assets.errors import WorkerCrashedError

game_partitions = dg.StaticPartitionsDefinition(list(PAPER_GAMES))


A3CTrainingConfig = dagster_config(
    A3CConfig,
    "A3CTrainingConfig",
    exclude=("env",),  # the partition is the game
    extra={
        "resume": (
            bool,
            Field(
                default=True,
                description="Continue from the game's checkpoint; false moves the old run "
                "aside to previous-<time>/.",
            ),
        )
    },
)
A3CEvaluationConfig = dagster_config(EvaluationSettings, "A3CEvaluationConfig")


def training_config(config: A3CTrainingConfig, game: str) -> A3CConfig:  # type: ignore[valid-type]
    """The settings of an ``a3c_policy`` run for ``game``: the run config over the defaults."""
    return from_dagster_config(A3CConfig, config, A3CConfig(env=game))


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


@dg.asset(
    partitions_def=game_partitions,
    group_name="rl",
    code_version="a3c-1",
    kinds={"pytorch"},
    description=(
        "A3C policy for the game (Mnih et al. 2016): the paper's network trained by one "
        "actor-learner process per core with shared RMSprop. Each materialization trains for the "
        "configured budget, continuing from the game's previous checkpoint."
    ),
)
def a3c_policy(
    context: dg.AssetExecutionContext,
    config: A3CTrainingConfig,  # type: ignore[valid-type]
) -> dg.MaterializeResult:
    game = context.partition_key
    paths = RunPaths.for_game(game)
    a3c_config = training_config(config, game)
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
    return dg.MaterializeResult(
        metadata={
            "frames": dg.MetadataValue.int(result.frames),
            "frames_this_run": dg.MetadataValue.int(result.run_frames),
            "frames_per_s": dg.MetadataValue.float(round(result.frames_per_s, 1)),
            "agent_steps_per_s": dg.MetadataValue.float(round(result.steps_per_s, 1)),
            "wall_time_s": dg.MetadataValue.float(round(result.wall_time_s, 1)),
            "workers": dg.MetadataValue.int(a3c_config.workers),
            "games": dg.MetadataValue.int(result.episodes),
            "mean_score_last_100": dg.MetadataValue.float(
                float("nan") if result.mean_score_100 is None else round(result.mean_score_100, 2)
            ),
            "stopped_because": dg.MetadataValue.text(result.stopped_because),
            "checkpoint": dg.MetadataValue.path(str(result.checkpoint.resolve())),
            "learning_curve": dg.MetadataValue.md(
                image_markdown(paths.learning_curve.read_bytes(), "learning curve")
            ),
            "learning_curve_png": dg.MetadataValue.path(str(paths.learning_curve.resolve())),
        }
    )


@dg.asset(
    partitions_def=game_partitions,
    group_name="rl",
    code_version="a3c-eval-1",
    deps=[a3c_policy],
    kinds={"pytorch"},
    description=(
        "The game's A3C policy played over whole games (no-op starts, all lives, unclipped score) "
        "next to uniformly random play on the same seeds, with a GIF of one game."
    ),
)
def a3c_evaluation(
    context: dg.AssetExecutionContext,
    config: A3CEvaluationConfig,  # type: ignore[valid-type]
) -> dg.MaterializeResult:
    game = context.partition_key
    paths = RunPaths.for_game(game)
    settings = from_dagster_config(EvaluationSettings, config)
    evaluation, frames = evaluate_checkpoint(
        paths.checkpoint, settings, gif_path=paths.evaluation_gif, expected_env=game
    )
    evaluation.save(paths.evaluation_json)
    policy, random_play = evaluation.policy.summary(), evaluation.random.summary()  # type: ignore[union-attr]
    table = "| player | mean | std | min | max |\n|---|---|---|---|---|\n" + "\n".join(
        f"| {name} | {s['mean']:.2f} | {s['std']:.2f} | {s['min']:g} | {s['max']:g} |"
        for name, s in (("A3C policy", policy), ("random", random_play))
    )
    # A small preview for the UI (every 4th step, half size); the full game is in the GIF file.
    preview = gif_bytes(frames, fps=15, every=4, scale=0.5, max_frames=300)
    return dg.MaterializeResult(
        metadata={
            "episodes": dg.MetadataValue.int(settings.episodes),
            "frames_trained": dg.MetadataValue.int(evaluation.frames_trained),
            "mean_score": dg.MetadataValue.float(policy["mean"]),
            "std_score": dg.MetadataValue.float(policy["std"]),
            "min_score": dg.MetadataValue.float(policy["min"]),
            "max_score": dg.MetadataValue.float(policy["max"]),
            "random_mean_score": dg.MetadataValue.float(random_play["mean"]),
            "random_std_score": dg.MetadataValue.float(random_play["std"]),
            "scores": dg.MetadataValue.md(table),
            "episode_gif": dg.MetadataValue.md(
                image_markdown(preview, "one evaluation game", "image/gif")
            ),
            "episode_gif_path": dg.MetadataValue.path(str(paths.evaluation_gif.resolve())),
        }
    )

"""Dagster assets for A3C: thin glue over ``rl_assets.a3c`` (which knows nothing of Dagster).

``a3c_policy`` trains (resuming from the game's last checkpoint) and ``a3c_evaluation`` plays the
policy against random play; both are partitioned by the A3C paper's five games. Files live in the
game's run folder under ``RL_DATA_DIR`` (default ``./data/rl``), see ``rl_assets.a3c.checkpoint``.
"""

import base64
import time

import dagster as dg
from pydantic import Field

from rl_assets.a3c.checkpoint import RunPaths
from rl_assets.a3c.evaluate import evaluate_checkpoint, gif_bytes, plot_learning_curve
from rl_assets.a3c.trainer import A3CConfig, TrainingProgress, train
from rl_assets.atari import PAPER_GAMES

game_partitions = dg.StaticPartitionsDefinition(list(PAPER_GAMES))


class A3CTrainingConfig(dg.Config):
    """Run config of ``a3c_policy``; anything not here keeps the paper's value (see A3CConfig)."""

    frames: int = Field(
        default=2_000_000, description="Frame budget of this run (4 frames per agent step)."
    )
    max_minutes: float | None = Field(
        default=None, description="Wall-time budget of this run, if any."
    )
    workers: int = Field(default=0, description="Actor-learner processes; 0 = one per CPU core.")
    lr: float = Field(
        default=7e-4,
        description="Learning rate, annealed linearly to 0 over `frames` unless `anneal_lr` is off.",
    )
    anneal_lr: bool = Field(
        default=True, description="Anneal the learning rate to 0 over `frames` (the paper)."
    )
    optimizer: str = Field(
        default="rmsprop", description="'rmsprop' (shared statistics, the paper's) or 'adam'."
    )
    lstm: bool = Field(
        default=False, description="Use the LSTM-256 network (must match a resumed checkpoint)."
    )
    t_max: int = Field(default=5, description="Agent steps per update.")
    envs_per_worker: int = Field(
        default=0,
        description="Envs each worker steps side by side (one batched forward pass, one update "
        "from all their steps); 1 = the paper's A3C, 0 = A3CConfig's default (faster).",
    )
    seed: int = Field(default=1, description="Env i of worker k is seeded with seed + 1000k + i.")
    repeat_action_probability: float = Field(
        default=0.0, description="ALE sticky actions (paper: 0)."
    )
    resume: bool = Field(
        default=True, description="Continue from the game's checkpoint; false moves it aside."
    )
    checkpoint_every_minutes: float = Field(
        default=5.0, description="Periodic checkpoint interval."
    )

    def a3c_config(self, game: str) -> A3CConfig:
        defaults = A3CConfig()
        return A3CConfig(
            env=game,
            max_frames=self.frames,
            max_seconds=self.max_minutes * 60 if self.max_minutes else None,
            workers=self.workers or defaults.workers,
            lr=self.lr,
            anneal_lr=self.anneal_lr,
            optimizer=self.optimizer,  # type: ignore[arg-type]
            lstm=self.lstm,
            t_max=self.t_max,
            envs_per_worker=self.envs_per_worker or defaults.envs_per_worker,
            seed=self.seed,
            repeat_action_probability=self.repeat_action_probability,
            checkpoint_every_s=self.checkpoint_every_minutes * 60,
        )


class A3CEvaluationConfig(dg.Config):
    episodes: int = Field(default=10, description="Games played by the policy, and by random play.")
    seed: int = Field(default=10_000, description="Game k uses seed + k, for both players.")
    max_episode_frames: int | None = Field(
        default=None, description="Cut games after this many frames (default 108,000)."
    )


def _png_markdown(png: bytes, alt: str) -> dg.MetadataValue:
    return dg.MetadataValue.md(f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode()})")


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
    context: dg.AssetExecutionContext, config: A3CTrainingConfig
) -> dg.MaterializeResult:
    game = context.partition_key
    paths = RunPaths.for_game(game)
    a3c_config = config.a3c_config(game)
    context.log.info(f"Training {game} with {a3c_config.workers} workers in {paths.root}")
    result = train(
        a3c_config, paths.root, on_progress=_log_progress_every(context, 30.0), resume=config.resume
    )
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
            "learning_curve": _png_markdown(paths.learning_curve.read_bytes(), "learning curve"),
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
    context: dg.AssetExecutionContext, config: A3CEvaluationConfig
) -> dg.MaterializeResult:
    game = context.partition_key
    paths = RunPaths.for_game(game)
    evaluation, frames = evaluate_checkpoint(
        paths.checkpoint,
        episodes=config.episodes,
        seed=config.seed,
        max_episode_frames=config.max_episode_frames,
        gif_path=paths.evaluation_gif,
        expected_env=game,
    )
    evaluation.save(paths.evaluation_json)
    policy, random_play = evaluation.policy.summary(), evaluation.random.summary()  # type: ignore[union-attr]
    table = "| player | mean | std | min | max |\n|---|---|---|---|---|\n" + "\n".join(
        f"| {name} | {s['mean']:.2f} | {s['std']:.2f} | {s['min']:g} | {s['max']:g} |"
        for name, s in (("A3C policy", policy), ("random", random_play))
    )
    # A small preview for the UI (every 4th step, half size); the full game is in the GIF file.
    preview = gif_bytes(frames, fps=15, every=4, scale=0.5, max_frames=300)
    gif_markdown = (
        f"![one evaluation game](data:image/gif;base64,{base64.b64encode(preview).decode()})"
    )
    return dg.MaterializeResult(
        metadata={
            "episodes": dg.MetadataValue.int(config.episodes),
            "frames_trained": dg.MetadataValue.int(evaluation.frames_trained),
            "mean_score": dg.MetadataValue.float(policy["mean"]),
            "std_score": dg.MetadataValue.float(policy["std"]),
            "min_score": dg.MetadataValue.float(policy["min"]),
            "max_score": dg.MetadataValue.float(policy["max"]),
            "random_mean_score": dg.MetadataValue.float(random_play["mean"]),
            "random_std_score": dg.MetadataValue.float(random_play["std"]),
            "scores": dg.MetadataValue.md(table),
            "episode_gif": dg.MetadataValue.md(gif_markdown),
            "episode_gif_path": dg.MetadataValue.path(str(paths.evaluation_gif.resolve())),
        }
    )

"""`a3c`: train an A3C agent on an Atari game and watch it play.

a3c train --game Pong --workers 2 --frames 2000000
a3c train --game Pong --frames 50e6 --constant-lr   # the README's Pong recipe
a3c play --game Pong --episodes 3 --gif pong.gif
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rl_assets.atari import PAPER_GAMES, UnknownGameError, is_atari, validate_env_name

DATA_DIR_HELP = "where runs live, one folder per game (default: $RL_DATA_DIR or ./data/rl)"


def _game(value: str) -> str:
    try:
        return validate_env_name(value)
    except UnknownGameError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _positive_int(value: str) -> int:
    number = int(float(value))  # accepts 2e6
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="a3c",
        description="Asynchronous Advantage Actor-Critic (Mnih et al. 2016) on Atari, on all CPU cores.",
        epilog="Runs are stored per game under --data-dir; `train` resumes from the game's checkpoint.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser(
        "train",
        help="train (or keep training) a policy for a game",
        description=(
            "Train with N actor-learner processes sharing one network and one RMSprop. Resumes from "
            "<data dir>/<game>/checkpoint.pt when present. Prints frames/s and the mean score of the "
            "last 100 games; Ctrl-C stops all workers and saves a checkpoint. Frames are emulator "
            "frames: one agent step is 4 frames (frame skip)."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    train.add_argument(
        "--game",
        required=True,
        type=_game,
        help=f"ALE game, e.g. {', '.join(PAPER_GAMES)}; or a gymnasium id such as CartPole-v1",
    )
    train.add_argument(
        "--workers", type=_positive_int, default=os.cpu_count() or 1, help="actor-learner processes"
    )
    train.add_argument(
        "--envs-per-worker",
        type=_positive_int,
        default=None,
        help="envs each worker steps side by side, acting with one batched forward pass and "
        "making one update from all their steps; 1 is the paper's A3C (default: "
        "A3CConfig.envs_per_worker = 16, ~3.5x the paper's steps/s on 2 cores; see bench/a3c.py)",
    )
    train.add_argument(
        "--frames",
        type=_positive_int,
        default=10_000_000,
        help="frame budget of this run (accepts 2e6)",
    )
    train.add_argument("--minutes", type=float, default=None, help="wall-time budget of this run")
    train.add_argument(
        "--lr",
        type=float,
        default=7e-4,
        help="learning rate, annealed linearly to 0 over --frames unless --constant-lr",
    )
    train.add_argument(
        "--constant-lr",
        action="store_true",
        help="keep the learning rate constant, for a run whose length --minutes or Ctrl-C "
        "decides (the README's Pong recipe)",
    )
    train.add_argument(
        "--optimizer", choices=("rmsprop", "adam"), default="rmsprop", help="shared optimiser"
    )
    train.add_argument(
        "--t-max", type=_positive_int, default=5, help="steps per update (n of the n-step return)"
    )
    train.add_argument(
        "--gae-lambda", type=float, default=1.0, help="1.0 = n-step returns as the paper; <1 = GAE"
    )
    train.add_argument("--lstm", action="store_true", help="use the LSTM-256 network variant")
    train.add_argument(
        "--seed", type=int, default=1, help="env i of worker k is seeded with seed + 1000k + i"
    )
    train.add_argument(
        "--sticky-actions",
        type=float,
        default=0.0,
        metavar="P",
        help="ALE repeat_action_probability (paper: 0)",
    )
    train.add_argument(
        "--checkpoint-minutes", type=float, default=5.0, help="how often to save a checkpoint"
    )
    train.add_argument(
        "--fresh",
        action="store_true",
        help="ignore the existing checkpoint (moved to previous-<time>/)",
    )
    train.add_argument("--data-dir", type=Path, default=None, help=DATA_DIR_HELP)

    play = commands.add_parser(
        "play",
        help="play games with a trained policy; print scores, optionally save a GIF",
        description=(
            "Load <data dir>/<game>/checkpoint.pt and play whole games (no-op starts, all lives, "
            "unclipped score), sampling actions from the policy."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    play.add_argument("--game", required=True, type=_game, help="the game whose checkpoint to load")
    play.add_argument("--episodes", type=_positive_int, default=3, help="games to play")
    play.add_argument(
        "--gif", type=Path, default=None, help="save the first game as an animated GIF here"
    )
    play.add_argument(
        "--compare-random", action="store_true", help="also play random actions on the same seeds"
    )
    play.add_argument(
        "--max-frames",
        type=_positive_int,
        default=None,
        help="cut each game after this many frames (default: 108,000)",
    )
    play.add_argument("--seed", type=int, default=10_000, help="game k uses seed + k")
    play.add_argument("--data-dir", type=Path, default=None, help=DATA_DIR_HELP)
    return parser


def _train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from rl_assets.a3c.checkpoint import RunPaths
    from rl_assets.a3c.trainer import A3CConfig, TrainingInterrupted, WorkerCrashedError, train

    config = A3CConfig(
        env=args.game,
        max_frames=args.frames,
        max_seconds=args.minutes * 60 if args.minutes else None,
        workers=args.workers,
        envs_per_worker=args.envs_per_worker or A3CConfig.envs_per_worker,
        seed=args.seed,
        t_max=args.t_max,
        gae_lambda=args.gae_lambda,
        lstm=args.lstm,
        optimizer=args.optimizer,
        lr=args.lr,
        anneal_lr=not args.constant_lr,
        repeat_action_probability=args.sticky_actions,
        checkpoint_every_s=args.checkpoint_minutes * 60,
    )
    paths = RunPaths.for_game(args.game, args.data_dir)
    print(
        f"Training A3C on {args.game} with {args.workers} workers x {config.envs_per_worker} envs; "
        f"run folder {paths.root}",
        file=sys.stderr,
    )
    bar = tqdm(total=args.frames, unit="frame", unit_scale=True, dynamic_ncols=True, desc=args.game)

    def show(progress) -> None:
        bar.update(progress.run_frames - bar.n)
        mean = "n/a" if progress.mean_score_100 is None else f"{progress.mean_score_100:.1f}"
        steps_per_s = progress.frames_per_s / config.frames_per_step
        bar.set_postfix_str(
            f"{progress.frames_per_s:,.0f} frames/s ({steps_per_s:,.0f} steps/s), games {progress.episodes}, mean score (last 100) {mean}"
        )

    try:
        result = train(config, paths.root, on_progress=show, resume=not args.fresh)
    except TrainingInterrupted as interrupted:
        bar.close()
        print(f"\n{interrupted}", file=sys.stderr)
        return 130
    except WorkerCrashedError as error:
        bar.close()
        print(f"\nerror: {error}", file=sys.stderr)
        return 1
    bar.update(result.run_frames - bar.n)
    bar.close()
    mean = "n/a" if result.mean_score_100 is None else f"{result.mean_score_100:.2f}"
    print(
        f"Done ({result.stopped_because}): {result.run_frames:,} frames in {result.wall_time_s:.0f}s "
        f"({result.frames_per_s:,.0f} frames/s, {result.steps_per_s:,.0f} agent steps/s); "
        f"{result.frames:,} frames in total; mean score of the last 100 games {mean}.\n"
        f"Checkpoint: {result.checkpoint}\nEpisodes:   {paths.episodes_csv}\n"
        f"TensorBoard: tensorboard --logdir {paths.tensorboard}",
    )
    return 0


def _play(args: argparse.Namespace) -> int:
    from rl_assets.a3c.checkpoint import CheckpointError, RunPaths
    from rl_assets.a3c.evaluate import evaluate_checkpoint

    if args.gif is not None and not is_atari(args.game):
        print(
            f"error: --gif records Atari screens; {args.game} is not an Atari game.",
            file=sys.stderr,
        )
        return 2
    paths = RunPaths.for_game(args.game, args.data_dir)
    try:
        evaluation, _ = evaluate_checkpoint(
            paths.checkpoint,
            episodes=args.episodes,
            seed=args.seed,
            max_episode_frames=args.max_frames,
            compare_random=args.compare_random,
            gif_path=args.gif,
            expected_env=args.game,
        )
    except CheckpointError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"{args.game}: policy trained for {evaluation.frames_trained:,} frames, {args.episodes} games"
    )
    rows = [("policy", evaluation.policy)] + (
        [("random", evaluation.random)] if evaluation.random else []
    )
    print(f"{'':8}{'mean':>9}{'std':>9}{'min':>9}{'max':>9}  scores")
    for name, scores in rows:
        s = scores.summary()
        listed = ", ".join(f"{score:g}" for score in scores.scores)
        print(f"{name:8}{s['mean']:9.2f}{s['std']:9.2f}{s['min']:9g}{s['max']:9g}  {listed}")
    if args.gif is not None:
        print(f"GIF of the first game: {args.gif}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return _train(args) if args.command == "train" else _play(args)


if __name__ == "__main__":
    sys.exit(main())

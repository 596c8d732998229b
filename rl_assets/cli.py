"""`a3c`: train an A3C agent on an Atari game and watch it play; ship and install policies.

a3c train --game Pong --workers 2 --frames 2000000
a3c train --game Pong --frames 50e6 --constant-lr   # the README's Pong recipe
a3c play --game Pong --episodes 3 --gif pong.gif
a3c release --game Pong --data-dir /path/to/runs    # rl_assets/policies/Pong.policy.pt + .json
a3c install --game Pong                             # the shipped policy as Pong's checkpoint

The options of `train` are generated from ``A3CConfig`` (over the game's defaults,
``GAME_DEFAULTS``) and those of `play` and `release` from ``EvaluationSettings``
(``rl_assets.a3c.config``): every default and help text is written there.
Exit codes: 0 done, 1 the work failed, 2 a usage or configuration error, 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from hn_assets.config_adapter import add_arguments, from_arguments, help_of
from hn_assets.errors import run_command
from rl_assets.a3c.config import GAME_DEFAULTS, A3CConfig, EvaluationSettings, default_config
from rl_assets.atari import validate_env_name
from rl_assets.errors import A3CError, ConfigError, UnknownGameError

DATA_DIR_HELP = "where runs live, one folder per game (default: $RL_DATA_DIR or ./data/rl)"
VERBOSE_HELP = "show the traceback of an error (as HN_LOG_LEVEL=DEBUG does)"
# `a3c play` is a quick look at a policy: fewer games than the evaluation asset plays.
PLAY_DEFAULTS = EvaluationSettings(episodes=3)
# A release records the evaluation asset's measure: 10 games against random play.
RELEASE_DEFAULTS = EvaluationSettings()
GAME_DEFAULTS_HELP = "Some games start from other defaults than those listed: " + "; ".join(
    f"{game}: " + ", ".join(f"{name} {value}" for name, value in values.items())
    for game, values in GAME_DEFAULTS.items()
)


def _game(value: str) -> str:
    try:
        return validate_env_name(value)
    except UnknownGameError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="a3c",
        description="Asynchronous Advantage Actor-Critic (Mnih et al. 2016) on Atari, on all CPU cores.",
        epilog="Runs are stored per game under --data-dir; `train` resumes from the game's checkpoint.",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help=VERBOSE_HELP)
    # Also accepted after the command; SUPPRESS keeps `a3c -v train` from being reset.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--verbose", "-v", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP
    )
    common.add_argument("--data-dir", type=Path, default=None, help=DATA_DIR_HELP)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_train(commands, common)
    _add_play(commands, common)
    _add_release(commands, common)
    _add_install(commands, common)
    return parser


def _add_train(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    train = commands.add_parser(
        "train",
        parents=[common],
        help="train (or keep training) a policy for a game",
        description=(
            "Train with N actor-learner processes sharing one network and one optimiser. Resumes "
            "from <data dir>/<game>/checkpoint.pt when present. Prints frames/s and the mean score "
            "of the last 100 games; Ctrl-C stops all workers and saves a checkpoint. Frames are "
            "emulator frames: one agent step is 4 frames (frame skip). Whole numbers may be "
            "written as 2e6."
        ),
        epilog=GAME_DEFAULTS_HELP + ". An option given here always wins.",
        # The --game below replaces the generated one: required, and checked while parsing.
        conflict_handler="resolve",
    )
    settings = add_arguments(train, A3CConfig)
    settings.add_argument(
        "--game",
        dest="env",
        required=True,
        type=_game,
        metavar="GAME",
        help=help_of(A3CConfig, "env"),
    )
    settings.add_argument(
        "--constant-lr",
        dest="anneal_lr",
        action="store_false",
        default=None,
        help="the same as --no-anneal-lr, for a run whose length --minutes or Ctrl-C decides "
        "(the README's Pong recipe)",
    )
    train.add_argument(
        "--fresh",
        action="store_true",
        help="ignore the existing checkpoint (the old run moves to previous-<time>/)",
    )
    train.set_defaults(func=_train)


def _add_play(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    play = commands.add_parser(
        "play",
        parents=[common],
        help="play games with a trained policy; print scores, optionally save a GIF",
        description=(
            "Load <data dir>/<game>/checkpoint.pt and play whole games (no-op starts, all lives, "
            "unclipped score), sampling actions from the policy. `a3c install` puts the shipped "
            "policy of a game there."
        ),
    )
    play.add_argument("--game", required=True, type=_game, help="the game whose checkpoint to load")
    add_arguments(play, EvaluationSettings, PLAY_DEFAULTS)
    play.add_argument(
        "--gif",
        type=Path,
        default=None,
        help="save the first game as an animated GIF here (Atari games and CartPole)",
    )
    play.add_argument(
        "--compare-random", action="store_true", help="also play random actions on the same seeds"
    )
    play.set_defaults(func=_play)


def _add_release(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    release = commands.add_parser(
        "release",
        parents=[common],
        help="ship a trained policy: its weights and a provenance record, a few MB",
        description=(
            "Play --episodes games with <data dir>/<game>/checkpoint.pt and as many with random "
            "actions on the same seeds, then write OUT/<game>.policy.pt (the network's float32 "
            "weights only: 2.7 MB for an Atari game) and OUT/<game>.json (provenance: the "
            "training settings as an `a3c train` command, frames, wall time, the git commit of "
            "this code, the evaluation against random play, date, library versions, and the "
            "weights' SHA-256). A policy that does not beat random play is not written unless "
            "--allow-worse-than-random. Install a release with `a3c install --game GAME` or the "
            "a3c_policy asset's source: release."
        ),
        epilog="Example: a3c release --game Pong --data-dir /work/pong-run",
    )
    release.add_argument(
        "--game", required=True, type=_game, help="the game whose checkpoint to release"
    )
    release.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write the two files (default: $RL_POLICIES_DIR or the package's "
        "rl_assets/policies/, where installs look)",
    )
    add_arguments(release, EvaluationSettings, RELEASE_DEFAULTS)
    release.add_argument(
        "--allow-worse-than-random",
        action="store_true",
        help="write the release even if the policy's mean score does not beat random play's",
    )
    release.set_defaults(func=_release)


def _add_install(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    install = commands.add_parser(
        "install",
        parents=[common],
        help="make the shipped policy of a game its checkpoint, without training",
        description=(
            "Check the release in FROM/<game>.policy.pt against its provenance record and the "
            "game, and write it as <data dir>/<game>/checkpoint.pt, so `a3c play` plays it and "
            "`a3c train` continues from it. A different run in the game's folder moves to "
            "previous-<time>/ first; installing the same release again changes nothing."
        ),
    )
    install.add_argument("--game", required=True, type=_game, help="the game to install")
    install.add_argument(
        "--from",
        dest="policies_dir",
        type=Path,
        default=None,
        help="the folder of releases (default: $RL_POLICIES_DIR or the package's policies/)",
    )
    install.set_defaults(func=_install)


def _train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from rl_assets.a3c.checkpoint import RunPaths
    from rl_assets.a3c.trainer import TrainingProgress, train

    config = from_arguments(A3CConfig, args, default_config(args.env))
    config.validate()
    paths = RunPaths.for_game(config.env, args.data_dir)
    print(
        f"Training A3C on {config.env} with {config.workers} workers x {config.envs_per_worker} "
        f"envs; run folder {paths.root}",
        file=sys.stderr,
    )
    with tqdm(
        total=config.frames, unit="frame", unit_scale=True, dynamic_ncols=True, desc=config.env
    ) as bar:

        def show(progress: TrainingProgress) -> None:
            bar.update(progress.run_frames - bar.n)
            mean = "n/a" if progress.mean_score_100 is None else f"{progress.mean_score_100:.1f}"
            steps_per_s = progress.frames_per_s / config.frames_per_step
            bar.set_postfix_str(
                f"{progress.frames_per_s:,.0f} frames/s ({steps_per_s:,.0f} steps/s), "
                f"games {progress.episodes}, mean score (last 100) {mean}"
            )

        result = train(config, paths.root, on_progress=show, resume=not args.fresh)
        bar.update(result.run_frames - bar.n)
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
    from rl_assets.a3c.checkpoint import RunPaths
    from rl_assets.a3c.evaluate import can_record, evaluate_checkpoint

    if args.gif is not None and not can_record(args.game):
        raise ConfigError(
            f"--gif records Atari screens and CartPole; {args.game} is neither: leave --gif out."
        )
    settings = from_arguments(EvaluationSettings, args, PLAY_DEFAULTS)
    evaluation, _ = evaluate_checkpoint(
        RunPaths.for_game(args.game, args.data_dir).checkpoint,
        settings,
        compare_random=args.compare_random,
        gif_path=args.gif,
        expected_env=args.game,
    )
    print(
        f"{args.game}: policy trained for {evaluation.frames_trained:,} frames, "
        f"{settings.episodes} games"
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


def _release(args: argparse.Namespace) -> int:
    import shlex

    from rl_assets.a3c.release import count_games, make_release

    settings = from_arguments(EvaluationSettings, args, RELEASE_DEFAULTS)

    def announce() -> None:
        print(
            f"Playing {settings.episodes} games of {args.game} with the policy and "
            f"{settings.episodes} with random actions...",
            file=sys.stderr,
        )

    release, evaluation = make_release(
        args.game,
        args.data_dir,
        args.out,
        settings,
        allow_worse_than_random=args.allow_worse_than_random,
        release_command=shlex.join(["a3c", *args.argv]),
        on_evaluating=announce,
    )
    provenance = release.provenance
    training = provenance["training"]
    wall = training["wall_time_s"]
    random_mean = evaluation.random.mean if evaluation.random else float("nan")
    print(
        f"Released {args.game}: {release.paths.weights} ({provenance['weights_bytes'] / 1e6:.1f} MB, "
        f"sha256 {provenance['weights_sha256'][:12]}) and {release.paths.provenance}\n"
        f"policy {evaluation.policy.mean:.2f} vs random play {random_mean:.2f} over "
        f"{count_games(settings.episodes)}; trained {training['frames']:,} frames"
        + (f" in {wall / 60:.0f} min" if wall is not None else "")
        + f"; code {provenance['code']['git_commit'][:12]}"
        + (" (with uncommitted changes)" if provenance["code"]["git_dirty"] else "")
    )
    return 0


def _install(args: argparse.Namespace) -> int:
    from rl_assets.a3c.checkpoint import RunPaths
    from rl_assets.a3c.release import describe_release, install_release

    installed = install_release(
        args.game, RunPaths.for_game(args.game, args.data_dir), args.policies_dir
    )
    if installed.already_installed:
        print(f"{installed.checkpoint} already is the shipped {args.game} policy; nothing changed.")
    else:
        moved = (
            f"; the previous run moved to {installed.moved_aside}" if installed.moved_aside else ""
        )
        print(f"Installed the shipped {args.game} policy as {installed.checkpoint}{moved}.")
    print(describe_release(installed.release.provenance))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # for `release`'s provenance
    verbose = args.verbose or os.environ.get("HN_LOG_LEVEL", "").strip().upper() == "DEBUG"
    return run_command(
        "a3c", args.command, lambda: args.func(args), verbose=verbose, expected=A3CError
    )


if __name__ == "__main__":
    sys.exit(main())

"""A3C throughput against the environment alone, side by side on the same cores.

    python bench/a3c.py --json                   # Pong, one worker per core, 30 s each
    python bench/a3c.py --envs-per-worker 16 --json
    python bench/a3c.py --workers 2 --seconds 60 --json
    python bench/a3c.py --learn-minutes 60 --json  # also: train Pong that long, then evaluate

1. env only: N processes step the *training* env (same preprocessing: frame skip 4 with max-pool,
   84x84 grayscale, 4-frame stack, life-loss episodes, reward clipping) with random actions.
2. A3C: the real trainer with N workers (acting, learning, shared RMSprop, logging), each
   stepping --envs-per-worker envs (default: the trainer's), and side by side the paper's
   setting, one env per worker.

All rates are measured after a warm-up, over the same duration; the env-only phase runs
before and after the A3C phases and its mean is the baseline. An *agent step* is one
preprocessed env step = 4 emulator *frames*; both units are reported. ``efficiency`` is
a3c_steps_per_s / env_only_steps_per_s; the headline numbers are for --envs-per-worker, those
of the paper's setting are under ``paper_envs_per_worker_1``. The last line printed is one JSON
object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import torch.multiprocessing as mp

from rl_assets.a3c.config import A3CConfig, EvaluationSettings
from rl_assets.a3c.evaluate import evaluate_checkpoint
from rl_assets.a3c.trainer import TrainingProgress, train
from rl_assets.atari import frames_per_step, make_env

GOAL_STEPS_PER_S_2_WORKERS = 1500
GOAL_EFFICIENCY = 0.35


def _step_randomly(game: str, seed: int, warmup_s: float, seconds: float, start, results) -> None:
    import cv2
    import torch

    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    env = make_env(game, training=True)
    env.action_space.seed(seed)
    env.reset(seed=seed)

    def run_for(duration: float) -> int:
        steps, end = 0, time.perf_counter() + duration
        while time.perf_counter() < end:
            for _ in range(100):
                _, _, terminated, truncated, _ = env.step(env.action_space.sample())
                if terminated or truncated:
                    env.reset()
            steps += 100
        return steps

    start.wait()  # all processes step at the same time, like the A3C workers
    run_for(warmup_s)
    began = time.perf_counter()
    steps = run_for(seconds)
    results.put(steps / (time.perf_counter() - began))


def env_only_steps_per_s(game: str, workers: int, warmup_s: float, seconds: float) -> float:
    context = mp.get_context("spawn")
    start, results = context.Event(), context.Queue()
    processes = [
        context.Process(target=_step_randomly, args=(game, rank, warmup_s, seconds, start, results))
        for rank in range(workers)
    ]
    for process in processes:
        process.start()
    time.sleep(1.0)
    start.set()
    rates = [results.get(timeout=warmup_s + seconds + 300) for _ in processes]
    for process in processes:
        process.join()
    return sum(rates)


class _MeasurementDone(Exception):
    pass


class _SteadyRate:
    """Collects the trainer's progress reports; ends training once the window is measured."""

    def __init__(self, warmup_s: float, seconds: float):
        self.warmup_s, self.seconds = warmup_s, seconds
        self.first_frames_at: float | None = None
        self.samples: list[TrainingProgress] = []

    def __call__(self, progress: TrainingProgress) -> None:
        # The clock starts before the workers have imported torch: count from the first frames.
        if self.first_frames_at is None:
            if progress.run_frames == 0:
                return
            self.first_frames_at = progress.elapsed_s
        if progress.elapsed_s >= self.first_frames_at + self.warmup_s:
            self.samples.append(progress)
        if progress.elapsed_s >= self.first_frames_at + self.warmup_s + self.seconds:
            raise _MeasurementDone  # any error in a progress callback stops the workers cleanly

    def frames_per_s(self) -> float:
        begin, end = self.samples[0], self.samples[-1]
        return (end.run_frames - begin.run_frames) / (end.elapsed_s - begin.elapsed_s)


def a3c_steps_per_s(
    game: str, workers: int, envs_per_worker: int, t_max: int, warmup_s: float, seconds: float
) -> tuple[float, int]:
    """Steady-state training rate (agent steps/s) and the games finished meanwhile."""
    rate = _SteadyRate(warmup_s, seconds)
    config = A3CConfig(
        env=game,
        workers=workers,
        envs_per_worker=envs_per_worker,
        t_max=t_max,
        frames=10**9,
        max_minutes=10,
        progress_every_s=1.0,
    )
    with tempfile.TemporaryDirectory() as run_dir, contextlib.suppress(_MeasurementDone):
        train(config, run_dir, on_progress=rate)
    return rate.frames_per_s() / frames_per_step(game), rate.samples[-1].episodes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--game", default="Pong")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--envs-per-worker",
        type=int,
        default=A3CConfig.envs_per_worker,
        help="envs per A3C worker (the trainer's default); the paper's 1 is measured beside it",
    )
    parser.add_argument(
        "--t-max", type=int, default=A3CConfig.t_max, help="A3C steps per update (paper: 5)"
    )
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="measurement window of each side"
    )
    parser.add_argument(
        "--warmup", type=float, default=5.0, help="seconds discarded before measuring"
    )
    parser.add_argument(
        "--learn-minutes",
        type=float,
        default=None,
        help="also train this long and evaluate (10 games)",
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args()

    log = (lambda *a: None) if args.json else (lambda *a: print(*a, file=sys.stderr))
    load_before = os.getloadavg()[0]
    # env only, A3C, env only again: on a shared machine the load can change between phases,
    # so the baseline is the mean of the runs before and after.
    env_rates = []
    a3c: dict[int, tuple[float, int]] = {}  # envs per worker -> (agent steps/s, games finished)
    for phase in ("before", "after"):
        log(f"env only ({phase}): {args.workers} processes stepping {args.game} randomly ...")
        env_rates.append(env_only_steps_per_s(args.game, args.workers, args.warmup, args.seconds))
        log(f"  {env_rates[-1]:,.0f} agent steps/s")
        if phase == "before":
            for envs_per_worker in dict.fromkeys((1, args.envs_per_worker)):
                log(f"A3C: {args.workers} workers x {envs_per_worker} envs on {args.game} ...")
                a3c[envs_per_worker] = a3c_steps_per_s(
                    args.game,
                    args.workers,
                    envs_per_worker,
                    args.t_max,
                    args.warmup,
                    args.seconds,
                )
                log(f"  {a3c[envs_per_worker][0]:,.0f} agent steps/s")
    env_rate = sum(env_rates) / len(env_rates)
    skip = frames_per_step(args.game)
    a3c_rate, a3c_episodes = a3c[args.envs_per_worker]
    paper_rate = a3c[1][0]
    efficiency = a3c_rate / env_rate
    report = {
        "benchmark": "a3c_throughput",
        "game": args.game,
        "workers": args.workers,
        "envs_per_worker": args.envs_per_worker,
        "t_max": args.t_max,
        "cpu_count": os.cpu_count(),
        "load_avg_1min_before": round(load_before, 2),
        "measure_seconds": args.seconds,
        "agent_step": f"one preprocessed env step = {skip} emulator frames (frame skip)",
        "env_only_steps_per_s": round(env_rate, 1),
        "env_only_steps_per_s_before_and_after": [round(rate, 1) for rate in env_rates],
        "env_only_frames_per_s": round(env_rate * skip, 1),
        "a3c_steps_per_s": round(a3c_rate, 1),
        "a3c_frames_per_s": round(a3c_rate * skip, 1),
        "efficiency": round(efficiency, 3),
        "paper_envs_per_worker_1": {
            "a3c_steps_per_s": round(paper_rate, 1),
            "efficiency": round(paper_rate / env_rate, 3),
        },
        "speedup_vs_envs_per_worker_1": round(a3c_rate / paper_rate, 2),
        "goals": {
            "a3c_steps_per_s_with_2_workers": GOAL_STEPS_PER_S_2_WORKERS,
            "efficiency": GOAL_EFFICIENCY,
        },
        "meets_efficiency_goal": efficiency >= GOAL_EFFICIENCY,
        "meets_steps_goal": a3c_rate >= GOAL_STEPS_PER_S_2_WORKERS if args.workers == 2 else None,
        "a3c_games_finished": a3c_episodes,
    }
    if args.learn_minutes:
        log(f"learning: training {args.game} for {args.learn_minutes} minutes ...")
        run_dir = Path(tempfile.mkdtemp(prefix="a3c-bench-"))
        config = A3CConfig(
            env=args.game,
            workers=args.workers,
            envs_per_worker=args.envs_per_worker,
            max_minutes=args.learn_minutes,
            frames=10**10,
        )
        result = train(config, run_dir)
        evaluation, _ = evaluate_checkpoint(result.checkpoint, EvaluationSettings(episodes=10))
        report["learning"] = {
            "minutes": args.learn_minutes,
            "frames": result.run_frames,
            "training_mean_score_last_100": result.mean_score_100,
            "eval_mean_score": evaluation.policy.mean,
            "eval_std_score": evaluation.policy.std,
            "random_mean_score": evaluation.random.mean if evaluation.random else None,
            "run_dir": str(run_dir),
        }
    print(json.dumps(report))


if __name__ == "__main__":
    main()

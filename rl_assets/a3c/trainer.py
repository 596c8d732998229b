"""A3C trainer: workers in processes, the parent supervises (settings: ``config.A3CConfig``).

The parent process builds the global network and the shared optimiser, starts ``workers``
actor-learner processes (``rl_assets.a3c.worker``), and then only supervises: it collects finished
episodes (CSV + TensorBoard), prints progress, writes periodic checkpoints, enforces the wall-time
budget, and stops everything cleanly on Ctrl-C or when a worker dies.
"""

from __future__ import annotations

import csv
import math
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import torch.multiprocessing as mp

from rl_assets.a3c.checkpoint import RunPaths, load_checkpoint, save_checkpoint
from rl_assets.a3c.config import A3CConfig
from rl_assets.a3c.messages import EpisodeFinished, LearnerStats, SharedRunState, WorkerFailed
from rl_assets.a3c.model import ActorCritic, build_model
from rl_assets.a3c.shared_optim import SharedOptimizer, make_optimizer
from rl_assets.a3c.worker import run_worker
from rl_assets.atari import make_env
from rl_assets.errors import CheckpointError, WorkerCrashedError


@dataclass(frozen=True)
class TrainingProgress:
    frames: int  # all frames the policy has trained on, earlier runs included
    run_frames: int  # frames of this run
    budget_frames: int
    frames_per_s: float  # recent rate; agent steps/s = frames_per_s / frames_per_step
    episodes: int
    mean_score_100: float | None  # mean unclipped score of the last 100 games
    elapsed_s: float


@dataclass(frozen=True)
class TrainingResult:
    frames: int
    run_frames: int
    frames_per_step: int
    wall_time_s: float  # including starting the worker processes
    frames_per_s: float  # run_frames / wall_time_s
    episodes: int
    run_episodes: int
    mean_score_100: float | None
    stopped_because: str  # "frame budget", "time budget", "target score" or "interrupted"
    checkpoint: Path
    paths: RunPaths

    @property
    def steps_per_s(self) -> float:
        return self.frames_per_s / self.frames_per_step


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C: the workers were stopped and a checkpoint saved; ``result`` says where."""

    def __init__(self, result: TrainingResult):
        super().__init__(
            f"Training interrupted after {result.run_frames:,} frames; all workers stopped; "
            f"checkpoint saved to {result.checkpoint}."
        )
        self.result = result


class EpisodeLog:
    """Finished games to ``episodes.csv`` (appending across resumed runs) and TensorBoard."""

    columns = ("episode", "frames", "score", "length", "worker", "wall_time")

    def __init__(
        self, paths: RunPaths, start_steps: int, frames_per_step: int, keep_scores: int = 100
    ):
        from torch.utils.tensorboard import SummaryWriter  # slow import; only when training

        self.start_steps = start_steps
        self.frames_per_step = frames_per_step
        self.recent_scores: deque[float] = deque(maxlen=max(100, keep_scores))
        self.run_scores = 0  # games finished in this run
        self.episodes = 0
        if paths.episodes_csv.exists():
            with paths.episodes_csv.open(newline="") as previous:
                for row in csv.DictReader(previous):
                    self.recent_scores.append(float(row["score"]))
                    self.episodes += 1
        new_file = not paths.episodes_csv.exists()
        self._file = paths.episodes_csv.open("a", newline="")
        self._csv = csv.writer(self._file)
        if new_file:
            self._csv.writerow(self.columns)
        self._tensorboard = SummaryWriter(str(paths.tensorboard))

    def frames(self, run_steps: int) -> int:
        return (self.start_steps + run_steps) * self.frames_per_step

    def episode(self, message: EpisodeFinished) -> None:
        frames = self.frames(message.step)
        self.episodes += 1
        self.run_scores += 1
        self.recent_scores.append(message.score)
        self._csv.writerow(
            (
                self.episodes,
                frames,
                message.score,
                message.length,
                message.worker,
                round(message.wall_time_s, 3),
            )
        )
        self._tensorboard.add_scalar("episode/score", message.score, frames)
        self._tensorboard.add_scalar("episode/length", message.length, frames)

    def learner_stats(self, message: LearnerStats) -> None:
        frames = self.frames(message.step)
        for name in ("policy_loss", "value_loss", "entropy", "lr"):
            self._tensorboard.add_scalar(f"learner/{name}", getattr(message, name), frames)

    def throughput(self, frames_per_s: float, frames: int) -> None:
        self._tensorboard.add_scalar("perf/frames_per_s", frames_per_s, frames)

    def mean_score(self, last: int = 100) -> float | None:
        scores = list(self.recent_scores)[-last:]
        return sum(scores) / len(scores) if scores else None

    def reached(self, target: float | None, window: int) -> bool:
        """Whether this run's last ``window`` games average at least ``target``."""
        if target is None or self.run_scores < window:
            return False
        mean = self.mean_score(window)
        return mean is not None and mean >= target

    def flush(self) -> None:
        self._file.flush()
        self._tensorboard.flush()

    def close(self) -> None:
        self._file.close()
        self._tensorboard.close()


ProgressCallback = Callable[[TrainingProgress], None]


def train(
    config: A3CConfig,
    run_dir: Path | str,
    on_progress: ProgressCallback | None = None,
    resume: bool = True,
) -> TrainingResult:
    """Train until the frame or time budget is spent; resume from ``run_dir``'s checkpoint if any.

    Without a checkpoint to resume from (or with ``resume=False``) an earlier run's files are
    moved to ``run_dir/previous-<time>/`` first.
    Raises ``ConfigError`` for a bad config, ``CheckpointError`` for a checkpoint it cannot resume
    from, ``WorkerCrashedError`` if a worker dies and ``TrainingInterrupted`` on Ctrl-C; in every
    case all worker processes have exited when this returns or raises.
    """
    config.validate()
    paths = RunPaths(Path(run_dir))
    paths.root.mkdir(parents=True, exist_ok=True)
    run = _Run(config, paths, _prepare_learner(config, paths, resume))
    started = time.monotonic()
    stopped_because, failure = run.execute(on_progress, started)
    wall_time = time.monotonic() - started
    if failure is not None:
        raise run.crash_error(failure)
    run.save()
    result = run.result(stopped_because, wall_time)
    if stopped_because == "interrupted":
        raise TrainingInterrupted(result)
    return result


@dataclass
class _Learner:
    """The global network and its shared optimiser, and the agent steps they have trained for."""

    model: ActorCritic
    optimizer: SharedOptimizer
    obs_shape: tuple[int, ...]
    n_actions: int
    start_steps: int
    # Training wall time of the runs before this one; None when a resumed checkpoint predates
    # this record (then the total stays unknown rather than too small).
    start_wall_time_s: float | None


def _prepare_learner(config: A3CConfig, paths: RunPaths, resume: bool) -> _Learner:
    """The network for the env, resumed from the run's checkpoint or fresh (an earlier run's
    files then move aside), in shared memory."""
    probe = make_env(config.env, training=True, settings=config.atari_settings())
    obs_shape, n_actions = tuple(probe.observation_space.shape), int(probe.action_space.n)
    probe.close()
    model = build_model(obs_shape, n_actions, lstm=config.lstm)
    optimizer = make_optimizer(
        config.optimizer, model.parameters(), config.lr, config.rmsprop_alpha, config.rmsprop_eps
    )
    start_steps, start_wall_time_s = 0, 0.0
    if resume and paths.checkpoint.exists():
        checkpoint = load_checkpoint(paths.checkpoint)
        _ensure_compatible(checkpoint, config, paths)
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        start_steps = checkpoint["steps"]
        previous = checkpoint.get("wall_time_s")
        start_wall_time_s = float(previous) if isinstance(previous, int | float) else None
    else:  # a fresh start: earlier files (say, of a run that never checkpointed) move aside
        paths.archive_previous_run()
    model.share_memory()
    optimizer.share_memory()
    return _Learner(model, optimizer, obs_shape, n_actions, start_steps, start_wall_time_s)


class _Run:
    """One training run: the worker processes, what they share, and the episode log."""

    def __init__(self, config: A3CConfig, paths: RunPaths, learner: _Learner):
        self.config, self.paths, self.learner = config, paths, learner
        self.frame_skip = config.frames_per_step
        context = mp.get_context(config.start_method)
        self.shared = SharedRunState(
            model=learner.model,
            optimizer=learner.optimizer,
            steps=context.Value("q", 0),
            stop=context.Event(),
            messages=context.Queue(),
            max_steps=math.ceil(config.frames / self.frame_skip),
        )
        self.log = EpisodeLog(
            paths, learner.start_steps, self.frame_skip, keep_scores=config.target_window
        )
        self.episodes_before = self.log.episodes
        self.started = time.monotonic()  # reset when the workers start
        self.workers = [
            context.Process(
                target=run_worker,
                args=(rank, config, self.shared),
                name=f"a3c-worker-{rank}",
                daemon=True,  # never outlive the trainer
            )
            for rank in range(config.workers)
        ]

    def execute(
        self, on_progress: ProgressCallback | None, started: float
    ) -> tuple[str, WorkerFailed | None]:
        """Start the workers, supervise them until the run ends, and stop them all."""
        self.started = started
        try:
            with _sigint_ignored():  # children inherit SIG_IGN; the trainer handles Ctrl-C
                for worker in self.workers:
                    worker.start()
            return _Supervisor(self, on_progress, started).run()
        except KeyboardInterrupt:
            return "interrupted", None
        finally:
            with _sigint_ignored():  # a second Ctrl-C must not cut the shutdown short
                _stop_workers(self.workers, self.shared, self.log)
            self.log.close()

    def save(self) -> None:
        run_steps = self.shared.steps.value
        config, learner = self.config, self.learner
        save_checkpoint(
            self.paths.checkpoint,
            {
                "env": config.env,
                "obs_shape": learner.obs_shape,
                "n_actions": learner.n_actions,
                "lstm": config.lstm,
                "frames_per_step": self.frame_skip,
                "atari_settings": asdict(config.atari_settings()),
                "steps": learner.start_steps + run_steps,
                "frames": self.log.frames(run_steps),
                "episodes": self.log.episodes,
                # all runs of this policy together, for `a3c release`'s provenance
                "wall_time_s": None
                if learner.start_wall_time_s is None
                else learner.start_wall_time_s + time.monotonic() - self.started,
                "config": asdict(config),
                "model": learner.model.state_dict(),
                "optimizer": learner.optimizer.state_dict(),
            },
        )

    def crash_error(self, failure: WorkerFailed) -> WorkerCrashedError:
        lines = failure.traceback.strip().splitlines()
        cause = lines[-1] if lines else "no traceback"
        return WorkerCrashedError(
            f"A3C worker {failure.worker} crashed ({cause}), so all {len(self.workers)} workers "
            f"were stopped; the last checkpoint, if any, is {self.paths.checkpoint}.",
            failure.traceback,
        )

    def result(self, stopped_because: str, wall_time: float) -> TrainingResult:
        run_steps = self.shared.steps.value
        return TrainingResult(
            frames=self.log.frames(run_steps),
            run_frames=run_steps * self.frame_skip,
            frames_per_step=self.frame_skip,
            wall_time_s=wall_time,
            frames_per_s=run_steps * self.frame_skip / wall_time,
            episodes=self.log.episodes,
            run_episodes=self.log.episodes - self.episodes_before,
            mean_score_100=self.log.mean_score(),
            stopped_because=stopped_because,
            checkpoint=self.paths.checkpoint,
            paths=self.paths,
        )


class _Supervisor:
    """The trainer's loop while the workers run: log their messages, notice a dead worker,
    checkpoint and report progress on time, and say when and why the run is over."""

    def __init__(self, training: _Run, on_progress: ProgressCallback | None, started: float):
        self.training, self.on_progress, self.started = training, on_progress, started
        self.last_progress = self.last_checkpoint = started
        self.last_steps = 0

    def run(self) -> tuple[str, WorkerFailed | None]:
        """Until the budget is spent or a worker fails; Ctrl-C propagates to the caller."""
        config, log = self.training.config, self.training.log
        max_seconds = None if config.max_minutes is None else config.max_minutes * 60
        while True:
            failure = self._failure()
            if failure is not None:
                return "crashed", failure
            if log.reached(config.target_score, config.target_window):
                return "target score", None
            if all(w.exitcode == 0 for w in self.training.workers):
                return "frame budget", None
            now = time.monotonic()
            if max_seconds is not None and now - self.started >= max_seconds:
                return "time budget", None
            if now - self.last_checkpoint >= config.checkpoint_every_minutes * 60:
                self.training.save()
                self.last_checkpoint = now
            if now - self.last_progress >= config.progress_every_s:
                self._report_progress(now)

    def _failure(self) -> WorkerFailed | None:
        """The first failure a worker reported, or a worker that died without reporting."""
        shared, log = self.training.shared, self.training.log
        failure = _drain(shared.messages, log, wait_s=0.25)
        if failure is not None:
            return failure
        dead = [
            (rank, w.exitcode)
            for rank, w in enumerate(self.training.workers)
            if w.exitcode not in (None, 0)
        ]
        if not dead:
            return None
        time.sleep(0.5)  # give its traceback a moment to arrive
        rank, code = dead[0]
        reason = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        return _drain(shared.messages, log, wait_s=0.0) or WorkerFailed(rank, f"Process {reason}.")

    def _report_progress(self, now: float) -> None:
        log = self.training.log
        steps = self.training.shared.steps.value
        frames_per_s = (steps - self.last_steps) * log.frames_per_step / (now - self.last_progress)
        log.throughput(frames_per_s, log.frames(steps))
        log.flush()
        if self.on_progress is not None:
            self.on_progress(
                TrainingProgress(
                    frames=log.frames(steps),
                    run_frames=steps * log.frames_per_step,
                    budget_frames=self.training.shared.max_steps * log.frames_per_step,
                    frames_per_s=frames_per_s,
                    episodes=log.episodes,
                    mean_score_100=log.mean_score(),
                    elapsed_s=now - self.started,
                )
            )
        self.last_progress, self.last_steps = now, steps


def _drain(messages, log: EpisodeLog, wait_s: float) -> WorkerFailed | None:
    """Log every pending message; return the first failure report, if any."""
    failure = None
    try:
        message = messages.get(timeout=wait_s) if wait_s > 0 else messages.get_nowait()
        while True:
            if isinstance(message, EpisodeFinished):
                log.episode(message)
            elif isinstance(message, LearnerStats):
                log.learner_stats(message)
            elif isinstance(message, WorkerFailed) and failure is None:
                failure = message
            message = messages.get_nowait()
    except queue.Empty:
        pass
    return failure


def _stop_workers(
    workers: list, shared: SharedRunState, log: EpisodeLog, grace_s: float = 15.0
) -> None:
    """Ask every worker to stop, keep draining their queue so they can exit, then make sure."""
    shared.stop.set()
    deadline = time.monotonic() + grace_s
    while any(w.is_alive() for w in workers) and time.monotonic() < deadline:
        _drain(shared.messages, log, wait_s=0.05)
        for worker in workers:
            worker.join(timeout=0.05)
    for worker in workers:
        if worker.is_alive():
            worker.terminate()
            worker.join(timeout=5)
        if worker.is_alive():
            worker.kill()
            worker.join()
    _drain(shared.messages, log, wait_s=0.0)
    shared.messages.close()


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _ensure_compatible(checkpoint: dict, config: A3CConfig, paths: RunPaths) -> None:
    if checkpoint["env"] != config.env or checkpoint["lstm"] != config.lstm:
        raise CheckpointError(
            f"The checkpoint in {paths.root} is for env={checkpoint['env']!r}, lstm={checkpoint['lstm']}, "
            f"but this run asks for env={config.env!r}, lstm={config.lstm}. Use another data dir, "
            "or start fresh (--fresh / resume=False moves the old run aside)."
        )

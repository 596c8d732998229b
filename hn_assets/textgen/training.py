"""Train the char-LSTM with Lightning: budgets, checkpoints, resume, baselines, curves."""

from __future__ import annotations

import io
import math
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import Callback, EarlyStopping, ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger

from hn_assets.config_adapter import setting
from hn_assets.errors import ConfigError
from hn_assets.textgen.corpus import PostingLengths
from hn_assets.textgen.model import (
    CharCorpusDataModule,
    CharLSTM,
    CheckpointError,
    Optimizer,
    read_checkpoint,
    state_dict_mismatch,
)
from hn_assets.textgen.vocab import DEFAULT_MIN_FREQUENCY, Vocabulary

CHECKPOINT_DIR = "checkpoints"
LAST_CHECKPOINT = "last.ckpt"
SUPERSEDED_DIR = "superseded"
_ARCHITECTURE_KEYS = ("vocab_size", "hidden", "layers", "embedding_dim", "vocabulary_json")


@dataclass
class TrainConfig:
    """Every setting of the char-LSTM trainer, from the training set to the hardware: the one
    place they and their defaults are written (the Dagster config and command-line options
    are generated from it, see :mod:`hn_assets.config_adapter`). The defaults are the
    "paper" profile: the blog post's model, for a workstation or a GPU."""

    # The training set: char_training_set builds it with these and records them next to it,
    # and training reads them back (see TRAINING_SET_SETTINGS).
    min_frequency: float = setting(
        DEFAULT_MIN_FREQUENCY,
        help="Characters rarer than this share of the corpus become <unknown>.",
    )
    seq_len: int = setting(100, help="Window length in characters.")
    step: int = setting(3, help="Characters between the starts of training windows.")
    val_fraction: float = setting(0.1, help="Share of posts held out for validation.")
    seed: int = setting(0, help="Seed of the train/validation split and of training.")
    # The model.
    hidden: int = setting(512, help="LSTM units per layer.")
    layers: int = setting(2, help="Stacked LSTM layers.")
    dropout: float = setting(0.4, help="Dropout between and after the LSTM layers.")
    embedding_dim: int = setting(64, help="Size of the character embedding.")
    # Optimisation.
    optimizer: Optimizer = setting("rmsprop", help="rmsprop (the blog post's) or adam.")
    lr: float = setting(2e-3, help="Learning rate.")
    batch_size: int = setting(128, help="Windows per batch.")
    gradient_clip: float = setting(5.0, help="Clip the gradient norm to this.")
    early_stopping_patience: int = setting(
        3, help="Validations without improvement before training stops."
    )
    # Budgets, per call (one materialization); None means "no limit".
    max_epochs: int = setting(
        20, help="Epochs per call; a resumed run trains up to this many more."
    )
    max_time_s: float | None = setting(
        None, help="Seconds of training batches per call (None: no limit)."
    )
    limit_train_batches: int | float | None = setting(
        None, help="Training batches per epoch: a count, or a share as 0.25 (None: all)."
    )
    limit_val_batches: int | float | None = setting(
        None, help="Validation batches per epoch: a count, or a share as 0.25 (None: all)."
    )
    # Hardware and logging: Lightning's Trainer arguments.
    accelerator: str = setting("auto", help="Lightning accelerator: auto, cpu, gpu, ...")
    devices: int | str = setting(1, help="Devices per node: a number, or auto.")
    strategy: str = setting("auto", help="Lightning strategy: auto, ddp, ...")
    num_nodes: int = setting(1, help="Machines to train on.")
    num_workers: int = setting(0, help="Data-loading worker processes.")
    progress_bar: bool | None = setting(
        None, help="Show progress bars (None: only when stderr is a terminal)."
    )
    log_every_n_steps: int = setting(10, help="Steps between logged training losses.")

    @classmethod
    def small_cpu(cls, max_time_s: float = 120.0) -> TrainConfig:
        """A budget run for a few CPU cores (the demo): a 2 x 128 LSTM with Adam, small enough
        to take the many steps it needs to learn within minutes; the 2 x 512 model takes too
        few in that time (bench/RESULTS.md has the measurements)."""
        return cls(
            hidden=128,
            dropout=0.2,
            optimizer="adam",
            lr=5e-3,
            batch_size=32,
            max_time_s=max_time_s,
            max_epochs=1000,
            limit_train_batches=60,
            limit_val_batches=8,
        )

    def training_set(self) -> dict[str, Any]:
        """The training-set settings, as ``build_training_set`` takes them."""
        return _pick(self, TRAINING_SET_SETTINGS)


#: Settings of the training set rather than the training: char_training_set writes them next
#: to the corpus and training reads them back, so it uses the windows the asset reported.
TRAINING_SET_SETTINGS = ("min_frequency", "seq_len", "step", "val_fraction", "seed")
_MODEL_SETTINGS = ("hidden", "layers", "dropout", "lr", "optimizer", "embedding_dim")
_DATA_SETTINGS = ("batch_size", "seq_len", "step", "val_fraction", "seed", "num_workers")

#: The named presets (HN_LSTM_PROFILE); ``hn_assets.settings.LSTM_PROFILES`` lists the names.
PROFILES: dict[str, Callable[[], TrainConfig]] = {
    "paper": TrainConfig,
    "small_cpu": TrainConfig.small_cpu,
}


def profile_config(name: str) -> TrainConfig:
    """The preset called ``name``; raises :class:`ConfigError` for an unknown name."""
    if name not in PROFILES:
        raise ConfigError(f"unknown LSTM profile {name!r}: use one of {sorted(PROFILES)}")
    return PROFILES[name]()


def _pick(config: TrainConfig, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(config, name) for name in names}


def new_model(vocab: Vocabulary, config: TrainConfig) -> CharLSTM:
    """An untrained :class:`CharLSTM` of ``config``'s size that carries ``vocab``."""
    return CharLSTM(
        vocab_size=vocab.size, vocabulary_json=vocab.to_json(), **_pick(config, _MODEL_SETTINGS)
    )


@dataclass
class TrainResult:
    """What a training call produced. Curves are (global step, bits per character).

    Lightning's "epoch" here is a round of ``limit_train_batches`` batches followed by a
    validation, not a pass over the data; ``epochs`` is the real thing: how many times the
    training windows were seen, fractional.
    """

    checkpoint_path: Path
    best_checkpoint_path: Path
    val_bpc: float  # of the best checkpoint
    unigram_bpc: float  # unigram entropy of the same validation targets, from train counts
    train_curve: list[tuple[int, float]]
    val_curve: list[tuple[int, float]]
    parameters: int
    chars_per_s: float  # training targets (characters) per second of training batches
    global_step: int  # optimizer steps (batches) of every call that led to this checkpoint
    resumed: bool
    #: Lightning epochs, all calls together: rounds of ``limit_train_batches`` batches, each
    #: ending in a validation and a checkpoint.
    validation_rounds: int
    #: Passes over the training windows, all calls together: global_step x batch_size x
    #: processes / training windows (of today's training set, if it grew between calls).
    epochs: float
    epochs_this_call: float
    train_batches: int  # batches trained in this call
    train_windows: int
    val_windows: int
    wall_s: float  # the whole call: loading, training, validation, checkpoints
    train_s: float  # of which training batches
    device: str  # what trained: "cpu", or "cuda (NVIDIA H200)"; "4 x ..." for 4 processes
    precision: str
    stopped_by: str  # why this call ended: "time budget", "early stopping" or "epoch limit"
    posting_lengths: PostingLengths  # of the training posts; stored in the checkpoint
    fresh_start_reason: str | None = None
    train_chars_seen: int = 0  # targets trained on in this call


def unigram_bpc(train_ids: np.ndarray, val_ids: np.ndarray, vocab_size: int) -> float:
    """Bits per character of ``val_ids`` under add-one-smoothed unigram counts of ``train_ids``."""
    counts = np.bincount(np.asarray(train_ids), minlength=vocab_size).astype(np.float64) + 1.0
    log2_p = np.log2(counts / counts.sum())
    val_counts = np.bincount(np.asarray(val_ids), minlength=vocab_size)
    if val_counts.sum() == 0:
        raise ValueError("unigram_bpc needs at least one validation id")
    return float(-(val_counts * log2_p).sum() / val_counts.sum())


class TrainingTimeBudget(Callback):
    """Stops after ``max_time_s`` of this call's training (Lightning's ``Timer`` would
    count the time of earlier, resumed runs too, because it restores its state)."""

    def __init__(self, max_time_s: float | None) -> None:
        self.max_time_s = max_time_s
        self._started = 0.0
        self.stopped = False

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._started = time.monotonic()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if self.max_time_s is None:
            return
        over = time.monotonic() - self._started >= self.max_time_s
        if trainer.strategy.broadcast(over):
            trainer.should_stop = True
            self.stopped = True


class CurveRecorder(Callback):
    """Train / validation curves kept in the checkpoint, so they continue across resumes;
    also measures this call's training throughput."""

    def __init__(self, every_n_steps: int) -> None:
        self.every_n_steps = max(1, every_n_steps)
        self.train_curve: list[tuple[int, float]] = []
        self.val_curve: list[tuple[int, float]] = []
        self.targets = 0
        self.batches = 0
        self.batch_seconds = 0.0
        self._batch_started = 0.0

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        self._batch_started = time.perf_counter()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        step = trainer.global_step
        if step % self.every_n_steps == 0 or step == 1:
            loss = outputs["loss"] if isinstance(outputs, dict) else outputs
            self.train_curve.append((step, float(loss) / math.log(2)))
        if torch.cuda.is_available() and pl_module.device.type == "cuda":
            torch.cuda.synchronize(pl_module.device)
        self.batch_seconds += time.perf_counter() - self._batch_started
        self.targets += int(batch.shape[0]) * (int(batch.shape[1]) - 1)
        self.batches += 1

    def on_validation_epoch_end(self, trainer, pl_module) -> None:
        if trainer.sanity_checking or "val_loss" not in trainer.callback_metrics:
            return
        value = float(trainer.callback_metrics["val_loss"]) / math.log(2)
        self.val_curve.append((trainer.global_step, value))

    def state_dict(self) -> dict[str, Any]:
        return {"train_curve": self.train_curve, "val_curve": self.val_curve}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.train_curve = [tuple(point) for point in state_dict.get("train_curve", [])]
        self.val_curve = [tuple(point) for point in state_dict.get("val_curve", [])]


def _precision(accelerator: str) -> str:
    gpu = accelerator in ("auto", "gpu", "cuda") and torch.cuda.is_available()
    return "bf16-mixed" if gpu else "32-true"


def _resume_decision(last: Path, model: CharLSTM) -> tuple[dict[str, Any] | None, str | None]:
    """(checkpoint, None) to resume, or (None, reason) to start fresh.

    The file is read as data only, like any other checkpoint: the run dir may be shared or
    restored from elsewhere, and a file that is not ours must not run code or block training.
    """
    if not last.exists():
        return None, "no earlier checkpoint"
    try:
        checkpoint = read_checkpoint(last)
    except (CheckpointError, OSError) as error:
        return None, f"earlier checkpoint unusable ({error})"
    previous = checkpoint.get("hyper_parameters")
    if not isinstance(previous, dict) or not isinstance(checkpoint.get("state_dict"), dict):
        return None, "earlier checkpoint has no hyper_parameters and state_dict"
    for key in _ARCHITECTURE_KEYS:
        if previous.get(key) != model.hparams.get(key):
            what = "vocabulary" if key in ("vocab_size", "vocabulary_json") else key
            return None, f"{what} changed since the earlier checkpoint"
    mismatch = state_dict_mismatch(model, checkpoint["state_dict"])
    if mismatch:
        return None, f"earlier checkpoint's weights do not fit the model ({mismatch})"
    return checkpoint, None


def _set_aside(checkpoint_dir: Path, run_dir: Path) -> None:
    """Move an incompatible earlier run out of the way (kept, not deleted)."""
    if not checkpoint_dir.exists():
        return
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = run_dir / SUPERSEDED_DIR / stamp
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(checkpoint_dir), str(target))


def _resume_or_set_aside(run_dir: Path, model: CharLSTM) -> tuple[Path | None, int, str | None]:
    """(checkpoint to resume from, epochs it trained, None), or (None, 0, why training
    starts fresh) after moving an earlier run that cannot be resumed out of the way."""
    checkpoint_dir = run_dir / CHECKPOINT_DIR
    last = checkpoint_dir / LAST_CHECKPOINT
    checkpoint, fresh_reason = _resume_decision(last, model)
    if checkpoint is None:
        _set_aside(checkpoint_dir, run_dir)
        return None, 0, fresh_reason
    return last, int(checkpoint.get("epoch", 0)) + 1, None


def _trainer(
    run_dir: Path,
    config: TrainConfig,
    max_epochs: int,
    callbacks: list[Callback],
) -> L.Trainer:
    """A Lightning trainer with ``config``'s budgets, hardware and logging."""
    interactive = sys.stderr.isatty() if config.progress_bar is None else config.progress_bar
    return L.Trainer(
        default_root_dir=run_dir,
        accelerator=config.accelerator,
        devices=config.devices,
        strategy=config.strategy,
        num_nodes=config.num_nodes,
        precision=_precision(config.accelerator),
        max_epochs=max_epochs,
        limit_train_batches=config.limit_train_batches,
        limit_val_batches=config.limit_val_batches,
        gradient_clip_val=config.gradient_clip,
        callbacks=callbacks,
        logger=[
            CSVLogger(run_dir / "logs", name="csv"),
            TensorBoardLogger(run_dir / "logs", name="tensorboard"),
        ],
        log_every_n_steps=config.log_every_n_steps,
        enable_progress_bar=interactive,
        enable_model_summary=interactive,
        num_sanity_val_steps=0,
    )


def _device_name(trainer: L.Trainer) -> str:
    device = trainer.strategy.root_device
    name = "cpu" if device.type == "cpu" else device.type
    if device.type == "cuda":
        name = f"cuda ({torch.cuda.get_device_name(device)})"
    return name if trainer.world_size == 1 else f"{trainer.world_size} x {name}"


def _stopped_by(budget: TrainingTimeBudget, early_stopping: EarlyStopping) -> str:
    if budget.stopped:
        return "time budget"
    if early_stopping.stopped_epoch > 0:
        return "early stopping"
    return "epoch limit"


def _validation_baseline(data: CharCorpusDataModule) -> float:
    """Unigram bits per character of the validation targets, from the training posts' counts."""
    corpus, train, val = data.corpus, data.train_windows, data.val_windows
    assert corpus is not None and train is not None and val is not None
    train_ids = np.concatenate(
        [corpus.data[corpus.offsets[p] + 1 : corpus.offsets[p + 1]] for p in train.posts]
    )
    val_ids = np.asarray(corpus.data[val.target_positions()])
    return unigram_bpc(train_ids, val_ids, corpus.vocab.size)


def train_char_lstm(
    corpus_dir: str | os.PathLike[str], run_dir: str | os.PathLike[str], config: TrainConfig
) -> TrainResult:
    """Train (or resume training of) the char-LSTM on a saved corpus.

    Resumes from ``run_dir/checkpoints/last.ckpt`` when the vocabulary and architecture are
    unchanged; otherwise that run is moved to ``run_dir/superseded/<time>`` and training
    starts fresh. Budgets (epochs, time, batches) apply to this call.
    """
    started = time.monotonic()
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    L.seed_everything(config.seed, workers=True, verbose=False)
    data = CharCorpusDataModule(corpus_dir, **_pick(config, _DATA_SETTINGS))
    model = new_model(data.vocab, config)
    assert data.corpus is not None and data.train_windows is not None
    assert data.val_windows is not None
    # Sampling reads these from the checkpoint to know when a posting has run long.
    model.posting_lengths = PostingLengths.of(data.corpus, data.train_windows.posts)
    ckpt_path, epochs_done, fresh_reason = _resume_or_set_aside(run_dir, model)
    checkpointing = ModelCheckpoint(
        dirpath=run_dir / CHECKPOINT_DIR,
        filename="best-{epoch}-{step}",
        monitor="val_loss",
        mode="min",
        save_top_k=1,
        save_last=True,
        every_n_epochs=1,
    )
    early_stopping = EarlyStopping(
        monitor="val_loss", mode="min", patience=config.early_stopping_patience
    )
    budget = TrainingTimeBudget(config.max_time_s)
    recorder = CurveRecorder(config.log_every_n_steps)
    trainer = _trainer(
        run_dir,
        config,
        config.max_epochs + epochs_done,
        [checkpointing, early_stopping, budget, recorder],
    )
    # weights_only=True, stated rather than left to the installed torch's default: Lightning
    # reads the file again here, and _resume_decision only vetted what it saw a moment ago.
    trainer.fit(model, datamodule=data, ckpt_path=ckpt_path, weights_only=True)

    if checkpointing.best_model_score is None:
        raise RuntimeError(
            "training finished without a validation run; raise limit_val_batches or the budget"
        )
    last_path = run_dir / CHECKPOINT_DIR / LAST_CHECKPOINT
    train_windows = len(data.train_windows)
    windows_per_step = config.batch_size * trainer.world_size
    return TrainResult(
        checkpoint_path=last_path,
        best_checkpoint_path=Path(checkpointing.best_model_path or last_path),
        val_bpc=float(checkpointing.best_model_score) / math.log(2),
        unigram_bpc=_validation_baseline(data),
        train_curve=list(recorder.train_curve),
        val_curve=list(recorder.val_curve),
        parameters=sum(parameter.numel() for parameter in model.parameters()),
        chars_per_s=recorder.targets / recorder.batch_seconds if recorder.batch_seconds else 0.0,
        global_step=trainer.global_step,
        resumed=ckpt_path is not None,
        validation_rounds=trainer.current_epoch,
        epochs=trainer.global_step * windows_per_step / train_windows,
        epochs_this_call=recorder.batches * windows_per_step / train_windows,
        train_batches=recorder.batches,
        train_windows=train_windows,
        val_windows=len(data.val_windows),
        wall_s=time.monotonic() - started,
        train_s=recorder.batch_seconds,
        device=_device_name(trainer),
        precision=str(trainer.precision),
        stopped_by=_stopped_by(budget, early_stopping),
        posting_lengths=model.posting_lengths,
        fresh_start_reason=fresh_reason,
        train_chars_seen=recorder.targets,
    )


def plot_curves_png(result: TrainResult) -> bytes:
    """PNG of the train and validation curves (bits per character by step)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4), dpi=100)
    if result.train_curve:
        steps, values = zip(*result.train_curve, strict=True)
        axes.plot(steps, values, label="train", linewidth=1)
    if result.val_curve:
        steps, values = zip(*result.val_curve, strict=True)
        axes.plot(steps, values, marker="o", label="validation")
    axes.axhline(result.unigram_bpc, color="grey", linestyle="--", label="unigram baseline")
    axes.set_xlabel("step")
    axes.set_ylabel("bits per character")
    axes.set_title(f"char-LSTM: best validation {result.val_bpc:.3f} bpc")
    axes.legend()
    axes.grid(alpha=0.3)
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()

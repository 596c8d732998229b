"""Train the char-LSTM with Lightning: budgets, checkpoints, resume, baselines, curves."""

from __future__ import annotations

import io
import math
import os
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import Callback, EarlyStopping, ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger

from hn_assets.textgen.model import (
    CharCorpusDataModule,
    CharLSTM,
    CheckpointError,
    read_checkpoint,
    state_dict_mismatch,
)

CHECKPOINT_DIR = "checkpoints"
LAST_CHECKPOINT = "last.ckpt"
SUPERSEDED_DIR = "superseded"
_ARCHITECTURE_KEYS = ("vocab_size", "hidden", "layers", "embedding_dim", "vocabulary_json")


@dataclass
class TrainConfig:
    """Model size, optimisation and budgets. A budget of None means "no limit"."""

    hidden: int = 512
    layers: int = 2
    dropout: float = 0.4
    lr: float = 2e-3
    optimizer: str = "rmsprop"
    embedding_dim: int = 64
    batch_size: int = 128
    seq_len: int = 100
    step: int = 3
    max_epochs: int = 20  # per call: a resumed run trains up to this many more epochs
    max_time_s: float | None = None  # per call, training batches only
    limit_train_batches: int | float | None = None  # batches per epoch
    limit_val_batches: int | float | None = None
    val_fraction: float = 0.1
    seed: int = 0
    gradient_clip: float = 5.0
    early_stopping_patience: int = 3
    progress_bar: bool | None = None  # None: only when stderr is a terminal
    accelerator: str = "auto"
    devices: int | str = 1
    strategy: str = "auto"
    num_nodes: int = 1
    num_workers: int = 0
    log_every_n_steps: int = 10

    @classmethod
    def small_cpu(cls, max_time_s: float = 120.0) -> TrainConfig:
        """A budget run for a few CPU cores (the demo): a 2 x 128 LSTM with Adam. In two
        minutes on 2 shared cores it reached 2.2-3.0 bits per character on the sample
        archive (unigram baseline 4.5), depending on the load; the 2 x 512 model manages only
        some 20-100 steps in that time."""
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


@dataclass
class TrainResult:
    """What a training call produced. Curves are (global step, bits per character)."""

    checkpoint_path: Path
    best_checkpoint_path: Path
    val_bpc: float  # of the best checkpoint
    unigram_bpc: float  # unigram entropy of the same validation targets, from train counts
    train_curve: list[tuple[int, float]]
    val_curve: list[tuple[int, float]]
    parameters: int
    chars_per_s: float  # training targets (characters) per second of training batches
    global_step: int
    resumed: bool
    epochs: int
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

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._started = time.monotonic()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if self.max_time_s is None:
            return
        over = time.monotonic() - self._started >= self.max_time_s
        if trainer.strategy.broadcast(over):
            trainer.should_stop = True


class CurveRecorder(Callback):
    """Train / validation curves kept in the checkpoint, so they continue across resumes;
    also measures this call's training throughput."""

    def __init__(self, every_n_steps: int) -> None:
        self.every_n_steps = max(1, every_n_steps)
        self.train_curve: list[tuple[int, float]] = []
        self.val_curve: list[tuple[int, float]] = []
        self.targets = 0
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


def train_char_lstm(
    corpus_dir: str | os.PathLike[str], run_dir: str | os.PathLike[str], config: TrainConfig
) -> TrainResult:
    """Train (or resume training of) the char-LSTM on a saved corpus.

    Resumes from ``run_dir/checkpoints/last.ckpt`` when the vocabulary and architecture are
    unchanged; otherwise that run is moved to ``run_dir/superseded/<time>`` and training
    starts fresh. Budgets (epochs, time, batches) apply to this call.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    checkpoint_dir = run_dir / CHECKPOINT_DIR
    L.seed_everything(config.seed, workers=True, verbose=False)

    data = CharCorpusDataModule(
        corpus_dir,
        batch_size=config.batch_size,
        seq_len=config.seq_len,
        step=config.step,
        val_fraction=config.val_fraction,
        seed=config.seed,
        num_workers=config.num_workers,
    )
    data.setup()
    corpus = data.corpus
    assert corpus is not None and data.train_windows is not None and data.val_windows is not None
    vocab = corpus.vocab

    model = CharLSTM(
        vocab_size=vocab.size,
        hidden=config.hidden,
        layers=config.layers,
        dropout=config.dropout,
        lr=config.lr,
        optimizer=config.optimizer,
        embedding_dim=config.embedding_dim,
        vocabulary_json=vocab.to_json(),
    )
    checkpoint, fresh_reason = _resume_decision(checkpoint_dir / LAST_CHECKPOINT, model)
    resumed = checkpoint is not None
    max_epochs = config.max_epochs
    if checkpoint is not None:
        max_epochs += int(checkpoint.get("epoch", 0)) + 1
    else:
        _set_aside(checkpoint_dir, run_dir)

    checkpointing = ModelCheckpoint(
        dirpath=checkpoint_dir,
        filename="best-{epoch}-{step}",
        monitor="val_loss",
        mode="min",
        save_top_k=1,
        save_last=True,
        every_n_epochs=1,
    )
    recorder = CurveRecorder(config.log_every_n_steps)
    interactive = sys.stderr.isatty() if config.progress_bar is None else config.progress_bar
    trainer = L.Trainer(
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
        callbacks=[
            checkpointing,
            EarlyStopping(monitor="val_loss", mode="min", patience=config.early_stopping_patience),
            TrainingTimeBudget(config.max_time_s),
            recorder,
        ],
        logger=[
            CSVLogger(run_dir / "logs", name="csv"),
            TensorBoardLogger(run_dir / "logs", name="tensorboard"),
        ],
        log_every_n_steps=config.log_every_n_steps,
        enable_progress_bar=interactive,
        enable_model_summary=interactive,
        num_sanity_val_steps=0,
    )
    ckpt_path = checkpoint_dir / LAST_CHECKPOINT if resumed else None
    del checkpoint
    # weights_only=True, stated rather than left to the installed torch's default: Lightning
    # reads the file again here, and _resume_decision only vetted what it saw a moment ago.
    trainer.fit(model, datamodule=data, ckpt_path=ckpt_path, weights_only=True)

    last_path = checkpoint_dir / LAST_CHECKPOINT
    best_path = Path(checkpointing.best_model_path) if checkpointing.best_model_path else last_path
    if checkpointing.best_model_score is None:
        raise RuntimeError(
            "training finished without a validation run; raise limit_val_batches or the budget"
        )
    val_targets = data.val_windows.target_positions()
    train_ids = np.concatenate(
        [
            corpus.data[corpus.offsets[p] + 1 : corpus.offsets[p + 1]]
            for p in data.train_windows.posts
        ]
    )
    baseline = unigram_bpc(train_ids, np.asarray(corpus.data[val_targets]), vocab.size)
    return TrainResult(
        checkpoint_path=last_path,
        best_checkpoint_path=best_path,
        val_bpc=float(checkpointing.best_model_score) / math.log(2),
        unigram_bpc=baseline,
        train_curve=list(recorder.train_curve),
        val_curve=list(recorder.val_curve),
        parameters=sum(parameter.numel() for parameter in model.parameters()),
        chars_per_s=recorder.targets / recorder.batch_seconds if recorder.batch_seconds else 0.0,
        global_step=trainer.global_step,
        resumed=resumed,
        epochs=trainer.current_epoch,
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

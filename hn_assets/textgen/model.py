"""Lightning char-LSTM over the memory-mapped corpus, learning from every position."""

from __future__ import annotations

import math
import os
import reprlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, get_args

import lightning as L
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, Dataset

from hn_assets.errors import ConfigError
from hn_assets.textgen.corpus import (
    EncodedCorpus,
    PostingLengths,
    WindowIndex,
    train_val_windows,
)
from hn_assets.textgen.vocab import Vocabulary
from hn_assets.torch_checkpoints import (
    describe_load_failure,
    load_plain_checkpoint,
    state_dict_problems,
)

Optimizer = Literal["rmsprop", "adam"]
OPTIMIZERS: tuple[str, ...] = get_args(Optimizer)
#: Key of the training posts' :class:`PostingLengths` in a checkpoint (absent in older ones).
POSTING_LENGTHS_KEY = "posting_lengths"


class CharLSTM(L.LightningModule):
    """Embedding -> LSTM(hidden) x layers -> dropout -> linear over the vocabulary.

    The embedding is the one-hot input of the blog post's model in factored form (a one-hot
    vector times the first LSTM's input weights is a column lookup). The checkpoint carries
    the vocabulary (``vocabulary_json``) so generation needs nothing else. The other
    arguments have no defaults: they are settings of ``TrainConfig`` (see ``new_model`` in
    :mod:`hn_assets.textgen.training`), or come back from a checkpoint.
    """

    def __init__(
        self,
        vocab_size: int,
        *,
        hidden: int,
        layers: int,
        dropout: float,
        lr: float,
        optimizer: str,
        embedding_dim: int,
        vocabulary_json: str = "",
    ) -> None:
        super().__init__()
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
        self.save_hyperparameters()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(
            embedding_dim,
            hidden,
            num_layers=layers,
            dropout=dropout if layers > 1 else 0.0,
            batch_first=True,
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, vocab_size)
        # What the training posts were like, not how the model is built, so not a
        # hyperparameter: training sets it, the checkpoint keeps it beside them, and
        # sampling reads it to know when a posting has run long.
        self.posting_lengths: PostingLengths | None = None

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        if self.posting_lengths is not None:
            checkpoint[POSTING_LENGTHS_KEY] = self.posting_lengths.to_dict()

    @property
    def vocabulary(self) -> Vocabulary:
        if not self.hparams.vocabulary_json:
            raise ValueError("this CharLSTM was built without a vocabulary (vocabulary_json='')")
        return Vocabulary.from_json(self.hparams.vocabulary_json)

    def forward(
        self, ids: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Logits ``[batch, time, vocab]`` for input ids ``[batch, time]``, and the new state."""
        output, state = self.lstm(self.embedding(ids), state)
        return self.head(self.dropout(output)), state

    def _loss(self, batch: torch.Tensor) -> torch.Tensor:
        ids = batch.long()
        logits, _ = self(ids[:, :-1])
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), ids[:, 1:].reshape(-1))

    def training_step(self, batch: torch.Tensor, batch_idx: int) -> torch.Tensor:
        loss = self._loss(batch)
        self.log("train_loss", loss, prog_bar=True, batch_size=batch.shape[0])
        return loss

    def validation_step(self, batch: torch.Tensor, batch_idx: int) -> None:
        loss = self._loss(batch)
        self.log("val_loss", loss, prog_bar=True, batch_size=batch.shape[0], sync_dist=True)
        self.log("val_bpc", loss / math.log(2), batch_size=batch.shape[0], sync_dist=True)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        if self.hparams.optimizer == "adam":
            return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        # Keras' RMSprop (rho=0.9), the blog post's optimizer.
        return torch.optim.RMSprop(self.parameters(), lr=self.hparams.lr, alpha=0.9, eps=1e-7)


# --- checkpoint files ----------------------------------------------------------------------
class CheckpointError(ConfigError):
    """A file that is not a char-LSTM checkpoint this project wrote, or a damaged one: the
    fix is another file (or training one), so a CLI exits with 2."""


class CheckpointMissing(CheckpointError, FileNotFoundError):
    """No checkpoint where one was expected."""


#: Constructor arguments of :class:`CharLSTM`, as ``save_hyperparameters`` stores them.
_HYPERPARAMETER_TYPES: dict[str, type | tuple[type, ...]] = {
    "vocab_size": int,
    "hidden": int,
    "layers": int,
    "dropout": (int, float),
    "lr": (int, float),
    "optimizer": str,
    "embedding_dim": int,
    "vocabulary_json": str,
}
_NOT_OURS = "is not a char-LSTM checkpoint written by hn-jobs"
_HOW_TO_FIX = (
    "use a checkpoint of job_posting_lstm written by this project (hn-jobs refresh writes one)"
)


def read_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The checkpoint file at ``path`` as plain data, without running anything it contains.

    ``weights_only=True`` limits unpickling to tensors, containers and primitives, which is all
    a Lightning checkpoint of :class:`CharLSTM` holds; a pickle that names any other callable
    (the way a crafted file runs code) is refused. Raises :class:`CheckpointError`.
    """
    source = Path(path)
    if not source.exists():
        raise CheckpointMissing(f"no checkpoint at {source}; {_HOW_TO_FIX}")
    if not source.is_file():
        raise CheckpointError(f"{source} is not a file; {_HOW_TO_FIX}")
    checkpoint = load_plain_checkpoint(
        source, not_ours=_NOT_OURS, how_to_fix=_HOW_TO_FIX, error=CheckpointError
    )
    if not isinstance(checkpoint, dict):
        raise CheckpointError(
            f"{source} {_NOT_OURS}: it holds a {type(checkpoint).__name__}, not a checkpoint "
            f"dictionary; {_HOW_TO_FIX}"
        )
    return checkpoint


def _hyperparameters(checkpoint: Mapping[str, Any], source: Path) -> dict[str, Any]:
    hparams = checkpoint.get("hyper_parameters")
    if not isinstance(hparams, dict) or not isinstance(checkpoint.get("state_dict"), dict):
        raise CheckpointError(
            f"{source} {_NOT_OURS}: it has no hyper_parameters and state_dict (is it a plain "
            f"state_dict or another model's checkpoint?); {_HOW_TO_FIX}"
        )
    missing = sorted(set(_HYPERPARAMETER_TYPES) - set(hparams))
    unknown = sorted(map(str, set(hparams) - set(_HYPERPARAMETER_TYPES)))
    if missing or unknown:
        problems = "; ".join(
            text
            for text in (
                f"missing {', '.join(missing)}" if missing else "",
                f"unknown {reprlib.repr(unknown)}" if unknown else "",
            )
            if text
        )
        raise CheckpointError(
            f"{source} {_NOT_OURS}: its hyper_parameters do not describe a CharLSTM "
            f"({problems}); {_HOW_TO_FIX}"
        )
    for key, expected in _HYPERPARAMETER_TYPES.items():
        value = hparams[key]
        if isinstance(value, bool) or not isinstance(value, expected):
            raise CheckpointError(
                f"{source} {_NOT_OURS}: hyper_parameters[{key!r}] is a "
                f"{type(value).__name__}; {_HOW_TO_FIX}"
            )
    for key in ("vocab_size", "hidden", "layers", "embedding_dim"):
        if hparams[key] < 1:
            raise CheckpointError(
                f"{source} {_NOT_OURS}: hyper_parameters[{key!r}] is {hparams[key]}; {_HOW_TO_FIX}"
            )
    if not 0 <= hparams["dropout"] < 1 or hparams["optimizer"] not in OPTIMIZERS:
        raise CheckpointError(
            f"{source} {_NOT_OURS}: dropout {hparams['dropout']} or optimizer "
            f"{reprlib.repr(hparams['optimizer'])} out of range; {_HOW_TO_FIX}"
        )
    return dict(hparams)


def state_dict_mismatch(model: nn.Module, state: Mapping[str, Any]) -> str | None:
    """Why ``state`` cannot be loaded into ``model`` (missing, unexpected or misshapen
    tensors), in one line; ``None`` when it fits exactly."""
    return state_dict_problems(model.state_dict(), state) or None


def model_from_checkpoint(checkpoint: Mapping[str, Any], source: Path) -> CharLSTM:
    """The :class:`CharLSTM` a checkpoint (from :func:`read_checkpoint`) describes, on the CPU
    in eval mode, its vocabulary checked. Raises :class:`CheckpointError`."""
    hparams = _hyperparameters(checkpoint, source)
    try:
        vocabulary = Vocabulary.from_json(hparams["vocabulary_json"])
    except ValueError as error:
        raise CheckpointError(
            f"{source} {_NOT_OURS}: its vocabulary is unreadable ({describe_load_failure(error)}); "
            f"{_HOW_TO_FIX}"
        ) from error
    if vocabulary.size != hparams["vocab_size"]:
        raise CheckpointError(
            f"{source} {_NOT_OURS}: its vocabulary has {vocabulary.size} characters but "
            f"vocab_size says {hparams['vocab_size']}; {_HOW_TO_FIX}"
        )
    state = checkpoint["state_dict"]
    # Shapes are checked on the meta device first: hyperparameters from a foreign file could
    # ask for a model far larger than its weights, and that must fail before allocating it.
    with torch.device("meta"):
        skeleton = CharLSTM(**hparams)
    mismatch = state_dict_mismatch(skeleton, state)
    if mismatch:
        raise CheckpointError(
            f"{source} {_NOT_OURS}: its weights do not fit the model its hyper_parameters "
            f"describe ({mismatch}); {_HOW_TO_FIX}"
        )
    model = CharLSTM(**hparams)
    model.load_state_dict(state)
    if checkpoint.get(POSTING_LENGTHS_KEY) is not None:
        try:
            model.posting_lengths = PostingLengths.from_dict(checkpoint[POSTING_LENGTHS_KEY])
        except ValueError as error:
            raise CheckpointError(
                f"{source} {_NOT_OURS}: {POSTING_LENGTHS_KEY} is unreadable ({error}); "
                f"{_HOW_TO_FIX}"
            ) from error
    return model.eval()


def stack_windows(batch: torch.Tensor | Sequence[torch.Tensor]) -> torch.Tensor:
    """Collate: batches come pre-stacked from ``WindowDataset.__getitems__``."""
    return batch if isinstance(batch, torch.Tensor) else torch.stack(list(batch))


class WindowDataset(Dataset):
    """Windows of the corpus as ``[seq_len + 1]`` uint8 tensors, gathered a batch at a time."""

    def __init__(self, data: np.ndarray, windows: WindowIndex) -> None:
        self.data = data
        self.windows = windows

    def __len__(self) -> int:
        return len(self.windows)

    def __getitem__(self, index: int) -> torch.Tensor:
        return torch.from_numpy(self.windows.gather(self.data, np.array([index]))[0])

    def __getitems__(self, indices: Sequence[int]) -> torch.Tensor:
        return torch.from_numpy(self.windows.gather(self.data, np.asarray(indices)))


class CharCorpusDataModule(L.LightningDataModule):
    """Train / validation windows over a saved (memory-mapped) ``EncodedCorpus``; the
    settings are ``TrainConfig``'s."""

    def __init__(
        self,
        corpus_dir: str | os.PathLike[str],
        *,
        batch_size: int,
        seq_len: int,
        step: int,
        val_fraction: float,
        seed: int,
        num_workers: int,
    ) -> None:
        super().__init__()
        self.corpus_dir = corpus_dir
        self.batch_size = batch_size
        self.seq_len = seq_len
        self.step = step
        self.val_fraction = val_fraction
        self.seed = seed
        self.num_workers = num_workers
        self.corpus: EncodedCorpus | None = None
        self.train_windows: WindowIndex | None = None
        self.val_windows: WindowIndex | None = None

    def setup(self, stage: str | None = None) -> None:
        if self.corpus is None:
            self.corpus = EncodedCorpus.load(self.corpus_dir, mmap=True)
            self.train_windows, self.val_windows = train_val_windows(
                self.corpus,
                seq_len=self.seq_len,
                step=self.step,
                val_fraction=self.val_fraction,
                seed=self.seed,
            )

    @property
    def vocab(self) -> Vocabulary:
        self.setup()
        assert self.corpus is not None
        return self.corpus.vocab

    def _loader(self, windows: WindowIndex, shuffle: bool) -> DataLoader:
        assert self.corpus is not None
        return DataLoader(
            WindowDataset(self.corpus.data, windows),
            batch_size=self.batch_size,
            shuffle=shuffle,
            collate_fn=stack_windows,
            num_workers=self.num_workers,
            persistent_workers=self.num_workers > 0,
        )

    def train_dataloader(self) -> DataLoader:
        self.setup()
        assert self.train_windows is not None
        return self._loader(self.train_windows, shuffle=True)

    def val_dataloader(self) -> DataLoader:
        self.setup()
        assert self.val_windows is not None
        return self._loader(self.val_windows, shuffle=False)

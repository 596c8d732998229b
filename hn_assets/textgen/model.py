"""Lightning char-LSTM over the memory-mapped corpus, learning from every position."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import lightning as L
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, Dataset

from hn_assets.textgen.corpus import EncodedCorpus, WindowIndex, train_val_windows
from hn_assets.textgen.vocab import Vocabulary

OPTIMIZERS = ("rmsprop", "adam")


class CharLSTM(L.LightningModule):
    """Embedding -> LSTM(hidden) x layers -> dropout -> linear over the vocabulary.

    The embedding is the one-hot input of the blog post's model in factored form (a one-hot
    vector times the first LSTM's input weights is a column lookup). The checkpoint carries
    the vocabulary (``vocabulary_json``) so generation needs nothing else.
    """

    def __init__(
        self,
        vocab_size: int,
        hidden: int = 512,
        layers: int = 2,
        dropout: float = 0.4,
        lr: float = 2e-3,
        optimizer: str = "rmsprop",
        embedding_dim: int = 64,
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
    """Train / validation windows over a saved (memory-mapped) ``EncodedCorpus``."""

    def __init__(
        self,
        corpus_dir: str | os.PathLike[str],
        batch_size: int = 128,
        seq_len: int = 100,
        step: int = 3,
        val_fraction: float = 0.1,
        seed: int = 0,
        num_workers: int = 0,
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
                self.corpus, self.seq_len, self.step, self.val_fraction, self.seed
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

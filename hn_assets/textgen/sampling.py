"""Sample job postings from a trained char-LSTM checkpoint."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch

from hn_assets.textgen.model import CharLSTM, model_from_checkpoint, read_checkpoint
from hn_assets.textgen.vocab import UNKNOWN, Vocabulary

UNKNOWN_DISPLAY = "\ufffd"  # how UNKNOWN (rare characters, dashes, bullets) is shown


@dataclass(frozen=True)
class GeneratedPosting:
    text: str
    terminated: bool  # the model wrote END before the length cap


def load_generator(checkpoint_path: str | os.PathLike[str]) -> tuple[CharLSTM, Vocabulary]:
    """The model (CPU, eval mode) and the vocabulary stored with it.

    The file is read as data only (see :func:`~hn_assets.textgen.model.read_checkpoint`):
    ``--checkpoint`` may name a file from anywhere, and unpickling it in full would run any
    code it carries. Raises ``FileNotFoundError``, or ``CheckpointError`` (a ``ValueError``)
    for a file that is damaged, unsafe or another model's.
    """
    path = Path(checkpoint_path)
    if not path.exists():
        raise FileNotFoundError(
            f"no checkpoint at {path}; materialize job_posting_lstm first (hn-jobs refresh)."
        )
    model = model_from_checkpoint(read_checkpoint(path), path)
    return model, model.vocabulary


@contextmanager
def _one_cpu_thread(device: torch.device) -> Iterator[None]:
    """Sampling is thousands of tiny sequential steps: extra threads only add contention
    (10-50x slower on a busy machine), and one thread makes the numbers, hence the samples,
    independent of the machine's core count."""
    if device.type != "cpu":
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def sample_postings(
    model: CharLSTM,
    vocab: Vocabulary,
    n: int = 5,
    temperature: float = 0.8,
    top_k: int | None = None,
    seed: int = 0,
    max_chars: int = 2000,
) -> list[GeneratedPosting]:
    """``n`` postings sampled together from START until END or ``max_chars`` characters."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    if top_k is not None and not 1 <= top_k <= vocab.size:
        raise ValueError(f"top_k must be in 1..{vocab.size} or None, got {top_k}")
    if max_chars < 1:
        raise ValueError(f"max_chars must be >= 1, got {max_chars}")
    device = next(model.parameters()).device
    with _one_cpu_thread(device), torch.inference_mode():
        return _sample(model, vocab, n, temperature, top_k, seed, max_chars, device)


def _sample(
    model: CharLSTM,
    vocab: Vocabulary,
    n: int,
    temperature: float,
    top_k: int | None,
    seed: int,
    max_chars: int,
    device: torch.device,
) -> list[GeneratedPosting]:
    generator = torch.Generator(device=device).manual_seed(seed)
    current = torch.full((n, 1), vocab.start_id, dtype=torch.long, device=device)
    state = None
    written = torch.zeros((n, max_chars), dtype=torch.long)
    lengths = torch.full((n,), max_chars, dtype=torch.long)
    terminated = torch.zeros(n, dtype=torch.bool)
    for position in range(max_chars + 1):
        logits, state = model(current, state)
        logits = logits[:, -1].float() / temperature
        logits[:, vocab.start_id] = float("-inf")  # START only ever opens a posting
        if top_k is not None:
            threshold = torch.topk(logits, top_k, dim=-1).values[:, -1:]
            logits = logits.masked_fill(logits < threshold, float("-inf"))
        drawn = torch.multinomial(torch.softmax(logits, dim=-1), 1, generator=generator)
        ids = drawn[:, 0].cpu()
        ends_now = (ids == vocab.end_id) & ~terminated
        lengths[ends_now] = position
        terminated |= ends_now
        if terminated.all() or position == max_chars:
            break
        written[:, position] = ids
        current = drawn
    postings = []
    for row in range(n):
        text = vocab.decode(written[row, : lengths[row]].numpy())
        postings.append(
            GeneratedPosting(
                text=text.replace(UNKNOWN, UNKNOWN_DISPLAY), terminated=bool(terminated[row])
            )
        )
    return postings


def generate_postings(
    checkpoint_path: str | os.PathLike[str],
    n: int = 5,
    temperature: float = 0.8,
    top_k: int | None = None,
    seed: int = 0,
    max_chars: int = 2000,
) -> list[GeneratedPosting]:
    """Load a checkpoint on the CPU and sample ``n`` postings; same seed, same postings."""
    model, vocab = load_generator(checkpoint_path)
    return sample_postings(model, vocab, n, temperature, top_k, seed, max_chars)

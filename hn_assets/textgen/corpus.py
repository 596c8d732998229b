"""The training set as one uint8 array plus post offsets, and windows by index arithmetic.

The blog post's formulation materialises every window as a one-hot tensor
(windows x seq_len x vocab booleans: ~37 GB for 18 M characters). Here the corpus is stored
once (one byte per character, memory-mappable) and a window is just a start position:
``data[start : start + seq_len + 1]`` holds the inputs (first ``seq_len``) and the targets
(the same slice shifted by one), so the model learns from every character, and the last
target equals the blog post's single target.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from hn_assets.quarantine import QuarantinedPost, isolate
from hn_assets.textgen.vocab import (
    END,
    START,
    Vocabulary,
    normalise,
    vocabulary_from_counts,
    vocabulary_table,
)

DATA_FILE = "data.npy"
OFFSETS_FILE = "offsets.npy"
VOCAB_FILE = "vocab.json"
_ENCODE_CHUNK_CHARS = 1 << 16  # bounds the lookup's intermediates (~14 bytes/char)
#: ``QuarantinedPost.stage`` of a post left out of the character training set.
CORPUS_STAGE = "char_corpus"


@dataclass
class EncodedCorpus:
    """All postings as ids, each wrapped START + text + END, back to back.

    ``offsets[i]`` is where post ``i`` starts (its START) and ``offsets[-1] == len(data)``.
    Posts that could not be encoded are not in it; ``quarantined`` names them (it is not
    saved: a loaded corpus has none).
    """

    data: np.ndarray
    offsets: np.ndarray
    vocab: Vocabulary
    quarantined: list[QuarantinedPost] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.data.dtype != np.uint8 or self.data.ndim != 1:
            raise ValueError("EncodedCorpus.data must be a 1-d uint8 array")
        if self.offsets.dtype != np.int64 or self.offsets.ndim != 1 or self.offsets.size < 1:
            raise ValueError("EncodedCorpus.offsets must be a non-empty 1-d int64 array")
        if self.offsets[0] != 0 or self.offsets[-1] != self.data.size:
            raise ValueError(
                f"offsets must run from 0 to len(data)={self.data.size}; got "
                f"{int(self.offsets[0])}..{int(self.offsets[-1])} (corrupt or mismatched files)"
            )

    @property
    def n_posts(self) -> int:
        return int(self.offsets.size - 1)

    @property
    def n_chars(self) -> int:
        return int(self.data.size)

    @property
    def post_lengths(self) -> np.ndarray:
        """Length of every post including its START and END."""
        return np.diff(self.offsets)

    def post(self, index: int) -> np.ndarray:
        return self.data[self.offsets[index] : self.offsets[index + 1]]

    def char_counts(self) -> np.ndarray:
        """Occurrences of every id (START and END included), indexed by id."""
        return np.bincount(self.data, minlength=self.vocab.size)

    def unknown_rate(self) -> float:
        """Share of text characters (START/END excluded) that are UNKNOWN."""
        text_chars = self.n_chars - 2 * self.n_posts
        if text_chars <= 0:
            return 0.0
        unknown = int(np.count_nonzero(self.data == self.vocab.unknown_id))
        return unknown / text_chars

    def save(self, directory: str | os.PathLike[str]) -> dict[str, int]:
        """Write data.npy, offsets.npy and vocab.json atomically; returns bytes per file."""
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        _atomic_write(target / DATA_FILE, lambda handle: np.save(handle, self.data))
        _atomic_write(target / OFFSETS_FILE, lambda handle: np.save(handle, self.offsets))
        _atomic_write(
            target / VOCAB_FILE, lambda handle: handle.write(self.vocab.to_json().encode())
        )
        return {
            name: (target / name).stat().st_size for name in (DATA_FILE, OFFSETS_FILE, VOCAB_FILE)
        }

    @classmethod
    def load(cls, directory: str | os.PathLike[str], mmap: bool = True) -> EncodedCorpus:
        """Load a saved corpus; with ``mmap`` the data stays on disk until read."""
        source = Path(directory)
        missing = [
            name for name in (DATA_FILE, OFFSETS_FILE, VOCAB_FILE) if not (source / name).exists()
        ]
        if missing:
            raise FileNotFoundError(
                f"{source} is not an encoded corpus (missing {', '.join(missing)}); "
                "materialize char_training_set first."
            )
        data = np.load(source / DATA_FILE, mmap_mode="r" if mmap else None)
        offsets = np.load(source / OFFSETS_FILE)
        vocab = Vocabulary.from_json((source / VOCAB_FILE).read_text())
        return cls(data=data, offsets=offsets, vocab=vocab)


def _atomic_write(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write next to ``path`` and rename, so a crash never leaves a half-written file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as handle:
            write(handle)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def wrap_posts(
    texts: Sequence[str], ids: Sequence[int] | None = None
) -> tuple[list[str], list[QuarantinedPost]]:
    """START + normalised text + END for every post that can be normalised.

    A post that raises (a missing text read back as ``None`` or NaN, say) is quarantined
    under its id and left out, so one post never blocks the corpus. ``ids`` name the posts
    in quarantine records; without them a post is named by its position in ``texts``.
    """
    if ids is None:
        ids = range(len(texts))
    elif len(ids) != len(texts):
        raise ValueError(
            f"got {len(ids)} ids for {len(texts)} texts; pass one id per text, in the same order"
        )
    return isolate(
        zip(ids, texts, strict=True),
        lambda post: START + normalise(post[1]) + END,
        stage=CORPUS_STAGE,
        id_of=lambda post: post[0],
    )


def encode_wrapped(
    wrapped: Sequence[str], vocab: Vocabulary, quarantined: Sequence[QuarantinedPost] = ()
) -> EncodedCorpus:
    """Encode posts already wrapped by :func:`wrap_posts` into one uint8 array.

    Vectorised: chunks of posts are joined and mapped through the vocabulary's code-point
    lookup table straight into an array of the exact final size (one id per character of
    the wrapped posts), so beyond the wrapped posts themselves the peak memory stays near one
    byte per character.
    """
    lengths = np.fromiter((len(post) for post in wrapped), dtype=np.int64, count=len(wrapped))
    offsets = np.zeros(len(wrapped) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    data = np.empty(int(offsets[-1]), dtype=np.uint8)
    filled = 0
    chunk: list[str] = []
    chunk_chars = 0
    for index, post in enumerate(wrapped):
        chunk.append(post)
        chunk_chars += len(post)
        if chunk_chars >= _ENCODE_CHUNK_CHARS or index == len(wrapped) - 1:
            ids = vocab.encode_normalised("".join(chunk))
            data[filled : filled + ids.size] = ids
            filled += ids.size
            chunk, chunk_chars = [], 0
    return EncodedCorpus(data=data, offsets=offsets, vocab=vocab, quarantined=list(quarantined))


def encode_corpus(
    texts: Sequence[str], vocab: Vocabulary, *, ids: Sequence[int] | None = None
) -> EncodedCorpus:
    """Encode postings as START + normalised text + END, back to back, in uint8 ids.

    Posts that cannot be encoded are left out and listed in ``quarantined`` (named by
    ``ids``, or by their position in ``texts``), so ``corpus.post(i)`` is the ``i``-th post
    that was kept.
    """
    wrapped, quarantined = wrap_posts(texts, ids)
    return encode_wrapped(wrapped, vocab, quarantined)


def windows_per_post(post_lengths: np.ndarray, seq_len: int, step: int) -> np.ndarray:
    """Window count per post: starts 0, step, ... below ``length - seq_len`` (as the blog)."""
    room = np.asarray(post_lengths, dtype=np.int64) - seq_len
    return np.where(room > 0, (room + step - 1) // step, 0)


@dataclass(frozen=True)
class WindowIndex:
    """Windows of ``seq_len + 1`` ids over some posts, addressed by a window number.

    Window ``w`` of post ``p`` starts at ``offsets[p] + step * k``; nothing is materialised,
    a batch of windows is gathered from the (memory-mapped) corpus on demand.
    """

    offsets: np.ndarray  # corpus offsets (all posts)
    posts: np.ndarray  # int64 ids of the posts in this index, ascending
    seq_len: int
    step: int
    first_window: np.ndarray  # window number of each post's first window, + total at the end

    @classmethod
    def for_posts(
        cls, offsets: np.ndarray, posts: np.ndarray, seq_len: int, step: int
    ) -> WindowIndex:
        if seq_len < 1 or step < 1:
            raise ValueError(f"seq_len and step must be >= 1, got {seq_len} and {step}")
        posts = np.asarray(posts, dtype=np.int64)
        lengths = offsets[posts + 1] - offsets[posts]
        counts = windows_per_post(lengths, seq_len, step)
        first = np.zeros(posts.size + 1, dtype=np.int64)
        np.cumsum(counts, out=first[1:])
        return cls(offsets=offsets, posts=posts, seq_len=seq_len, step=step, first_window=first)

    def __len__(self) -> int:
        return int(self.first_window[-1])

    def starts(self, windows: np.ndarray) -> np.ndarray:
        """Corpus positions where the given window numbers start."""
        windows = np.asarray(windows, dtype=np.int64)
        if windows.size and (windows.min() < 0 or windows.max() >= len(self)):
            raise IndexError(f"window numbers must lie in 0..{len(self) - 1}")
        slot = np.searchsorted(self.first_window, windows, side="right") - 1
        return self.offsets[self.posts[slot]] + self.step * (windows - self.first_window[slot])

    def gather(self, data: np.ndarray, windows: np.ndarray) -> np.ndarray:
        """``[len(windows), seq_len + 1]`` uint8 ids: inputs are ``[:, :-1]``, targets ``[:, 1:]``."""
        positions = self.starts(windows)[:, None] + np.arange(self.seq_len + 1, dtype=np.int64)
        return np.asarray(data[positions], dtype=np.uint8)

    def target_positions(self) -> np.ndarray:
        """Corpus positions of every target once (for baselines on the same text)."""
        starts = self.starts(np.arange(len(self)))
        positions = starts[:, None] + np.arange(1, self.seq_len + 1, dtype=np.int64)
        return np.unique(positions)


def split_posts(
    corpus: EncodedCorpus, val_fraction: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Train / validation post ids, split by post and decided by a hash of each post's ids.

    The decision for a post depends only on its content and ``seed``, so the split is
    deterministic and stays put when new months are appended to the corpus.
    """
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    if corpus.n_posts < 2:
        raise ValueError(
            f"need at least 2 posts to split train/validation by post, got {corpus.n_posts}"
        )
    salt = seed.to_bytes(8, "little", signed=True)
    scores = np.empty(corpus.n_posts, dtype=np.float64)
    for index in range(corpus.n_posts):
        digest = hashlib.blake2b(corpus.post(index).tobytes(), digest_size=8, salt=salt[:8])
        scores[index] = int.from_bytes(digest.digest(), "little") / 2.0**64
    is_val = scores < val_fraction
    if not is_val.any():
        is_val[np.argmin(scores)] = True
    if is_val.all():
        is_val[np.argmax(scores)] = False
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)


def train_val_windows(
    corpus: EncodedCorpus,
    *,
    seq_len: int,
    step: int,
    val_fraction: float,
    seed: int,
    val_step: int | None = None,
) -> tuple[WindowIndex, WindowIndex]:
    """Training windows (``step`` apart) and validation windows (``val_step``, default
    ``seq_len``, so each validation character is predicted about once)."""
    train_posts, val_posts = split_posts(corpus, val_fraction, seed)
    train = WindowIndex.for_posts(corpus.offsets, train_posts, seq_len, step)
    val = WindowIndex.for_posts(corpus.offsets, val_posts, seq_len, val_step or seq_len)
    for name, index in (("training", train), ("validation", val)):
        if len(index) == 0:
            raise ValueError(
                f"the {name} split has no windows: its posts are all shorter than "
                f"seq_len + 1 = {seq_len + 1} characters. Lower seq_len or add posts."
            )
    return train, val


def onehot_bytes(n_windows: int, seq_len: int, vocab_size: int) -> int:
    """Bytes of the blog post's boolean X[n, seq_len, V] plus Y[n, V]."""
    return n_windows * seq_len * vocab_size + n_windows * vocab_size


def blog_post_windows(
    texts: Sequence[str], vocab: Vocabulary, seq_len: int, step: int
) -> tuple[np.ndarray, np.ndarray]:
    """The blog post's tensorisation, kept as the baseline for tests and the benchmark.

    Python loops: map each character through a dict, cut windows of ``seq_len + 1`` at
    ``range(0, len(doc) - seq_len, step)``, then fill boolean one-hot arrays one element at a
    time. Returns ``X[n, seq_len, V]`` and ``Y[n, V]``.
    """
    char_to_id = {char: index for index, char in enumerate(vocab.chars)}
    sentences: list[list[int]] = []
    next_chars: list[int] = []
    for text in texts:
        doc = [START, *normalise(text), END]
        ids = [char_to_id.get(char, vocab.unknown_id) for char in doc]
        for i in range(0, len(ids) - seq_len, step):
            sentences.append(ids[i : i + seq_len])
            next_chars.append(ids[i + seq_len])
    x = np.zeros((len(sentences), seq_len, vocab.size), dtype=bool)
    y = np.zeros((len(sentences), vocab.size), dtype=bool)
    for i, sentence in enumerate(sentences):
        for t, char_id in enumerate(sentence):
            x[i, t, char_id] = 1
        y[i, next_chars[i]] = 1
    return x, y


@dataclass(frozen=True)
class PostingLengths:
    """How long postings are, in characters of text (START and END not counted): the
    checkpoint carries these for the training posts, so sampling can favour ending a posting
    once it is longer than postings usually are."""

    posts: int
    median: int
    p90: int
    longest: int

    @classmethod
    def of(cls, corpus: EncodedCorpus, posts: np.ndarray | None = None) -> PostingLengths:
        """The lengths of ``posts`` (ids into the corpus; default all of them)."""
        lengths = corpus.post_lengths if posts is None else corpus.post_lengths[posts]
        text = np.asarray(lengths, dtype=np.int64) - 2
        if text.size == 0:
            raise ValueError("PostingLengths needs at least one post")
        return cls(
            posts=int(text.size),
            median=int(np.median(text)),
            p90=int(np.percentile(text, 90)),
            longest=int(text.max()),
        )

    def to_dict(self) -> dict[str, int]:
        return {
            "posts": self.posts,
            "median": self.median,
            "p90": self.p90,
            "longest": self.longest,
        }

    @classmethod
    def from_dict(cls, values: object) -> PostingLengths:
        """Read back :meth:`to_dict`; raises ``ValueError`` for anything else (a checkpoint
        may come from anywhere)."""
        names = ("posts", "median", "p90", "longest")
        if not isinstance(values, dict) or set(values) != set(names):
            raise ValueError(f"posting lengths must be a dict of {', '.join(names)}")
        if not all(type(values[name]) is int and values[name] >= 0 for name in names):
            raise ValueError("posting lengths must be whole numbers >= 0")
        return cls(**{name: values[name] for name in names})


def corpus_summary(corpus: EncodedCorpus, train: WindowIndex, val: WindowIndex) -> dict:
    """Numbers for the asset metadata; ``onehot_bytes`` is what the blog post's tensors of
    the whole corpus (windows ``train.step`` apart) would need, next to ``bytes`` of ours."""
    blog_windows = int(windows_per_post(corpus.post_lengths, train.seq_len, train.step).sum())
    return {
        "posts": corpus.n_posts,
        "characters": corpus.n_chars,
        "vocabulary_size": corpus.vocab.size,
        "unknown_rate": corpus.unknown_rate(),
        "train_posts": int(train.posts.size),
        "val_posts": int(val.posts.size),
        "train_windows": len(train),
        "val_windows": len(val),
        "bytes": int(corpus.data.nbytes + corpus.offsets.nbytes),
        "posting_lengths": PostingLengths.of(corpus) if corpus.n_posts else None,
        "onehot_bytes": onehot_bytes(blog_windows, train.seq_len, corpus.vocab.size),
    }


def build_training_set(
    texts: Sequence[str],
    directory: str | os.PathLike[str],
    *,
    ids: Sequence[int] | None = None,
    min_frequency: float,
    seq_len: int,
    step: int,
    val_fraction: float,
    seed: int,
) -> dict[str, Any]:
    """Vocabulary + encoded corpus saved under ``directory``; returns the numbers for the
    asset's metadata. The split shown is the one training computes from the same
    ``val_fraction`` and ``seed`` (by post content, so it is the same split). The settings
    are ``TrainConfig``'s training-set settings.

    ``quarantined`` in the result lists the posts left out (see :func:`wrap_posts`; pass the
    posts' ``ids`` so that the list names them); every other post is in the training set.
    """
    wrapped, quarantined = wrap_posts(texts, ids)
    # Counted from the wrapped posts so each post is normalised once; vocabulary_from_counts
    # ignores the START and END markers the wrapping adds.
    counts: Counter[str] = Counter()
    for post in wrapped:
        counts.update(post)
    vocab = vocabulary_from_counts(counts, min_frequency)
    corpus = encode_wrapped(wrapped, vocab, quarantined)
    del wrapped  # a copy of every post's text, needed no more: free it before the split
    files = corpus.save(directory)
    train, val = train_val_windows(
        corpus, seq_len=seq_len, step=step, val_fraction=val_fraction, seed=seed
    )
    return {
        **corpus_summary(corpus, train, val),
        "files": files,
        "bytes_on_disk": sum(files.values()),
        "vocabulary": vocabulary_table(vocab, corpus.char_counts()),
        "quarantined": list(corpus.quarantined),
    }

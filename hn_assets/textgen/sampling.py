"""Sample job postings from a trained char-LSTM checkpoint.

Importing this module is cheap: ``hn-jobs`` builds its options from :class:`GenerateSettings`
for every command, so torch and the model load only when sampling starts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hn_assets.config_adapter import setting
from hn_assets.errors import ConfigError

if TYPE_CHECKING:
    import torch

    from hn_assets.textgen.model import CharLSTM
    from hn_assets.textgen.vocab import Vocabulary

UNKNOWN_DISPLAY = "\ufffd"  # how UNKNOWN (rare characters, dashes, bullets) is shown


#: Where the end bias starts for a checkpoint that does not carry its training posts' lengths
#: (written before they were stored): this share of ``max_chars``.
FALLBACK_TYPICAL_SHARE = 0.5


@dataclass(frozen=True)
class GenerateSettings:
    """How postings are sampled: the one place these settings and their defaults are
    written (the generated_postings asset's config and ``hn-jobs generate``'s options are
    generated from it, see :mod:`hn_assets.config_adapter`)."""

    n: int = setting(5, help="Postings to write.")
    temperature: float = setting(0.8, help="Lower is safer, higher is wilder.")
    top_k: int | None = setting(
        None, help="Sample only from the k likeliest characters (None: from all)."
    )
    seed: int = setting(0, help="Same seed, same postings.")
    max_chars: int = setting(2000, help="Characters per posting at most.")
    # Why a bias at all: training windows never run past a post's END, so END is a target in
    # at most one window per post, about 1/100 as often as its share of the text. The demo's
    # model (small_cpu, 4,200 steps) gives END a log-probability near -8 even after a closing
    # "apply at ..." line, and without help 0 of 5 demo postings ended before 2,000
    # characters. With 3.0 every one of 91 postings ended (seeds 0-5 and 7, temperatures 0.5
    # and 0.8), at 1,480-1,810 characters (training posts: median 1,282, 90th percentile
    # 1,667); a better-trained model ends sooner on its own and needs the bias less.
    end_bias: float = setting(
        3.0,
        help="Nudge toward ending: once a posting is longer than a typical one "
        "(end_bias_after), this much is added to the end character's logit per 100 "
        "characters more, so a posting ends where the model finds an ending plausible "
        "instead of running on to max_chars. 0: plain sampling.",
    )
    end_bias_after: int | None = setting(
        None,
        help="Characters a posting may have before end_bias applies (None: the median "
        "length of the training posts, stored with the model; half of max_chars for a "
        "model stored without it).",
    )

    def check(self, vocab_size: int) -> None:
        """Raise ``ConfigError`` naming the first setting out of range."""
        if self.n < 1:
            raise ConfigError(f"n must be >= 1, got {self.n}")
        if not self.temperature > 0:
            raise ConfigError(f"temperature must be > 0, got {self.temperature}")
        if self.top_k is not None and not 1 <= self.top_k <= vocab_size:
            raise ConfigError(f"top_k must be in 1..{vocab_size} or None, got {self.top_k}")
        if self.max_chars < 1:
            raise ConfigError(f"max_chars must be >= 1, got {self.max_chars}")
        if not self.end_bias >= 0:
            raise ConfigError(f"end_bias must be >= 0, got {self.end_bias}")
        if self.end_bias_after is not None and self.end_bias_after < 0:
            raise ConfigError(f"end_bias_after must be >= 0 or None, got {self.end_bias_after}")

    def typical_length(self, training_median: int | None) -> int:
        """Characters before the end bias starts: ``end_bias_after``, else the training
        posts' median length, else :data:`FALLBACK_TYPICAL_SHARE` of ``max_chars``."""
        if self.end_bias_after is not None:
            return self.end_bias_after
        if training_median is not None:
            return training_median
        return int(self.max_chars * FALLBACK_TYPICAL_SHARE)


def end_logit_bias(length: int, typical: int, per_100_chars: float) -> float:
    """What sampling adds to END's logit when a posting has ``length`` characters: nothing up
    to ``typical``, then ``per_100_chars`` for every 100 characters more.

    A ramp rather than a cut-off: the model's own END logit still decides *where* the
    posting ends (after a closing line such as "apply at ..." END is far likelier than in
    mid-word, and the bias multiplies both by the same factor), the ramp only decides how
    long it waits for such a place.
    """
    over = length - typical
    return per_100_chars * over / 100 if over > 0 else 0.0


def end_bias_start(model: CharLSTM, settings: GenerateSettings) -> int:
    """The length past which sampling from ``model`` with ``settings`` favours END."""
    stats = model.posting_lengths
    return settings.typical_length(stats.median if stats is not None else None)


@dataclass(frozen=True)
class GeneratedPosting:
    text: str
    terminated: bool  # the model wrote END before the length cap


def load_generator(checkpoint_path: str | os.PathLike[str]) -> tuple[CharLSTM, Vocabulary]:
    """The model (CPU, eval mode) and the vocabulary stored with it.

    The file is read as data only (see :func:`~hn_assets.textgen.model.read_checkpoint`):
    ``--checkpoint`` may name a file from anywhere, and unpickling it in full would run any
    code it carries. Raises ``CheckpointMissing``, or ``CheckpointError`` for a file that is
    damaged, unsafe or another model's.
    """
    from hn_assets.textgen.model import CheckpointMissing, model_from_checkpoint, read_checkpoint

    path = Path(checkpoint_path)
    if not path.exists():
        raise CheckpointMissing(
            f"no checkpoint at {path}; materialize job_posting_lstm first (hn-jobs refresh)."
        )
    model = model_from_checkpoint(read_checkpoint(path), path)
    return model, model.vocabulary


@contextmanager
def _one_cpu_thread(device: torch.device) -> Iterator[None]:
    """Sampling is thousands of tiny sequential steps: extra threads only add contention
    (far slower on a busy machine), and one thread makes the numbers, hence the samples,
    independent of the machine's core count."""
    import torch

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
    model: CharLSTM, vocab: Vocabulary, settings: GenerateSettings = GenerateSettings()
) -> list[GeneratedPosting]:
    """``settings.n`` postings sampled together from START until END or ``max_chars``."""
    import torch

    settings.check(vocab.size)
    device = next(model.parameters()).device
    with _one_cpu_thread(device), torch.inference_mode():
        return _sample(model, vocab, settings, device)


def _sample(
    model: CharLSTM, vocab: Vocabulary, settings: GenerateSettings, device: torch.device
) -> list[GeneratedPosting]:
    import torch

    from hn_assets.textgen.vocab import UNKNOWN

    n, max_chars = settings.n, settings.max_chars
    typical = end_bias_start(model, settings)
    generator = torch.Generator(device=device).manual_seed(settings.seed)
    current = torch.full((n, 1), vocab.start_id, dtype=torch.long, device=device)
    state = None
    written = torch.zeros((n, max_chars), dtype=torch.long)
    lengths = torch.full((n,), max_chars, dtype=torch.long)
    terminated = torch.zeros(n, dtype=torch.bool)
    for position in range(max_chars + 1):
        logits, state = model(current, state)
        logits = logits[:, -1].float()
        logits[:, vocab.start_id] = float("-inf")  # START only ever opens a posting
        # Every unfinished posting has ``position`` characters, so one bias serves the batch.
        # It shifts the model's logits before the temperature, so it reads as a change of
        # the model's distribution that temperature then sharpens or flattens like the rest.
        logits[:, vocab.end_id] += end_logit_bias(position, typical, settings.end_bias)
        logits = logits / settings.temperature
        if settings.top_k is not None:
            threshold = torch.topk(logits, settings.top_k, dim=-1).values[:, -1:]
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
    checkpoint_path: str | os.PathLike[str], settings: GenerateSettings | None = None
) -> list[GeneratedPosting]:
    """Load a checkpoint on the CPU and sample postings; same seed, same postings."""
    settings = settings or GenerateSettings()
    model, vocab = load_generator(checkpoint_path)
    return sample_postings(model, vocab, settings)

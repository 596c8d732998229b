"""The end bias: sampling favours END once a posting is longer than a typical one.

A stub stands in for the LSTM: the same next-character distribution at every step, with END
as unlikely as a test needs, so what ends a posting is the bias and nothing else.
"""

import pytest
import torch

from hn_assets.errors import ConfigError
from hn_assets.textgen.corpus import PostingLengths
from hn_assets.textgen.model import CheckpointError
from hn_assets.textgen.sampling import (
    FALLBACK_TYPICAL_SHARE,
    GeneratedPosting,
    GenerateSettings,
    end_bias_start,
    end_logit_bias,
    load_generator,
    sample_postings,
)
from hn_assets.textgen.training import TrainConfig, new_model
from hn_assets.textgen.vocab import UNKNOWN, build_vocabulary

VOCAB = build_vocabulary(["ab"], min_frequency=0.0)  # START, END, UNKNOWN, a, b
TYPICAL = 100


class FixedDistribution(torch.nn.Module):
    """A stand-in for CharLSTM: logits 0 for every character but END, whatever came before."""

    def __init__(self, end_logit: float, median: int | None = TYPICAL) -> None:
        super().__init__()
        self.end_logit = end_logit
        self.unused = torch.nn.Parameter(torch.zeros(1))  # sampling asks for its device
        self.posting_lengths = (
            None
            if median is None
            else PostingLengths(posts=1, median=median, p90=median, longest=median)
        )

    def forward(self, ids: torch.Tensor, state: object = None) -> tuple[torch.Tensor, object]:
        logits = torch.zeros(ids.shape[0], ids.shape[1], VOCAB.size)
        logits[..., VOCAB.end_id] = self.end_logit
        logits[..., VOCAB.unknown_id] = float("-inf")  # keeps the texts to "a" and "b"
        return logits, state


def sample(model: torch.nn.Module, **settings: object) -> list[GeneratedPosting]:
    return sample_postings(model, VOCAB, GenerateSettings(**{"n": 16, "seed": 3, **settings}))


def old_sampler(model: torch.nn.Module, settings: GenerateSettings) -> list[tuple[str, bool]]:
    """The sampler as it was before the end bias, step for step."""
    generator = torch.Generator().manual_seed(settings.seed)
    n, max_chars = settings.n, settings.max_chars
    current = torch.full((n, 1), VOCAB.start_id, dtype=torch.long)
    written = torch.zeros((n, max_chars), dtype=torch.long)
    lengths = torch.full((n,), max_chars, dtype=torch.long)
    terminated = torch.zeros(n, dtype=torch.bool)
    state = None
    for position in range(max_chars + 1):
        logits, state = model(current, state)
        logits = logits[:, -1].float() / settings.temperature
        logits[:, VOCAB.start_id] = float("-inf")
        if settings.top_k is not None:
            threshold = torch.topk(logits, settings.top_k, dim=-1).values[:, -1:]
            logits = logits.masked_fill(logits < threshold, float("-inf"))
        drawn = torch.multinomial(torch.softmax(logits, dim=-1), 1, generator=generator)
        ends_now = (drawn[:, 0] == VOCAB.end_id) & ~terminated
        lengths[ends_now] = position
        terminated |= ends_now
        if terminated.all() or position == max_chars:
            break
        written[:, position] = drawn[:, 0]
        current = drawn
    return [
        (VOCAB.decode(written[row, : lengths[row]].numpy()), bool(terminated[row]))
        for row in range(n)
    ]


def test_the_bias_is_nothing_up_to_the_typical_length_then_grows_per_100_characters():
    assert [end_logit_bias(length, 100, 3.0) for length in (0, 50, 100)] == [0.0, 0.0, 0.0]
    assert end_logit_bias(101, 100, 3.0) == pytest.approx(0.03)
    assert end_logit_bias(300, 100, 3.0) == pytest.approx(6.0)
    assert end_logit_bias(10_000, 100, 0.0) == 0.0


def test_without_the_bias_an_unlikely_end_never_comes_and_with_it_every_posting_ends():
    model = FixedDistribution(end_logit=-30.0)
    plain = sample(model, end_bias=0.0, max_chars=600)
    assert all(not p.terminated and len(p.text) == 600 for p in plain)

    biased = sample(model, end_bias=15.0, max_chars=600)
    assert all(p.terminated for p in biased)
    lengths = [len(p.text) for p in biased]
    # END's logit catches up with the letters' (0) at TYPICAL + 200 characters.
    assert min(lengths) > TYPICAL + 100 and max(lengths) < TYPICAL + 260
    assert all(set(p.text) <= {"a", "b"} for p in biased)  # END is never written as text


def test_the_bias_never_ends_a_posting_before_the_typical_length():
    model = FixedDistribution(end_logit=-30.0)
    forced = sample(model, end_bias=1e9, max_chars=600)
    assert {len(p.text) for p in forced} == {TYPICAL + 1}
    assert {len(p.text) for p in sample(model, end_bias=1e9, end_bias_after=40)} == {41}


def test_a_likely_end_still_ends_postings_early_the_bias_only_adds():
    model = FixedDistribution(end_logit=0.0)  # END as likely as "a" or "b": ~3 characters
    lengths = [len(p.text) for p in sample(model, end_bias=3.0)]
    assert max(lengths) < TYPICAL  # the bias did not hold any posting back


@pytest.mark.parametrize("end_logit", [-3.0, 0.0])
@pytest.mark.parametrize("top_k", [None, 2])
def test_bias_zero_samples_exactly_what_the_old_sampler_did(end_logit, top_k):
    model = FixedDistribution(end_logit=end_logit)
    settings = GenerateSettings(n=8, seed=5, temperature=0.7, top_k=top_k, end_bias=0.0)
    postings = sample_postings(model, VOCAB, settings)
    assert [(p.text, p.terminated) for p in postings] == old_sampler(model, settings)
    if end_logit == -3.0 and top_k is None:
        # The comparison means something: some postings ended, and not all at once.
        assert len({len(p.text) for p in postings}) > 1


@pytest.mark.parametrize("temperature", [0.02, 8.0])
def test_the_bias_ends_postings_at_extreme_temperatures(temperature):
    model = FixedDistribution(end_logit=-400.0)
    plain = sample(model, temperature=temperature, end_bias=0.0, max_chars=500)
    assert not any(p.terminated for p in plain)
    # Added before the temperature, the bias brings END's logit level with the letters' at
    # TYPICAL + 200 characters whatever the temperature: near 0, sampling is greedy and ends
    # right there; at 8 the odds flatten, so it ends around there.
    biased = sample(model, temperature=temperature, end_bias=200.0, max_chars=500)
    lengths = [len(p.text) for p in biased]
    assert all(p.terminated for p in biased)
    if temperature < 1:
        assert set(lengths) <= {TYPICAL + 200, TYPICAL + 201}
    else:
        assert min(lengths) > TYPICAL + 150 and max(lengths) <= TYPICAL + 230
        assert len(set(lengths)) > 1


def test_where_the_bias_starts_setting_then_training_median_then_half_the_cap():
    with_stats = FixedDistribution(end_logit=0.0, median=321)
    without = FixedDistribution(end_logit=0.0, median=None)
    assert end_bias_start(with_stats, GenerateSettings()) == 321
    assert end_bias_start(with_stats, GenerateSettings(end_bias_after=50)) == 50
    assert end_bias_start(with_stats, GenerateSettings(end_bias_after=0)) == 0
    cap = GenerateSettings(max_chars=1000)
    assert end_bias_start(without, cap) == int(1000 * FALLBACK_TYPICAL_SHARE) == 500
    forced = sample_postings(
        FixedDistribution(end_logit=-30.0, median=None),
        VOCAB,
        GenerateSettings(n=2, end_bias=1e9, max_chars=1000),
    )
    assert [len(p.text) for p in forced] == [501, 501]


@pytest.mark.parametrize(
    "settings, message",
    [
        (GenerateSettings(end_bias=-0.5), "end_bias"),
        (GenerateSettings(end_bias=float("nan")), "end_bias"),
        (GenerateSettings(end_bias_after=-1), "end_bias_after"),
    ],
)
def test_bad_end_bias_settings_are_named(settings, message):
    with pytest.raises(ConfigError, match=message):
        sample_postings(FixedDistribution(end_logit=0.0), VOCAB, settings)


def test_unknown_is_shown_as_the_replacement_character():
    class WritesUnknown(FixedDistribution):
        def forward(self, ids, state=None):
            logits = torch.full((ids.shape[0], ids.shape[1], VOCAB.size), -50.0)
            logits[..., VOCAB.unknown_id] = 0.0
            return logits, state

    posting = sample(WritesUnknown(end_logit=0.0), n=1, end_bias=0.0, max_chars=3)[0]
    assert posting.text == "\ufffd" * 3 and UNKNOWN not in posting.text


def saved_checkpoint(path, **extra):
    model = new_model(VOCAB, TrainConfig(hidden=8, layers=1, embedding_dim=4))
    torch.save(
        {"state_dict": model.state_dict(), "hyper_parameters": dict(model.hparams), **extra}, path
    )
    return path


def test_a_checkpoint_brings_its_posting_lengths_and_an_older_one_none(tmp_path):
    lengths = PostingLengths(posts=9, median=700, p90=900, longest=1200)
    model, _ = load_generator(
        saved_checkpoint(tmp_path / "new.ckpt", posting_lengths=lengths.to_dict())
    )
    assert model.posting_lengths == lengths
    assert end_bias_start(model, GenerateSettings()) == 700
    older, _ = load_generator(saved_checkpoint(tmp_path / "old.ckpt"))
    assert older.posting_lengths is None
    assert end_bias_start(older, GenerateSettings(max_chars=2000)) == 1000
    damaged = saved_checkpoint(tmp_path / "bad.ckpt", posting_lengths={"median": "long"})
    with pytest.raises(CheckpointError, match="posting_lengths is unreadable"):
        load_generator(damaged)

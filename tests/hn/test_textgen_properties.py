"""Properties of normalising and encoding that must hold for any text, however hostile."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hn_assets.textgen.corpus import encode_corpus
from hn_assets.textgen.vocab import END, START, UNKNOWN, build_vocabulary, normalise

# Characters the rules treat specially, so that examples hit them far more often than a
# uniform draw over Unicode would: expanding ones, markers, controls, CR/LF, surrogates.
SPECIAL = [
    "\u2026",
    "\u0130",
    START,
    END,
    UNKNOWN,
    "\x00",
    "\x1b",
    "\x85",
    "\r",
    "\n",
    "\r\n",
    "\t",
    "\u00a0",
    "\u200b",
    "\u2014",
    "\u2022",
    "\u2019",
    "\ud800",
    "\udfff",
    "\U0001f600",
]
# Every code point, lone surrogates included (hypothesis leaves them out by default).
ANY_CHAR = st.characters(exclude_categories=())
TEXT = st.lists(st.one_of(ANY_CHAR, st.sampled_from(SPECIAL)), max_size=60).map("".join)
SETTINGS = settings(max_examples=300, deadline=None)
CONTROLS = {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))} - {"\n", UNKNOWN}


@SETTINGS
@given(TEXT)
def test_normalise_is_total_idempotent_and_leaves_no_markers(text: str) -> None:
    normalised = normalise(text)
    assert normalise(normalised) == normalised
    assert not CONTROLS & set(normalised)  # START and END among them
    assert not any("\ud800" <= char <= "\udfff" for char in normalised)
    normalised.encode("utf-8")  # always storable


@SETTINGS
@given(TEXT, st.lists(TEXT, max_size=3))
def test_encode_is_total_one_id_per_normalised_character(text: str, corpus: list[str]) -> None:
    vocab = build_vocabulary(corpus, min_frequency=0.0)
    ids = vocab.encode(text)
    assert ids.dtype == np.uint8 and ids.size == len(normalise(text))
    # characters outside the vocabulary come back as UNKNOWN, all others as themselves
    expected = "".join(char if char in vocab.chars else UNKNOWN for char in normalise(text))
    assert vocab.decode(ids) == expected


@SETTINGS
@given(TEXT)
def test_decode_inverts_encode_on_text_within_the_vocabulary(text: str) -> None:
    vocab = build_vocabulary([text], min_frequency=0.0)
    assert vocab.decode(vocab.encode(text)) == normalise(text)


@SETTINGS
@given(st.lists(st.one_of(TEXT, st.just(""), st.just("\u2026" * 40)), max_size=8))
def test_corpus_offsets_match_lengths_and_posts_decode_back(texts: list[str]) -> None:
    vocab = build_vocabulary(texts, min_frequency=0.0)
    corpus = encode_corpus(texts, vocab)
    assert not corpus.quarantined
    assert corpus.n_posts == len(texts)
    assert corpus.offsets[0] == 0 and corpus.offsets[-1] == corpus.n_chars
    assert corpus.post_lengths.tolist() == [len(normalise(text)) + 2 for text in texts]
    for index, text in enumerate(texts):
        assert vocab.decode(corpus.post(index)) == START + normalise(text) + END


@SETTINGS
@given(st.lists(st.one_of(TEXT, st.none(), st.integers(), st.binary(max_size=4)), max_size=8))
def test_non_text_posts_are_quarantined_never_raised(posts: list[object]) -> None:
    vocab = build_vocabulary([], min_frequency=0.0)
    corpus = encode_corpus(posts, vocab, ids=range(100, 100 + len(posts)))  # type: ignore[arg-type]
    bad = [100 + index for index, post in enumerate(posts) if not isinstance(post, str)]
    assert [post.id for post in corpus.quarantined] == bad
    assert all("TypeError" in post.error for post in corpus.quarantined)
    assert corpus.n_posts == len(posts) - len(bad)

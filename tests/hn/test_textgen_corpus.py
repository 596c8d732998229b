"""Encoded corpus, windows by index arithmetic, and their equality with the blog post's tensors."""

import numpy as np
import pytest

from hn_assets.hackernews.cleaning import html_to_text
from hn_assets.quarantine import QuarantinedPost
from hn_assets.textgen.corpus import (
    CORPUS_STAGE,
    EncodedCorpus,
    PostingLengths,
    WindowIndex,
    blog_post_windows,
    build_training_set,
    corpus_summary,
    encode_corpus,
    onehot_bytes,
    split_posts,
    train_val_windows,
    windows_per_post,
)
from hn_assets.textgen.vocab import (
    DEFAULT_MIN_FREQUENCY,
    END,
    START,
    UNKNOWN,
    build_vocabulary,
    normalise,
)
from tests.fakes.real_hn import load_real_posts, real_sample_dir

TEXTS = [
    "Acme | Backend Engineer | Berlin | Full-time\n\nWe\u2019re hiring \u2014 Python, Go.",
    "short",
    "Initech | SRE | Remote (EU)\n\n\u2022 Kubernetes\n\u2022 Terraform\nEmail jobs@initech.example",
    "Globex | Data Scientist | London, UK | ONSITE\n\nSalary: \u00a380k\u2013\u00a3100k. Visa: yes.",
    "Hooli | ML Engineer | NYC\n\nhttps://hooli.example/jobs",
]


@pytest.fixture(scope="module")
def corpus() -> EncodedCorpus:
    return encode_corpus(TEXTS, build_vocabulary(TEXTS, min_frequency=0.01))


def test_posts_are_wrapped_and_offsets_point_at_them(corpus):
    assert corpus.data.dtype == np.uint8
    assert corpus.offsets.dtype == np.int64
    assert corpus.n_posts == len(TEXTS)
    assert corpus.offsets[-1] == corpus.n_chars
    for index, text in enumerate(TEXTS):
        decoded = corpus.vocab.decode(corpus.post(index))
        assert decoded[0] == START and decoded[-1] == END
        assert decoded[1:-1] == corpus.vocab.decode(corpus.vocab.encode(text))
    assert corpus.vocab.decode(corpus.post(1)) == f"{START}short{END}"


def test_unknown_rate_counts_text_characters_only(corpus):
    text_chars = sum(len(corpus.vocab.encode(text)) for text in TEXTS)
    unknown = sum(
        int((corpus.vocab.encode(text) == corpus.vocab.unknown_id).sum()) for text in TEXTS
    )
    assert unknown > 0  # the dashes and bullets at least
    assert corpus.unknown_rate() == pytest.approx(unknown / text_chars)
    assert corpus.char_counts().sum() == corpus.n_chars


def test_save_and_memory_mapped_load_round_trip(corpus, tmp_path):
    sizes = corpus.save(tmp_path / "corpus")
    assert sizes["data.npy"] >= corpus.n_chars
    assert set(sizes) == {"data.npy", "offsets.npy", "vocab.json"}
    loaded = EncodedCorpus.load(tmp_path / "corpus")
    assert isinstance(loaded.data, np.memmap)
    np.testing.assert_array_equal(loaded.data, corpus.data)
    np.testing.assert_array_equal(loaded.offsets, corpus.offsets)
    assert loaded.vocab == corpus.vocab
    assert not list((tmp_path / "corpus").glob(".*tmp"))


def test_loading_a_missing_corpus_names_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="materialize char_training_set"):
        EncodedCorpus.load(tmp_path)


# Normalising lengthens these posts ("\u2026" -> "...", "\u0130".lower() is two characters)
# while "\r\n" and zero-width spaces shorten others, in posts long enough to span several
# encoding chunks: the corpus used to guess its size from the raw text and failed to shrink
# the grown buffer ("cannot resize this array: it does not own its data").
EXPANDING = [
    "Acme \u2026 hiring\u2026 " * 4000,
    "\u0130stanbul | Backend\u2026\r\nRemote\u200b ok\u2026" * 2000,
    "",
    "plain ascii post " * 5000,
    "\u2026" * 30000,
    "short\u2026",
]


def test_posts_that_normalise_longer_are_encoded_whole():
    vocab = build_vocabulary(EXPANDING, min_frequency=0.0)
    corpus = encode_corpus(EXPANDING, vocab)
    assert corpus.n_posts == len(EXPANDING) and not corpus.quarantined
    assert corpus.n_chars == sum(len(normalise(text)) + 2 for text in EXPANDING)
    assert corpus.n_chars > sum(len(text) + 2 for text in EXPANDING)
    for index, text in enumerate(EXPANDING):
        assert vocab.decode(corpus.post(index)) == START + normalise(text) + END


def test_reserved_characters_in_a_post_do_not_stop_the_corpus():
    texts = [f"one{START}two{END}three{UNKNOWN}", "next post"]
    vocab = build_vocabulary(texts, min_frequency=0.0)
    corpus = encode_corpus(texts, vocab)
    assert corpus.n_posts == 2 and not corpus.quarantined
    # the markers stay where they belong: once each per post, at its ends
    assert vocab.decode(corpus.post(0)) == f"{START}onetwothree{UNKNOWN}{END}"
    assert int((corpus.data == vocab.start_id).sum()) == 2
    assert int((corpus.data == vocab.end_id).sum()) == 2


def test_a_post_that_cannot_be_encoded_is_quarantined_and_the_rest_kept():
    texts = ["first post", None, "third post", float("nan")]
    vocab = build_vocabulary(["first post", "third post"], min_frequency=0.0)
    corpus = encode_corpus(texts, vocab, ids=[101, 102, 103, 104])
    assert corpus.n_posts == 2
    assert vocab.decode(corpus.post(1)) == f"{START}third post{END}"
    assert [(q.id, q.stage) for q in corpus.quarantined] == [
        (102, CORPUS_STAGE),
        (104, CORPUS_STAGE),
    ]
    assert "TypeError" in corpus.quarantined[0].error and "NoneType" in corpus.quarantined[0].error
    # without ids a post is named by its position
    assert [q.id for q in encode_corpus(texts, vocab).quarantined] == [1, 3]


def test_ids_must_match_the_texts(corpus):
    with pytest.raises(ValueError, match="2 ids for 3 texts"):
        encode_corpus(["a", "b", "c"], corpus.vocab, ids=[1, 2])


@pytest.mark.parametrize(("seq_len", "step"), [(10, 3), (7, 1), (20, 4)])
def test_windows_equal_the_blog_post_formulation(corpus, seq_len, step):
    x_blog, y_blog = blog_post_windows(TEXTS, corpus.vocab, seq_len=seq_len, step=step)
    every_post = WindowIndex.for_posts(corpus.offsets, np.arange(corpus.n_posts), seq_len, step)
    assert len(every_post) == len(x_blog) > 0
    windows = every_post.gather(corpus.data, np.arange(len(every_post)))
    inputs, targets = windows[:, :-1], windows[:, 1:]
    np.testing.assert_array_equal(np.eye(corpus.vocab.size, dtype=bool)[inputs], x_blog)
    np.testing.assert_array_equal(targets[:, -1], y_blog.argmax(axis=1))
    assert y_blog.sum(axis=1).tolist() == [1] * len(y_blog)
    # every other target is the next input: the model learns from every position
    np.testing.assert_array_equal(targets[:, :-1], inputs[:, 1:])


def test_windows_per_post_matches_the_blog_range():
    lengths = np.array([0, 5, 10, 11, 12, 13, 14, 100])
    expected = [len(range(0, length - 10, 3)) for length in lengths]
    assert windows_per_post(lengths, seq_len=10, step=3).tolist() == expected


def test_window_numbers_out_of_range_are_refused(corpus):
    index = WindowIndex.for_posts(corpus.offsets, np.arange(corpus.n_posts), 10, 3)
    with pytest.raises(IndexError):
        index.starts(np.array([len(index)]))


def test_split_is_by_post_deterministic_and_stable_when_posts_are_appended():
    texts = [f"posting number {i} " * 8 for i in range(200)]
    vocab = build_vocabulary(texts, min_frequency=0.0)
    corpus = encode_corpus(texts, vocab)
    train, val = split_posts(corpus, val_fraction=0.2, seed=7)
    assert set(train).isdisjoint(val) and len(train) + len(val) == 200
    assert 20 <= len(val) <= 60
    again_train, again_val = split_posts(corpus, val_fraction=0.2, seed=7)
    np.testing.assert_array_equal(val, again_val)
    grown = encode_corpus([*texts, *(f"new post {i} " * 8 for i in range(50))], vocab)
    _, grown_val = split_posts(grown, val_fraction=0.2, seed=7)
    np.testing.assert_array_equal(grown_val[grown_val < 200], val)
    _, other_val = split_posts(corpus, val_fraction=0.2, seed=8)
    assert not np.array_equal(other_val, val)

    train_windows, val_windows = train_val_windows(
        corpus, seq_len=30, step=3, val_fraction=0.2, seed=7
    )
    train_starts = set(train_windows.starts(np.arange(len(train_windows))).tolist())
    val_starts = val_windows.starts(np.arange(len(val_windows)))
    post_of = np.searchsorted(corpus.offsets, val_starts, side="right") - 1
    assert set(post_of.tolist()) <= set(val.tolist())
    assert train_starts.isdisjoint(val_starts.tolist())
    assert val_windows.step == 30  # each validation character is predicted once


def test_split_of_posts_too_short_for_a_window_is_a_clear_error(corpus):
    with pytest.raises(ValueError, match="shorter than seq_len"):
        train_val_windows(corpus, seq_len=500, step=3, val_fraction=0.5, seed=0)


def test_summary_reports_the_onehot_bytes_of_the_blog_formulation(corpus):
    train, val = train_val_windows(corpus, seq_len=10, step=3, val_fraction=0.4, seed=1)
    summary = corpus_summary(corpus, train, val)
    x_blog, y_blog = blog_post_windows(TEXTS, corpus.vocab, seq_len=10, step=3)
    assert summary["onehot_bytes"] == x_blog.nbytes + y_blog.nbytes
    assert onehot_bytes(len(x_blog), 10, corpus.vocab.size) == x_blog.nbytes + y_blog.nbytes
    assert summary["bytes"] < summary["onehot_bytes"]
    assert summary["train_posts"] + summary["val_posts"] == corpus.n_posts


def test_build_training_set_saves_the_corpus_and_reports_metadata(tmp_path):
    texts = [
        f"posting {i}: we hire rust and go people in berlin \u2014 remote ok" * 3 for i in range(40)
    ]
    summary = build_training_set(
        texts, tmp_path / "set", min_frequency=0.0, seq_len=30, step=3, val_fraction=0.1, seed=0
    )
    loaded = EncodedCorpus.load(tmp_path / "set")
    assert summary["posts"] == loaded.n_posts == 40
    assert summary["characters"] == loaded.n_chars
    assert summary["bytes_on_disk"] == sum(summary["files"].values())
    assert summary["bytes_on_disk"] < summary["onehot_bytes"] / 100
    assert (
        summary["unknown_rate"] == pytest.approx(loaded.unknown_rate())
        and loaded.unknown_rate() > 0
    )
    assert [row["char"] for row in summary["vocabulary"][:3]] == ["<START>", "<END>", "<UNKNOWN>"]
    assert summary["vocabulary"][0]["count"] == 40
    train, val = train_val_windows(loaded, seq_len=30, step=3, val_fraction=0.1, seed=0)
    assert (summary["train_windows"], summary["val_windows"]) == (len(train), len(val))


def test_build_training_set_leaves_out_and_reports_a_bad_post(tmp_path):
    texts = [f"posting {i}: rust and go in berlin, remote ok " * 3 for i in range(30)]
    texts[7] = None
    texts[12] = texts[12] + START + "fake boundary" + END
    ids = list(range(1000, 1030))
    summary = build_training_set(
        texts,
        tmp_path / "set",
        ids=ids,
        min_frequency=0.0,
        seq_len=30,
        step=3,
        val_fraction=0.1,
        seed=0,
    )
    assert summary["posts"] == 29
    assert summary["quarantined"] == [
        QuarantinedPost(1007, CORPUS_STAGE, summary["quarantined"][0].error)
    ]
    loaded = EncodedCorpus.load(tmp_path / "set")
    assert loaded.n_posts == 29 and loaded.quarantined == []
    assert int((loaded.data == loaded.vocab.start_id).sum()) == 29
    for key in ("posts", "characters", "vocabulary_size", "unknown_rate", "train_windows"):
        assert key in summary
    for key in ("val_windows", "bytes_on_disk", "onehot_bytes"):
        assert key in summary


def test_real_posts_build_a_training_set(tmp_path):
    # Real posts carry the characters that broke the corpus ("\u2026" and friends).
    posts = load_real_posts(real_sample_dir())
    texts = [html_to_text(post.text) for post in posts]
    assert any("\u2026" in text for text in texts)
    summary = build_training_set(
        texts,
        tmp_path / "real",
        ids=[post.id for post in posts],
        min_frequency=DEFAULT_MIN_FREQUENCY,
        seq_len=100,
        step=3,
        val_fraction=0.1,
        seed=0,
    )
    assert summary["posts"] == len(posts) and summary["quarantined"] == []
    corpus = EncodedCorpus.load(tmp_path / "real")
    assert corpus.post_lengths.tolist() == [len(normalise(text)) + 2 for text in texts]
    assert 0 < summary["unknown_rate"] < 0.05


def test_posting_lengths_count_text_characters_and_read_back_only_from_their_own_form():
    corpus = encode_corpus(
        ["a" * 10, "b" * 20, "c" * 30, "d" * 40, "e" * 1000],
        build_vocabulary(["abcde"], min_frequency=0.0),
    )
    lengths = PostingLengths.of(corpus)
    assert lengths == PostingLengths(posts=5, median=30, p90=616, longest=1000)
    assert PostingLengths.of(corpus, np.array([0, 1])) == PostingLengths(
        posts=2, median=15, p90=19, longest=20
    )
    assert PostingLengths.from_dict(lengths.to_dict()) == lengths
    for bad in (
        None,
        [],
        {"posts": 1},
        {**lengths.to_dict(), "median": "30"},
        {**lengths.to_dict(), "median": -1},
        {**lengths.to_dict(), "median": True},
        {**lengths.to_dict(), "extra": 1},
    ):
        with pytest.raises(ValueError, match="posting lengths"):
            PostingLengths.from_dict(bad)
    with pytest.raises(ValueError, match="at least one post"):
        PostingLengths.of(corpus, np.array([], dtype=np.int64))


def test_the_training_set_summary_reports_posting_lengths(tmp_path):
    texts = [f"posting {i}: " + "rust and go in berlin " * (i + 2) for i in range(20)]
    summary = build_training_set(
        texts, tmp_path / "set", min_frequency=0.0, seq_len=10, step=3, val_fraction=0.2, seed=0
    )
    lengths = sorted(len(normalise(text)) for text in texts)
    assert summary["posting_lengths"].longest == lengths[-1]
    assert summary["posting_lengths"].median == int(np.median(lengths))

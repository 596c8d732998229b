"""Training, resume and generation of a tiny char-LSTM on a small synthetic corpus."""

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from hn_assets.textgen.corpus import (
    EncodedCorpus,
    PostingLengths,
    encode_corpus,
    train_val_windows,
)
from hn_assets.textgen.sampling import (
    GenerateSettings,
    generate_postings,
    load_generator,
    sample_postings,
)
from hn_assets.textgen.training import TrainConfig, plot_curves_png, train_char_lstm, unigram_bpc
from hn_assets.textgen.vocab import UNKNOWN, build_vocabulary

pytestmark = pytest.mark.slow

TINY = TrainConfig(
    hidden=48,
    layers=2,
    dropout=0.1,
    embedding_dim=16,
    seq_len=40,
    step=5,
    batch_size=32,
    max_epochs=2,
    limit_train_batches=30,
    limit_val_batches=4,
    val_fraction=0.15,
    progress_bar=False,
    log_every_n_steps=5,
)


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny models on shared cores: a second thread only adds contention."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def synthetic_postings(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    companies = ["acme", "initech", "globex", "hooli", "umbrella", "stark"]
    roles = ["backend engineer", "frontend developer", "data scientist", "sre", "ml engineer"]
    places = ["berlin", "london", "remote", "san francisco", "new york"]
    return [
        f"{rng.choice(companies)} | {rng.choice(roles)} | {rng.choice(places)} | full-time\n\n"
        f"we are hiring a {rng.choice(roles)} to build our {rng.choice(['api', 'app', 'platform'])}."
        f" apply at jobs@{rng.choice(companies)}.com"
        for _ in range(count)
    ]


def save_corpus(texts: list[str], directory: Path) -> Path:
    encode_corpus(texts, build_vocabulary(texts, min_frequency=0.0)).save(directory)
    return directory


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("textgen")
    corpus_dir = save_corpus(synthetic_postings(300), root / "corpus")
    result = train_char_lstm(corpus_dir, root / "run", TINY)
    return root, corpus_dir, result


def test_unigram_bpc_is_the_smoothed_cross_entropy():
    train = np.array([0, 0, 0, 1])  # add-one over 3 symbols: p = 4/7, 2/7, 1/7
    val = np.array([0, 1, 2])
    expected = -(np.log2(4 / 7) + np.log2(2 / 7) + np.log2(1 / 7)) / 3
    assert unigram_bpc(train, val, vocab_size=3) == pytest.approx(expected)


def test_tiny_model_beats_the_unigram_baseline(trained):
    _, _, result = trained
    assert not result.resumed
    assert result.global_step == result.train_batches == 2 * TINY.limit_train_batches
    assert result.validation_rounds == 2  # Lightning's epochs: rounds of 30 batches
    # Epochs are passes over the training windows: 60 batches of 32 are a share of one.
    assert result.epochs == pytest.approx(60 * TINY.batch_size / result.train_windows)
    assert result.epochs_this_call == result.epochs < 1
    assert result.train_windows > 60 * TINY.batch_size and result.val_windows > 0
    assert result.device == "cpu" and result.precision == "32-true"
    assert result.stopped_by == "epoch limit"
    assert 0 < result.train_s <= result.wall_s
    assert 3.0 < result.unigram_bpc < 5.0
    assert result.val_bpc < result.unigram_bpc - 0.5
    assert result.best_checkpoint_path.exists() and result.checkpoint_path.exists()
    assert [step for step, _ in result.val_curve] == [30, 60]
    assert result.train_curve[0][0] == 1 and result.train_curve[-1][0] == 60
    assert result.parameters > 0 and result.chars_per_s > 0
    assert result.train_chars_seen == 60 * TINY.batch_size * TINY.seq_len
    png = plot_curves_png(result)
    assert png.startswith(b"\x89PNG")


def test_the_checkpoint_carries_the_training_posts_lengths(trained):
    _, corpus_dir, result = trained
    corpus = EncodedCorpus.load(corpus_dir)
    train, _ = train_val_windows(
        corpus, seq_len=TINY.seq_len, step=TINY.step, val_fraction=TINY.val_fraction, seed=TINY.seed
    )
    lengths = corpus.post_lengths[train.posts] - 2  # START and END are not text
    assert result.posting_lengths == PostingLengths(
        posts=train.posts.size,
        median=int(np.median(lengths)),
        p90=int(np.percentile(lengths, 90)),
        longest=int(lengths.max()),
    )
    for path in (result.best_checkpoint_path, result.checkpoint_path):
        model, _ = load_generator(path)
        assert model.posting_lengths == result.posting_lengths


def test_logs_are_written_under_the_run_dir(trained):
    root, _, _ = trained
    assert list((root / "run" / "logs" / "csv").glob("version_*/metrics.csv"))
    assert list((root / "run" / "logs" / "tensorboard").glob("version_*/events.out.tfevents.*"))


def test_checkpoint_reloaded_in_a_new_process_generates_the_same_text(trained):
    _, _, result = trained
    settings = GenerateSettings(n=3, seed=11, max_chars=200)
    here = generate_postings(result.best_checkpoint_path, settings)
    script = (
        "import json, sys\n"
        "from hn_assets.textgen.sampling import GenerateSettings, generate_postings\n"
        "settings = GenerateSettings(n=3, seed=11, max_chars=200)\n"
        "postings = generate_postings(sys.argv[1], settings)\n"
        "print(json.dumps([[p.text, p.terminated] for p in postings]))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, str(result.best_checkpoint_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    there = json.loads(completed.stdout.strip().splitlines()[-1])
    assert there == [[p.text, p.terminated] for p in here]
    assert any(p.text for p in here)
    other_seed = generate_postings(
        result.best_checkpoint_path, GenerateSettings(n=3, seed=12, max_chars=200)
    )
    assert [p.text for p in other_seed] != [p.text for p in here]


def test_sampling_respects_cap_top_k_and_termination(trained):
    _, _, result = trained
    model, vocab = load_generator(result.best_checkpoint_path)
    capped = sample_postings(model, vocab, GenerateSettings(n=4, max_chars=5, seed=0))
    assert all(len(p.text) <= 5 for p in capped)
    assert all(p.terminated or len(p.text) == 5 for p in capped)
    greedy = sample_postings(model, vocab, GenerateSettings(n=2, top_k=1, seed=0, max_chars=300))
    assert greedy[0] == greedy[1]  # top_k=1 leaves no randomness
    long = sample_postings(
        model, vocab, GenerateSettings(n=8, temperature=0.5, seed=1, max_chars=600)
    )
    assert any(p.terminated for p in long)  # it learned to end a posting
    assert all(UNKNOWN not in p.text for p in long)
    with pytest.raises(ValueError, match="temperature"):
        sample_postings(model, vocab, GenerateSettings(temperature=0))
    with pytest.raises(ValueError, match="top_k"):
        sample_postings(model, vocab, GenerateSettings(top_k=vocab.size + 1))


def test_missing_checkpoint_names_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="materialize job_posting_lstm"):
        generate_postings(tmp_path / "nope.ckpt")


def test_resume_continues_the_step_count_and_vocab_change_starts_fresh(tmp_path):
    texts = synthetic_postings(120, seed=1)
    corpus_dir = save_corpus(texts, tmp_path / "corpus")
    config = TrainConfig(**{**TINY.__dict__, "max_epochs": 1, "limit_train_batches": 6})
    first = train_char_lstm(corpus_dir, tmp_path / "run", config)
    assert (first.global_step, first.resumed) == (6, False)

    second = train_char_lstm(corpus_dir, tmp_path / "run", config)
    assert second.resumed and second.fresh_start_reason is None
    assert second.global_step == 12 and second.validation_rounds == 2
    assert second.train_batches == 6  # this call's; epochs count both calls'
    assert second.epochs == pytest.approx(2 * second.epochs_this_call)
    assert [step for step, _ in second.val_curve] == [6, 12]  # the curve continues too

    changed = save_corpus([*texts, "ünïcode & more!"], tmp_path / "corpus2")
    third = train_char_lstm(changed, tmp_path / "run", config)
    assert not third.resumed and "vocabulary changed" in third.fresh_start_reason
    assert third.global_step == 6 and [step for step, _ in third.val_curve] == [6]
    superseded = list((tmp_path / "run" / "superseded").glob("*/last.ckpt"))
    assert len(superseded) == 1  # the earlier run is kept aside, not deleted


def test_time_budget_stops_mid_epoch_and_the_next_call_resumes(tmp_path):
    corpus_dir = save_corpus(synthetic_postings(400, seed=2), tmp_path / "corpus")
    config = TrainConfig(
        **{**TINY.__dict__, "max_epochs": 50, "limit_train_batches": None, "max_time_s": 0.5}
    )
    first = train_char_lstm(corpus_dir, tmp_path / "run", config)
    assert first.global_step >= 1 and first.validation_rounds < 50
    assert first.stopped_by == "time budget"
    assert first.val_curve  # a validation still ran, so the checkpoints exist
    second = train_char_lstm(corpus_dir, tmp_path / "run", config)
    assert second.resumed and second.global_step > first.global_step


def test_a_crafted_last_checkpoint_is_set_aside_not_run(tmp_path):
    from tests.fakes.hostile_files import crafted_checkpoint

    corpus_dir = save_corpus(synthetic_postings(120, seed=3), tmp_path / "corpus")
    config = TrainConfig(**{**TINY.__dict__, "max_epochs": 1, "limit_train_batches": 4})
    marker = tmp_path / "code-ran"
    (tmp_path / "run" / "checkpoints").mkdir(parents=True)
    crafted_checkpoint(tmp_path / "run" / "checkpoints" / "last.ckpt", marker)
    result = train_char_lstm(corpus_dir, tmp_path / "run", config)
    assert not result.resumed and "could run code; refused" in result.fresh_start_reason
    assert not marker.exists()
    assert list((tmp_path / "run" / "superseded").glob("*/last.ckpt"))  # kept for a look
    assert result.checkpoint_path.exists()

"""Char-LSTM training set and training throughput: the blog post's formulation against ours.

One run, same corpus (the sample archive's clean text, or a synthetic corpus of the same size
when the archive is missing):

1. Tensorisation: the blog post's Python loops filling boolean one-hot X[n, 100, V], Y[n, V]
   against ours (one uint8 array + offsets + window index). Time and peak traced memory
   (tracemalloc, which numpy reports to). The baseline runs on every k-th post (a measured
   fraction of the windows) and is extrapolated linearly in windows, because the full
   one-hot tensors would need many GB; the JSON says so.
2. Training targets per second at the same LSTM size (2 x 512, batch 128, RMSprop): the blog
   post's model (one-hot input, predicts the last character of each window) against ours
   (embedding input, predicts every position).
3. Only with a GPU (or --train-minutes on any device): train our model for a time budget
   with bf16 on GPU and report characters per second and the validation BPC reached.

Usage: python bench/textgen.py [--json] [--baseline-every 10] [--train-steps 3]
The last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from hn_assets.textgen.corpus import (
    WindowIndex,
    blog_post_windows,
    encode_corpus,
    onehot_bytes,
    train_val_windows,
    windows_per_post,
)
from hn_assets.textgen.model import WindowDataset
from hn_assets.textgen.training import TrainConfig, new_model, train_char_lstm
from hn_assets.textgen.vocab import Vocabulary, build_vocabulary

GOALS = {
    "tensorize_speedup": 20.0,
    "tensorize_memory_ratio": 500.0,
    "train_targets_per_s_ratio": 30.0,
}
#: The blog post's model, windows and batch: the "paper" profile.
PAPER = TrainConfig()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- corpus


def sample_archive_texts() -> list[str] | None:
    """Clean posting texts of every month of the bundled sample archive (the clean_posts
    path of the assets: fetch the thread's posts, then clean them), if it exists."""
    try:
        from hn_assets.hackernews.client import SampleArchiveClient
        from hn_assets.hackernews.posts import clean_posts_frame, fetch_thread_posts
        from hn_assets.hackernews.sample_archive import load_sample_archive
    except ImportError:
        return None
    archive = load_sample_archive()
    client = SampleArchiveClient(archive)
    texts: list[str] = []
    for month in archive.months:
        thread_id = archive.hiring_thread_id(month)
        raw, _ = fetch_thread_posts(client, thread_id, previous=None)
        texts.extend(clean_posts_frame(raw, month, thread_id).posts["text"].tolist())
    return [text for text in texts if text]


_WORDS = [
    "we are hiring engineers to build the platform for data teams our stack is python go",
    "rust typescript react postgres kubernetes aws you will work on backend services apis",
    "infrastructure machine learning pipelines with a small team of experienced people",
    "benefits include equity health insurance flexible hours and a yearly learning budget",
    "experience with distributed systems is a plus we value ownership clear writing and",
    "kindness interviews are a short call a take home exercise and a meeting with the team",
]


def synthetic_texts(target_chars: int = 3_000_000, seed: int = 0) -> list[str]:
    """Who's-hiring-like postings (header line, paragraphs, links, some Unicode)."""
    rng = random.Random(seed)
    words = [word for line in _WORDS for word in line.split(" ")]
    companies = ["Acme", "Initech", "Globex", "Hooli", "Umbrella", "Stark Industries", "Pied Piper"]
    roles = [
        "Senior Backend Engineer",
        "Frontend Developer",
        "Data Scientist",
        "SRE",
        "ML Engineer",
    ]
    places = ["Berlin", "London, UK", "REMOTE (US)", "San Francisco, CA", "NYC", "Zürich"]
    texts: list[str] = []
    total = 0
    while total < target_chars:
        company = rng.choice(companies)
        header = (
            f"{company} | {rng.choice(roles)} | {rng.choice(places)} | "
            f"{rng.choice(['Full-time', 'ONSITE', 'Remote', 'Hybrid'])} | "
            f"${rng.randint(90, 200)}k\u2013${rng.randint(200, 260)}k"
        )
        paragraphs = []
        for _ in range(rng.randint(1, 4)):
            sentence = " ".join(rng.choice(words) for _ in range(rng.randint(20, 70)))
            paragraphs.append(sentence[0].upper() + sentence[1:] + ".")
        if rng.random() < 0.5:
            paragraphs.append(
                "\n".join(f"\u2022 {rng.choice(words)} {rng.choice(words)}" for _ in range(3))
            )
        slug = company.lower().replace(" ", "")
        paragraphs.append(
            f"We\u2019re at https://{slug}.example/jobs \u2014 email jobs@{slug}.example"
        )
        text = header + "\n\n" + "\n\n".join(paragraphs)
        texts.append(text)
        total += len(text)
    return texts


# --------------------------------------------------------------------------- (1) tensorisation


def measure(function: Callable[[], Any], repeats: int) -> tuple[float, int]:
    """Best wall time of ``repeats`` runs, then the peak traced memory of one more run."""
    best = math.inf
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
        del result
    gc.collect()
    tracemalloc.start()
    result = function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    gc.collect()
    return best, peak


def tensorize_comparison(
    texts: list[str], vocab: Vocabulary, baseline_every: int
) -> dict[str, Any]:
    def ours() -> tuple:
        corpus = encode_corpus(texts, vocab)
        return corpus, train_val_windows(
            corpus,
            seq_len=PAPER.seq_len,
            step=PAPER.step,
            val_fraction=PAPER.val_fraction,
            seed=PAPER.seed,
        )

    log("tensorize: ours ...")
    ours_s, ours_peak = measure(ours, repeats=3)
    corpus, (train, val) = ours()
    lengths = corpus.post_lengths
    full_windows = int(windows_per_post(lengths, PAPER.seq_len, PAPER.step).sum())

    subset = texts[::baseline_every]
    log(f"tensorize: blog post's loops on every {baseline_every}th post ({len(subset)} posts) ...")
    blog_s, blog_peak = measure(
        lambda: blog_post_windows(subset, vocab, PAPER.seq_len, PAPER.step), repeats=1
    )
    x_subset, _ = blog_post_windows(subset, vocab, PAPER.seq_len, PAPER.step)
    subset_windows = len(x_subset)
    del x_subset
    scale = full_windows / subset_windows
    return {
        "posts": corpus.n_posts,
        "characters": corpus.n_chars,
        "vocabulary_size": vocab.size,
        "unknown_rate": round(corpus.unknown_rate(), 5),
        "windows": full_windows,
        "train_windows": len(train),
        "val_windows": len(val),
        "baseline_extrapolated": scale > 1,
        "baseline_note": (
            f"blog post's tensorisation measured on every {baseline_every}th post "
            f"({subset_windows} of {full_windows} windows) and extrapolated linearly in windows "
            f"(x{scale:.2f}); ours measured on the whole corpus"
        ),
        "baseline_posts": len(subset),
        "baseline_windows": subset_windows,
        "blog_tensorize_s_measured": round(blog_s, 3),
        "blog_peak_bytes_measured": blog_peak,
        "blog_tensorize_s": round(blog_s * scale, 3),
        "blog_peak_bytes": int(blog_peak * scale),
        "onehot_bytes": onehot_bytes(full_windows, PAPER.seq_len, vocab.size),
        "ours_tensorize_s": round(ours_s, 4),
        "ours_peak_bytes": ours_peak,
        "ours_bytes": int(corpus.data.nbytes + corpus.offsets.nbytes),
        "tensorize_speedup": round(blog_s * scale / ours_s, 1),
        "tensorize_memory_ratio": round(blog_peak * scale / ours_peak, 1),
        "_corpus": corpus,
        "_train": train,
    }


# --------------------------------------------------------------------------- (2) training


class BlogPostLSTM(nn.Module):
    """The blog post's Keras model in PyTorch: one-hot input, LSTM(512) x 2 with dropout 0.4,
    dense softmax on the last time step only."""

    def __init__(self, vocab_size: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(
            vocab_size,
            PAPER.hidden,
            num_layers=PAPER.layers,
            dropout=PAPER.dropout,
            batch_first=True,
        )
        self.dropout = nn.Dropout(PAPER.dropout)
        self.head = nn.Linear(PAPER.hidden, vocab_size)

    def forward(self, onehot: torch.Tensor) -> torch.Tensor:
        output, _ = self.lstm(onehot)
        return self.head(self.dropout(output[:, -1]))


def _training_step(
    model: nn.Module, loss_of_next_batch: Callable[[], torch.Tensor], device: torch.device
) -> Callable[[], None]:
    """One timed unit: fetch a batch, forward, backward, RMSprop update."""
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")
    model.to(device).train()

    def step() -> None:
        with autocast:
            loss = loss_of_next_batch()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    return step


def _median_step_seconds(
    steps: dict[str, Callable[[], None]], repeats: int, per_sample: int
) -> dict[str, float]:
    """Median seconds per step of each contender, timed in alternation so that both see
    the same load on a shared machine; each sample times ``per_sample`` steps."""
    for step in steps.values():
        step()  # warm-up (allocations, kernel choice)
    samples: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            started = time.perf_counter()
            for _ in range(per_sample):
                step()
            samples[name].append((time.perf_counter() - started) / per_sample)
    return {name: float(np.median(values)) for name, values in samples.items()}


def training_comparison(
    corpus,
    train: WindowIndex,
    texts: list[str],
    vocab: Vocabulary,
    repeats: int,
    device: torch.device,
    per_sample: int = 1,
) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    batch = PAPER.batch_size
    x_blog, y_blog = blog_post_windows(texts[:200], vocab, PAPER.seq_len, PAPER.step)
    blog = BlogPostLSTM(vocab.size)

    def blog_loss() -> torch.Tensor:
        rows = rng.integers(0, len(x_blog), batch)
        onehot = torch.from_numpy(x_blog[rows]).to(device).float()
        target = torch.from_numpy(y_blog[rows].argmax(axis=1)).to(device)
        return F.cross_entropy(blog(onehot).float(), target)

    dataset = WindowDataset(corpus.data, train)
    ours = new_model(vocab, PAPER)

    def ours_loss() -> torch.Tensor:
        windows = dataset.__getitems__(rng.integers(0, len(dataset), batch))
        return ours._loss(windows.to(device))

    log(f"training: {repeats} x {per_sample} steps of batch {batch} each model on {device} ...")
    seconds = _median_step_seconds(
        {
            "blog": _training_step(blog, blog_loss, device),
            "ours": _training_step(ours, ours_loss, device),
        },
        repeats,
        per_sample,
    )
    blog_rate = batch / seconds["blog"]
    ours_rate = batch * PAPER.seq_len / seconds["ours"]
    return {
        "device": str(device),
        "batch_size": batch,
        "seq_len": PAPER.seq_len,
        "lstm": f"{PAPER.layers} x {PAPER.hidden}",
        "steps_timed": repeats * per_sample,
        "blog_parameters": sum(p.numel() for p in blog.parameters()),
        "ours_parameters": sum(p.numel() for p in ours.parameters()),
        "blog_step_s": round(seconds["blog"], 4),
        "ours_step_s": round(seconds["ours"], 4),
        "blog_targets_per_s": round(blog_rate, 1),
        "ours_targets_per_s": round(ours_rate, 1),
        "train_targets_per_s_ratio": round(ours_rate / blog_rate, 1),
    }


# --------------------------------------------------------------------------- (3) budgeted run


def budgeted_training(corpus, minutes: float, batch_size: int, val_batches: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-textgen-") as scratch:
        corpus.save(Path(scratch) / "corpus")
        config = TrainConfig(
            batch_size=batch_size,
            max_epochs=1000,
            max_time_s=minutes * 60,
            limit_train_batches=2000,  # an epoch (checkpoint + validation) every 2000 batches
            limit_val_batches=val_batches,
            early_stopping_patience=5,
            progress_bar=False,
        )
        log(f"budgeted training: {minutes} min, batch {batch_size} ...")
        started = time.perf_counter()
        result = train_char_lstm(Path(scratch) / "corpus", Path(scratch) / "run", config)
        wall = time.perf_counter() - started
    return {
        "device": "cuda:" + torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
        "precision": "bf16-mixed" if torch.cuda.is_available() else "32-true",
        "minutes": minutes,
        "wall_s": round(wall, 1),
        "batch_size": batch_size,
        "chars_per_s": round(result.chars_per_s, 1),
        "global_step": result.global_step,
        "val_bpc": round(result.val_bpc, 4),
        "unigram_bpc": round(result.unigram_bpc, 4),
        "val_curve": [(step, round(value, 4)) for step, value in result.val_curve],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    parser.add_argument(
        "--baseline-every",
        type=int,
        default=10,
        help="run the blog post's tensorisation on every k-th post and extrapolate (1 = all)",
    )
    parser.add_argument(
        "--train-steps", type=int, default=3, help="timed CPU training steps per model (median)"
    )
    parser.add_argument(
        "--train-minutes",
        type=float,
        default=None,
        help="part (3) budget; default 10 on a GPU, skipped on CPU",
    )
    parser.add_argument("--train-batch-size", type=int, default=PAPER.batch_size)
    parser.add_argument(
        "--train-val-batches", type=int, default=100, help="validation batches per epoch in (3)"
    )
    parser.add_argument("--synthetic", action="store_true", help="ignore the sample archive")
    args = parser.parse_args(argv)

    texts = None if args.synthetic else sample_archive_texts()
    source = "sample_archive"
    if texts is None:
        texts, source = synthetic_texts(), "synthetic"
    log(f"corpus: {source}, {len(texts)} posts, {sum(map(len, texts))} characters")
    vocab = build_vocabulary(texts)
    torch.manual_seed(0)

    report: dict[str, Any] = {"corpus_source": source}
    tensorize = tensorize_comparison(texts, vocab, args.baseline_every)
    corpus, train = tensorize.pop("_corpus"), tensorize.pop("_train")
    report.update(tensorize)

    cpu = training_comparison(corpus, train, texts, vocab, args.train_steps, torch.device("cpu"))
    report["train_cpu"] = cpu
    report["train_targets_per_s_ratio"] = cpu["train_targets_per_s_ratio"]
    report["gpu"] = None
    if torch.cuda.is_available():
        gpu = training_comparison(
            corpus, train, texts, vocab, 5, torch.device("cuda"), per_sample=10
        )
        report["gpu"] = {"train": gpu}
        report["train_targets_per_s_ratio_gpu"] = gpu["train_targets_per_s_ratio"]
    minutes = (
        args.train_minutes
        if args.train_minutes is not None
        else (10.0 if torch.cuda.is_available() else 0.0)
    )
    if minutes > 0:
        report["budgeted_training"] = budgeted_training(
            corpus, minutes, args.train_batch_size, args.train_val_batches
        )

    report["goals"] = GOALS
    report["goals_met"] = {key: report[key] >= goal for key, goal in GOALS.items()}
    if not args.json:
        for key in ("tensorize_speedup", "tensorize_memory_ratio", "train_targets_per_s_ratio"):
            print(f"{key:>28}: {report[key]:>10}  (goal >= {GOALS[key]:g})")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

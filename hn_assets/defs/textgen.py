"""Text-generation assets: all months of clean posts -> char training set -> LSTM -> postings.

No ``from __future__ import annotations`` here: Dagster must see the generated config
classes themselves in the assets' signatures.
"""

import dataclasses
import json
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd

from hn_assets import settings
from hn_assets.config_adapter import dagster_config, from_dagster_config
from hn_assets.defs import OWNERS
from hn_assets.defs.automation import when_stale, when_stale_at_most_once_per
from hn_assets.defs.checks import check_result, specs
from hn_assets.defs.metadata import quarantined_value
from hn_assets.defs.resources import DataStoreResource, LSTMTrainingResource
from hn_assets.quality import below_bits_per_char, no_quarantined_posts
from hn_assets.reporting import escape_markdown, image_markdown
from hn_assets.storage import (
    LSTM_RUN_DIR,
    atomic_write_bytes,
    atomic_write_text,
    published_model,
)
from hn_assets.textgen.corpus import PostingLengths, build_training_set
from hn_assets.textgen.quality import (
    MIN_TERMINATED_SHARE,
    MIN_VOCABULARY_COVERAGE,
    postings_terminate,
    training_set_covered,
)
from hn_assets.textgen.sampling import (
    GeneratedPosting,
    GenerateSettings,
    end_bias_start,
    load_generator,
    sample_postings,
)
from hn_assets.textgen.training import (
    TRAINING_SET_SETTINGS,
    TrainConfig,
    TrainResult,
    plot_curves_png,
    train_char_lstm,
)

GROUP = "textgen"
CORPUS_DIR = "textgen/corpus"
#: The training-set settings char_training_set used; training reads them back.
SPLIT_FILE = "split.json"
RETRAIN_CRON = settings.HN_LSTM_RETRAIN_CRON.read()

# Generated from the dataclasses, which hold the settings' defaults and descriptions.
TrainingSetConfig = dagster_config(
    TrainConfig,
    "TrainingSetConfig",
    exclude=[
        f.name for f in dataclasses.fields(TrainConfig) if f.name not in TRAINING_SET_SETTINGS
    ],
)
GenerateConfig = dagster_config(GenerateSettings, "GenerateConfig")

#: Dagster's GraphQL IntMetadataEntry.intValue is a 32-bit Int and null above this (this
#: version's UI falls back to the entry's string form; a client reading intValue gets
#: nothing): counts that can pass it go as floats, sizes in MiB.
INT32_MAX = 2**31 - 1
MIB = 2**20


def large_count(value: int) -> dg.FloatMetadataValue:
    """A count that can pass :data:`INT32_MAX` (characters, windows): a float, exact to 2**53."""
    return dg.MetadataValue.float(float(value))


def mebibytes(n_bytes: int) -> dg.FloatMetadataValue:
    return dg.MetadataValue.float(round(n_bytes / MIB, 2))


#: char_training_set as a table: one row per post, stored as two arrays (see corpus.py).
TRAINING_SET_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn(
            "offset", "int64", description="Where the post starts in data.npy (offsets.npy)."
        ),
        dg.TableColumn(
            "ids",
            "uint8[]",
            description="The post's characters as vocabulary ids, <START> first and <END> "
            "last (data.npy, from offset to the next post's offset).",
        ),
    ]
)
VOCABULARY_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("id", "int", description="The character's id in data.npy."),
        dg.TableColumn(
            "char",
            "string",
            description="The character; reserved and whitespace ones by name (<END>, <space>).",
        ),
        dg.TableColumn("count", "int", description="Occurrences in the training set."),
        dg.TableColumn("share", "float", description="Share of all characters."),
    ]
)
POSTINGS_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("posting", "int", description="Number of the posting, from 1."),
        dg.TableColumn("text", "string", description="The posting as the model wrote it."),
        dg.TableColumn("chars", "int", description="Its length in characters."),
        dg.TableColumn("terminated", "bool", description="It ended with <END> before max_chars."),
    ]
)


def vocabulary_value(rows: Sequence[Mapping[str, Any]]) -> dg.TableMetadataValue:
    """The vocabulary table (``vocabulary_table``'s rows) as a typed table."""
    records = [
        dg.TableRecord(
            {
                "id": int(row["id"]),
                "char": str(row["char"]),
                "count": int(row["count"]),
                "share": round(float(row["share"]), 6),
            }
        )
        for row in rows
    ]
    return dg.MetadataValue.table(records=records, schema=VOCABULARY_SCHEMA)


def training_set_metadata(summary: Mapping[str, Any], directory: Path) -> dict[str, Any]:
    """What char_training_set shows: the numbers ``build_training_set`` reported."""
    quarantined = summary["quarantined"]
    lengths: PostingLengths | None = summary["posting_lengths"]
    metadata: dict[str, Any] = {
        "dagster/row_count": dg.MetadataValue.int(summary["posts"]),
        "dagster/column_schema": TRAINING_SET_SCHEMA,
        "path": dg.MetadataValue.path(str(directory)),
        "posts": summary["posts"],
        "train_posts": summary["train_posts"],
        "val_posts": summary["val_posts"],
        "quarantined": len(quarantined),
        "quarantined_posts": quarantined_value(quarantined),
        "characters": large_count(summary["characters"]),
        "vocabulary_size": summary["vocabulary_size"],
        "unknown_rate": round(summary["unknown_rate"], 5),
        "train_windows": large_count(summary["train_windows"]),
        "val_windows": large_count(summary["val_windows"]),
        "size_on_disk_mib": mebibytes(summary["bytes_on_disk"]),
        "onehot_mib_blog_post": mebibytes(summary["onehot_bytes"]),
        "memory_ratio": round(summary["onehot_bytes"] / max(1, summary["bytes_on_disk"]), 1),
        "vocabulary": vocabulary_value(summary["vocabulary"]),
    }
    if lengths is not None:
        metadata["median_posting_chars"] = lengths.median
        metadata["p90_posting_chars"] = lengths.p90
        metadata["longest_posting_chars"] = lengths.longest
    return metadata


def _training_summary(result: TrainResult, config: TrainConfig) -> str:
    per_round = config.limit_train_batches or "all"
    return (
        f"{result.train_batches:,} steps of {config.batch_size} windows x {config.seq_len} "
        f"characters in {result.train_s:.0f} s on {result.device} = "
        f"{result.epochs_this_call:.3f} epochs (passes over {result.train_windows:,} training "
        f"windows), validated after every {per_round} steps; {result.epochs:.3f} epochs and "
        f"{result.global_step:,} steps since the model was created. Stopped by: "
        f"{result.stopped_by}."
    )


def lstm_metadata(
    result: TrainResult, config: TrainConfig, profile: str, checkpoint: Path
) -> dict[str, Any]:
    """What job_posting_lstm shows: a training run as a person looking at one wants it."""
    metadata: dict[str, Any] = {
        "checkpoint": dg.MetadataValue.path(str(checkpoint)),
        "val_bits_per_char": round(result.val_bpc, 4),
        "unigram_bits_per_char": round(result.unigram_bpc, 4),
        "training": dg.MetadataValue.text(_training_summary(result, config)),
        "profile": profile,
        "device": result.device,
        "precision": result.precision,
        "model": f"{config.layers} x {config.hidden} LSTM, {config.embedding_dim}-d embedding, "
        f"dropout {config.dropout}",
        "parameters": result.parameters,
        "optimizer": f"{config.optimizer}, lr {config.lr}",
        "batch_size": config.batch_size,
        "seq_len": config.seq_len,
        "epochs": round(result.epochs, 4),
        "epochs_this_run": round(result.epochs_this_call, 4),
        "steps": result.global_step,
        "steps_this_run": result.train_batches,
        "validations": result.validation_rounds,
        "train_windows": large_count(result.train_windows),
        "characters_trained_this_run": large_count(result.train_chars_seen),
        "chars_per_s": round(result.chars_per_s, 1),
        "wall_time_s": round(result.wall_s, 1),
        "training_time_s": round(result.train_s, 1),
        "stopped_by": result.stopped_by,
        "resumed": result.resumed,
        "median_posting_chars": result.posting_lengths.median,
        "curves": dg.MetadataValue.md(
            image_markdown(plot_curves_png(result), "train and validation bits per char")
        ),
    }
    if result.fresh_start_reason is not None:
        metadata["fresh_start_reason"] = result.fresh_start_reason
    return metadata


def postings_frame(postings: Sequence[GeneratedPosting]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "posting": pd.Series(range(1, len(postings) + 1), dtype="int64"),
            "text": [p.text for p in postings],
            "chars": pd.Series([len(p.text) for p in postings], dtype="int64"),
            "terminated": pd.Series([p.terminated for p in postings], dtype="bool"),
        }
    )


def postings_preview(postings: Sequence[GeneratedPosting], max_chars: int) -> str:
    """Every posting in full, as markdown that shows the text as written (escaped)."""
    parts = []
    for number, posting in enumerate(postings, start=1):
        ending = "ended" if posting.terminated else f"cut at {max_chars} characters"
        body = escape_markdown(posting.text.strip()) or "_(empty)_"
        parts.append(f"**posting {number}** ({len(posting.text):,} characters, {ending})\n\n{body}")
    return "\n\n---\n\n".join(parts)


def postings_metadata(
    postings: Sequence[GeneratedPosting],
    sampling: GenerateSettings,
    end_bias_after: int,
    checkpoint: Path,
) -> dict[str, Any]:
    """What generated_postings shows: the postings, how many ended, how they were sampled."""
    frame = postings_frame(postings)
    records = [
        dg.TableRecord(
            {
                "posting": int(row.posting),
                "text": " ".join(row.text.split())[:200],
                "chars": int(row.chars),
                "terminated": bool(row.terminated),
            }
        )
        for row in frame.itertuples(index=False)
    ]
    return {
        "dagster/row_count": dg.MetadataValue.int(len(frame)),
        "dagster/column_schema": POSTINGS_SCHEMA,
        "postings": len(frame),
        "terminated": int(frame["terminated"].sum()),
        "median_chars": float(statistics.median(frame["chars"])) if len(frame) else 0.0,
        "temperature": sampling.temperature,
        "seed": sampling.seed,
        "end_bias": sampling.end_bias,
        "end_bias_after_chars": end_bias_after,
        "max_chars": sampling.max_chars,
        "checkpoint": dg.MetadataValue.path(str(checkpoint)),
        "postings_table": dg.MetadataValue.table(records=records, schema=POSTINGS_SCHEMA),
        "preview": dg.MetadataValue.md(postings_preview(postings, sampling.max_chars)),
    }


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    # 2: control characters are dropped by normalisation; posts that fail are quarantined.
    code_version="2",
    kinds={"numpy"},
    ins={"clean_posts": dg.AssetIn(partition_mapping=dg.AllPartitionMapping())},
    check_specs=specs(
        "char_training_set",
        {
            "no_quarantined_posts": "No post had to be left out of the corpus (a warning).",
            "vocabulary_covers_text": "The training set has posts, and the vocabulary covers "
            f"at least {MIN_VOCABULARY_COVERAGE:.0%} of their characters (the rest is "
            "<UNKNOWN>).",
        },
    ),
    automation_condition=when_stale(),
)
def char_training_set(
    context: dg.AssetExecutionContext,
    config: TrainingSetConfig,  # type: ignore[valid-type]
    storage: DataStoreResource,
    clean_posts: pd.DataFrame,
):
    """Every month's posts as one uint8 array (each post wrapped in start/end characters) with
    post offsets and the vocabulary, saved so training can memory-map it. Windows are index
    arithmetic over this array, never materialised."""
    posts = clean_posts.sort_values(["month", "id"])
    directory = storage.local_dir(CORPUS_DIR)
    training_set = from_dagster_config(TrainConfig, config).training_set()
    summary = build_training_set(
        posts["text"].tolist(), directory, ids=posts["id"].tolist(), **training_set
    )
    quarantined = summary["quarantined"]
    for post in quarantined:
        context.log.warning(f"quarantined {post}")
    # Training reads these back, so its windows are the ones reported here.
    atomic_write_text(directory / SPLIT_FILE, json.dumps(training_set))
    yield dg.MaterializeResult(metadata=training_set_metadata(summary, directory))
    yield check_result(
        "no_quarantined_posts", no_quarantined_posts(quarantined), "char_training_set"
    )
    yield check_result(
        "vocabulary_covers_text",
        training_set_covered(summary["posts"], summary["unknown_rate"]),
        "char_training_set",
    )


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    # 2: the checkpoint carries the training posts' lengths, which sampling's end bias reads.
    code_version="2",
    kinds={"pytorch"},
    deps=[char_training_set],
    check_specs=specs(
        "job_posting_lstm",
        {
            "beats_unigram_baseline": "Validation bits/char below the unigram entropy: it learned.",
            "below_bpc_ceiling": "Validation bits/char below the configured ceiling.",
        },
    ),
    automation_condition=when_stale_at_most_once_per(RETRAIN_CRON),
)
def job_posting_lstm(
    context: dg.AssetExecutionContext, storage: DataStoreResource, trainer: LSTMTrainingResource
):
    """A two-layer character LSTM (PyTorch Lightning) trained on every character of every
    window. Resumes from its last checkpoint while the vocabulary is unchanged."""
    run_dir = storage.local_dir(LSTM_RUN_DIR)
    corpus_dir = storage.local_dir(CORPUS_DIR)
    training_set = json.loads((corpus_dir / SPLIT_FILE).read_text())
    config = trainer.config(**training_set)
    result = train_char_lstm(corpus_dir, run_dir, config)
    # Generation reads one published file, whatever the run's checkpoint names are.
    published = published_model(storage.data_dir)
    atomic_write_bytes(published, Path(result.best_checkpoint_path).read_bytes())
    context.log.info(f"val bpc {result.val_bpc:.3f} (unigram {result.unigram_bpc:.3f})")
    yield dg.MaterializeResult(metadata=lstm_metadata(result, config, trainer.profile, published))
    yield check_result(
        "beats_unigram_baseline",
        below_bits_per_char(result.val_bpc, result.unigram_bpc, "unigram_bpc"),
        "job_posting_lstm",
    )
    yield check_result(
        "below_bpc_ceiling",
        below_bits_per_char(result.val_bpc, trainer.bpc_ceiling, "ceiling"),
        "job_posting_lstm",
    )


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    # 2: sampling favours END once a posting is longer than a typical training post.
    code_version="2",
    kinds={"pytorch", "parquet"},
    deps=[job_posting_lstm],
    check_specs=specs(
        "generated_postings",
        {
            "postings_terminate": f"At least {MIN_TERMINATED_SHARE:.0%} of the postings are "
            "non-empty and end with the end character before max_chars (a warning: an "
            "under-trained model runs on to the length cap).",
        },
    ),
    automation_condition=when_stale(),
)
def generated_postings(config: GenerateConfig, storage: DataStoreResource):  # type: ignore[valid-type]
    """New postings sampled from the LSTM, from the start character to the end character;
    past a typical posting's length the end character is favoured more and more (end_bias)."""
    checkpoint = published_model(storage.data_dir)
    sampling = from_dagster_config(GenerateSettings, config)
    model, vocab = load_generator(checkpoint)
    postings = sample_postings(model, vocab, sampling)
    yield dg.Output(
        postings_frame(postings),
        metadata=postings_metadata(postings, sampling, end_bias_start(model, sampling), checkpoint),
    )
    yield check_result("postings_terminate", postings_terminate(postings), "generated_postings")

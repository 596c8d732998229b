"""Text-generation assets: all months of clean posts -> char training set -> LSTM -> postings.

No ``from __future__ import annotations`` here: Dagster must see the generated config
classes themselves in the assets' signatures.
"""

import dataclasses
import json
from pathlib import Path

import dagster as dg
import pandas as pd

from hn_assets import settings
from hn_assets.config_adapter import dagster_config, from_dagster_config
from hn_assets.defs import OWNERS
from hn_assets.defs.automation import when_stale, when_stale_at_most_once_per
from hn_assets.defs.checks import check_result, specs
from hn_assets.defs.resources import DataStoreResource, LSTMTrainingResource
from hn_assets.quality import below_bits_per_char, no_quarantined_posts, postings_terminate
from hn_assets.reporting import image_markdown, quarantined_markdown
from hn_assets.storage import (
    LSTM_RUN_DIR,
    atomic_write_bytes,
    atomic_write_text,
    published_model,
)
from hn_assets.textgen.corpus import build_training_set
from hn_assets.textgen.sampling import GenerateSettings, generate_postings
from hn_assets.textgen.training import (
    TRAINING_SET_SETTINGS,
    TrainConfig,
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


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    # 2: control characters are dropped by normalisation; posts that fail are quarantined.
    code_version="2",
    kinds={"numpy"},
    ins={"clean_posts": dg.AssetIn(partition_mapping=dg.AllPartitionMapping())},
    check_specs=specs(
        "char_training_set",
        {"no_quarantined_posts": "No post had to be left out of the corpus (a warning)."},
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
    yield dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(directory)),
            "posts": summary["posts"],
            "quarantined": len(quarantined),
            "quarantined_posts": dg.MetadataValue.md(quarantined_markdown(quarantined)),
            "characters": summary["characters"],
            "vocabulary_size": summary["vocabulary_size"],
            "unknown_rate": round(summary["unknown_rate"], 5),
            "train_windows": summary["train_windows"],
            "val_windows": summary["val_windows"],
            "bytes_on_disk": summary["bytes_on_disk"],
            "onehot_bytes_blog_post": summary["onehot_bytes"],
            "memory_ratio": round(summary["onehot_bytes"] / max(1, summary["bytes_on_disk"]), 1),
            "vocabulary": dg.MetadataValue.md(
                pd.DataFrame(summary["vocabulary"]).to_markdown(index=False, floatfmt=".4f")
            ),
        }
    )
    yield check_result(
        "no_quarantined_posts", no_quarantined_posts(quarantined), "char_training_set"
    )


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    code_version="1",
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
    result = train_char_lstm(corpus_dir, run_dir, trainer.config(**training_set))
    # Generation reads one published file, whatever the run's checkpoint names are.
    published = published_model(storage.data_dir)
    atomic_write_bytes(published, Path(result.best_checkpoint_path).read_bytes())
    context.log.info(f"val bpc {result.val_bpc:.3f} (unigram {result.unigram_bpc:.3f})")
    yield dg.MaterializeResult(
        metadata={
            "checkpoint": dg.MetadataValue.path(str(published)),
            "val_bits_per_char": round(result.val_bpc, 4),
            "unigram_bits_per_char": round(result.unigram_bpc, 4),
            "parameters": result.parameters,
            "chars_per_s": round(result.chars_per_s, 1),
            "global_step": result.global_step,
            "epochs": result.epochs,
            "resumed": result.resumed,
            "curves": dg.MetadataValue.md(
                image_markdown(plot_curves_png(result), "train and validation bits per char")
            ),
        }
    )
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
    code_version="1",
    kinds={"pytorch", "parquet"},
    deps=[job_posting_lstm],
    check_specs=specs(
        "generated_postings",
        {
            "postings_terminate": "Every posting is non-empty and ends with the end character "
            "(a warning: an under-trained model runs on to the length cap).",
        },
    ),
    automation_condition=when_stale(),
)
def generated_postings(config: GenerateConfig, storage: DataStoreResource):  # type: ignore[valid-type]
    """New postings sampled from the LSTM, from the start character to the end character."""
    checkpoint = published_model(storage.data_dir)
    postings = generate_postings(checkpoint, from_dagster_config(GenerateSettings, config))
    frame = pd.DataFrame(
        {"text": [p.text for p in postings], "terminated": [p.terminated for p in postings]}
    )
    shown = "\n\n---\n\n".join(p.text.strip() or "_(empty)_" for p in postings)
    yield dg.Output(
        frame,
        metadata={
            "postings": len(frame),
            "terminated": int(frame["terminated"].sum()),
            "mean_chars": round(float(frame["text"].str.len().mean()), 1),
            "checkpoint": dg.MetadataValue.path(str(checkpoint)),
            "preview": dg.MetadataValue.md(shown),
        },
    )
    yield check_result(
        "postings_terminate",
        postings_terminate([p.text for p in postings], [p.terminated for p in postings]),
        "generated_postings",
    )

"""The three text-generation assets, invoked as Dagster runs them, on a tiny corpus and model:
their metadata is what Dagster accepts and the UI shows, and each reports its checks."""

import random

import dagster as dg
import pandas as pd
import pytest
import torch

from hn_assets.defs.resources import DataStoreResource, LSTMTrainingResource
from hn_assets.defs.textgen import (
    GenerateConfig,
    TrainingSetConfig,
    char_training_set,
    generated_postings,
    job_posting_lstm,
)

pytestmark = pytest.mark.slow

TINY_TRAINER = LSTMTrainingResource(
    profile="small_cpu",
    hidden=32,
    layers=1,
    embedding_dim=8,
    batch_size=16,
    max_time_s=None,
    max_epochs=2,
    limit_train_batches=10,
    limit_val_batches="2",
    progress_bar=False,
    bpc_ceiling=8.0,
)


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def clean_posts(count: int = 80) -> pd.DataFrame:
    rng = random.Random(0)
    texts = [
        f"{rng.choice(['acme', 'globex', 'initech'])} | {rng.choice(['sre', 'ml engineer'])} | "
        f"remote\n\nwe build *things* with <python> | go. apply: jobs@acme.com"
        for _ in range(count)
    ]
    return pd.DataFrame(
        {"id": range(1000, 1000 + count), "month": ["2026-11"] * count, "text": texts}
    )


def outputs(events) -> tuple[list, dict[str, dg.AssetCheckResult]]:
    events = list(events)
    checks = {e.check_name: e for e in events if isinstance(e, dg.AssetCheckResult)}
    return [e for e in events if not isinstance(e, dg.AssetCheckResult)], checks


@pytest.fixture(scope="module")
def storage(tmp_path_factory, monkeypatch_module):
    data_dir = tmp_path_factory.mktemp("data")
    monkeypatch_module.delenv("HN_LOCAL_DIR", raising=False)
    return DataStoreResource(data_dir=str(data_dir))


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def materialized(storage):
    context = dg.build_asset_context()
    config = TrainingSetConfig(seq_len=30, step=5, val_fraction=0.2)
    training_set = outputs(
        char_training_set(
            context=context, config=config, storage=storage, clean_posts=clean_posts()
        )
    )
    model = outputs(
        job_posting_lstm(context=dg.build_asset_context(), storage=storage, trainer=TINY_TRAINER)
    )
    postings = outputs(generated_postings(config=GenerateConfig(n=4, seed=1), storage=storage))
    return {"training_set": training_set, "model": model, "postings": postings}


def test_the_training_set_reports_a_table_of_posts_and_its_checks(materialized):
    (result,), checks = materialized["training_set"]
    metadata = result.metadata
    assert metadata["dagster/row_count"].value == metadata["posts"] == 80
    assert isinstance(metadata["vocabulary"], dg.TableMetadataValue)
    assert set(checks) == {"no_quarantined_posts", "vocabulary_covers_text"}
    assert all(check.passed for check in checks.values())


def test_the_model_reports_its_training_run(materialized):
    (result,), checks = materialized["model"]
    metadata = result.metadata
    assert metadata["profile"] == "small_cpu" and metadata["device"] == "cpu"
    assert metadata["steps"] == metadata["steps_this_run"] == 20
    assert metadata["validations"] == 2
    assert 0 < metadata["epochs"] < 1 and metadata["batch_size"] == 16
    assert metadata["seq_len"] == 30 and metadata["stopped_by"] == "epoch limit"
    assert set(checks) == {"beats_unigram_baseline", "below_bpc_ceiling"}


def test_the_postings_are_a_table_and_their_check_measures_the_share_that_ended(materialized):
    (output,), checks = materialized["postings"]
    frame = output.value
    metadata = {key: getattr(value, "value", value) for key, value in output.metadata.items()}
    assert list(frame.columns) == ["posting", "text", "chars", "terminated"]
    assert metadata["dagster/row_count"] == len(frame) == 4
    assert metadata["terminated"] == int(frame["terminated"].sum())
    # The tiny model's training posts are ~90 characters: the bias starts there.
    assert 60 < metadata["end_bias_after_chars"] < 120
    check = checks["postings_terminate"]
    assert check.passed == (metadata["terminated"] >= 0.8 * 4)
    assert check.severity == dg.AssetCheckSeverity.WARN

"""Dagster resources: thin configurable wrappers around the plain-Python clients.

Which implementation is used is decided from the environment by ``hn_client_from_env`` and
``search_index_from_env``, called once in ``definitions.py``.
"""

from __future__ import annotations

import abc
import dataclasses
import os
from typing import Any

import dagster as dg
import pandas as pd
from pydantic import Field

from hn_assets import settings
from hn_assets.config_adapter import dagster_config, from_dagster_config, help_of
from hn_assets.hackernews.client import (
    DEFAULT_API_URL,
    HackerNewsClient,
    LiveHackerNewsClient,
    SampleArchiveClient,
)
from hn_assets.hackernews.sample_archive import load_sample_archive
from hn_assets.search.backends import SearchIndex
from hn_assets.search.local_index import LocalIndex
from hn_assets.storage import ParquetStore, data_dir_from_env, local_dir
from hn_assets.textgen.training import (
    PROFILES,
    TRAINING_SET_SETTINGS,
    TrainConfig,
    profile_config,
)


class HNClientResource(dg.ConfigurableResource, abc.ABC):
    """Where Hacker News items come from: the live API or the bundled sample archive."""

    @abc.abstractmethod
    def client(self) -> HackerNewsClient: ...

    @property
    @abc.abstractmethod
    def source_name(self) -> str: ...


class HNAPIClientResource(HNClientResource):
    """The live Hacker News Firebase API."""

    base_url: str = Field(default=DEFAULT_API_URL, description="HN API base URL (HN_API_URL).")
    timeout_s: float = Field(default=10.0, description="Per-request timeout in seconds.")
    max_workers: int = Field(default=16, description="Concurrent item requests at most.")
    max_retries: int = Field(default=5, description="Retries per item before giving up.")

    def client(self) -> HackerNewsClient:
        return LiveHackerNewsClient(
            self.base_url,
            timeout_s=self.timeout_s,
            max_workers=self.max_workers,
            max_retries=self.max_retries,
        )

    @property
    def source_name(self) -> str:
        return f"api ({self.base_url})"


class HNSampleClientResource(HNClientResource):
    """The bundled, deterministic sample archive: same interface as the API, no network."""

    months_visible: int | None = Field(
        default=None, description="Show only the first N months (to replay history)."
    )
    posts_in_last_month: int | None = Field(
        default=None, description="Show only the first N posts of the last visible month."
    )

    def client(self) -> HackerNewsClient:
        archive = load_sample_archive()
        if self.months_visible is not None or self.posts_in_last_month is not None:
            archive = archive.visible(self.months_visible, self.posts_in_last_month)
        return SampleArchiveClient(archive)

    @property
    def source_name(self) -> str:
        return "sample archive"


class DataStoreResource(dg.ConfigurableResource):
    """The data directory (local path or fsspec URL) shared by the IO manager and the assets."""

    data_dir: str = Field(default_factory=data_dir_from_env, description="HN_DATA_DIR")

    def store(self) -> ParquetStore:
        return ParquetStore(self.data_dir)

    def local_dir(self, name: str):
        return local_dir(self.data_dir, name)


class ParquetIOManager(dg.ConfigurableIOManager):
    """Stores DataFrame outputs as Parquet under the data dir, one file per partition."""

    data_dir: str = Field(default_factory=data_dir_from_env, description="HN_DATA_DIR")

    def _table(self, context: dg.OutputContext | dg.InputContext) -> str:
        return "/".join(context.asset_key.path)

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame) -> None:
        if obj is None:
            return
        partition = context.partition_key if context.has_partition_key else None
        path = ParquetStore(self.data_dir).write(self._table(context), obj, partition)
        context.add_output_metadata({"path": dg.MetadataValue.path(str(path))})

    def load_input(self, context: dg.InputContext) -> Any:
        store = ParquetStore(self.data_dir)
        table = self._table(context)
        if not context.has_asset_partitions:
            return store.read(table)
        keys = sorted(context.asset_partition_keys)
        if len(keys) == 1:
            return store.read(table, keys[0])
        # A non-partitioned asset reading every month of a partitioned one.
        return pd.concat([store.read(table, key) for key in keys], ignore_index=True)


def hn_client_from_env(env: dict[str, str] | None = None) -> HNClientResource:
    env = dict(os.environ if env is None else env)
    if settings.HN_SOURCE.read(env) == "sample":
        return HNSampleClientResource(months_visible=settings.HN_SAMPLE_MONTHS.read(env))
    return HNAPIClientResource(base_url=settings.HN_API_URL.read(env) or DEFAULT_API_URL)


class SearchIndexResource(dg.ConfigurableResource):
    """The search index: Elasticsearch when a URL is configured, else tantivy under the data dir."""

    elasticsearch_url: str | None = Field(default=None, description="ELASTICSEARCH_URL")
    elasticsearch_api_key: str | None = Field(default=None, description="ELASTICSEARCH_API_KEY")
    elasticsearch_username: str | None = Field(default=None, description="ELASTICSEARCH_USERNAME")
    elasticsearch_password: str | None = Field(default=None, description="ELASTICSEARCH_PASSWORD")
    index_name: str = Field(default="hn-jobs", description="Elasticsearch index (alias) name.")
    data_dir: str = Field(default_factory=data_dir_from_env, description="HN_DATA_DIR")

    def open(self) -> SearchIndex:
        if self.elasticsearch_url:
            from hn_assets.search.elastic_index import ElasticsearchIndex

            return ElasticsearchIndex.from_settings(
                self.elasticsearch_url,
                api_key=self.elasticsearch_api_key,
                username=self.elasticsearch_username,
                password=self.elasticsearch_password,
                index=self.index_name,
            )
        return LocalIndex(local_dir(self.data_dir, "index"))

    @property
    def backend_name(self) -> str:
        return "elasticsearch" if self.elasticsearch_url else "tantivy"


def search_index_from_env(env: dict[str, str] | None = None) -> SearchIndexResource:
    """Secrets are read through dg.EnvVar so they never appear in the UI or the run config."""
    env = dict(os.environ if env is None else env)
    if not env.get("ELASTICSEARCH_URL"):
        return SearchIndexResource()
    optional = {
        "elasticsearch_api_key": "ELASTICSEARCH_API_KEY",
        "elasticsearch_username": "ELASTICSEARCH_USERNAME",
        "elasticsearch_password": "ELASTICSEARCH_PASSWORD",
    }
    secrets = {field: dg.EnvVar(var) for field, var in optional.items() if env.get(var)}
    return SearchIndexResource(elasticsearch_url=dg.EnvVar("ELASTICSEARCH_URL"), **secrets)


#: Budgets that LSTMTrainingResource declares itself, to default them from the environment.
_FROM_ENVIRONMENT = ("max_time_s", "limit_train_batches")


def _override_description(name: str, env: str | None = None) -> str:
    """The setting's help, then what an unset field means: the profile's value."""
    values = ", ".join(f"{key} {getattr(profile_config(key), name)}" for key in PROFILES)
    source = f"{env}, else the profile's" if env else "the profile's"
    return f"{help_of(TrainConfig, name)} Unset: {source} ({values})."


# One optional field per trainer setting of TrainConfig; None keeps the profile's value. The
# training-set settings are char_training_set's config (training reads them back from it),
# and LSTMTrainingResource declares the budgets itself to read them from the environment.
_ProfileOverrides = dagster_config(
    TrainConfig,
    "LSTMTrainerSettings",
    keep_base=True,
    exclude=(*TRAINING_SET_SETTINGS, *_FROM_ENVIRONMENT),
    base_class=dg.ConfigurableResource,
    describe=lambda name, _help: _override_description(name),
)


class LSTMTrainingResource(_ProfileOverrides):
    """How and how long the char-LSTM trains: a named profile of :class:`TrainConfig`, with
    each field that is set overriding it.

    ``profile`` "paper" (TrainConfig's defaults) is the blog post's model, for a workstation
    or GPU; "small_cpu" (``TrainConfig.small_cpu``) is a smaller model that learns something
    in a few minutes on 2 cores (`make demo`). Several GPUs or nodes: set devices (a number,
    as text), strategy ("ddp") and num_nodes, no code change.
    """

    profile: str = Field(
        default_factory=settings.HN_LSTM_PROFILE.read,
        description=f"{' or '.join(PROFILES)} (HN_LSTM_PROFILE).",
    )
    max_time_s: float | None = Field(
        default_factory=settings.HN_LSTM_MAX_SECONDS.read,
        description=_override_description("max_time_s", settings.HN_LSTM_MAX_SECONDS.name),
    )
    limit_train_batches: int | None = Field(
        default_factory=settings.HN_LSTM_TRAIN_BATCHES.read,
        description=_override_description(
            "limit_train_batches", settings.HN_LSTM_TRAIN_BATCHES.name
        ),
    )
    bpc_ceiling: float = Field(
        default=3.5, description="Check: validation bits/char must be below this."
    )

    def config(self, **training_set: Any) -> TrainConfig:
        """The profile with this resource's overrides; ``training_set`` carries the training
        set's settings so training uses exactly the windows the asset reported. Raises
        :class:`ConfigError` for an unknown profile."""
        base = dataclasses.replace(profile_config(self.profile), **training_set)
        return from_dagster_config(TrainConfig, self, base)

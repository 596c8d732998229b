"""Dagster resources: thin configurable wrappers around the plain-Python clients.

Which implementation is used is decided once, from the environment, in
:func:`resources_from_env` (see DESIGN.md, "Resources and defaults").
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
from hn_assets.errors import ConfigError
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
from hn_assets.textgen.training import TrainConfig


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


class LSTMTrainingResource(dg.ConfigurableResource):
    """How and how long the char-LSTM trains.

    ``profile`` "paper" is the blog post's model (2 x 512, RMSprop, dropout 0.4) for a
    workstation or GPU; "small_cpu" is a 2 x 128 model with Adam that learns something in a
    few minutes on 2 cores (`make demo`). Set fields to override the profile. Several GPUs or
    nodes: set devices, strategy ("ddp") and num_nodes, no code change.
    """

    profile: str = Field(
        default_factory=settings.HN_LSTM_PROFILE.read,
        description='"paper" or "small_cpu" (HN_LSTM_PROFILE).',
    )
    hidden: int | None = Field(default=None, description="LSTM units per layer.")
    layers: int | None = Field(default=None, description="Stacked LSTM layers.")
    batch_size: int | None = None
    max_epochs: int | None = Field(default=None, description="Epochs per materialization.")
    max_time_s: float | None = Field(
        default_factory=settings.HN_LSTM_MAX_SECONDS.read,
        description="Training-time budget per materialization (HN_LSTM_MAX_SECONDS).",
    )
    limit_train_batches: int | None = Field(
        default_factory=settings.HN_LSTM_TRAIN_BATCHES.read,
        description="Batches per epoch (HN_LSTM_TRAIN_BATCHES); the profile's when unset.",
    )
    accelerator: str = "auto"
    devices: int = 1
    strategy: str = "auto"
    num_nodes: int = 1
    bpc_ceiling: float = Field(
        default=3.5, description="Check: validation bits/char must be below this."
    )

    def config(self, **split: Any) -> TrainConfig:
        """The profile with this resource's overrides; ``split`` carries the training set's
        window and split settings so training uses exactly the windows the asset reported."""
        profiles = {"paper": TrainConfig, "small_cpu": TrainConfig.small_cpu}
        if self.profile not in profiles:
            raise ConfigError(
                f"unknown LSTM profile {self.profile!r}: use one of {sorted(profiles)}"
            )
        config = profiles[self.profile]()
        overrides = {
            "hidden": self.hidden,
            "layers": self.layers,
            "batch_size": self.batch_size,
            "max_epochs": self.max_epochs,
            "max_time_s": self.max_time_s,
            "limit_train_batches": self.limit_train_batches,
        }
        config = dataclasses.replace(
            config, **{k: v for k, v in overrides.items() if v is not None}
        )
        return dataclasses.replace(
            config,
            accelerator=self.accelerator,
            devices=self.devices,
            strategy=self.strategy,
            num_nodes=self.num_nodes,
            **split,
        )

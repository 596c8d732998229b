"""The one place where the HN code location's assets, checks, sensors and resources are wired."""

from __future__ import annotations

import dagster as dg

from hn_assets.assets import ingest
from hn_assets.resources import DataStoreResource, ParquetIOManager, hn_client_from_env


def build_definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=dg.load_assets_from_modules([ingest]),
        resources={
            "hn": hn_client_from_env(),
            "storage": DataStoreResource(),
            "io_manager": ParquetIOManager(),
        },
    )


defs = build_definitions()

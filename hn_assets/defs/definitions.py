"""The one place where the HN code location's assets, checks, sensors and resources are wired."""

import dagster as dg

from hn_assets.defs import ingest, market, search, textgen
from hn_assets.defs.jobs import JOBS
from hn_assets.defs.recovery import run_recovery_sensor
from hn_assets.defs.resources import (
    DataStoreResource,
    LSTMTrainingResource,
    ParquetIOManager,
    hn_client_from_env,
    search_index_from_env,
)
from hn_assets.defs.sensors import stale_assets_sensor, thread_activity_sensor, whoishiring_sensor


def build_definitions(resources: dict[str, object] | None = None) -> dg.Definitions:
    """Resources are chosen from the environment (HN_SOURCE, HN_DATA_DIR, ELASTICSEARCH_URL);
    ``resources`` replaces some of them (tests, notebooks)."""
    return dg.Definitions(
        assets=dg.load_assets_from_modules([ingest, search, market, textgen]),
        jobs=list(JOBS),
        sensors=[
            whoishiring_sensor,
            thread_activity_sensor,
            stale_assets_sensor,
            run_recovery_sensor,
        ],
        resources={
            "hn": hn_client_from_env(),
            "storage": DataStoreResource(),
            "io_manager": ParquetIOManager(),
            "search": search_index_from_env(),
            "trainer": LSTMTrainingResource(),
        }
        | (resources or {}),
    )


defs = build_definitions()

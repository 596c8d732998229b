"""Search assets: each month's clean posts in the search index, and alerts on new matches."""

import json
import os
from pathlib import Path

import dagster as dg
import pandas as pd
from pydantic import Field

from hn_assets.automation import when_stale
from hn_assets.partitions import hiring_months
from hn_assets.resources import DataStoreResource, SearchIndexResource
from hn_assets.search.alerts import (
    deliver,
    find_new_matches,
    load_saved_searches,
    render_digest_markdown,
)
from hn_assets.search.sync import sync_month

GROUP = "search"
OWNERS = ["team:hn-platform"]
EXAMPLE_SAVED_SEARCHES = Path(__file__).resolve().parent.parent / "saved_searches.example.yaml"


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    partitions_def=hiring_months,
    code_version="1",
    kinds={"tantivy", "elasticsearch"},
    check_specs=[
        dg.AssetCheckSpec(
            "index_matches_clean_posts",
            asset="jobs_index",
            description="The index holds exactly the month's clean post ids.",
        ),
    ],
    automation_condition=when_stale(),
)
def jobs_index(
    context: dg.AssetExecutionContext, search: SearchIndexResource, clean_posts: pd.DataFrame
):
    """The month's posts in the search index: new posts upserted, vanished or deleted posts
    removed, so the cost follows what changed."""
    month = context.partition_key
    index = search.open()
    try:
        index.ensure_index()
        result = sync_month(index, month, clean_posts)
        indexed = index.ids_for_month(month)
    finally:
        index.close()
    expected = set(clean_posts["id"].astype(int))
    yield dg.MaterializeResult(
        metadata={
            "backend": search.backend_name,
            "added": result.added,
            "removed": result.removed,
            "total": result.total,
        }
    )
    yield dg.AssetCheckResult(
        check_name="index_matches_clean_posts",
        passed=indexed == expected,
        metadata={
            "indexed": len(indexed),
            "clean_posts": len(expected),
            "missing": len(expected - indexed),
            "unexpected": len(indexed - expected),
        },
    )


class AlertsConfig(dg.Config):
    saved_searches: str = Field(
        default_factory=lambda: os.environ.get("HN_SAVED_SEARCHES", str(EXAMPLE_SAVED_SEARCHES)),
        description="YAML file of saved searches (HN_SAVED_SEARCHES; default: the shipped example).",
    )


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    partitions_def=hiring_months,
    code_version="1",
    kinds={"python"},
    deps=[jobs_index],
    automation_condition=when_stale(),
)
def job_alerts(
    context: dg.AssetExecutionContext,
    config: AlertsConfig,
    search: SearchIndexResource,
    storage: DataStoreResource,
    clean_posts: pd.DataFrame,
) -> dg.MaterializeResult:
    """For each saved search, the month's posts that match now and did not at the previous
    materialization. A markdown digest lands in the UI and under the data dir; delivery by
    SMTP or webhook happens only when configured in the environment."""
    month = context.partition_key
    searches = load_saved_searches(config.saved_searches)
    alerts_dir = storage.local_dir("alerts")
    state_file = alerts_dir / f"{month}.state.json"
    previous = json.loads(state_file.read_text()) if state_file.exists() else {}
    index = search.open()
    try:
        result = find_new_matches(index, searches, month, previous)
    finally:
        index.close()
    docs_by_id = {int(row["id"]): row for row in clean_posts.to_dict("records")}
    digest = render_digest_markdown(result, docs_by_id)
    (alerts_dir / f"{month}.md").write_text(digest)
    delivered = deliver(result, digest, os.environ)
    # Only after delivery: a failed delivery leaves these matches new for the next run.
    state_file.write_text(json.dumps(result.state, sort_keys=True))
    return dg.MaterializeResult(
        metadata={
            "saved_searches": len(searches),
            "new_matches": result.total_new,
            "digest": dg.MetadataValue.md(digest),
            "digest_file": dg.MetadataValue.path(str(alerts_dir / f"{month}.md")),
            "delivered": ", ".join(delivered) or "not configured",
        }
    )

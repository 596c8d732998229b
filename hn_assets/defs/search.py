"""Search assets: each month's clean posts in the search index, and alerts on new matches."""

import os
import time
from pathlib import Path

import dagster as dg
import pandas as pd
from pydantic import Field

from hn_assets.defs import OWNERS
from hn_assets.defs.automation import when_stale
from hn_assets.defs.checks import check_result, specs
from hn_assets.defs.metadata import quarantined_value
from hn_assets.defs.partitions import hiring_months
from hn_assets.defs.resources import (
    DataStoreResource,
    SearchIndexResource,
    search_index_from_env,
)
from hn_assets.quality import index_matches_posts, no_quarantined_posts
from hn_assets.reporting import exploded, markdown_cell
from hn_assets.search.alert_state import run_month_alerts
from hn_assets.search.backends import SearchIndex
from hn_assets.search.parser import parse_query
from hn_assets.search.saved_searches import load_saved_searches
from hn_assets.search.sync import sync_month
from hn_assets.storage import local_dir

GROUP = "search"
EXAMPLE_SAVED_SEARCHES = Path(__file__).resolve().parent.parent / "saved_searches.example.yaml"


JOBS_INDEX_CHECKS = {
    "index_matches_clean_posts": "The index holds exactly the month's clean post ids (less the "
    "quarantined ones), one document each. Blocking: alerts never read a wrong index.",
    "no_quarantined_posts": "No post had to be left out of the index (a warning).",
}


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    partitions_def=hiring_months,
    # 2: the structured fields are indexed (tech:, country:, city:, level:, role:, salary>=).
    code_version="2",
    # The backend that ELASTICSEARCH_URL selects, as search_index_from_env chooses it.
    kinds={search_index_from_env().backend_name},
    check_specs=specs(
        "jobs_index",
        JOBS_INDEX_CHECKS,
        blocking={"index_matches_clean_posts"},
        partitions_def=hiring_months,
    ),
    automation_condition=when_stale(),
)
def jobs_index(
    context: dg.AssetExecutionContext, search: SearchIndexResource, clean_posts: pd.DataFrame
):
    """The month's posts in the search index: new posts upserted, vanished or deleted posts
    removed, so the cost follows what changed."""
    month = context.partition_key
    started = time.monotonic()
    index = search.open()
    try:
        index.ensure_index()
        result = sync_month(index, month, clean_posts)
        seconds = time.monotonic() - started
        indexed = index.ids_for_month(month)
        documents = index.count(months=[month])
        sample = sample_search(index, month, clean_posts)
    finally:
        index.close()
    quarantined_ids = {post.id for post in result.quarantined}
    expected = set(clean_posts["id"].astype(int)) - quarantined_ids
    for post in result.quarantined:
        context.log.warning(f"{month}: quarantined {post}")
    yield dg.MaterializeResult(
        metadata={
            "backend": search.backend_name,
            "added": result.added,
            "removed": result.removed,
            "total": result.total,
            "documents_this_month": documents,
            "seconds": round(seconds, 3),
            **index_size_metadata(search),
            **sample,
            "quarantined": len(result.quarantined),
            "quarantined_posts": quarantined_value(result.quarantined),
        }
    )
    yield check_result(
        "index_matches_clean_posts",
        index_matches_posts(indexed, expected, quarantined_ids, documents),
        "jobs_index",
    )
    yield check_result(
        "no_quarantined_posts", no_quarantined_posts(result.quarantined), "jobs_index"
    )


def sample_search(index: SearchIndex, month: str, clean_posts: pd.DataFrame) -> dict[str, object]:
    """The month's most named technology searched for, with the best hit: the index answers."""
    technologies = exploded(clean_posts, "technologies")
    if technologies.empty:
        return {}
    query = f'tech:"{technologies.value_counts().index[0]}"'
    hits = index.search(parse_query(query), size=1, months=[month])
    best = hits[0].fields if hits else {}
    return {
        "sample_query": query,
        "sample_query_hits": index.count(parse_query(query), months=[month]),
        "sample_hit": dg.MetadataValue.md(
            f"{markdown_cell(best.get('company') or 'unknown company')}: "
            f"{markdown_cell(', '.join(best.get('roles') or []) or 'no role parsed')} "
            f"([post]({best.get('hn_url', '')}))"
            if best
            else "_no hit_"
        ),
    }


def index_size_metadata(search: SearchIndexResource) -> dict[str, object]:
    """The local index's size on disk, in MiB (a float: byte counts overflow the UI's ints)."""
    if search.backend_name != "tantivy":
        return {}
    root = local_dir(search.data_dir, "index")
    size = sum(path.stat().st_size for path in root.rglob("*") if path.is_file())
    return {"index_size_mib": dg.MetadataValue.float(round(size / 2**20, 2))}


class AlertsConfig(dg.Config):
    saved_searches: str = Field(
        default_factory=lambda: os.environ.get("HN_SAVED_SEARCHES", str(EXAMPLE_SAVED_SEARCHES)),
        description="YAML file of saved searches (HN_SAVED_SEARCHES; default: the shipped example).",
    )


JOB_ALERTS_CHECKS = {
    "no_quarantined_posts": "No matching post had to be left out of the digest (a warning).",
}


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    partitions_def=hiring_months,
    # 2: post text is escaped for each medium; posts that fail to render are quarantined.
    code_version="2",
    kinds={"python"},
    deps=[jobs_index],
    check_specs=specs("job_alerts", JOB_ALERTS_CHECKS, partitions_def=hiring_months),
    automation_condition=when_stale(),
)
def job_alerts(
    context: dg.AssetExecutionContext,
    config: AlertsConfig,
    search: SearchIndexResource,
    storage: DataStoreResource,
    clean_posts: pd.DataFrame,
):
    """For each saved search, the month's posts that match now and did not at the previous
    materialization. A markdown digest lands in the UI and under the data dir; delivery by
    SMTP or webhook happens only when configured in the environment."""
    month = context.partition_key
    searches = load_saved_searches(config.saved_searches)
    docs_by_id = {int(row["id"]): row for row in clean_posts.to_dict("records")}
    with search.open() as index:
        alerts = run_month_alerts(
            index, searches, month, storage.local_dir("alerts"), docs_by_id, os.environ
        )
    result, digest = alerts.result, alerts.digest
    for post in digest.quarantined:
        context.log.warning(f"{month}: quarantined {post}")
    yield dg.MaterializeResult(
        metadata={
            "saved_searches": len(searches),
            "new_matches": result.total_new,
            "digest": dg.MetadataValue.md(digest.markdown),
            "quarantined": len(digest.quarantined),
            "quarantined_posts": quarantined_value(digest.quarantined),
            "digest_file": dg.MetadataValue.path(str(alerts.digest_file)),
            "delivered": "already sent before"
            if alerts.already_sent
            else ", ".join(alerts.delivered) or "not configured",
            "idempotency_key": result.idempotency_key,
        }
    )
    yield check_result(
        "no_quarantined_posts", no_quarantined_posts(digest.quarantined), "job_alerts"
    )

"""Ingest assets: whoishiring threads -> raw posts per month -> clean, parsed posts."""

import dagster as dg
import pandas as pd

from hn_assets.automation import when_stale
from hn_assets.checks import CLEAN_POSTS_CHECKS, RAW_POSTS_CHECKS, check_result, specs
from hn_assets.hackernews.client import FetchError
from hn_assets.hackernews.posts import clean_posts_frame, fetch_thread_posts
from hn_assets.hackernews.threads import discover_threads
from hn_assets.hackernews.titles import ThreadKind
from hn_assets.partitions import HIRING_MONTHS, hiring_months
from hn_assets.quality import (
    alive_rows_kept,
    ids_unique,
    no_empty_text,
    no_html_left,
    parents_are_thread,
)
from hn_assets.reporting import (
    exploded,
    frame_fingerprint,
    sample_post_markdown,
    top_values_markdown,
)
from hn_assets.resources import DataStoreResource, HNClientResource

GROUP = "ingest"
OWNERS = ["team:hn-platform"]


def hiring_thread_id(threads: pd.DataFrame, month: str) -> int:
    match = threads[(threads["kind"] == ThreadKind.HIRING.value) & (threads["month"] == month)]
    if match.empty:
        known = ", ".join(sorted(threads.loc[threads["kind"] == ThreadKind.HIRING.value, "month"]))
        raise dg.Failure(
            description=f"No 'Who is hiring?' thread for {month}. Known months: {known or 'none'}. "
            "Re-materialize hiring_threads (or run `hn-jobs refresh`) to discover new threads."
        )
    return int(match["id"].iloc[0])


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    code_version="1",
    kinds={"python", "parquet"},
    tags={"source": "hacker-news"},
)
def hiring_threads(
    context: dg.AssetExecutionContext, hn: HNClientResource
) -> dg.Output[pd.DataFrame]:
    """Every thread the HN user `whoishiring` posted, with its kind (hiring, wants to be hired,
    freelancer) and month parsed from the title. Registers a `hiring_months` partition for
    each new "Who is hiring?" month."""
    with hn.client() as client:
        threads = discover_threads(client)
    months = sorted(threads.loc[threads["kind"] == ThreadKind.HIRING.value, "month"].unique())
    known = set(context.instance.get_dynamic_partitions(HIRING_MONTHS))
    new_months = [m for m in months if m not in known]
    if new_months:
        context.instance.add_dynamic_partitions(HIRING_MONTHS, new_months)
    shown = threads.sort_values("time", ascending=False)[
        ["month", "kind", "id", "num_kids", "title"]
    ]
    return dg.Output(
        threads,
        metadata={
            "source": hn.source_name,
            "threads": len(threads),
            "hiring_months": len(months),
            "new_months": ", ".join(new_months) or "none",
            "threads_table": dg.MetadataValue.md(shown.head(24).to_markdown(index=False)),
        },
    )


class RawPostsConfig(dg.Config):
    full_refresh: bool = False
    """Re-fetch every post instead of only the ids not stored yet."""
    thread_id: int | None = None
    """The month's hiring thread (sensors pass it); default: looked up in hiring_threads."""


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    partitions_def=hiring_months,
    code_version="1",
    kinds={"python", "parquet"},
    tags={"source": "hacker-news"},
    check_specs=specs("raw_posts", RAW_POSTS_CHECKS),
    deps=[hiring_threads],
)
def raw_posts(
    context: dg.AssetExecutionContext,
    config: RawPostsConfig,
    hn: HNClientResource,
    storage: DataStoreResource,
):
    """The top-level comments of the month's "Who is hiring?" thread, as the API returned them.
    Incremental: only kid ids not stored yet are fetched (run config `full_refresh` re-fetches
    all). The data version is a hash of ids and texts, so a fetch that found nothing new does
    not make downstream assets stale."""
    month = context.partition_key
    store = storage.store()
    thread_id = config.thread_id or hiring_thread_id(store.read("hiring_threads"), month)
    previous = None if config.full_refresh else store.read_or_none("raw_posts", month)
    try:
        with hn.client() as client:
            posts, stats = fetch_thread_posts(client, thread_id, previous, config.full_refresh)
    except FetchError as err:
        # Keep every post fetched so far; the next run asks only for what is still missing.
        store.write("raw_posts", err.partial, month)
        raise dg.Failure(
            description=str(err),
            metadata={"failed_ids": dg.MetadataValue.json(err.item_ids[:100])},
        ) from err
    context.log.info(
        f"{month}: {stats.new} new posts, {stats.total} stored, {stats.requests} requests"
    )
    yield dg.Output(
        posts,
        data_version=dg.DataVersion(frame_fingerprint(posts, ["id", "text", "deleted", "dead"])),
        metadata={
            "thread_id": thread_id,
            "thread": dg.MetadataValue.url(f"https://news.ycombinator.com/item?id={thread_id}"),
            "new": stats.new,
            "total": stats.total,
            "deleted": stats.deleted,
            "requests_made": stats.requests,
            "seconds": round(stats.seconds, 3),
            "source": hn.source_name,
        },
    )
    yield check_result("ids_unique", ids_unique(posts), "raw_posts")
    yield check_result("parents_are_thread", parents_are_thread(posts, thread_id), "raw_posts")


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    partitions_def=hiring_months,
    code_version="1",
    kinds={"python", "parquet"},
    check_specs=specs("clean_posts", CLEAN_POSTS_CHECKS),
    automation_condition=when_stale(),
)
def clean_posts(context: dg.AssetExecutionContext, raw_posts: pd.DataFrame):
    """Alive posts only, as plain text (paragraphs kept, entities decoded, links as URLs), with
    header fields parsed: company, roles, locations, remote/onsite/hybrid, salary range, visa,
    employment type, urls and emails."""
    month = context.partition_key
    # The thread id comes from the posts themselves: depending on `hiring_threads` would make
    # every month stale whenever a new thread appears.
    thread_id = int(raw_posts["parent"].mode().iloc[0]) if len(raw_posts) else 0
    posts = clean_posts_frame(raw_posts, month, thread_id)
    yield dg.Output(
        posts,
        metadata={
            "posts": len(posts),
            "remote": int(posts["remote"].sum()),
            "with_salary": int(posts["salary_max"].notna().sum()),
            "visa_sponsorship": int((posts["visa"] == True).sum()),  # noqa: E712 (None-aware)
            "top_locations": dg.MetadataValue.md(
                top_values_markdown(exploded(posts, "locations"), "Location")
            ),
            "top_companies": dg.MetadataValue.md(top_values_markdown(posts["company"], "Company")),
            "sample_post": dg.MetadataValue.md(sample_post_markdown(posts)),
        },
    )
    yield check_result("ids_unique", ids_unique(posts), "clean_posts")
    yield check_result("no_html_left", no_html_left(posts), "clean_posts")
    yield check_result("no_empty_text", no_empty_text(posts), "clean_posts")
    yield check_result("alive_rows_kept", alive_rows_kept(raw_posts, posts), "clean_posts")

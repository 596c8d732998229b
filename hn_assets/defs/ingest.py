"""Ingest assets: whoishiring threads -> raw posts per month -> clean, parsed posts."""

import dagster as dg
import pandas as pd

from hn_assets.defs import OWNERS
from hn_assets.defs.automation import when_stale
from hn_assets.defs.checks import check_result, specs
from hn_assets.defs.metadata import (
    counts_value,
    quarantined_value,
    schema_of_fields,
    table_metadata,
    table_value,
)
from hn_assets.defs.partitions import HIRING_MONTHS, hiring_months
from hn_assets.defs.resources import DataStoreResource, HNClientResource
from hn_assets.hackernews.client import FetchError
from hn_assets.hackernews.hn_format import item_url
from hn_assets.hackernews.posts import clean_posts_frame, fetch_thread_posts
from hn_assets.hackernews.threads import find_threads
from hn_assets.hackernews.titles import ThreadKind
from hn_assets.market.reposts import FingerprintStore, repost_share, with_reposts
from hn_assets.quality import (
    alive_rows_kept,
    all_items_fetched,
    earlier_months_compared,
    ids_unique,
    no_empty_text,
    no_html_left,
    no_quarantined_posts,
    parents_are_thread,
)
from hn_assets.reporting import exploded, frame_fingerprint, sample_post_markdown

GROUP = "ingest"
#: The raw_posts metadata key counting posts a fetch could not get (retried by the next
#: refresh and by thread_activity_sensor).
UNFETCHED_METADATA = "unfetched"


def hiring_thread_id(threads: pd.DataFrame, month: str) -> int:
    match = threads[(threads["kind"] == ThreadKind.HIRING.value) & (threads["month"] == month)]
    if match.empty:
        known = ", ".join(sorted(threads.loc[threads["kind"] == ThreadKind.HIRING.value, "month"]))
        raise dg.Failure(
            description=f"No 'Who is hiring?' thread for {month}. Known months: {known or 'none'}. "
            "Re-materialize hiring_threads (or run `hn-jobs refresh`) to discover new threads."
        )
    return int(match["id"].iloc[0])


THREADS_CHECKS = {
    "ids_unique": "Each thread id appears once.",
}


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    code_version="1",
    kinds={"python", "parquet"},
    tags={"source": "hacker-news"},
    check_specs=specs("hiring_threads", THREADS_CHECKS),
)
def hiring_threads(
    context: dg.AssetExecutionContext, hn: HNClientResource, storage: DataStoreResource
):
    """Every thread the HN user `whoishiring` posted, with its kind (hiring, wants to be hired,
    freelancer) and month parsed from the title. Registers a `hiring_months` partition for
    each new "Who is hiring?" month."""
    with hn.client() as client:
        found = find_threads(client)
    threads = found.threads
    if found.unfetched:
        # Keep what is stored about the submissions that did not answer this time.
        previous = storage.store().read_or_none("hiring_threads")
        if previous is not None:
            kept = previous[previous["id"].isin(list(found.unfetched))]
            threads = (
                pd.concat([threads, kept], ignore_index=True)
                .drop_duplicates("id")
                .sort_values(["month", "time", "id"], ignore_index=True)
            )
        context.log.warning(
            f"{len(found.unfetched)} submission(s) of whoishiring could not be fetched; the "
            f"stored rows for them are kept: {', '.join(map(str, list(found.unfetched)[:20]))}"
        )
    for skipped in found.unrecognised:
        context.log.warning(
            f"unrecognised whoishiring title {skipped.title!r} (item {skipped.item_id})"
        )
    months = sorted(threads.loc[threads["kind"] == ThreadKind.HIRING.value, "month"].unique())
    known = set(context.instance.get_dynamic_partitions(HIRING_MONTHS))
    new_months = [m for m in months if m not in known]
    if new_months:
        context.instance.add_dynamic_partitions(HIRING_MONTHS, new_months)
    shown = threads.sort_values("time", ascending=False)[
        ["month", "kind", "id", "num_kids", "title"]
    ]
    yield dg.Output(
        threads,
        metadata={
            "source": hn.source_name,
            "threads": len(threads),
            "hiring_months": len(months),
            "new_months": ", ".join(new_months) or "none",
            "threads_table": table_value(shown, limit=24),
            "unrecognised_titles": len(found.unrecognised),
            "unfetched_submissions": len(found.unfetched),
            "skipped_submissions": table_value(found.skipped_frame(), limit=50),
            **table_metadata(threads),
        },
    )
    yield check_result("ids_unique", ids_unique(threads), "hiring_threads")


class RawPostsConfig(dg.Config):
    full_refresh: bool = False
    """Re-fetch every post instead of only the ids not stored yet."""
    thread_id: int | None = None
    """The month's hiring thread (sensors pass it); default: looked up in hiring_threads."""


RAW_POSTS_CHECKS = {
    "ids_unique": "Each post id appears once.",
    "parents_are_thread": "Every stored post is a top-level comment of the month's hiring thread.",
    "all_items_fetched": "Every kid of the thread was fetched (a warning: items that failed "
    "after retries are asked for again on the next run).",
}


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    partitions_def=hiring_months,
    code_version="1",
    kinds={"python", "parquet"},
    tags={"source": "hacker-news"},
    check_specs=specs("raw_posts", RAW_POSTS_CHECKS, partitions_def=hiring_months),
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
        raise dg.Failure(description=f"thread {thread_id} of {month}: {err}") from err
    context.log.info(
        f"{month}: {stats.new} new posts, {stats.total} stored, {stats.requests} requests"
    )
    if stats.unfetched:
        context.log.warning(
            f"{month}: {len(stats.unfetched)} post(s) could not be fetched and are asked for "
            f"again next run: {', '.join(map(str, list(stats.unfetched)[:20]))}"
        )
    yield dg.Output(
        posts,
        data_version=dg.DataVersion(frame_fingerprint(posts, ["id", "text", "deleted", "dead"])),
        metadata={
            "thread_id": thread_id,
            "thread": dg.MetadataValue.url(item_url(thread_id)),
            "new": stats.new,
            "total": stats.total,
            "deleted": stats.deleted,
            "requests_made": stats.requests,
            "seconds": round(stats.seconds, 3),
            "source": hn.source_name,
            UNFETCHED_METADATA: len(stats.unfetched),
            "unfetched_items": dg.MetadataValue.json(
                {str(i): why for i, why in list(stats.unfetched.items())[:100]}
            ),
            "invalid_kids": dg.MetadataValue.json(stats.invalid_kids[:100]),
            **table_metadata(posts),
        },
    )
    yield check_result("ids_unique", ids_unique(posts), "raw_posts")
    yield check_result("parents_are_thread", parents_are_thread(posts, thread_id), "raw_posts")
    yield check_result(
        "all_items_fetched", all_items_fetched(stats.unfetched, stats.invalid_kids), "raw_posts"
    )


CLEAN_POSTS_CHECKS = {
    "ids_unique": "Each post id appears once.",
    "no_html_left": "No HTML tag or entity survives cleaning (text the author typed, such as "
    "'jo <at> acme.com', is text).",
    "no_empty_text": "No alive post has empty text.",
    "alive_rows_kept": "Clean rows plus quarantined posts equal alive (not deleted, not dead) "
    "raw rows.",
    "no_quarantined_posts": "No post had to be set aside because it could not be cleaned or "
    "parsed (a warning: the month is kept without it).",
    "reposts_compared_with_every_earlier_month": "Reposts were looked for in every earlier "
    "month (a warning: an earlier month not fetched yet was left out; clean this month again "
    "once it is).",
}


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    partitions_def=hiring_months,
    # 3: repost fields (first_seen_month, reposted_from, months_posted, repost).
    code_version="3",
    kinds={"python", "parquet"},
    check_specs=specs("clean_posts", CLEAN_POSTS_CHECKS, partitions_def=hiring_months),
    automation_condition=when_stale(),
)
def clean_posts(
    context: dg.AssetExecutionContext, raw_posts: pd.DataFrame, storage: DataStoreResource
):
    """Alive posts only, as plain text (paragraphs kept, entities decoded, links as URLs), with
    header fields parsed: company, roles, locations, remote/onsite/hybrid, salary range, visa,
    employment type, urls and emails; and whether each post repeats a posting of an earlier
    month (same company, near-duplicate text: hn_assets.market.reposts)."""
    month = context.partition_key
    # The thread id comes from the posts themselves: depending on `hiring_threads` would make
    # every month stale whenever a new thread appears.
    thread_id = int(raw_posts["parent"].mode().iloc[0]) if len(raw_posts) else 0
    result = clean_posts_frame(raw_posts, month, thread_id)
    prints_store = FingerprintStore(storage.store())
    earlier = prints_store.earlier_months(
        month, context.instance.get_dynamic_partitions(HIRING_MONTHS)
    )
    posts, prints = with_reposts(result.posts, earlier.history)
    prints_store.write(month, prints)
    for post in result.quarantined:
        context.log.warning(f"{month}: quarantined {post}")
    yield dg.Output(
        posts,
        metadata={
            "posts": len(posts),
            "quarantined": len(result.quarantined),
            "quarantined_posts": quarantined_value(result.quarantined),
            "truncated_posts": dg.MetadataValue.json(result.truncated[:100]),
            "remote": int(posts["remote"].sum()),
            "with_salary": int(posts["salary_max"].notna().sum()),
            "visa_sponsorship": int((posts["visa"] == True).sum()),  # noqa: E712 (None-aware)
            "reposts": int(posts["repost"].sum()),
            "repost_share": dg.MetadataValue.float(round(repost_share(posts), 4)),
            "months_compared": len(earlier.history.months),
            "top_locations": counts_value(exploded(posts, "locations"), "location"),
            "top_technologies": counts_value(exploded(posts, "technologies"), "technology"),
            "top_companies": counts_value(posts["company"], "company"),
            "sample_post": dg.MetadataValue.md(sample_post_markdown(posts)),
            **table_metadata(posts, schema_of_fields()),
        },
    )
    yield check_result("ids_unique", ids_unique(posts), "clean_posts")
    yield check_result("no_html_left", no_html_left(posts, raw_posts), "clean_posts")
    yield check_result("no_empty_text", no_empty_text(posts), "clean_posts")
    yield check_result(
        "alive_rows_kept", alive_rows_kept(raw_posts, posts, result.quarantined), "clean_posts"
    )
    yield check_result(
        "no_quarantined_posts", no_quarantined_posts(result.quarantined), "clean_posts"
    )
    yield check_result(
        "reposts_compared_with_every_earlier_month",
        earlier_months_compared(earlier.not_cleaned),
        "clean_posts",
    )

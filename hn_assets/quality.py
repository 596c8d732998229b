"""Data-quality rules for the stored tables, as plain functions over DataFrames.

Each rule returns a :class:`Verdict`; ``checks.py`` turns verdicts into Dagster asset checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from bs4 import BeautifulSoup

from hn_assets.quarantine import QuarantinedPost

HTML_LEFTOVER = re.compile(
    r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*[^<>]*>|&(?:#x?[0-9a-fA-F]+|[a-zA-Z]{2,8});"
)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    description: str
    metadata: dict[str, Any] = field(default_factory=dict)
    #: A failed warning shows in the UI and the refresh summary but blocks nothing.
    warning: bool = False


def _sample(ids: Iterable[Any], limit: int = 10) -> list[int]:
    return [int(i) for i in list(ids)[:limit]]


def ids_unique(frame: pd.DataFrame) -> Verdict:
    duplicated = frame.loc[frame["id"].duplicated(), "id"]
    return Verdict(
        passed=duplicated.empty,
        description="every post id appears once" if duplicated.empty else "duplicate post ids",
        metadata={"duplicates": len(duplicated), "examples": _sample(duplicated)},
    )


def parents_are_thread(raw: pd.DataFrame, thread_id: int) -> Verdict:
    alive = raw[~raw["deleted"].astype(bool)]
    strays = alive.loc[alive["parent"].astype("Int64") != thread_id, "id"]
    return Verdict(
        passed=strays.empty,
        description=f"every post is a top-level comment of thread {thread_id}",
        metadata={"strays": len(strays), "examples": _sample(strays)},
    )


def _author_text(html: str) -> str:
    """What the author typed: the text content and the link targets. HN escapes every ``<``
    and ``&`` the author types, so these are the only places a literal one can come from."""
    soup = BeautifulSoup(html, "html.parser")
    hrefs = " ".join(str(anchor.get("href") or "") for anchor in soup.find_all("a"))
    return f"{soup.get_text()} {hrefs}"


def _only_typed_markup(text: str, html: str) -> bool:
    author = _author_text(html)
    return text.count("<") <= author.count("<") and text.count("&") <= author.count("&")


def no_html_left(clean: pd.DataFrame, raw: pd.DataFrame | None = None) -> Verdict:
    """No tag or entity in the clean text that came from markup. With ``raw``, tag-like text
    the author typed ("email jo <at> acme.com", a URL with "&amp;") is not counted: a post is
    dirty when its clean text holds more ``<`` or ``&`` than the author wrote."""
    suspects = clean.loc[clean["text"].str.contains(HTML_LEFTOVER, na=False), ["id", "text"]]
    if raw is not None and not suspects.empty:
        html_by_id = dict(zip(raw["id"].astype(int), raw["text"], strict=True))
        typed = [
            _only_typed_markup(text, html_by_id.get(int(post_id)) or "")
            for post_id, text in zip(suspects["id"], suspects["text"], strict=True)
        ]
        suspects = suspects[[not ok for ok in typed]]
    dirty = suspects["id"]
    return Verdict(
        passed=dirty.empty,
        description="no HTML tag or entity left in clean text",
        metadata={"posts_with_html": len(dirty), "examples": _sample(dirty)},
    )


def no_empty_text(clean: pd.DataFrame) -> Verdict:
    empty = clean.loc[clean["text"].fillna("").str.strip() == "", "id"]
    return Verdict(
        passed=empty.empty,
        description="every clean post has text",
        metadata={"empty_posts": len(empty), "examples": _sample(empty)},
    )


def alive_rows_kept(
    raw: pd.DataFrame, clean: pd.DataFrame, quarantined: Sequence[QuarantinedPost] = ()
) -> Verdict:
    alive = set(raw.loc[~raw["deleted"].astype(bool) & ~raw["dead"].astype(bool), "id"].astype(int))
    accounted = set(clean["id"].astype(int)) | {post.id for post in quarantined}
    return Verdict(
        passed=alive == accounted and len(clean) + len(quarantined) == len(alive),
        description="clean rows + quarantined posts == alive raw rows",
        metadata={"alive_raw": len(alive), "clean": len(clean), "quarantined": len(quarantined)},
    )


def no_quarantined_posts(quarantined: Sequence[QuarantinedPost]) -> Verdict:
    return Verdict(
        passed=not quarantined,
        description="every post was processed"
        if not quarantined
        else f"{len(quarantined)} post(s) could not be processed and were left out",
        metadata={
            "quarantined": len(quarantined),
            "examples": [str(post) for post in quarantined[:10]],
        },
        warning=True,
    )


def earlier_months_compared(not_cleaned: Sequence[str]) -> Verdict:
    return Verdict(
        passed=not not_cleaned,
        description="reposts were looked for in every earlier month"
        if not not_cleaned
        else f"{len(not_cleaned)} earlier month(s) not fetched yet were left out of the repost "
        "search: clean this month again once they are",
        metadata={"months_left_out": ", ".join(not_cleaned[:24]) or "none"},
        warning=True,
    )


def shares_are_fractions(stats: pd.DataFrame, posts: int) -> Verdict:
    wrong = stats[(stats["share"] < 0) | (stats["share"] > 1) | (stats["posts"] > posts)]
    return Verdict(
        passed=wrong.empty,
        description="every share lies in [0, 1], no count exceeds the month's posts"
        if wrong.empty
        else f"{len(wrong)} statistic(s) out of range",
        metadata={
            "out_of_range": ", ".join(
                f"{d}:{k}" for d, k in list(zip(wrong["dimension"], wrong["key"], strict=True))[:20]
            )
            or "none"
        },
    )


def stats_cover_every_month(covered: Sequence[str], known: Sequence[str]) -> Verdict:
    left_out = sorted(set(known) - set(covered))
    return Verdict(
        passed=not left_out,
        description=f"the series cover all {len(known)} hiring months"
        if not left_out
        else f"{len(left_out)} hiring month(s) have no statistics yet and are left out",
        metadata={"months_left_out": ", ".join(left_out[:24]) or "none"},
        warning=True,
    )


def all_items_fetched(unfetched: dict[int, str], invalid_kids: Sequence[str]) -> Verdict:
    """Items the API did not deliver after retries (asked for again next run), and kids of
    the thread that are not item ids at all."""
    problems = []
    if unfetched:
        problems.append(f"{len(unfetched)} item(s) could not be fetched; the next run retries them")
    if invalid_kids:
        problems.append(f"{len(invalid_kids)} kid(s) of the thread are not item ids")
    return Verdict(
        passed=not problems,
        description="; ".join(problems) or "every post of the thread was fetched",
        metadata={
            "unfetched": len(unfetched),
            "unfetched_examples": [f"{i}: {why}" for i, why in list(unfetched.items())[:10]],
            "invalid_kids": list(invalid_kids[:10]),
        },
        warning=True,
    )


def index_matches_posts(
    indexed: set[int], expected: set[int], quarantined: set[int], documents: int
) -> Verdict:
    """The index holds the ``expected`` ids (quarantined ones may be absent or present from an
    earlier run) and one document per id."""
    missing = expected - indexed
    unexpected = indexed - expected - quarantined
    passed = not missing and not unexpected and documents == len(indexed)
    return Verdict(
        passed=passed,
        description="the index holds exactly the month's posts, one document each"
        if passed
        else f"{len(missing)} post(s) missing, {len(unexpected)} unexpected, "
        f"{documents - len(indexed)} duplicate document(s)",
        metadata={
            "documents": documents,
            "indexed": len(indexed),
            "clean_posts": len(expected),
            "missing": len(missing),
            "missing_examples": _sample(sorted(missing)),
            "unexpected": len(unexpected),
            "unexpected_examples": _sample(sorted(unexpected)),
        },
    )


def below_bits_per_char(val_bpc: float, ceiling: float, label: str) -> Verdict:
    """A model's validation bits per character under a reference (a baseline or a ceiling)."""
    return Verdict(
        passed=val_bpc < ceiling,
        description=f"validation {val_bpc:.3f} bits/char vs {label} {ceiling:.3f}",
        metadata={"val_bpc": val_bpc, label: ceiling},
    )

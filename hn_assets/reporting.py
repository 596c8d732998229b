"""Small, Dagster-free helpers that turn tables into what a person reads in the UI."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence

import pandas as pd

from hn_assets.hackernews.hn_format import item_url
from hn_assets.quarantine import QuarantinedPost


def top_values_markdown(values: Iterable[object], label: str, limit: int = 10) -> str:
    counts = pd.Series(list(values), dtype="object").dropna()
    counts = counts[counts.astype(str).str.strip() != ""].value_counts().head(limit)
    if counts.empty:
        return f"_no {label.lower()} found_"
    table = pd.DataFrame({label: counts.index.astype(str), "posts": counts.to_numpy()})
    return table.to_markdown(index=False)


def exploded(frame: pd.DataFrame, column: str) -> pd.Series:
    """The items of a list-valued column, one per row."""
    return frame[column].explode().dropna()


def sample_post_markdown(frame: pd.DataFrame, max_chars: int = 1200) -> str:
    if frame.empty:
        return "_no posts_"
    row = frame.iloc[len(frame) // 2]
    text = str(row["text"])
    if len(text) > max_chars:
        text = text[:max_chars].rstrip() + " …"
    quoted = "\n".join("> " + line if line else ">" for line in text.splitlines())
    return f"**{row.get('company') or 'unknown company'}** ({row.get('hn_url', '')})\n\n{quoted}"


def frame_fingerprint(frame: pd.DataFrame, columns: list[str]) -> str:
    """A stable hash of the given columns, independent of row order: a data version."""
    ordered = frame.sort_values("id")[columns]
    digest = hashlib.sha256()
    for row in ordered.itertuples(index=False):
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()[:16]


def markdown_cell(value: object, max_chars: int = 200) -> str:
    """``value`` as one markdown table cell: no line breaks, pipes escaped, cut to length."""
    text = " ".join(str(value).split())
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return text.replace("\\", "\\\\").replace("|", "\\|")


def quarantined_markdown(quarantined: Sequence[QuarantinedPost], limit: int = 50) -> str:
    """The quarantined posts as a table a person reads in the UI: id, stage, error."""
    if not quarantined:
        return "_none_"
    lines = ["| post | stage | error |", "|---|---|---|"]
    for post in quarantined[:limit]:
        link = f"[{post.id}]({item_url(post.id)})"
        lines.append(f"| {link} | {markdown_cell(post.stage)} | {markdown_cell(post.error)} |")
    if len(quarantined) > limit:
        lines.append(f"\n_and {len(quarantined) - limit} more_")
    return "\n".join(lines)


def image_markdown(data: bytes, alt: str, mime: str = "image/png") -> str:
    """Markdown that shows an image inline (a data URI), as the Dagster UI renders it."""
    return f"![{alt}](data:{mime};base64,{base64.b64encode(data).decode()})"

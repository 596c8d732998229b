"""Saved searches: a YAML file of named queries, read and checked before any matching.

The file (see ``hn_assets/saved_searches.example.yaml``)::

    searches:
      - name: bay-area-ml
        query: '("san francisco" OR "bay area") AND ("machine learning" OR "data analysis")'
      - name: remote-rust
        query: rust remote:true
        months: [2026-11, 2026-12]   # optional: only alert in these months
        notify: false                # optional: keep it in the digest, never deliver it
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hn_assets.errors import ConfigError
from hn_assets.search.errors import QueryError
from hn_assets.search.parser import parse_query
from hn_assets.search.query import Query, validate_month

_ALLOWED_KEYS = frozenset({"name", "query", "months", "notify", "include_reposts"})


class SavedSearchError(ConfigError):
    """The saved searches file is missing or wrong; the message names the file and line."""


@dataclass(frozen=True)
class SavedSearch:
    """A named query; ``months`` limits it to those months, ``notify`` allows delivery,
    ``include_reposts`` also alerts on posts repeating an earlier month's posting."""

    name: str
    query: str
    months: tuple[str, ...] | None = None
    notify: bool = True
    include_reposts: bool = False
    parsed: Query = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parsed", parse_query(self.query))
        if self.months is not None:
            object.__setattr__(self, "months", tuple(validate_month(m) for m in self.months))

    def applies_to(self, month: str) -> bool:
        return self.months is None or month in self.months


#: A saved-searches file is a short list written by hand; anything far larger is a mistake
#: (or an attempt to exhaust memory), and is refused before parsing.
MAX_FILE_BYTES = 1_000_000
#: The deepest the format goes is searches -> a search -> its months list; deeper YAML is
#: refused before PyYAML's recursive composer could overflow the stack on it.
MAX_NESTING = 8


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _value_node(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in mapping.value:
        if key_node.value == key:
            return value_node
    return None


def _read_text(source: Path) -> str:
    try:
        with source.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SavedSearchError(
            f"cannot read saved searches from {source}: {exc.strerror or exc}; copy "
            "hn_assets/saved_searches.example.yaml and set HN_SAVED_SEARCHES to its path"
        ) from exc
    if len(data) > MAX_FILE_BYTES:
        raise SavedSearchError(
            f"{source}: larger than {MAX_FILE_BYTES:,} bytes, which is no saved-searches file; "
            "check HN_SAVED_SEARCHES points at the right file"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SavedSearchError(
            f"{source}:{line}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from exc


def _check_shape(source: Path, text: str) -> None:
    """Refuse anchors, aliases and deep nesting, scanning events (no recursion, no objects).

    Aliases are how a "billion laughs" file grows a small text into a huge structure, and
    saved searches never need them.
    """
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        where = f"{source}:{event.start_mark.line + 1}"
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise SavedSearchError(
                f"{where}: YAML anchors and aliases (&name, *name) are not supported in saved "
                "searches; write each search out in full"
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise SavedSearchError(
                    f"{where}: nested more than {MAX_NESTING} levels deep; the file is a list "
                    "of searches, each a mapping of name, query, months and notify"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _parse_yaml(source: Path, text: str) -> tuple[yaml.Node | None, Any]:
    try:
        _check_shape(source, text)
        return yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else str(source)
        # PyYAML splits a message into context ("while parsing a flow node") and problem.
        problem = " ".join(" ".join(filter(None, (exc.context, exc.problem))).split())
        problem = problem or " ".join(str(exc).split())
        raise SavedSearchError(f"{where}: invalid YAML: {problem}") from exc
    except yaml.reader.ReaderError as exc:  # a control character YAML does not allow
        line_number = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise SavedSearchError(
            f"{source}:{line_number}: invalid YAML: the character U+{code:04X} is not allowed; "
            "remove it"
        ) from exc
    except yaml.YAMLError as exc:
        raise SavedSearchError(f"{source}: invalid YAML: {' '.join(str(exc).split())}") from exc


def load_saved_searches(path: str | os.PathLike[str]) -> list[SavedSearch]:
    """Read and check every saved search in the YAML file at ``path``.

    Every problem is a :class:`SavedSearchError` whose message names the file, the line and
    the fix (one line, except that a query error adds the query with a caret under the
    problem); no other exception escapes, whatever the file holds.
    """
    source = Path(path)
    text = _read_text(source)
    root, data = _parse_yaml(source, text)
    if isinstance(root, yaml.MappingNode) and isinstance(data, dict):
        _no_duplicate_keys(source, root)
        unknown = set(data) - {"searches"}
        if unknown:
            raise SavedSearchError(
                f"{source}:{_line(root)}: unknown top-level key(s) {sorted(map(str, unknown))}; "
                "the file holds one key, searches: a list of {name, query}"
            )
        items_node, items = _value_node(root, "searches"), data.get("searches")
    else:
        items_node, items = root, data
    if not isinstance(items_node, yaml.SequenceNode) or not isinstance(items, list):
        line = _line(items_node) if items_node is not None else 1
        raise SavedSearchError(
            f"{source}:{line}: expected a list of saved searches under 'searches:', each "
            "with a name and a query"
        )
    searches: list[SavedSearch] = []
    lines: dict[str, int] = {}
    for node, item in zip(items_node.value, items, strict=True):
        searches.append(_saved_search(source, node, item, lines))
    return searches


def _no_duplicate_keys(source: Path, mapping: yaml.MappingNode) -> None:
    # PyYAML keeps the last of two equal keys without a word; a second "query:" is a mistake.
    seen: dict[str, int] = {}
    for key_node, _ in mapping.value:
        key = str(key_node.value)
        if key in seen:
            raise SavedSearchError(
                f"{source}:{_line(key_node)}: the key {key!r} is already given on line "
                f"{seen[key]}; keep one"
            )
        seen[key] = _line(key_node)


def _saved_search(source: Path, node: yaml.Node, item: Any, lines: dict[str, int]) -> SavedSearch:
    where = f"{source}:{_line(node)}"
    if not isinstance(item, dict) or not isinstance(node, yaml.MappingNode):
        raise SavedSearchError(f"{where}: a saved search is a mapping with name and query")
    _no_duplicate_keys(source, node)
    unknown = set(item) - _ALLOWED_KEYS
    if unknown:
        raise SavedSearchError(
            f"{where}: unknown key(s) {sorted(map(str, unknown))}; allowed: "
            f"{', '.join(sorted(_ALLOWED_KEYS))}"
        )
    name, query = item.get("name"), item.get("query")
    if not isinstance(name, str) or not name.strip():
        raise SavedSearchError(f"{where}: every saved search needs a name (text)")
    if not name.isprintable():
        raise SavedSearchError(
            f"{where}: the name {name!r} holds a line break or control character; use one "
            "line of plain text"
        )
    if name in lines:
        raise SavedSearchError(f"{where}: the name {name!r} is already used on line {lines[name]}")
    lines[name] = _line(node)
    if not isinstance(query, str):
        raise SavedSearchError(f"{where}: saved search {name!r} needs a query (text)")
    months = item.get("months")
    if isinstance(months, str):
        months = [months]
    notify = item.get("notify", True)
    include_reposts = item.get("include_reposts", False)
    for key, flag in (("notify", notify), ("include_reposts", include_reposts)):
        if not isinstance(flag, bool):
            raise SavedSearchError(f"{where}: {key} of {name!r} must be true or false")
    if months is not None and (
        not isinstance(months, list) or not all(isinstance(month, str) for month in months)
    ):
        raise SavedSearchError(
            f"{where}: months of {name!r} must be a list of YYYY-MM months, e.g. [2026-11]"
        )
    query_node = _value_node(node, "query")
    query_where = f"{source}:{_line(query_node)}" if query_node is not None else where
    try:
        return SavedSearch(
            name=name,
            query=query,
            months=tuple(months) if months is not None else None,
            notify=notify,
            include_reposts=include_reposts,
        )
    except QueryError as exc:
        raise SavedSearchError(f"{query_where}: saved search {name!r}: {exc}") from exc

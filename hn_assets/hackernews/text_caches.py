"""Caches of what is read from a post's text, which one call can empty.

A month's posts repeat header fields ("Remote", "Full-time", "NYC") and role titles, and one
post is read by several rules; these caches keep such readings.  The benchmark empties them
before each timed pass, so that its figure is that of posts never seen before."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

_Function = TypeVar("_Function", bound=Callable[..., Any])
_CACHES: list[Any] = []


def text_cache(maxsize: int) -> Callable[[_Function], _Function]:
    """``functools.lru_cache(maxsize)``, emptied by :func:`clear_text_caches`."""

    def decorate(function: _Function) -> _Function:
        cached = lru_cache(maxsize=maxsize)(function)
        _CACHES.append(cached)
        return cached  # type: ignore[return-value]

    return decorate


def clear_text_caches() -> None:
    for cached in _CACHES:
        cached.cache_clear()

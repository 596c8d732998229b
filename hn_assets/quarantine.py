"""Per-post isolation: one post that cannot be processed is set aside, never fatal.

Every stage that handles posts one by one (cleaning, index documents, corpus encoding, alert
rendering) runs each post through :func:`isolate`. A post whose processing raises is recorded
as a :class:`QuarantinedPost` (its id, the stage and the error) and left out downstream; the
rest of the month goes on. The Dagster layer lists the quarantined posts in the
materialization metadata and in the WARN-severity check ``no_quarantined_posts``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Errors are kept to one readable line in metadata and logs.
MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class QuarantinedPost:
    """A post left out of one stage, with the reason."""

    id: int
    stage: str
    error: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def __str__(self) -> str:
        return f"post {self.id} ({self.stage}): {self.error}"


def describe_error(error: BaseException) -> str:
    """``Type: message`` on one line, cut to :data:`MAX_ERROR_CHARS`."""
    message = " ".join(str(error).split())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 3] + "..."


def isolate(
    items: Iterable[T],
    process: Callable[[T], R],
    *,
    stage: str,
    id_of: Callable[[T], int],
) -> tuple[list[R], list[QuarantinedPost]]:
    """``process`` each item; an item that raises an ``Exception`` is quarantined, not fatal.

    Returns the results of the items that succeeded, in input order, and the quarantined ones.
    ``KeyboardInterrupt`` and other ``BaseException`` still stop the whole stage.
    """
    done: list[R] = []
    quarantined: list[QuarantinedPost] = []
    for item in items:
        try:
            done.append(process(item))
        except Exception as error:  # noqa: BLE001 - the point: one post never stops the rest
            quarantined.append(QuarantinedPost(int(id_of(item)), stage, describe_error(error)))
    return done, quarantined

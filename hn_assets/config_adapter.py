"""A trainer's config dataclass is the one place its settings and defaults are written; this
module derives the command-line options and the Dagster run config from it.

Describe a field with :func:`setting` (help text, and optionally its command-line flag);
then :func:`add_arguments` / :func:`from_arguments` build and read argparse options, and
:func:`dagster_config` / :func:`from_dagster_config` make and read a ``dg.Config`` class.
Both read back into the dataclass with ``dataclasses.replace`` over a base instance, so a
value the user did not give keeps the base's (the dataclass default, or a named preset).
An asset annotated with a generated class must live in a module without
``from __future__ import annotations``: Dagster cannot resolve the class from a string.
"""

from __future__ import annotations

import argparse
import dataclasses
import types
import typing
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar

T = TypeVar("T")

_HELP = "help"
_FLAG = "flag"
_CLI = "cli"
_DAGSTER = "dagster"


def setting(
    default: Any = dataclasses.MISSING,
    *,
    help: str,
    flag: str | None = None,
    cli: bool = True,
    dagster: bool = True,
    default_factory: Callable[[], Any] | Any = dataclasses.MISSING,
) -> Any:
    """A dataclass field with its help text. ``flag`` names the command-line option when it
    is not ``--field-name``; ``cli=False`` / ``dagster=False`` keep a field out of one side
    (settings that only code should set)."""
    metadata = {_HELP: help, _FLAG: flag, _CLI: cli, _DAGSTER: dagster}
    if default_factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def help_of(cls: type, name: str) -> str:
    return next(f.metadata.get(_HELP, "") for f in dataclasses.fields(cls) if f.name == name)


def _described_fields(cls: type, side: str) -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(cls) if _HELP in f.metadata and f.metadata[side]]


def _default(field: dataclasses.Field) -> Any:
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


def _members(annotation: Any) -> tuple[list[Any], bool]:
    """The non-None types of an annotation, and whether None is allowed."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        return [a for a in args if a is not type(None)], type(None) in args
    return [annotation], False


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def _parse_number(text: str) -> int | float:
    """``2e6`` and ``2000000`` are both the integer 2,000,000; ``0.5`` stays a float."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    return int(value) if value.is_integer() and "." not in text else value


def _parse_int(text: str) -> int:
    number = _parse_number(text)
    if number != int(number):
        raise argparse.ArgumentTypeError(f"expected a whole number (2e6 is one), got {text!r}")
    return int(number)


def value_parser(annotation: Any) -> Callable[[str], Any]:
    """How a command-line string becomes a value of ``annotation``."""
    members, _ = _members(annotation)
    if len(members) == 1:
        member = members[0]
        if member is bool:
            return _parse_bool
        if member is int:
            return _parse_int
        if member is float:
            return float
        if typing.get_origin(member) is Literal:
            return str
        return member
    if set(members) == {int, float}:
        return _parse_number

    def first_that_parses(text: str) -> Any:
        for member in members:
            try:
                return value_parser(member)(text)
            except (TypeError, ValueError, argparse.ArgumentTypeError):
                continue
        raise argparse.ArgumentTypeError(f"{text!r} is not one of {members}")

    return first_that_parses


def add_arguments(
    parser: argparse.ArgumentParser, cls: type, base: object | None = None
) -> argparse._ArgumentGroup:
    """One option per described field; every default is None so that :func:`from_arguments`
    can tell a value given on the command line from one left to ``base``. ``--help`` shows
    ``base``'s value (or the dataclass default) as the default."""
    hints = typing.get_type_hints(cls)
    group = parser.add_argument_group("settings")
    for field in _described_fields(cls, _CLI):
        shown = getattr(base, field.name) if base is not None else _default(field)
        flag = field.metadata[_FLAG] or "--" + field.name.replace("_", "-")
        annotation = hints[field.name]
        members, _ = _members(annotation)
        kwargs: dict[str, Any] = {"dest": field.name, "default": None}
        if members == [bool]:
            kwargs["action"] = argparse.BooleanOptionalAction
        elif typing.get_origin(members[0]) is Literal:
            kwargs["choices"] = typing.get_args(members[0])
        else:
            kwargs["type"] = value_parser(annotation)
            kwargs["metavar"] = flag.lstrip("-").replace("-", "_").upper()
        group.add_argument(flag, help=f"{field.metadata[_HELP]} (default: {shown})", **kwargs)
    return group


def from_arguments(cls: type[T], namespace: argparse.Namespace, base: T | None = None) -> T:
    """``base`` (default: the dataclass defaults) with the options given on the command line."""
    given = {
        f.name: getattr(namespace, f.name)
        for f in _described_fields(cls, _CLI)
        if getattr(namespace, f.name, None) is not None
    }
    return dataclasses.replace(base if base is not None else cls(), **given)


def _dagster_annotation(annotation: Any) -> Any:
    """Dagster config takes scalars and Optional scalars; other unions travel as strings and
    are parsed the way the command line parses them."""
    members, optional = _members(annotation)
    if len(members) == 1 and (members[0] in (bool, int, float, str)):
        return annotation
    # int | float stays a string: Lightning reads 1 as one batch but 1.0 as all of them.
    return str | None if optional else str


def dagster_config(
    cls: type,
    name: str,
    *,
    base: object | None = None,
    keep_base: bool = False,
    extra: dict[str, tuple[Any, Any]] | None = None,
    exclude: Iterable[str] = (),
    base_class: type | None = None,
    describe: Callable[[str, str], str] | None = None,
) -> type:
    """A ``dg.Config`` class with one field per described field of ``cls``, documented with
    its help. Defaults are ``base``'s values, or, with ``keep_base``, None meaning "the base's
    value at run time" (for a base chosen when the run starts, such as a named preset).
    ``extra`` adds fields that are not settings of the dataclass (name -> (type, FieldInfo));
    ``base_class`` replaces ``dg.Config`` (e.g. ``dg.ConfigurableResource``); ``describe(name,
    help)`` writes a field's description."""
    import dagster as dg  # here, so a CLI that never builds Dagster config does not load it
    import pydantic

    skipped = set(exclude)
    fields: dict[str, Any] = {}
    for field in _described_fields(cls, _DAGSTER):
        if field.name in skipped:
            continue
        annotation = _dagster_annotation(typing.get_type_hints(cls)[field.name])
        value = getattr(base, field.name) if base is not None else _default(field)
        if keep_base:
            annotation, default = annotation | None, None
            description = f"{field.metadata[_HELP]} (None: {value})"
        else:
            default, description = _as_dagster_value(value, annotation), field.metadata[_HELP]
        if describe is not None:
            description = describe(field.name, field.metadata[_HELP])
        fields[field.name] = (annotation, pydantic.Field(default=default, description=description))
    fields |= extra or {}
    return pydantic.create_model(
        name, __base__=base_class or dg.Config, __doc__=cls.__doc__, **fields
    )


def _as_dagster_value(value: Any, annotation: Any) -> Any:
    members, _ = _members(annotation)
    if value is None or members != [str] or isinstance(value, str):
        return value
    return str(value)


def from_dagster_config(cls: type[T], config: object, base: T | None = None) -> T:
    """``base`` (default: the dataclass defaults) with the values of a config made by
    :func:`dagster_config`; None keeps the base's value."""
    hints = typing.get_type_hints(cls)
    given = {}
    for field in _described_fields(cls, _DAGSTER):
        value = getattr(config, field.name, None)
        if value is None:
            continue
        if isinstance(value, str) and _dagster_annotation(hints[field.name]) != hints[field.name]:
            value = value_parser(hints[field.name])(value)
        given[field.name] = value
    return dataclasses.replace(base if base is not None else cls(), **given)

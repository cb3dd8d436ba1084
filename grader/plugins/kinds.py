"""The registry of answer kinds: every module of grader.checks, and third-party kinds from the `grader.kinds` entry points."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from importlib.metadata import entry_points

import grader.checks
from grader.core.errors import UsageError
from grader.core.homework import Item
from grader.core.kinds import Kind

ENTRY_POINT_GROUP = "grader.kinds"


class KindError(UsageError):
    """A kind that cannot be registered (not a Kind, a name taken twice); one line naming it, exit 2."""


@cache
def kinds() -> dict[str, Kind]:
    """Every answer kind by name: each module of grader.checks exports one as KIND, each entry point one object.

    So a kind is added in one file: a module in grader/checks, or a package of its own registering
    `[project.entry-points."grader.kinds"] NAME = "package.module:KIND"`.
    """
    found: dict[str, Kind] = {}
    for module in pkgutil.iter_modules(grader.checks.__path__):
        _add(found, getattr(importlib.import_module(f"grader.checks.{module.name}"), "KIND", None),
             f"grader.checks.{module.name}")
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = entry_point.load()
        except Exception as error:  # the plugin's own import fails: say which and why, not its traceback
            raise KindError(f"kind {entry_point.name!r}: cannot load {entry_point.value} "
                            f"({type(error).__name__}: {error})") from error
        _add(found, loaded, entry_point.value, registered_as=entry_point.name)
    return found


def _add(found: dict[str, Kind], kind: object, where: str, registered_as: str | None = None) -> None:
    if not isinstance(kind, Kind):
        raise KindError(f"{where} must export a grader.core.kinds.Kind (as KIND), got {type(kind).__name__}")
    if registered_as is not None and registered_as != kind.name:
        raise KindError(f"kind {registered_as!r} ({where}) is named {kind.name!r}")
    if kind.name in found:
        raise KindError(f"kind {kind.name!r} ({where}) is registered twice")
    found[kind.name] = kind


def kind_of(item: Item) -> Kind:
    """The kind of an item (the registry has vetted its name when its homework was loaded)."""
    return kinds()[item.kind]


def options_fault(item: Item) -> str | None:
    """What is wrong with an item's kind or options, or None: an unknown kind, options of the wrong type, the kind's own checks."""
    registered = kinds()
    if item.kind not in registered:
        return f"unknown kind {item.kind!r} (kinds: {', '.join(sorted(registered))})"
    kind = registered[item.kind]
    if kind.options is not None and not isinstance(item.options, kind.options):
        if item.options is not None or kind.default_options is None:
            return f"kind {item.kind!r} needs options of type {kind.options.__name__}"
    return kind.validate(item) if kind.validate is not None and item.options is not None else None

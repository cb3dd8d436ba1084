"""Finding homework plugins through the `grader.homeworks` entry-point group, and vetting them."""

from __future__ import annotations

from functools import cache, lru_cache
from importlib.metadata import EntryPoint, entry_points

from grader.core.errors import UsageError
from grader.core.homework import Homework, Item
from grader.core.models import Status
from grader.core.variant import Variant
from grader.plugins.kinds import options_fault

ENTRY_POINT_GROUP = "grader.homeworks"
# Homeworks of variants kept built: a batch worker grades one student (one variant) after another,
# a service the same few students again and again.
MAX_VARIANTS_KEPT = 256

_STATUSES = {status.value for status in Status}


class PluginError(UsageError):
    """A homework plugin that is malformed; the message names the plugin and the field.

    A usage error: the command prints this one line and exits 2, as for a file it cannot use.
    """


def available_homeworks() -> dict[str, EntryPoint]:
    """Registered homework names → their entry points, sorted by name."""
    found = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return dict(sorted(found.items()))


@cache
def load_homework(name: str) -> Homework:
    """Load and validate the homework registered as `name`; unknown names are a usage error."""
    registered = available_homeworks()
    if name not in registered:
        known = ", ".join(registered) or "none"
        raise UsageError(f"unknown homework {name!r} (installed homeworks: {known})")
    entry_point = registered[name]
    try:
        homework = entry_point.load()
    except Exception as error:  # the plugin's own import fails: say which and why, not its traceback
        raise PluginError(f"plugin {name!r}: cannot load {entry_point.value} "
                          f"({type(error).__name__}: {error})") from error
    if not isinstance(homework, Homework):
        raise PluginError(f"plugin {name!r}: the entry point must be a grader.homework.Homework, "
                          f"got {type(homework).__name__}")
    if homework.id != name:
        raise PluginError(f"plugin {name!r}: registered under {name!r} but its id is {homework.id!r}")
    validate_homework(homework)
    return homework


def homework_variant(name: str, variant: Variant | None) -> Homework:
    """The homework registered as `name`, as `variant` has it (as registered when None)."""
    return load_homework(name) if variant is None else _variant(name, variant)


@lru_cache(maxsize=MAX_VARIANTS_KEPT)
def _variant(name: str, variant: Variant) -> Homework:
    homework = load_homework(name)
    if not homework.parameters:
        raise UsageError(f"homework {name} has no parameters: every student gets the same one (no variants)")
    varied = homework.at(variant)
    if varied.problems is not homework.problems:
        validate_homework(varied)
        _same_items(homework, varied)
    return varied


def _same_items(homework: Homework, varied: Homework) -> None:
    """A variant asks the same items for the same points: results, overrides and class statistics rely on it."""
    def shape(h: Homework) -> list[tuple[str, str, str, float, tuple[str, ...]]]:
        return [(h.problem_of(i.id).id, i.id, i.kind, i.points, i.depends_on) for i in h.items]

    if shape(homework) != shape(varied):
        raise PluginError(f"plugin {homework.id!r}: variant {varied.variant.short if varied.variant else ''} asks "
                          "other items (ids, kinds, points or dependencies) than the homework")


def validate_homework(homework: Homework) -> None:
    """Raise PluginError naming the plugin and the field at fault, for any inconsistency."""
    where = f"plugin {homework.id!r}"
    _validate_parameters(where, homework)
    seen: set[str] = set()
    for problem in homework.problems:
        if not problem.items:
            raise PluginError(f"{where}: problem {problem.id!r} has no items")
        for rule in problem.rules:
            if not 0 <= rule.credit <= 1 or not rule.feedback:
                raise PluginError(f"{where}: mistake rule {rule.id!r} needs a credit in [0, 1] and feedback")
        for item in problem.items:
            _validate_item(where, problem.id, item)
            if item.id in seen:
                raise PluginError(f"{where}: duplicate item id {item.id!r}")
            # an item builds on earlier answers only: grading carries errors forward in item order
            later = [d for d in item.depends_on if d not in seen]
            if later:
                raise PluginError(f"{where}, item {item.id!r}: depends on {later[0]!r}, which is not an earlier item")
            if item.depends_on and (problem.carry_forward is None or not 0 <= item.carry_credit <= 1):
                raise PluginError(f"{where}, item {item.id!r}: depends on other items, so its problem needs "
                                  "carry_forward and the item a carry_credit in [0, 1]")
            seen.add(item.id)
    for problem in homework.problems:
        for case in problem.self_tests:
            if case.item not in seen or not case.item.startswith(problem.id + "."):
                raise PluginError(f"{where}: a self-test of problem {problem.id!r} names unknown item {case.item!r}")
            if case.status not in _STATUSES:
                raise PluginError(f"{where}: self-test of {case.item!r} expects unknown status {case.status!r}")
    if homework.total_points is not None and abs(homework.max_score - homework.total_points) > 1e-9:
        raise PluginError(
            f"{where}: item points add up to {homework.max_score:g}, but total_points is {homework.total_points:g}"
        )


def _validate_item(where: str, problem_id: str, item: Item) -> None:
    at = f"{where}, item {item.id!r}"
    if not item.id.startswith(problem_id + "."):
        raise PluginError(f"{at}: id must start with its problem's id {problem_id!r} and a dot")
    if not item.points > 0:
        raise PluginError(f"{at}: points must be positive, got {item.points!r}")
    fault = options_fault(item)
    if fault is not None:
        raise PluginError(f"{at}: {fault}")
    for name, share in (("carry_credit", item.carry_credit), ("mistake_credit", item.mistake_credit)):
        if share is not None and not 0 <= share <= 1:
            raise PluginError(f"{at}: {name} must be in [0, 1], got {share!r}")
    for mistake in item.mistakes:
        if not 0 <= mistake.credit <= 1 or not mistake.feedback:
            raise PluginError(f"{at}: mistake {mistake.answer!r} needs a credit in [0, 1] and feedback")


def _validate_parameters(where: str, homework: Homework) -> None:
    names = [p.name for p in homework.parameters]
    if len(set(names)) != len(names):
        raise PluginError(f"{where}: parameter names must be distinct")
    for parameter in homework.parameters:
        if parameter.default not in parameter.values():
            raise PluginError(f"{where}: parameter {parameter.name!r}'s default {parameter.default!r} is not one "
                              "of its values")
    if homework.parameters and homework.vary is None:
        raise PluginError(f"{where}: a homework with parameters needs `vary`, which builds a variant's problems")
    why = homework.constraint(homework.default_variant.as_dict()) if homework.constraint is not None else None
    if why is not None:
        raise PluginError(f"{where}: the default variant breaks the parameters' constraint: {why}")

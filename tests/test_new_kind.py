"""A new answer kind is one file: a third-party `percent` kind, registered through the `grader.kinds` entry point.

Everything the percent kind needs is in this file (the kind below, and its homework); nothing in
grader/ knows it. The tests show that the registry, validation, grading, the template, the JSON
schema and `grader check` all take it from its one Kind object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import EntryPoint

import pytest
from typer.testing import CliRunner

from grader.authoring.keys import build_key
from grader.cli import app
from grader.core.errors import UsageError
from grader.core.homework import Homework, Item, Problem
from grader.core.kinds import Kind
from grader.core.models import RawAnswer, Status, Student, Submission
from grader.core.verdict import Verdict
from grader.grading.grade import grade
from grader.math.errors import FormatError
from grader.plugins import kinds as registry
from grader.plugins.homeworks import PluginError, validate_homework
from grader.render.schema import build_schema
from grader.render.template import render_template
from tests.runtimes import INLINE

# --- the kind: everything below up to the homework is what a kind's author writes ------------------


@dataclass(frozen=True)
class PercentOptions:
    """Options of a `percent` item: how many percentage points an answer may be off."""

    tolerance: float = 0.5


def read(text: str, item: Item) -> float:
    """`45%`, `45 %` or `0.45`: the percentage as a number."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(%?)\s*", text)
    if match is None:
        raise FormatError("this is not a percentage", text=text, hint="write it like 12 %")
    value = float(match.group(1))
    return value if match.group(2) else 100 * value


def compare(given: float, expected: float, item: Item) -> Verdict:
    options = PERCENT.options_of(item)
    return Verdict(1.0) if abs(given - expected) <= options.tolerance else Verdict(0.0, "Not the expected share.")


def validate(item: Item) -> str | None:
    return "the tolerance must not be negative" if item.options.tolerance < 0 else None


PERCENT = Kind(
    name="percent", read=read, compare=compare, show=lambda value: f"{value:g} %",
    how_to_answer=lambda item: "a percentage, e.g. 12 %", json_schema=lambda item: {"type": ["string", "number"]},
    options=PercentOptions, default_options=PercentOptions, validate=validate,
    needs_bounds=lambda text: False,
)

# --- a homework that uses it ------------------------------------------------------------------------

SHARE = Item("s1.share", "percent", 2, "What share of 200 images is 50?")
SHARES = Homework("shares", "Shares", (Problem("s1", "Shares", (SHARE,), reference=lambda: {"s1.share": "25 %"}),),
                  key_package="tests", key_file="shares.yaml")


@pytest.fixture
def percent_kind(monkeypatch):
    """The percent kind registered as a third-party package would: an entry point of group grader.kinds."""
    installed = registry.entry_points(group=registry.ENTRY_POINT_GROUP)
    ours = EntryPoint("percent", f"{__name__}:PERCENT", registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [*installed, ours])
    registry.kinds.cache_clear()
    yield PERCENT
    registry.kinds.cache_clear()


def test_the_registry_finds_a_kind_by_its_entry_point(percent_kind):
    """The registry holds the built-in kinds and the new one, found from its entry point alone."""
    found = registry.kinds()
    assert found["percent"] is PERCENT
    assert {"number", "shape", "expression", "equation", "choice", "text"} <= set(found)


def test_an_item_of_the_new_kind_is_validated_by_it(percent_kind):
    """The kind's own validation runs when a homework is vetted; an unknown kind is refused without it."""
    validate_homework(SHARES)
    bad = Homework("shares", "Shares", (Problem("s1", "Shares", (Item("s1.share", "percent", 2, "?",
                                                                       PercentOptions(-1)),), reference=dict),),
                   key_package="tests", key_file="shares.yaml")
    with pytest.raises(PluginError, match="item 's1.share': the tolerance must not be negative"):
        validate_homework(bad)


def test_an_unknown_kind_is_refused_naming_the_kinds():
    """Without its entry point, the kind is unknown: the plugin error lists the kinds there are."""
    with pytest.raises(PluginError, match=r"unknown kind 'percent' \(kinds: choice, equation, expression"):
        validate_homework(SHARES)


@pytest.mark.parametrize("text, status", [("25%", Status.CORRECT), ("0.25", Status.CORRECT), ("25.4 %", Status.CORRECT),
                                          ("30 %", Status.INCORRECT), ("a quarter", Status.INVALID)],
                         ids=["percent", "fraction", "within-tolerance", "wrong", "unreadable"])
def test_answers_of_the_new_kind_are_graded(percent_kind, text, status):
    """Grading reads, compares and shows answers with the kind; an unreadable one is invalid with its hint."""
    key = build_key(SHARES)
    submission = Submission(homework="shares", student=Student(id="ada"),
                            answers={"s1.share": RawAnswer(text=text, line=3)})
    (item,) = grade(submission, SHARES, key, INLINE).items
    assert item.status is status and item.expected == "25 %"
    if status is Status.INVALID:
        assert "write it like 12 %" in item.feedback


def test_the_template_and_schema_describe_the_new_kind(percent_kind):
    """The blank template says how to answer and the JSON schema types the answer, both from the kind."""
    assert "[percent, 2 points; a percentage, e.g. 12 %]" in render_template(SHARES)
    fragment = build_schema(SHARES)["definitions"]["item:s1.share"]["anyOf"][0]
    assert fragment["type"] == ["string", "number"] and fragment["title"] == "s1.share"


def test_a_kind_must_be_a_kind(monkeypatch):
    """An entry point that is not a Kind is one clear error naming it."""
    bogus = EntryPoint("percent", f"{__name__}:SHARE", registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [bogus])
    registry.kinds.cache_clear()
    try:
        with pytest.raises(UsageError, match="must export a grader.core.kinds.Kind"):
            registry.kinds()
    finally:
        registry.kinds.cache_clear()


def test_grader_check_grades_a_file_of_the_new_kind(percent_kind, register_homework, tmp_path, monkeypatch):
    """End to end: `grader check` on a submission of a homework that uses the new kind."""
    import grader.api

    register_homework("shares", f"{__name__}:SHARES")
    monkeypatch.setattr(grader.api, "committed_key", lambda homework_id: build_key(SHARES))
    path = tmp_path / "ada.yaml"
    path.write_text("homework: shares\nanswers:\n  s1.share: 25 %\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"status": "correct"' in result.output and '"kind": "percent"' in result.output

"""Property-based tests end to end: any answer of any kind, and any file, gives a verdict or a usage error."""

from __future__ import annotations

import json
import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.core.errors import UsageError
from grader.core.key import load_key
from grader.core.models import RawAnswer, Result, Status
from grader.grading.grade import grade, grade_item
from grader.io.submission import load_submission_text
from grader.render.json_result import render_json
from grader.render.safe_text import json_safe, runner_safe, terminal_safe
from grader.render.text import render_text
from problems.hw2_cnn import HOMEWORK
from tests.runtimes import BOUNDED

KEY = load_key(HOMEWORK)
ITEMS = HOMEWORK.items  # every item, so every kind and every item's options are exercised

# Fragments of numbers, shapes, formulas, LaTeX and code, so random text often gets deep into a parser.
PIECES = [
    *"0123456789.+-*/^()[]{},⌊⌋⌈⌉ xX×·HkspdrC_²⁻$\\=!'\"%;:|<>&", "**", "//", "max(", "floor(", "sqrt(", "ceil(",
    r"\frac{", "}{", "C_{in}", "k_h", "10^", "9^9^", r"\left(", r"\right)", r"\times", "e7", "e999", "45.9M", "1,024",
    "__import__", "lambda", "os.system(", "<script>", "\x1b[2J", "\u202e", "\ud800", "NaN", "inf", "zoo", "oo", "I",
]
TEXT = st.one_of(st.text(max_size=300), st.lists(st.sampled_from(PIECES), max_size=80).map("".join))


def check_item_result(result, item) -> None:
    assert result.id == item.id and result.kind == item.kind
    assert isinstance(result.status, Status) and result.status is not Status.MISSING
    assert 0.0 <= result.score <= item.points
    if result.status is Status.INVALID:
        assert result.feedback and result.score == 0
    json.loads(result.model_dump_json())  # always serialisable


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item=st.sampled_from(ITEMS), text=TEXT)
def test_any_answer_to_any_item_gets_a_verdict(item, text):
    """Any text as the answer to any item (every kind) is graded: a status, a score in range, never an exception."""
    result = grade_item(item, RawAnswer(text=text, line=1), KEY.answers[item.id], HOMEWORK, BOUNDED)
    check_item_result(result, item)


YAMLISH = st.lists(st.sampled_from([
    "homework: hw2-cnn\n", "answers:\n", "  p4.layer1.rf: ", "  p4.layer1.output: ", "  p4.formula.conv_out: ",
    "  p4:\n    layer1:\n      params: ", "student: {id: ", "}\n", "'", '"', "&a ", "*a ", "!!python/name:os.system ",
    "[", "]", "{", "}", "- ", ": ", "\n", "  ", "\t", "#", "|\n  ", "9^9^9", "256x256x32", "(7*7*3+1)*32", "H/s",
    "\\frac{H}{s}", "<script>", "\x00", "\ufeff", "é", "---\n", "? ", "<<: *a\n",
]), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(YAMLISH, YAMLISH.map(lambda t: "homework: hw2-cnn\nanswers:\n" + t), st.binary(max_size=400)),
       source=st.sampled_from(["ada.yaml", "ada.json"]))
def test_any_file_is_graded_or_is_a_usage_error(data, source):
    """Any file either raises UsageError or loads and grades into a Result that renders as JSON and text."""
    try:
        submission = load_submission_text(data, source=source, known_ids=HOMEWORK.item_ids)
    except UsageError as error:
        assert error.message
        return
    if submission.homework != HOMEWORK.id:
        return
    result = grade(submission, HOMEWORK, KEY, BOUNDED)
    assert isinstance(result, Result) and [i.id for i in result.items] == list(HOMEWORK.item_ids)
    assert 0 <= result.score <= result.max_score
    json.loads(render_json(result))
    render_text(result)


@given(text=st.text())
def test_terminal_safe_leaves_no_control_characters(text):
    """terminal_safe output has no control characters (and newlines only when kept)."""
    for keep in (False, True):
        safe = terminal_safe(text, keep_newlines=keep)
        assert not any(unicodedata.category(ch) == "Cc" and not (keep and ch == "\n") for ch in safe)
        assert "\u202e" not in safe


# Runner-command material: colons, hashes, brackets, blanks, line ends and invisible characters.
COMMAND_PIECES = [*"::##[] \t\r\n\u00a0\u2028\u200b\u2060\ufeff\x00ax", "::set-output name=score::1", "##[error]"]
COMMAND_TEXT = st.lists(st.sampled_from(COMMAND_PIECES), max_size=60).map("".join)


@given(text=st.one_of(st.text(), COMMAND_TEXT))
def test_runner_safe_leaves_no_workflow_command(text):
    """No line of runner_safe's output (split as the runner splits) starts with `::` or holds `##[`,
    invisible characters skipped; text with neither, however written, is returned unchanged."""
    safe = runner_safe(text)
    for line in re.split("\r\n|\r|\n", safe):
        shown = "".join(ch for ch in line if unicodedata.category(ch) not in ("Cc", "Cf"))
        assert not shown.lstrip().startswith("::") and "##[" not in shown
    if ":" not in text and "#" not in text:
        assert safe == text


@given(value=st.recursive(st.one_of(st.text(), COMMAND_TEXT), lambda children: st.lists(children, max_size=4)))
def test_json_safe_keeps_the_value_on_one_line(value):
    """json_safe'd JSON decodes to the same value, is one line for str.splitlines(), and holds no `##[`."""
    safe = json_safe(json.dumps(value, ensure_ascii=False))
    assert json.loads(safe) == value and len(safe.splitlines()) == 1 and "##[" not in safe

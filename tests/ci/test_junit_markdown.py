"""JUnit XML (parsed with xml.etree) and Markdown: one test case or table row per item, feedback included, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from grader.api import check_file
from grader.render.junit import render_junit
from grader.render.markdown import md_escape, render_markdown

from .conftest import HOMEWORK, PARTIAL_CHANGES, make_submission


@pytest.mark.parametrize("name, failures", [("correct", 0), ("partial", 5), ("wrong", 91)])
def test_junit_counts(graded, name, failures):
    """Suites and the root count one test per item and one failure per item short of full points."""
    root = ET.fromstring(render_junit(graded(name)))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("91", str(failures), "0")
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == [f"hw2-cnn.{problem.id}" for problem in HOMEWORK.problems]
    assert sum(int(suite.get("tests")) for suite in suites) == 91
    cases = root.iter("testcase")
    assert [case.get("name") for case in cases] == [item.id for item in HOMEWORK.items]
    assert len(list(root.iter("failure"))) == failures


@pytest.mark.parametrize(
    "item_id, kind, points, needle",
    [
        pytest.param("p4.layer1.params", "incorrect", "0/0.5", "This is not the expected value.", id="incorrect"),
        pytest.param("p4.layer2.output", "partial", "0.25/0.5", "spatial size", id="partial"),
        pytest.param("p4.layer3.rf", "missing", "0/0.5", "No answer given.", id="missing"),
        pytest.param("p4.layer4.params", "invalid", "0/0.5", "'x' is not allowed here", id="invalid"),
        pytest.param("p4.formula.conv_out", "incorrect", "0/1.5", "Not equivalent", id="counterexample"),
    ],
)
def test_junit_failures_carry_the_feedback(graded, item_id, kind, points, needle):
    """A failure's type is the item's status; message and body hold points and feedback; properties hold points."""
    root = ET.fromstring(render_junit(graded("partial")))
    case = next(case for case in root.iter("testcase") if case.get("name") == item_id)
    failure = case.find("failure")
    assert failure.get("type") == kind
    assert points in failure.get("message") and needle in failure.get("message")
    assert needle in failure.text
    properties = {p.get("name"): p.get("value") for p in case.find("properties")}
    assert properties["status"] == kind and f"{properties['score']}/{properties['max_score']}" == points


def test_junit_points_at_the_answer_line(graded):
    """Answered items carry the submission file and their line; a missing one has no line."""
    root = ET.fromstring(render_junit(graded("partial")))
    cases = {case.get("name"): case for case in root.iter("testcase")}
    lines = {item.id: item.line for item in graded("partial").items}
    assert cases["p4.layer2.output"].get("line") == str(lines["p4.layer2.output"])
    assert cases["p4.layer2.output"].get("file").endswith("partial.yaml")
    assert cases["p4.layer3.rf"].get("line") is None


def test_junit_survives_hostile_text(tmp_path):
    """Control characters, markup and quotes in an answer still give well-formed XML."""
    hostile = '"<b>&\x01\x1b[31m</b>\' ]]>"'
    path = make_submission(tmp_path, {"p4.layer1.params": hostile, "p4.layer2.output": "<script>alert(1)</script>"})
    root = ET.fromstring(render_junit(check_file(path)))  # yaml.safe_dump wrote \x01 as an escape
    body = "".join(failure.text for failure in root.iter("failure"))
    assert "<script>alert(1)</script>" in body
    assert "your answer: \"<b>&\ufffd\ufffd[31m</b>' ]]>\"" in body


# --- Markdown -------------------------------------------------------------------------------------


def test_markdown_has_a_row_per_item_and_the_total(graded):
    """The report has the score line, a table row per answered item, and one line for the unanswered ones."""
    text = render_markdown(graded("partial"))
    assert "**Score: 96.75 / 100 (96.8%)**" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "<code>p4." in line]
    assert len(rows) == 64
    assert "⬜ Not answered (1, 0.5 points): <code>p4.layer3.rf</code>" in text
    row = next(line for line in rows if "p4.layer2.output" in line)
    assert row.startswith("| 🟡 |") and "0.25 / 0.5" in row and "spatial size" in row
    assert "expected: 126 × 126 × 64" in row


@pytest.mark.parametrize(
    "text, escaped",
    [
        pytest.param("a | b", r"a \| b", id="pipe-keeps-the-table"),
        pytest.param("<script>", "&lt;script&gt;", id="no-html"),
        pytest.param("2*p*k_h", r"2\*p\*k\_h", id="no-emphasis"),
        pytest.param("$x$ `y` [z](u)", r"\$x\$ \`y\` \[z\](u)", id="no-math-code-links"),
        pytest.param("line1\nline2", "line1<br>line2", id="one-cell"),
    ],
)
def test_markdown_escapes_student_text(text, escaped):
    """Student text cannot break the table or inject markup."""
    assert md_escape(text) == escaped


def test_markdown_caret_diagram_keeps_its_spacing(graded):
    """The caret under an unreadable spot stays aligned (spaces kept in a code span)."""
    row = next(line for line in render_markdown(graded("partial")).splitlines() if "p4.layer4.params" in line)
    assert "<code>&nbsp;&nbsp;7e3x</code><br><code>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;^</code>" in row


def test_markdown_lists_loader_warnings(tmp_path):
    """Warnings about the file (e.g. an unknown item id) follow the tables."""
    result = check_file(make_submission(tmp_path, {**PARTIAL_CHANGES, "p4.layer9.output": "1 x 1 x 1"}))
    text = render_markdown(result)
    assert "**Warnings**" in text and "p4.layer9.output" in text

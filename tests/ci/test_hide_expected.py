"""`--hide-expected`: no expected answer of the key in any format, annotation, summary or step output.

What counts as a leak: an item's answer as the key states it or as the grader shows it
(`expected`), in any notation the formats print: a count with or without digit grouping, a
shape's dimensions in order, a formula's text. Feedback stays, including a formula's
counterexample ("at H = 3, k = 2 … it should give 1"): one value of the reference formula at
a point the student's formula gets wrong is a hint, not the answer. Short counts (under 4
digits, like 0 or 64, or a one-axis shape like 10) cannot be told apart from other numbers in
a report, so they are left out of the search, and so are choices (every option is named in the
prompt); the `expected: null` check below covers them.
Markdown and HTML escaping is undone before searching: an escaped answer is still shown.
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli import app

from .conftest import KEY, KINDS, make_submission, wrong_answers
from .test_github_actions import actions_env, outputs

FORMATS = ["text", "json", "markdown", "gradescope", "junit", "classroom", "html"]
_GROUPING = re.compile(r"(?<=\d)[,_ \u00a0\u2009\u202f](?=\d{3}(?!\d))")


def leak_patterns(graded_visible) -> dict[str, re.Pattern]:
    """Item id → a pattern matching its expected answer as the key or the grader writes it."""
    patterns = {}
    for item in graded_visible.items:
        key = KEY[item.id]
        if KINDS[item.id] == "number":
            if len(key) >= 4:
                patterns[item.id] = re.compile(rf"(?<!\d){re.escape(key)}(?!\d)")
        elif KINDS[item.id] == "shape":
            dims = re.findall(r"\d+", item.expected)
            if len(dims) > 1 or len(dims[0]) >= 4:
                patterns[item.id] = re.compile(r"(?<!\d)" + r"\D{1,5}".join(dims) + r"(?!\d)")
        elif KINDS[item.id] == "choice":
            continue  # the options are listed in the prompt itself; `expected: null` covers them
        else:
            patterns[item.id] = re.compile("|".join(re.escape(text) for text in {key, item.expected}))
    return patterns


def everything_written(tmp_path: Path, submission: Path, fmt: str, hide: bool) -> str:
    """All a student can see from one run inside Actions: stdout, stderr, summary, step outputs (decoded)."""
    (tmp_path / fmt).mkdir()
    env = actions_env(tmp_path / fmt)
    report = tmp_path / fmt / "report.html"
    if fmt == "html":  # the HTML report, written beside the text view
        options = ["check", str(submission), "--html", str(report)]
    else:
        options = ["check", str(submission), "--format", fmt]
    options += ["--hide-expected"] if hide else []
    run = CliRunner().invoke(app, options, env=env)
    assert run.exit_code == 0, run.output
    found = outputs(env["GITHUB_OUTPUT"])
    decoded = base64.b64decode(found.pop("result")).decode("utf-8") if "result" in found else ""
    page = report.read_text(encoding="utf-8") if report.exists() else ""
    text = "\n".join([run.stdout, run.stderr, Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8"),
                      json.dumps(found, ensure_ascii=False), decoded, page])
    return _GROUPING.sub("", _unescape(text))


def _unescape(text: str) -> str:
    """Undo Markdown/HTML escaping, so an escaped answer (`C\\_in\\*k`, `&lt;`) still counts as shown."""
    return html.unescape(re.sub(r"\\([\\`*_\[\]|~$])", r"\1", text))


@pytest.fixture(scope="module")
def wrong(tmp_path_factory):
    folder = tmp_path_factory.mktemp("leak")
    return make_submission(folder, name="wrong", answers=wrong_answers())


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_expected_answer_leaks(tmp_path, wrong, graded, fmt):
    """With --hide-expected, no item's expected answer appears anywhere a student looks, in any format."""
    patterns = leak_patterns(graded("wrong"))
    seen = everything_written(tmp_path, wrong, fmt, hide=True)
    leaked = sorted(item_id for item_id, pattern in patterns.items() if pattern.search(seen))
    assert leaked == []
    assert "expected:" not in seen
    assert "Not equivalent" in seen  # hints and feedback stay


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_leak_search_finds_shown_answers(tmp_path, wrong, graded, fmt):
    """Control: without --hide-expected the same search finds the expected answers, so the test above can fail."""
    patterns = leak_patterns(graded("wrong"))
    seen = everything_written(tmp_path, wrong, fmt, hide=False)
    found = {item_id for item_id, pattern in patterns.items() if pattern.search(seen)}
    assert found == set(patterns)


def test_json_withholds_every_expected_field(graded):
    """In the result model itself every `expected` is null, short answers included."""
    result = graded("wrong", hide_expected=True)
    assert {item.expected for item in result.items} == {None}
    assert all(item.feedback for item in result.items)

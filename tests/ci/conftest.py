"""Builders for the CI-format tests: submissions derived from the answer key, graded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grader.api import check_file
from grader.core.key import key_path
from grader.plugins.homeworks import load_homework

HOMEWORK = load_homework("hw2-cnn")
KEY: dict[str, str] = yaml.safe_load(key_path(HOMEWORK).read_text(encoding="utf-8"))["answers"]
KINDS = {item.id: item.kind for item in HOMEWORK.items}

# A partly wrong submission: one of each status but `correct` (which the other 86 items are).
PARTIAL_CHANGES: dict[str, str | None] = {
    "p4.layer1.params": "4737",                              # incorrect
    "p4.layer2.output": "126 x 126 x 32",                    # partial (spatial size right)
    "p4.layer3.rf": None,                                    # missing
    "p4.layer4.params": "7e3x",                              # invalid
    "p4.formula.conv_out": "floor((H + 2p - k)/s)",          # incorrect, with a counterexample
}
# Wrong on every item, with a well-formed answer of the item's kind.
WRONG_BY_KIND = {"number": "1", "shape": "1 x 1 x 1", "expression": "1", "equation": "f(x) = T(x)",
                 "text": "I do not know."}


def make_submission(
    folder: Path,
    changes: dict[str, str | None] | None = None,
    *,
    name: str = "ada",
    student: dict | None = None,
    answers: dict[str, str] | None = None,
) -> Path:
    """Write a submission: the key's answers (or `answers`) with `changes` applied (None drops an item)."""
    written = dict(KEY if answers is None else answers)
    for item_id, text in (changes or {}).items():
        if text is None:
            written.pop(item_id, None)
        else:
            written[item_id] = text
    document = {
        "homework": HOMEWORK.id,
        "student": student if student is not None else {"id": name, "name": "Ada Lovelace"},
        "answers": written,
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=200), encoding="utf-8")
    return path


def wrong_answers() -> dict[str, str]:
    """A well-formed but wrong answer for every item.

    Shapes differ from item to item: were they all 1 × 1 × 1, each BatchNorm output would rightly
    follow from the 1 × 1 × 1 before it (error carried forward) and earn its points.
    """
    return {item.id: _wrong_choice(item) if item.kind == "choice"
            else f"1 x 1 x {1000 + index}" if item.kind == "shape" else WRONG_BY_KIND[item.kind]
            for index, item in enumerate(HOMEWORK.items)}


def _wrong_choice(item) -> str:
    """The first option of a choice item that is not the key's."""
    return next(c.name for c in item.options.choices if c.name != KEY[item.id])


@pytest.fixture(scope="session")
def ci_folder(tmp_path_factory) -> Path:
    """A session folder holding the sample submissions."""
    folder = tmp_path_factory.mktemp("ci")
    make_submission(folder, name="correct")
    make_submission(folder, PARTIAL_CHANGES, name="partial")
    make_submission(folder, name="wrong", answers=wrong_answers())
    return folder


@pytest.fixture(scope="session")
def graded(ci_folder):
    """`graded(name, hide_expected=False)`: the Result of a sample submission (cached)."""
    cache = {}

    def get(name: str, hide_expected: bool = False):
        if (name, hide_expected) not in cache:
            cache[name, hide_expected] = check_file(ci_folder / f"{name}.yaml", hide_expected=hide_expected)
        return cache[name, hide_expected]

    return get

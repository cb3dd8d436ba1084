"""The shape checker: H × W × C notations, accepted variants with notes, partial credit."""

import pytest

from grader.checks import shape
from grader.core.models import Status
from grader.homework import Item
from grader.math.errors import FormatError

ITEM = Item("p.output", "shape", 1, "Output shape.")
# layer2 of the homework: floor((256 - 5)/2) + 1 = 126 rows and columns, 64 filters.
LAYER2 = "126 × 126 × 64"


def verdict(text: str, key: str = LAYER2):
    return shape.compare(shape.read(text, ITEM), shape.read(key, ITEM), ITEM)


@pytest.mark.parametrize(
    "text",
    ["126x126x64", "126 × 126 × 64", "(126, 126, 64)", "[126, 126, 64]", "126 X 126 X 64", "126*126*64",
     "126 126 64", "$126 \\times 126 \\times 64$", "126·126·64"],
    ids=["x", "unicode", "tuple", "list", "capital-x", "star", "spaces", "latex", "middle-dot"],
)
def test_notations_are_correct(text):
    """Every shape notation of CONTRACT §1 reads the same and is correct."""
    result = verdict(text)
    assert result.status is Status.CORRECT and result.feedback == ""


@pytest.mark.parametrize(
    "text, note",
    [
        ("64 × 126 × 126", "Channels-first"),
        ("1 × 126 × 126 × 64", "batch"),
        ("(1, 64, 126, 126)", "Channels-first"),
        ("(N, 64, 126, 126)", "batch"),
    ],
    ids=["channels-first", "batch-of-one", "batch-and-channels-first", "symbolic-batch"],
)
def test_accepted_with_note(text, note):
    """Channels-first order and a leading batch of 1 get full credit with a note."""
    result = verdict(text)
    assert result.status is Status.CORRECT and note in result.feedback


@pytest.mark.parametrize(
    "text, score, words",
    [
        ("126 × 126 × 32", 0.5, "spatial size (H × W) is right"),
        ("125 × 125 × 64", 0.5, "number of channels is right"),
        ("64 × 125 × 125", 0.5, "number of channels is right"),
        ("125 × 125 × 32", 0.0, "Neither"),
        ("126 × 126", 0.0, "Expected 3 dimensions"),
        ("1016064", 0.0, "flattened"),
    ],
    ids=["wrong-channels", "wrong-spatial", "wrong-spatial-channels-first", "all-wrong", "two-dims", "flattened"],
)
def test_partial_and_wrong(text, score, words):
    """Half credit for the spatial size or the channels alone, with feedback naming which."""
    result = verdict(text)
    assert result.score == score and words in result.feedback


def test_feature_vector():
    """A linear layer's output is a number of features; `1 × 1024` is a batch of one."""
    assert verdict("1024", "1024").status is Status.CORRECT
    assert verdict("(1024,)", "1024").status is Status.CORRECT
    assert "batch" in verdict("1 x 1024", "1024").feedback
    assert verdict("1000", "1024").status is Status.INCORRECT


@pytest.mark.parametrize(
    "text, position",
    [("126 x 126 x C", 12), ("126 x x 64", 6), ("[126, 126", 0), ("", 0), ("126 x 0 x 64", 6),
     ("126 x 99999999999999999999 x 64", 6)],
    ids=["letter", "missing-dim", "unbalanced", "empty", "zero", "huge"],
)
def test_rejections_point_at_the_problem(text, position):
    """Unreadable shapes are FormatErrors whose caret points at the bad part."""
    with pytest.raises(FormatError) as caught:
        shape.read(text, ITEM)
    assert caught.value.position == position

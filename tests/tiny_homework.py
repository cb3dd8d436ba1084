"""A tiny synthetic homework for engine tests: one item of each built-in kind, its key computed by its own reference."""

from __future__ import annotations

from grader.authoring.keys import build_key
from grader.homework import (
    Choice,
    ChoiceOptions,
    Concept,
    ExpressionOptions,
    Homework,
    Item,
    Problem,
    SelfTest,
    TextOptions,
    Variable,
)

SIDE, DEPTH = 4, 8

ITEMS = (
    Item("t1.count", "number", 1, "How many cells has a 4 × 4 × 8 block?"),
    Item("t1.size", "shape", 1, "Its shape, H × W × C."),
    Item("t1.cells", "expression", 1, "Cells of an h × w × c block.",
         ExpressionOptions((Variable("h"), Variable("w"), Variable("c")))),
)
CHOICE = Item("t2.pick", "choice", 1, "Which is a prime?",
              ChoiceOptions((Choice("nine"), Choice("seven", ("7",)), Choice("four"))))
TEXT = Item("t2.why", "text", 1, "Why do blocks have as many cells as their volume?",
            TextOptions((Concept("one cell per unit of volume", 1.0, ("cell* each|every|per unit",)),)))


def _block() -> dict[str, str]:
    # Computed, as every key: the count from the side and depth, the formula as its own statement.
    return {"t1.count": str(SIDE * SIDE * DEPTH), "t1.size": f"{SIDE} × {SIDE} × {DEPTH}", "t1.cells": "h*w*c"}


def _words() -> dict[str, str]:
    return {"t2.pick": "seven", "t2.why": "One cell per unit of volume."}


TINY = Homework(
    "tiny", "A tiny homework",
    (
        Problem("t1", "Blocks", ITEMS, reference=_block,
                self_tests=(SelfTest("t1.count", "128", "correct"), SelfTest("t1.count", "129", "incorrect"))),
        Problem("t2", "Words", (CHOICE, TEXT), reference=_words),
    ),
    key_package="tests", key_file="tiny.yaml",
)
TINY_KEY = build_key(TINY)

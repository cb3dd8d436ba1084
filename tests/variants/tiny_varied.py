"""A homework of another author with parameters: the engine's variants work for any plugin, not only hw2-cnn."""

from __future__ import annotations

from grader.homework import Homework, Item, Parameter, Problem, Table, Variant

SIDES = (2, 3, 4, 5, 6)


def _problems(side: int) -> tuple[Problem, ...]:
    item = Item("b1.cells", "number", 1, f"How many cells has a <b>{side} × {side}</b> board?")
    return (Problem("b1", f"Boards of side {side}", (item,), reference=lambda: {"b1.cells": str(side * side)},
                    intro=(f"A board & its {side} rows:", Table(("row", "cells"), ((f"<{side}>", str(side)),)))),)


def _vary(variant: Variant) -> tuple[Problem, ...]:
    return _problems(variant["side"])


BOARDS = Homework(
    "boards", "Boards", _problems(4), key_package="tests", key_file="boards.yaml",
    parameters=(Parameter("side", 4, choices=SIDES, description="the board's side"),),
    # An odd side has no middle line between cells: this homework wants one.
    constraint=lambda values: "odd sides have no middle line" if values["side"] % 2 else None,
    vary=_vary,
)

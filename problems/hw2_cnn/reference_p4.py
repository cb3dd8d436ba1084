"""Computes Problem 4's key and its mistake values: torch analyses the network, sympy states the formulas."""

from __future__ import annotations

import sympy

from problems.hw2_cnn.architecture import LAYERS
from problems.hw2_cnn.assumptions import ASSUMPTIONS, Assumption
from problems.hw2_cnn.formulas import FORMULAS, WRONG_FORMULAS
from problems.hw2_cnn.layer_values import QUANTITIES, analyse, key_inputs, key_reports, layer_value, value
from problems.hw2_cnn.network import INPUT_SHAPE
from problems.hw2_cnn.p4_network import TOTALS, item_id, total


def _quantities(layer) -> tuple[str, ...]:
    return QUANTITIES if layer.has_rf_item else QUANTITIES[:3]


def compute_key() -> dict[str, str]:
    """Item id → key text for every Problem 4 item."""
    reports = key_reports()
    answers = {item_id(layer, q): value(reports[layer.name], q) for layer in LAYERS for q in _quantities(layer)}
    for name, formula in FORMULAS.items():
        answers[f"p4.formula.{name}"] = sympy.sstr(formula)
    for total_id, quantity in TOTALS.items():
        answers[total_id] = total(answers[item_id(layer, quantity)] for layer in LAYERS)
    return answers


def compute_mistakes() -> dict[str, list[tuple[str, str]]]:
    """Item id → (rule id, answer) for each mistake rule whose answer differs from the key (first rule per value).

    A layer's items under a rule come from that layer alone with the key's inputs (later layers
    follow from a student's own answers when grading: error carried forward); the totals from the
    whole network built under the rule; the formulas from formulas.py's builders.
    """
    key = compute_key()
    found: dict[str, list[tuple[str, str]]] = {}

    def add(item: str, rule: str, answer: str | None) -> None:
        taken = {key[item], *(a for _, a in found.get(item, ()))}
        if answer is not None and answer not in taken:
            found.setdefault(item, []).append((rule, answer))

    for layer in LAYERS:
        for quantity in _quantities(layer):
            for assumption in ASSUMPTIONS:
                if quantity in assumption.quantities:
                    add(item_id(layer, quantity), assumption.rule.id,
                        layer_value(layer, quantity, key_inputs(layer), assumption))
    for assumption in ASSUMPTIONS:
        for total_id, quantity in TOTALS.items():
            if quantity in assumption.quantities:
                add(total_id, assumption.rule.id, _network_total(assumption, quantity))
    for rule, formulas in WRONG_FORMULAS.items():
        for name, formula in formulas.items():
            add(f"p4.formula.{name}", rule, sympy.sstr(formula))
    return found


def _network_total(assumption: Assumption, quantity: str) -> str:
    """A total of the whole network built with the assumption applied to every layer."""
    reports = analyse(tuple(assumption.respec(layer) for layer in LAYERS), INPUT_SHAPE)
    return total(value(report, quantity, assumption) for report in reports.values())

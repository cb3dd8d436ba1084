"""Computes Problem 4's key and its mistake values: torch analyses the network, sympy states the formulas."""

from __future__ import annotations

from functools import cache

import sympy

from problems.hw2_cnn.architecture import NET, Net
from problems.hw2_cnn.assumptions import ASSUMPTIONS, Assumption
from problems.hw2_cnn.formulas import FORMULAS, WRONG_FORMULAS
from problems.hw2_cnn.layer_values import QUANTITIES, chain, key_inputs, key_reports, layer_value, value
from problems.hw2_cnn.p4_network import TOTALS, item_id, total


def _quantities(layer) -> tuple[str, ...]:
    return QUANTITIES if layer.has_rf_item else QUANTITIES[:3]


def compute_key(net: Net = NET) -> dict[str, str]:
    """Item id → key text for every Problem 4 item of the network `net` (a variant's, the homework's by default)."""
    reports = key_reports(net)
    answers = {item_id(layer, q): value(reports[layer.name], q) for layer in net.layers for q in _quantities(layer)}
    answers.update(_formula_texts())
    for total_id, quantity in TOTALS.items():
        answers[total_id] = total(answers[item_id(layer, quantity)] for layer in net.layers)
    return answers


def compute_mistakes(net: Net = NET) -> dict[str, list[tuple[str, str]]]:
    """Item id → (rule id, answer) for each mistake rule whose answer differs from the key (first rule per value).

    A layer's items under a rule come from that layer alone with the key's inputs (later layers
    follow from a student's own answers when grading: error carried forward); the totals from the
    whole network built under the rule; the formulas from formulas.py's builders.
    """
    key = compute_key(net)
    found: dict[str, list[tuple[str, str]]] = {}

    def add(item: str, rule: str, answer: str | None) -> None:
        taken = {key[item], *(a for _, a in found.get(item, ()))}
        if answer is not None and answer not in taken:
            found.setdefault(item, []).append((rule, answer))

    for layer in net.layers:
        for quantity in _quantities(layer):
            for assumption in ASSUMPTIONS:
                if quantity in assumption.quantities:
                    add(item_id(layer, quantity), assumption.rule.id,
                        layer_value(layer, quantity, key_inputs(layer, net), assumption, net))
    for assumption in ASSUMPTIONS:
        for total_id, quantity in TOTALS.items():
            if quantity in assumption.quantities:
                add(total_id, assumption.rule.id, _network_total(net, assumption, quantity))
    for rule, item, text in _wrong_formula_texts():
        add(item, rule, text)
    return found


@cache
def _formula_texts() -> dict[str, str]:
    """The formula items' key texts: the same for every variant (sympy prints them once per process)."""
    return {f"p4.formula.{name}": sympy.sstr(formula) for name, formula in FORMULAS.items()}


@cache
def _wrong_formula_texts() -> tuple[tuple[str, str, str], ...]:
    """(rule, item, text) of the formulas under each mistake rule, printed once per process."""
    return tuple((rule, f"p4.formula.{name}", sympy.sstr(formula))
                 for rule, formulas in WRONG_FORMULAS.items() for name, formula in formulas.items())


def _network_total(net: Net, assumption: Assumption, quantity: str) -> str | None:
    """A total of the whole network built with the assumption applied to every layer (None if it cannot be built)."""
    try:
        reports = chain(tuple(assumption.respec(layer) for layer in net.layers), net.input_shape)
    except ValueError:  # a rule that makes some layer impossible (ceil or no padding on a tight variant)
        return None
    return total(value(report, quantity, assumption) for report in reports.values())

"""Computes Problem 4's key: torch analyses the network, sympy states the formulas."""

from __future__ import annotations

import sympy

from grader.nets import analyze
from problems.hw2_cnn.architecture import LAYERS
from problems.hw2_cnn.formulas import FORMULAS
from problems.hw2_cnn.network import INPUT_SHAPE, build_network


def _hwc(shape: tuple[int, ...]) -> str:
    """torch's per-sample (C, H, W) as the homework's H × W × C; feature vectors as one number."""
    if len(shape) == 3:
        c, h, w = shape
        return f"{h} × {w} × {c}"
    return " × ".join(map(str, shape))


def compute_key() -> dict[str, str]:
    """Item id → key text for every Problem 4 item."""
    reports = {report.name: report for report in analyze(build_network(), INPUT_SHAPE)}
    answers: dict[str, str] = {}
    for layer in LAYERS:
        report = reports[layer.name]
        answers[f"p4.{layer.name}.output"] = _hwc(report.output_shape)
        answers[f"p4.{layer.name}.params"] = str(report.params)
        answers[f"p4.{layer.name}.macs"] = str(report.macs)
        if layer.has_rf_item:
            answers[f"p4.{layer.name}.rf"] = str(report.rf)
    for name, formula in FORMULAS.items():
        answers[f"p4.formula.{name}"] = sympy.sstr(formula)
    answers["p4.total_params"] = str(sum(r.params for r in reports.values()))
    answers["p4.total_macs"] = str(sum(r.macs for r in reports.values()))
    return answers

"""Problem 4's items recomputed from a student's own earlier answers (error carried forward)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from grader.homework import Carried
from grader.math.numbers import read_count
from grader.math.shapes import read_dims
from problems.hw2_cnn.architecture import NET, LayerSpec, Net
from problems.hw2_cnn.assumptions import ASSUMPTIONS
from problems.hw2_cnn.p4_network import TOTALS, item_id, total


@lru_cache(maxsize=256)
def _layer_items(net: Net) -> dict[str, tuple[LayerSpec, str]]:
    return {item_id(layer, q): (layer, q) for layer in net.layers for q in ("output", "params", "macs", "rf")}


def carry_forward(item: str, upstream: Mapping[str, str], net: Net = NET) -> Carried | None:
    """What `item` is in the network `net` (a variant's), computed by torch from `upstream` (dependency id → answer
    text, as the grader read it).

    Answers that are not plain numbers or shapes (the grader passes its own reading of them) leave
    nothing to follow: None.
    """
    if item in TOTALS:
        numbers = [read_count(text) for text in upstream.values()]
        return None if None in numbers else Carried(total(map(str, numbers)))
    # torch only for a layer's items: a total that follows is a sum of the student's own counts
    from problems.hw2_cnn.layer_values import Inputs, key_inputs, layer_value

    layer, quantity = _layer_items(net)[item]
    key = key_inputs(layer, net)
    shape, rf, output = key.shape, key.rf, None
    for dependency, text in upstream.items():
        dims = read_dims(text) if dependency.endswith(".output") else None
        if dependency == item_id(layer, "output"):
            if dims is None or len(dims) != 3:
                return None
            output = dims[:2]
        elif dependency.endswith(".output"):
            if dims is None:
                return None
            shape = (dims[2], dims[0], dims[1]) if len(dims) == 3 else dims  # H × W × C → torch's (C, H, W)
        else:
            rf = read_count(text)
            if rf is None or rf < 1:
                return None
    inputs = Inputs(shape, rf, key.jump, output)
    answer = layer_value(layer, quantity, inputs, None, net)
    if answer is None:
        return None
    mistakes = {}
    for assumption in ASSUMPTIONS:
        if quantity in assumption.quantities:
            wrong = layer_value(layer, quantity, inputs, assumption, net)
            if wrong is not None and wrong != answer:
                mistakes.setdefault(wrong, assumption.rule.id)
    return Carried(answer, tuple((rule, wrong) for wrong, rule in mistakes.items()))

"""The libyaml fast path of the submission loader composes exactly what the checked PyYAML path does."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grader.io import yaml_compose
from grader.io.yaml_compose import MAX_DEPTH, _compose, _deeper_than, _Loader

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "tests" / "data").rglob("*.yaml")) + [ROOT / "reference" / "hw2-cnn.yaml"]


def _slow(text: str):
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _shape(node, seen=None):
    """A comparable picture of a node graph: tags, values, styles and lines."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return ("alias", node.tag)
    seen = seen | {id(node)}
    line = node.start_mark.line if node.start_mark else None
    if isinstance(node.value, list):
        parts = [tuple(_shape(n, seen) for n in pair) if isinstance(pair, tuple) else _shape(pair, seen)
                 for pair in node.value]
        return (node.tag, line, parts)
    return (node.tag, line, node.value, node.style or None)  # plain: libyaml says "", PyYAML None


TEXTS = {
    "nested-and-dotted": "homework: hw2-cnn\nanswers:\n  p4:\n    layer1: {output: 1x2x3, params: 5}\n  p4.a: 3\n",
    "block-scalars": "a: |\n  line one\n  line two\nb: >\n  folded\n  text\n",
    "anchors": "a: &x 7\nb: *x\nc: [*x, *x]\n",
    "single-quoted-latex": "f: '$\\frac{a}{b} \\cdot 2$'\n",
    "double-quoted-plain": 'a: "p4: 7"\nb: "it\'s 3 x 3"\n',
    "unicode": "a: 256 × 256 × 32\nb: ⌊(H−k)/s⌋ + 1\n",
    "lists": "s: [256, 256, 32]\nt:\n  - 1\n  - 2\n",
    "comments-and-types": "# c\na: 0x10  # hex\nb: yes\nc: ~\nd: 1e5\ne: 2026-01-01\n",
}


@pytest.mark.parametrize("text", list(TEXTS.values()) + [p.read_text(encoding="utf-8") for p in FILES],
                         ids=list(TEXTS) + [p.relative_to(ROOT).as_posix() for p in FILES])
def test_fast_and_checked_paths_compose_the_same_graph(text):
    """Where the fast path is taken, its node graph (tags, values, styles, lines) equals PyYAML's."""
    if ('"' in text and "\\" in text) or "\t" in text:
        pytest.skip("such texts always take the checked path")
    try:
        fast = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):  # errors always come from the checked path
            _slow(text)
        return
    assert _shape(fast) == _shape(_slow(text))


@pytest.mark.parametrize(
    "text, deep",
    [("a: 1\n", False), ("a: " + "[" * 70 + "]" * 70 + "\n", True), ("a: &x [1, *x]\n", True)],
    ids=["flat", "deep-flow", "recursive-alias"],
)
def test_depth_guard_sends_deep_or_recursive_graphs_to_the_checked_path(text, deep):
    """_deeper_than measures nesting without recursion and treats a node inside itself as too deep."""
    try:
        root = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        pytest.skip("libyaml refuses it; the checked path reports it")
    assert _deeper_than(root, MAX_DEPTH) is deep


def test_many_indicators_take_the_checked_path(monkeypatch):
    """Texts that could nest deeper than the bound never reach libyaml's recursive composer."""
    calls = []
    monkeypatch.setattr(yaml_compose, "_FAST_LOADER", None)
    assert _compose("a: [1, 2]\n") is not None
    monkeypatch.setattr(yaml_compose, "_FAST_LOADER", yaml.CSafeLoader)
    real = yaml.compose
    monkeypatch.setattr(yaml, "compose", lambda *a, **k: calls.append(1) or real(*a, **k))
    _compose("a: " + "-" * yaml_compose._FAST_MAX_INDICATORS + "\n")
    assert calls == []

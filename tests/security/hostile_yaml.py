"""Submission files cheap to write and costly to compose: a megabyte of what costs a YAML composer most per byte.

Shared by the security corpus (`test_yaml_cost.py`: refused, with which message) and
`benchmarks/hostile_files.py` (how long and how much memory that takes).
"""

from __future__ import annotations

from dataclasses import dataclass

LIMIT = 1_000_000
HEADER = "homework: hw2-cnn\nstudent: {id: ada}\nanswers:\n  p4.layer1.rf: 7\n"
# The values before a shape's first unit: the root, homework and its value, student, its mapping,
# id and ada, answers and its mapping, p4.layer1.rf and 7, then the shape's key and its collection.
VALUES_BEFORE = 13


@dataclass(frozen=True)
class Shape:
    """`head`, then `unit` as often as fits in LIMIT bytes, then `tail`."""

    head: str
    unit: str
    tail: str = "\n"

    @property
    def text(self) -> str:
        room = LIMIT - len(self.head.encode()) - len(self.tail.encode())
        return self.head + self.unit * (room // len(self.unit.encode())) + self.tail


def _anchors(head: str) -> str:
    """A flow sequence of scalars with an anchor each, all different, up to the file limit."""
    units, size, n = [head], len(head) + 3, 0
    while size + len(f"&{n} a,") < LIMIT:
        units.append(f"&{n} a,")
        size += len(units[-1])
        n += 1
    return "".join(units) + "a]\n"


# Each holds far more than 100,000 values, which were all built before issue 14.
SHAPES: dict[str, str] = {
    "flow pairs": Shape(HEADER + "  junk: [", "a:,", "]\n").text,
    "flow pairs after a tab (PyYAML composes)": Shape("#\t\n" + HEADER + "  junk: [", "a:,", "]\n").text,
    "flow pairs after quoted LaTeX (PyYAML composes)": Shape(HEADER + '  p1.a: "\\\\frac{a}{b}"\n  junk: [', "a:,", "]\n").text,
    # libyaml reads the flow pairs with a tab after each colon, which splits `x:[1]`: PyYAML counts.
    "flow pairs after x:[1] (PyYAML counts)": Shape(HEADER + "  p1.a: x:[1]\n  junk: [", "a:,", "]\n").text,
    "flow scalars after x:[1]": Shape(HEADER + "  p1.a: x:[1]\n  junk: [", "a,", "a]\n").text,
    "flow scalars": Shape(HEADER + "  junk: [", "a,", "a]\n").text,
    "empty flow sequences": Shape(HEADER + "  junk: [", "[],", "[]]\n").text,
    "empty flow mappings": Shape(HEADER + "  junk: [", "{},", "{}]\n").text,
    "flow mapping keys": Shape(HEADER + "  junk: {", "a,", "a}\n").text,
    "deep and wide flow mappings": Shape(HEADER + "  junk: [", "{a: " * 60 + "b" + "}" * 60 + ",", "b]\n").text,
    "complex keys": Shape(HEADER + "  junk:\n", "    ? a\n").text,
    "block sequence": Shape(HEADER + "  junk:\n", "  - a\n").text,
    "block mapping keys": Shape(HEADER + "  junk:\n", "    a:\n").text,
    "anchors": _anchors(HEADER + "  junk: ["),
    "JSON, flow scalars": Shape('{"homework": "hw2-cnn", "answers": {"junk": [', "1,", "1]}}").text,
    "JSON past a long key (json.loads)": Shape(
        '{"' + "k" * 1100 + '": 1, "homework": "hw2-cnn", "answers": {"junk": [', "1,", "1]}}").text,
}
# Measured by the benchmark only, as they cost little before issue 14 too: aliases (each a
# reference, not a node), and texts costly to scan but of few values.
ALSO_MEASURED: dict[str, str] = {
    "aliases": Shape(HEADER + "  junk: [&a a,", "*a,", "a]\n").text,
    "long plain scalar on many lines": Shape(HEADER + "  junk: a\n", "   a\n").text,
    "one long plain scalar": Shape(HEADER + "  junk: ", "a").text,
    "many documents": Shape(HEADER, "---\n").text,
    "comments": Shape(HEADER, "#\n").text,
    "comments after a tab (PyYAML composes)": Shape("#\t\n" + HEADER, "#\n").text,
}


def file_name(text: str) -> str:
    return "ada.json" if text.startswith("{") else "ada.yaml"

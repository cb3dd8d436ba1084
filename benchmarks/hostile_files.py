"""Benchmark: wall time and peak memory of `grader check` on cheap-to-write, expensive-to-read files.

Each shape fills a submission up to the 1,000,000-byte limit with what costs the YAML composer
most per byte (flow pairs, empty collections, complex keys, anchors, aliases, documents, …).
Prints, per shape, the exit code, the wall time, the process's peak RSS and the first words
of the message; `--grade` also runs `grader grade --jobs 2` on a folder of the flow-pairs file
and a sample submission (peak RSS: the largest process of the tree). Goal (issue 14): every
shape answered in under a second and under 100 MB.
Usage: python benchmarks/hostile_files.py [--only NAME] [--grade]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = "homework: hw2-cnn\nstudent: {id: ada}\nanswers:\n  p4.layer1.rf: 7\n"
LIMIT = 1_000_000


def _fill(head: str, unit: str, tail: str = "\n") -> str:
    """`head`, then `unit` as often as fits under the file limit, then `tail`."""
    return head + unit * ((LIMIT - len(head.encode()) - len(tail.encode())) // len(unit.encode())) + tail


def _anchors(head: str) -> str:
    """A flow sequence of scalars with an anchor each, all different, up to the file limit."""
    units, size, n = [head], len(head) + 3, 0
    while size + len(f"&{n} a,") < LIMIT:
        units.append(f"&{n} a,")
        size += len(units[-1])
        n += 1
    return "".join(units) + "a]\n"


SHAPES: dict[str, str] = {
    "flow-pairs": _fill(HEADER + "  junk: [", "a:,", "]\n"),
    "flow-pairs, a tab (PyYAML path)": _fill("#\t\n" + HEADER + "  junk: [", "a:,", "]\n"),
    "flow-pairs, quoted LaTeX (PyYAML path)": _fill(HEADER + '  p1.a: "\\\\frac{a}{b}"\n  junk: [', "a:,", "]\n"),
    "flow-scalars": _fill(HEADER + "  junk: [", "a,", "a]\n"),
    "empty flow sequences": _fill(HEADER + "  junk: [", "[],", "[]]\n"),
    "empty flow mappings": _fill(HEADER + "  junk: [", "{},", "{}]\n"),
    "flow-mapping keys": _fill(HEADER + "  junk: {", "a,", "a}\n"),
    "deep and wide flow mappings": _fill(HEADER + "  junk: [", "{a: " * 60 + "b" + "}" * 60 + ",", "b]\n"),
    "complex keys (? )": _fill(HEADER + "  junk:\n", "    ? a\n"),
    "block sequence": _fill(HEADER + "  junk:\n", "  -\n"),
    "block mapping keys": _fill(HEADER + "  junk:\n", "    a:\n"),
    "anchors": _anchors(HEADER + "  junk: ["),
    "aliases": _fill(HEADER + "  junk: [&a a,", "*a,", "a]\n"),
    "long plain scalar on many lines": _fill(HEADER + "  junk: a\n", "   a\n"),
    "one long plain scalar": _fill(HEADER + "  junk: ", "a"),
    "many documents": _fill(HEADER, "---\n"),
    "comments": _fill(HEADER, "#\n"),
    "comments, a tab (PyYAML path)": _fill("#\t\n" + HEADER, "#\n"),
    "JSON, flow-scalars": _fill('{"homework": "hw2-cnn", "answers": {"junk": [', "1,", "1]}}"),
    "JSON past a long key (json.loads path)": _fill(
        '{"' + "k" * 1100 + '": 1, "homework": "hw2-cnn", "answers": {"junk": [', "1,", "1]}}"),
}


def run(command: list[str]) -> tuple[int, float, float, str]:
    """Exit code, wall seconds, peak RSS in MB (the largest process of the tree) and stderr's first line."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        message = err.read().decode("utf-8", "replace").strip().splitlines() or [""]
    return process.returncode, elapsed, usage.ru_maxrss / 1024, message[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the shapes whose name contains this")
    parser.add_argument("--grade", action="store_true", help="also time `grader grade` on the flow-pairs file")
    args = parser.parse_args()
    grader = str(Path(sys.executable).with_name("grader"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{'shape':<42} {'exit':>4} {'time':>7} {'peak RSS':>9}  message")
        for name, text in SHAPES.items():
            if args.only and args.only not in name:
                continue
            path = folder / ("ada.json" if text.startswith("{") else "ada.yaml")
            path.write_text(text, encoding="utf-8")
            code, elapsed, peak, message = run([grader, "check", str(path), "--format", "json"])
            print(f"{name:<42} {code:>4} {elapsed:>6.2f}s {peak:>6.0f} MB  {message.replace(str(path), 'FILE')[:70]}")
        if args.grade:
            for label, hostile in (("grader grade, two samples", False), ("grader grade, flow-pairs + a sample", True)):
                group = folder / "class"
                shutil.rmtree(group, ignore_errors=True)
                group.mkdir()
                shutil.copyfile(ROOT / "submissions" / "hw2-cnn" / "ben.yaml", group / "ben.yaml")
                if hostile:
                    (group / "ada.yaml").write_text(SHAPES["flow-pairs"], encoding="utf-8")
                else:
                    shutil.copyfile(ROOT / "submissions" / "hw2-cnn" / "lin.yaml", group / "lin.yaml")
                code, elapsed, peak, _ = run([grader, "grade", str(group), "-o", str(folder / "out"), "--jobs", "2"])
                print(f"{label:<42} {code:>4} {elapsed:>6.2f}s {peak:>6.0f} MB")


if __name__ == "__main__":
    main()

"""Benchmark: wall time and peak memory of `grader check` on cheap-to-write, expensive-to-read files.

Each shape (tests/security/hostile_yaml.py) fills a submission up to the 1,000,000-byte limit with
what costs the YAML composer most per byte (flow pairs, empty collections, complex keys,
anchors, aliases, documents, …).
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
sys.path.insert(0, str(ROOT))

from tests.security.hostile_yaml import ALSO_MEASURED, SHAPES, file_name  # noqa: E402


def run(command: list[str]) -> tuple[int, float, float, str]:
    """Exit code, wall seconds, peak RSS in MB (the largest process of the tree) and stderr's first line."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own peak RSS, and its children's
        elapsed = time.perf_counter() - start
        err.seek(0)
        message = err.read().decode("utf-8", "replace").strip().splitlines() or [""]
    return os.waitstatus_to_exitcode(status), elapsed, usage.ru_maxrss / 1024, message[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the shapes whose name contains this")
    parser.add_argument("--grade", action="store_true", help="also time `grader grade` on the flow-pairs file")
    args = parser.parse_args()
    grader = str(Path(sys.executable).with_name("grader"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{'shape':<50} {'exit':>4} {'time':>7} {'peak RSS':>9}  message")
        sample = ROOT / "submissions" / "hw2-cnn" / "ben.yaml"
        code, elapsed, peak, _ = run([grader, "check", str(sample), "--format", "json"])
        print(f"{'(a sample submission, for comparison)':<50} {code:>4} {elapsed:>6.2f}s {peak:>6.0f} MB")
        for name, text in {**SHAPES, **ALSO_MEASURED}.items():
            if args.only and args.only not in name:
                continue
            path = folder / file_name(text)
            path.write_text(text, encoding="utf-8")
            code, elapsed, peak, message = run([grader, "check", str(path), "--format", "json"])
            print(f"{name:<50} {code:>4} {elapsed:>6.2f}s {peak:>6.0f} MB  {message.replace(str(path), 'FILE')[:70]}")
        if args.grade:
            for label, hostile in (("grader grade, two samples", False), ("grader grade, flow-pairs + a sample", True)):
                group = folder / "class"
                shutil.rmtree(group, ignore_errors=True)
                group.mkdir()
                shutil.copyfile(ROOT / "submissions" / "hw2-cnn" / "ben.yaml", group / "ben.yaml")
                if hostile:
                    (group / "ada.yaml").write_text(SHAPES["flow pairs"], encoding="utf-8")
                else:
                    shutil.copyfile(ROOT / "submissions" / "hw2-cnn" / "lin.yaml", group / "lin.yaml")
                code, elapsed, peak, _ = run([grader, "grade", str(group), "-o", str(folder / "out"), "--jobs", "2"])
                print(f"{label:<50} {code:>4} {elapsed:>6.2f}s {peak:>6.0f} MB")


if __name__ == "__main__":
    main()

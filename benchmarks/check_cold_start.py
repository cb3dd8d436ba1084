"""Benchmark: wall time of a cold `grader check` (a fresh process each run) on a full submission.

Prints the first run, the median, min and max over N runs, and whether torch and sympy were
imported. Goal (issue 2): median ≤ 0.6 s on the 2-core development machine, torch never imported.
Usage: python benchmarks/check_cold_start.py [SUBMISSION] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import sys; from grader.cli import main; sys.argv = ['grader', 'check', sys.argv[1], '--format', 'json'];\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
    "print(', '.join(f\"{name} {'' if name in sys.modules else 'not '}imported\" for name in ('torch', 'sympy')),\n"
    "      file=sys.stderr)"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submission", nargs="?", default=str(ROOT / "reference" / "hw2-cnn.yaml"))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    grader = Path(sys.executable).with_name("grader")
    # Bytecode as an installed package has it (pip compiles on install; an editable install does not).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "grader"), str(ROOT / "problems")],
                   check=True, capture_output=True)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        done = subprocess.run([str(grader), "check", args.submission, "--format", "json"], capture_output=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"grader check failed ({done.returncode}): {done.stderr.decode()}")
    torch_note = subprocess.run([sys.executable, "-c", PROBE, args.submission], capture_output=True, text=True)
    print(f"submission: {args.submission}")
    print(f"grader check: runs {args.runs}  first {times[0]:.3f} s  median {statistics.median(times):.3f} s  "
          f"min {min(times):.3f} s  max {max(times):.3f} s")
    print(torch_note.stderr.strip().splitlines()[-1])
    # The floor under the figure above: what a bare interpreter and the libraries cost to start.
    for label, code in BASELINES:
        runs = [_time([sys.executable, "-c", code]) for _ in range(args.runs)]
        print(f"baseline {label:<28} median {statistics.median(runs):.3f} s")


BASELINES = (
    ("python -c pass", "pass"),
    ("import sympy (+ first Add)", "import sympy; sympy.Symbol('x') + 1"),
    ("import pydantic, typer, yaml", "import pydantic, typer, yaml; from pydantic import BaseModel"),
)


def _time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()

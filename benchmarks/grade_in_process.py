"""Benchmark: wall time of loading and of grading one submission in-process (homework and key loaded).

Prints the median and min of N loads of the file (read, YAML, ids checked), then the first
(cold-cache) grading and the median, min and max over N more. Run it before and after a change
to the loading or grading path; it never imports torch.
Usage: python benchmarks/grade_in_process.py [SUBMISSION] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submission", nargs="?", default=str(ROOT / "submissions" / "hw2-cnn" / "lin.yaml"))
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from grader.core.key import load_key
    from grader.grading.grade import grade
    from grader.io.submission import load_submission
    from grader.plugins.homeworks import load_homework
    from grader.runtime.sandbox import bounded_runtime

    loads = []
    for _ in range(args.runs):
        start = time.perf_counter()
        submission = load_submission(args.submission, known_ids=lambda name: load_homework(name).item_ids)
        loads.append(time.perf_counter() - start)
    homework = load_homework(submission.homework)
    key = load_key(homework)
    runtime = bounded_runtime()  # as `grader check`: checked answers are remembered after the first run
    times = []
    for _ in range(args.runs + 1):
        start = time.perf_counter()
        grade(submission, homework, key, runtime)
        times.append(time.perf_counter() - start)
    first, rest = times[0], times[1:]
    print(f"submission: {args.submission} ({len(submission.answers)} answers)")
    print(f"load: median {statistics.median(loads) * 1000:.2f} ms  min {min(loads) * 1000:.2f} ms")
    print(f"first: {first * 1000:.1f} ms  runs: {args.runs}  median: {statistics.median(rest) * 1000:.1f} ms  "
          f"min: {min(rest) * 1000:.1f} ms  max: {max(rest) * 1000:.1f} ms")
    print("torch imported" if "torch" in sys.modules else "torch not imported")


if __name__ == "__main__":
    main()

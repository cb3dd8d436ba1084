"""Benchmark: wall time of grading one submission in-process (homework, key and file already loaded).

Prints the first (cold-cache) grading and the median, min and max over N more runs. Run it
before and after a change to the grading path; it never imports torch.
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

    from grader.grading import grade
    from grader.key import load_key
    from grader.plugins import load_homework
    from grader.submission import load_submission

    submission = load_submission(args.submission, known_ids=lambda name: load_homework(name).item_ids)
    homework = load_homework(submission.homework)
    key = load_key(homework)
    times = []
    for _ in range(args.runs + 1):
        start = time.perf_counter()
        grade(submission, homework, key)
        times.append(time.perf_counter() - start)
    first, rest = times[0], times[1:]
    print(f"submission: {args.submission} ({len(submission.answers)} answers)")
    print(f"first: {first * 1000:.1f} ms  runs: {args.runs}  median: {statistics.median(rest) * 1000:.1f} ms  "
          f"min: {min(rest) * 1000:.1f} ms  max: {max(rest) * 1000:.1f} ms")
    print("torch imported" if "torch" in sys.modules else "torch not imported")


if __name__ == "__main__":
    main()

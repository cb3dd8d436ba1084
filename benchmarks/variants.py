"""Benchmark: per-student variants — computing a variant's key, a class's keys, and grading a class of variants.

1. Key per variant: `build_key` of N variants (distinct seeds) in one process with torch already loaded,
   wall and CPU milliseconds (median, 90th percentile, mean). Layer analyses are shared between
   networks, so the figure for a class's variants is what this measures, not a first key alone.
2. Roster: `grader key HOMEWORK --roster FILE --secret-file F -j JOBS` for N students, from an empty
   key cache (the process's whole wall time: startup, torch, the forks).
3. `grader grade` of N synthetic students (answers drawn per item as benchmarks/batch_throughput.py
   draws them, from each student's own key) with the secret, every key already kept, against the same
   class drawn from the homework's own key and graded without variants; interleaved runs.

Goals (issue 19, 2-core machine): ≤ 50 ms per variant with torch loaded; a 1,000-student roster ≤ 60 s.

Usage: python benchmarks/variants.py [--keys 100] [--roster 1000] [--grade 1000] [--runs 2] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_throughput import build_pools, synthetic_answer, timed  # noqa: E402

GRADER = str(Path(sys.executable).with_name("grader"))


def key_per_variant(count: int) -> None:
    import torch  # noqa: F401  (loaded before timing: the goal is with torch loaded)

    from grader.authoring.keys import build_key
    from grader.plugins.homeworks import homework_variant, load_homework

    homework = load_homework("hw2-cnn")
    build_key(homework)  # the first analyses import what torch imports lazily
    walls, cpus = [], []
    for n in range(count):
        varied = homework_variant(homework.id, homework.variant_from_seed(f"bench-{n}"))
        wall, cpu = time.perf_counter(), time.process_time()
        build_key(varied)
        walls.append(1000 * (time.perf_counter() - wall))
        cpus.append(1000 * (time.process_time() - cpu))
    for name, values in (("wall", walls), ("CPU", cpus)):
        values.sort()
        print(f"key per variant ({count} variants, torch loaded), {name}: median {statistics.median(values):.0f} ms, "
              f"p90 {values[int(0.9 * len(values))]:.0f} ms, mean {statistics.fmean(values):.0f} ms, "
              f"first {walls[0] if name == 'wall' else cpus[0]:.0f} ms")


def roster(count: int, jobs: int, tmp: Path) -> tuple[Path, Path]:
    secret, ids = tmp / "course.secret", tmp / "roster.txt"
    secret.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    ids.write_text("".join(f"s{i:05}\n" for i in range(count)), encoding="utf-8")
    cache = tmp / "keys"
    start = time.perf_counter()
    done = subprocess.run([GRADER, "key", "hw2-cnn", "--roster", str(ids), "--secret-file", str(secret),
                           "--key-cache", str(cache), "-j", str(jobs)], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(done.stderr)
    print(f"roster of {count} students, -j {jobs}: {time.perf_counter() - start:.1f} s wall ({done.stdout.strip()})")
    return secret, cache


def write_class(folder: Path, count: int, secret: bytes | None, cache: Path, seed: int) -> None:
    """Synthetic answers, each student's drawn from their own variant's key (or the homework's, without a secret)."""
    from grader.api import homework_for, key_of
    from grader.authoring.key_cache import KeyCache
    from grader.core.variant import Assignment

    rng, pools_of = random.Random(seed), {}
    keys = KeyCache(cache)
    folder.mkdir(parents=True)
    for i in range(count):
        student = f"s{i:05}"
        homework = homework_for("hw2-cnn", Assignment(secret=secret) if secret else None, student)
        key = key_of(homework, keys)
        pools = {}
        for item in homework.items:  # a class shares most key texts: each pool is drawn once
            found = pools_of.get((item.id, key.answers[item.id]))
            if found is None:
                found = pools_of[(item.id, key.answers[item.id])] = build_pools(
                    _one(homework, item), key, rng)[item.id]
            pools[item.id] = found
        answers = {item.id: a for item in homework.items if (a := synthetic_answer(item, pools, rng)) is not None}
        document = {"homework": "hw2-cnn", "student": {"id": student}, "answers": answers}
        (folder / f"{student}.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def _one(homework, item):
    """A stand-in homework of one item, for build_pools."""
    class One:
        items = (item,)
    return One


def grading(count: int, runs: int, jobs: int, secret_file: Path, cache: Path, tmp: Path) -> None:
    secret = secret_file.read_text(encoding="utf-8").strip().encode()
    varied, single = tmp / "class-variants", tmp / "class-single"
    write_class(varied, count, secret, cache, seed=1)
    write_class(single, count, None, cache, seed=1)
    commands = {
        "1 variant (no secret)": [GRADER, "grade", str(single), "-o", str(tmp / "out-single"), "--jobs", str(jobs)],
        f"{count} variants": [GRADER, "grade", str(varied), "-o", str(tmp / "out-variants"), "--jobs", str(jobs),
                              "--secret-file", str(secret_file), "--key-cache", str(cache)],
    }
    figures: dict[str, list[str]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            seconds, rss, pss, largest = timed(command)
            figures[name].append(f"{seconds:.1f} s ({count / seconds:.0f}/s, {pss:.0f} MB PSS)")
    for name, runs_of in figures.items():
        print(f"grader grade, {count} students, {name}, -j {jobs}: " + " / ".join(runs_of))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=100, help="variants whose keys are timed in-process")
    parser.add_argument("--roster", type=int, default=1000, help="students of the roster (keys from an empty cache)")
    parser.add_argument("--grade", type=int, default=1000, help="students graded (0: skip)")
    parser.add_argument("--runs", type=int, default=2, help="interleaved runs of each grading")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")
    key_per_variant(args.keys)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        secret, cache = roster(max(args.roster, args.grade), args.jobs, tmp)
        if args.grade:
            grading(args.grade, args.runs, args.jobs, secret, cache, tmp)


if __name__ == "__main__":
    main()

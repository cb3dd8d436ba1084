"""Benchmark: `grader grade` end to end on N synthetic submissions, against a naive baseline.

Submissions are mutations of the homework's answer key, drawn per item from what a class
writes: equivalent rewrites (other notation, expanded or implicit-multiplication formulas),
typical mistakes (FLOPs for MACs, a dimension off, a formula term dropped), random wrong
values (fresh per student), blanks, unreadable text and free text. Nothing here knows a
particular homework: mutations follow the item kinds.

Measured: wall time of the `grader grade` process (reports, CSV, JSONL and index included),
submissions/s, and the peak memory of the whole process tree (the parent plus its workers,
sampled from /proc every 0.1 s, PSS every 0.5 s), as PSS summed (pages shared by forked
workers split between them: what the tree takes from the machine), as RSS summed (shared
pages counted in every process that maps them) and as the largest single process's peak RSS.
The baseline grades a sample of the same
submissions the same way, but with the expression checker replaced by `sympy.simplify(given - expected) == 0`
and no memoisation (what a first implementation would do); its throughput is extrapolated.

Goals (issue 5, 2-core machine): 1,000 submissions with reports ≤ 15 s, peak RSS ≤ 600 MB,
time linear in N up to 10,000.

Usage: python benchmarks/batch_throughput.py [-n 1000 [-n 10000]] [--jobs 2] [--baseline-sample 60]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

FILLER = ("because", "the", "filter", "weights", "are", "shared", "so", "fewer", "parameters", "position", "any")

BASELINE = r"""
import sys, sympy
from dataclasses import replace
from grader.batch import grade_folder
from grader.core.verdict import Verdict
from grader.math.symbolic import to_sympy
from grader.plugins.kinds import kinds

def naive_compare(given, expected, item):
    return Verdict(1.0 if sympy.simplify(to_sympy(given) - to_sympy(expected)) == 0 else 0.0)

kinds()["expression"] = replace(kinds()["expression"], compare=naive_compare)
grade_folder(sys.argv[1], sys.argv[2], jobs=int(sys.argv[3]))
"""


# --- synthetic submissions ---------------------------------------------------------------------


def number_pool(text: str, rng: random.Random) -> dict[str, list[str]]:
    value = int(float(text.replace(",", "")))
    right = [str(value), f"{value:,}", f"{value:_}"]
    if value >= 10_000:
        right.append(f"{value / 1e6:.4g}M" if value >= 1_000_000 else f"{value / 1e3:.4g}K")
    wrong = [str(2 * value or 1), str(value + rng.choice((1, -1, 32, 64))), str(value * 3 // 4)]
    return {"right": right, "wrong": wrong, "garbage": ["lots", "4736 params?", "n/a"]}


def shape_pool(text: str, rng: random.Random) -> dict[str, list[str]]:
    dims = [int(d) for d in re.findall(r"\d+", text)]
    if len(dims) != 3:
        return {"right": [text], "wrong": [str(sum(dims) + 1)], "garbage": ["big"]}
    h, w, c = dims
    right = [f"{h}x{w}x{c}", f"{h} × {w} × {c}", f"({h}, {w}, {c})", f"[{c}, {h}, {w}]"]
    wrong = [f"{h - 2}x{w - 2}x{c}", f"{h}x{w}x{2 * c}", f"{h}x{w}", f"{h * 2}x{w * 2}x{c}"]
    return {"right": right, "wrong": wrong, "garbage": ["(256, 256", "square"]}


def expression_pool(text: str, item, rng: random.Random) -> dict[str, list[str]]:
    import sympy

    from grader.checks.expression import read
    from grader.math.symbolic import to_sympy

    expr = to_sympy(read(text, item))
    printed = sympy.sstr(expr)
    right = {printed, sympy.sstr(sympy.expand(expr)), printed.replace("**", "^"),
             re.sub(r"(?<![*])\*(?![*])", " ", printed)}
    symbols = sorted(expr.free_symbols, key=str)
    wrong = set()
    for symbol in symbols:
        wrong.add(sympy.sstr(expr.subs(symbol, 1)))  # a factor or term forgotten
        wrong.add(sympy.sstr(expr + symbol))
    wrong.add(sympy.sstr(2 * expr))
    wrong.discard(printed)
    return {"right": sorted(right), "wrong": sorted(wrong)[:6], "garbage": [printed + ")", "f(x)", "H +* k"]}


def other_pool(text: str) -> dict[str, list[str]]:
    return {"right": [text, text.upper(), f" {text} "], "wrong": ["none of these", "not sure"], "garbage": ["?"]}


def build_pools(homework, key, rng: random.Random) -> dict[str, dict[str, list[str]]]:
    pools = {}
    for item in homework.items:
        text = key.answers[item.id]
        if item.kind == "number":
            pools[item.id] = number_pool(text, rng)
        elif item.kind == "shape":
            pools[item.id] = shape_pool(text, rng)
        elif item.kind == "expression":
            pools[item.id] = expression_pool(text, item, rng)
        else:
            pools[item.id] = other_pool(text)
    return pools


def synthetic_answer(item, pools, rng: random.Random) -> str | None:
    pool = pools[item.id]
    roll = rng.random()
    if item.kind == "text":
        words = text_words = pool["right"][0].split()
        return " ".join(rng.sample(text_words, min(len(words), 8)) + rng.sample(FILLER, 4))
    if roll < 0.62:
        return rng.choice(pool["right"])
    if roll < 0.85:
        return rng.choice(pool["wrong"])
    if roll < 0.92:  # a random wrong value, different for every student
        return str(rng.randint(2, 10**7)) if item.kind == "number" else rng.choice(pool["wrong"]) + f" + {rng.randint(2, 9)}"
    if roll < 0.97:
        return None
    return rng.choice(pool["garbage"])


def write_class(folder: Path, n: int, homework, pools, seed: int) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        answers = {}
        for item in homework.items:
            answer = synthetic_answer(item, pools, rng)
            if answer is not None:
                answers[item.id] = answer
        document = {"homework": homework.id, "student": {"id": f"s{i:05}", "name": f"Student {i}"}, "answers": answers}
        if i % 2:
            path = folder / f"s{i:05}" / "submission.yaml"
            path.parent.mkdir(exist_ok=True)
        else:
            path = folder / f"s{i:05}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")


# --- measuring ---------------------------------------------------------------------------------


def _tree_memory_kb(root: int, *, with_pss: bool) -> tuple[int, int, int]:
    """Memory of a process and all its descendants, from /proc (kB): (RSS summed, PSS summed or 0,
    the largest process's own peak RSS).

    RSS counts a page shared by forked workers once per process; PSS splits it between them,
    so its sum is what the tree takes from the machine. The largest process's peak (VmHWM, kept
    by the kernel) is what `/usr/bin/time` would report for the process tree. PSS (smaps_rollup) is costly to read
    for a process that maps torch, and reading it slows that process down, so it is sampled
    less often than RSS.
    """
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    rss = pss = largest = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        rss += _field_kb(f"/proc/{pid}/status", "VmRSS")
        largest = max(largest, _field_kb(f"/proc/{pid}/status", "VmHWM"))
        if with_pss:
            pss += _field_kb(f"/proc/{pid}/smaps_rollup", "Pss")
    return rss, pss, largest


def _field_kb(path: str, name: str) -> int:
    try:
        with open(path) as lines:
            for line in lines:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def timed(command: list[str]) -> tuple[float, float, float, float]:
    """Run a command; return (wall seconds, and in MB the peak summed RSS and peak summed PSS of its
    process tree and the peak RSS of its largest process)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_rss = peak_pss = peak_largest = 0
    done = threading.Event()

    def sample():
        nonlocal peak_rss, peak_pss, peak_largest
        count = 0
        while not done.is_set():
            rss, pss, largest = _tree_memory_kb(process.pid, with_pss=count % 5 == 0)  # PSS every 0.5 s
            peak_rss, peak_pss, peak_largest = max(peak_rss, rss), max(peak_pss, pss), max(peak_largest, largest)
            count += 1
            done.wait(0.1)  # scanning /proc more often takes CPU from the run being measured

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({process.returncode}): {err.decode()[-2000:]}")
    return elapsed, peak_rss / 1024, peak_pss / 1024, peak_largest / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, action="append", help="class sizes (repeatable; default 1000)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--homework", default="hw2-cnn")
    parser.add_argument("--baseline-sample", type=int, default=60, help="submissions the slow baseline grades")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = args.n or [1000]

    from grader.core.key import load_key
    from grader.plugins.homeworks import load_homework

    homework = load_homework(args.homework)
    key = load_key(homework)
    pools = build_pools(homework, key, random.Random(args.seed))
    grader = str(Path(sys.executable).with_name("grader"))
    print(f"homework {homework.id}: {len(homework.items)} items "
          f"({sum(i.kind == 'expression' for i in homework.items)} formulas); jobs {args.jobs}; cores {os.cpu_count()}")
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for n in sizes:
            folder = tmp / f"class-{n}"
            write_class(folder, n, homework, pools, args.seed)
            seconds, rss, pss, largest = timed([grader, "grade", str(folder), "-o", str(tmp / f"out-{n}"),
                                                "--jobs", str(args.jobs)])
            rates[n] = n / seconds
            reports = len(list((tmp / f"out-{n}" / "reports").iterdir()))
            print(f"grader grade  N={n:>6}: {seconds:7.2f} s  {n / seconds:8.1f} submissions/s  "
                  f"peak memory {pss:5.0f} MB PSS summed, {rss:5.0f} MB RSS summed, largest process "
                  f"{largest:4.0f} MB RSS  ({reports} reports)")
        sample = min(args.baseline_sample, min(sizes))
        folder = tmp / "baseline-class"
        write_class(folder, sample, homework, pools, args.seed)
        seconds, rss, pss, largest = timed([sys.executable, "-c", BASELINE, str(folder),
                                            str(tmp / "out-baseline"), str(args.jobs)])
        baseline = sample / seconds
        print(f"naive baseline N={sample:>5}: {seconds:7.2f} s  {baseline:8.1f} submissions/s  "
              f"peak memory {pss:5.0f} MB PSS summed, {rss:5.0f} MB RSS summed, largest process "
              f"{largest:4.0f} MB RSS  (sympy.simplify per formula, no memo)")
    for n, rate in rates.items():
        print(f"ratio at N={n}: {rate / baseline:.1f}× the baseline's throughput")
    if len(sizes) > 1:
        low, high = min(sizes), max(sizes)
        print(f"linearity: time per submission at N={high} is {rates[low] / rates[high]:.2f}× that at N={low} (1.00 = linear)")


if __name__ == "__main__":
    main()

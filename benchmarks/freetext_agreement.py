"""Benchmark: how closely free-text and choice grading agrees with careful markers, and what it costs.

Reads a marking set (`tests/data/freetext/dev.yaml` format: `id`, `item`, `style`, `answer`, and
`points` for text or `option` for choices, the option meant or `invalid`), grades every answer
through the real checker (`grader.grading.grade.grade_item` with the committed key, checked in this
process), and prints

- text answers: agreement (|scorer − marker| ≤ 10 % of the item's points), mean absolute error
  (% of the item's points), Pearson correlation of the score fractions, false credit (≥ 50 % of
  the points to an answer marked ≤ 25 %) and false denial (≤ 50 % to an answer marked full);
  with `--by-item` / `--by-style` the same per item / style;
- choices: the share read as the marker's option (`invalid` counts as an option);
- the matcher's cost per answer: the checker's read and compare, in CPU µs, best of `--rounds`,
  on the set's text answers and on one 5,000-character answer (the longest free text allowed).

`--half odd|even` keeps only the answers whose id ends in an odd / even number (tune on one half,
check on the other); `--disagreements` lists the answers where scorer and marker differ.

Usage: python benchmarks/freetext_agreement.py [--set PATH] [--by-item] [--by-style] [--half odd|even]
       [--disagreements] [--rounds R]
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.core.key import load_key  # noqa: E402
from grader.core.models import RawAnswer, Status  # noqa: E402
from grader.grading.checking import read_expected  # noqa: E402
from grader.grading.grade import grade_item  # noqa: E402
from grader.grading.runtime import Runtime  # noqa: E402
from grader.homework import Homework, Item  # noqa: E402
from grader.plugins.homeworks import load_homework  # noqa: E402
from grader.plugins.kinds import kind_of  # noqa: E402

DEFAULT_SET = ROOT / "tests" / "data" / "freetext" / "dev.yaml"
LONGEST_TEXT = 5_000


@dataclass(frozen=True)
class Marked:
    """One answer of the set with the marker's and the scorer's judgement."""

    id: str
    item: Item
    style: str
    answer: str
    marker: float | str  # points (text) or the option meant (choice)
    scorer: float | str
    feedback: str


def grade_set(entries: list[dict], homework: Homework) -> list[Marked]:
    """Every entry graded as a student's answer is graded."""
    key = load_key(homework)
    marked = []
    for entry in entries:
        item = homework.item(entry["item"])
        # Text and choices never go to a checking process: checked here, as grading checks them.
        result = grade_item(item, RawAnswer(text=entry["answer"]), key.answers[item.id], homework, Runtime(memo=None))
        if item.kind == "text":
            marker, scorer = float(entry["points"]), result.score
        else:
            marker = entry["option"]
            scorer = "invalid" if result.status is Status.INVALID else (result.read_as or result.given.strip())
        marked.append(Marked(entry["id"], item, entry["style"], entry["answer"], marker, scorer, result.feedback))
    return marked


def pearson(xs: list[float], ys: list[float]) -> float:
    """Pearson's correlation coefficient (nan when either side is constant)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else float("nan")


def text_figures(rows: list[Marked]) -> str:
    """Agreement, MAE, Pearson, false credit and false denial of text answers, on one line."""
    if not rows:
        return "no answers"
    marker = [r.marker / r.item.points for r in rows]
    scorer = [r.scorer / r.item.points for r in rows]
    agree = sum(abs(s - m) <= 0.1 + 1e-9 for s, m in zip(scorer, marker))
    mae = sum(abs(s - m) for s, m in zip(scorer, marker)) / len(rows)
    false_credit = sum(s >= 0.5 and m <= 0.25 for s, m in zip(scorer, marker))
    false_denial = sum(s <= 0.5 and m >= 1.0 for s, m in zip(scorer, marker))
    return (f"{len(rows):4d} answers  agreement {agree:4d} ({100 * agree / len(rows):5.1f} %)  "
            f"MAE {100 * mae:5.1f} %  Pearson {pearson(marker, scorer):5.2f}  "
            f"false credit {false_credit:3d}  false denial {false_denial:3d}")


def choice_figures(rows: list[Marked]) -> str:
    """The share of choice answers read as the marker's option."""
    if not rows:
        return "no answers"
    same = sum(r.scorer == r.marker for r in rows)
    return f"{len(rows):4d} answers  read as the marker's option {same:4d} ({100 * same / len(rows):5.1f} %)"


def best_cpu_us(work: Callable[[], None], count: int, rounds: int) -> float:
    """CPU µs per unit of `work` (which does `count` units), best of `rounds`."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best / count * 1e6


def matcher_cost(rows: list[Marked], homework: Homework, rounds: int) -> tuple[float, float, float]:
    """CPU µs per text answer (read and compare), per choice answer, and for one 5,000-character text answer."""
    key = load_key(homework)

    def checks(subset: list[Marked]) -> list[tuple[Callable, str, Item, object]]:
        return [(kind_of(r.item), r.answer, r.item, read_expected(r.item, key.answers[r.item.id]))
                for r in subset]

    def run(cases) -> None:
        for checker, answer, item, expected in cases:
            try:
                checker.compare(checker.read(answer, item), expected, item)
            except Exception:  # a choice that names no option: reading it is the cost
                pass

    texts = checks([r for r in rows if r.item.kind == "text"])
    choices = checks([r for r in rows if r.item.kind == "choice"])
    text_us = best_cpu_us(lambda: run(texts), len(texts), rounds) if texts else float("nan")
    choice_us = best_cpu_us(lambda: run(choices), len(choices), rounds) if choices else float("nan")
    # The longest answer allowed, made of the set's own answers to the item whose rubric has the most phrasings.
    longest_item = max((r.item for r in rows if r.item.kind == "text"),
                       key=lambda i: sum(len(c.phrasings) for c in i.options.concepts), default=None)
    long_us = float("nan")
    if longest_item is not None:
        pool = " ".join(r.answer for r in rows if r.item is longest_item)
        long_answer = (pool + " ") * (LONGEST_TEXT // max(1, len(pool)) + 1)
        long_cases = checks([r for r in rows if r.item is longest_item][:1])
        long_cases = [(c, long_answer[:LONGEST_TEXT], i, e) for c, _, i, e in long_cases]
        long_us = best_cpu_us(lambda: run(long_cases), 1, max(1, rounds // 2))
    return text_us, choice_us, long_us


def _number(entry_id: str) -> int:
    return int(re.search(r"(\d+)$", entry_id).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="marking set (default: the development set)")
    parser.add_argument("--by-item", action="store_true", help="figures per item")
    parser.add_argument("--by-style", action="store_true", help="figures per style")
    parser.add_argument("--half", choices=("odd", "even"), help="only ids ending in an odd / even number")
    parser.add_argument("--disagreements", action="store_true", help="list the answers scorer and marker differ on")
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds (best is reported; 0 skips timing)")
    args = parser.parse_args()

    entries = [e for e in yaml.safe_load(args.set.read_text(encoding="utf-8")) if isinstance(e, dict)]
    if args.half:
        entries = [e for e in entries if _number(e["id"]) % 2 == (1 if args.half == "odd" else 0)]
    homework = load_homework("hw2-cnn")
    rows = grade_set(entries, homework)
    texts = [r for r in rows if r.item.kind == "text"]
    choices = [r for r in rows if r.item.kind != "text"]

    print(f"{args.set.name}{f' ({args.half} ids)' if args.half else ''}")
    print(f"text     {text_figures(texts)}")
    print(f"choice   {choice_figures(choices)}")
    if args.by_item:
        print("\nby item")
        for item in homework.items:
            subset = [r for r in rows if r.item is item]
            if subset:
                figures = text_figures(subset) if item.kind == "text" else choice_figures(subset)
                print(f"  {item.id:14s} {figures}")
    if args.by_style:
        print("\nby style")
        for style in sorted({r.style for r in rows}):
            subset_text = [r for r in texts if r.style == style]
            subset_choice = [r for r in choices if r.style == style]
            if subset_text:
                print(f"  {style:16s} {text_figures(subset_text)}")
            if subset_choice:
                print(f"  {style:16s} {choice_figures(subset_choice)} (choice)")
    if args.disagreements:
        print("\ndisagreements")
        for r in rows:
            if r.item.kind == "text":
                if abs(r.scorer - r.marker) <= 0.1 * r.item.points + 1e-9:
                    continue
                judged = f"scorer {r.scorer:g} / marker {r.marker:g} of {r.item.points:g}"
            elif r.scorer == r.marker:
                continue
            else:
                judged = f"scorer {r.scorer!r} / marker {r.marker!r}"
            print(f"- {r.id} [{r.style}] {judged}\n    {r.answer!r}\n    → {r.feedback}")
    if args.rounds > 0:
        text_us, choice_us, long_us = matcher_cost(rows, homework, args.rounds)
        print(f"\ncost (CPU, best of {args.rounds}): {text_us:,.0f} µs per text answer, "
              f"{choice_us:,.0f} µs per choice answer, {long_us / 1000:,.1f} ms for a {LONGEST_TEXT:,}-character "
              "text answer")


if __name__ == "__main__":
    main()

"""Benchmark: µs per call of the free-text checker's `found_concepts`, before and after its pre-filter.

Answers are made from the sample class's answers and the key's model answers to each free-text
item of hw2-cnn: a few of their sentences, shuffled, with a word dropped now and then, so that
every answer is new (as in a class, where caching per text does not help). Each answer is
matched with its item's rubric by the checker (grader/checks/text.py) and by the matcher as it
was before the pre-filter (tests/checks/text_reference.py), and the answers where the two find
different concepts are counted (there should be none).
Rounds alternate between the two; each is timed in CPU time and its best round reported (the
machine may be busy). About 15 s.

Usage: python benchmarks/text_rubric.py [-n ANSWERS_PER_ITEM] [--rounds R]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.checks import text  # noqa: E402
from grader.errors import UsageError  # noqa: E402
from grader.key import load_key  # noqa: E402
from grader.plugins import load_homework  # noqa: E402
from grader.submission import load_submission  # noqa: E402
from tests.checks import text_reference  # noqa: E402


def sentence_pools(homework) -> dict[str, list[str]]:
    """Per free-text item, the sentences of the key's answer and of the sample class's answers."""
    items = [item for item in homework.items if item.kind == "text"]
    answers = {item.id: [load_key(homework).answers[item.id]] for item in items}
    for path in sorted((ROOT / "submissions" / "hw2-cnn").glob("*.yaml")):
        try:
            submission = load_submission(path, known_ids=homework.item_ids)
        except UsageError:
            continue  # the sample class keeps a broken file on purpose
        for item_id, answer in submission.answers.items():
            if item_id in answers:
                answers[item_id].append(answer.text)
    return {item_id: [s for a in texts for s in re.split(r"(?<=[.;])\s+", a.strip()) if s]
            for item_id, texts in answers.items()}


def make_answers(homework, per_item: int, rng: random.Random) -> list[tuple[str, object]]:
    """`per_item` distinct answers to every free-text item, with the item's rubric."""
    pools = sentence_pools(homework)
    result = []
    for item_id, pool in pools.items():
        options = homework.item(item_id).options
        seen: set[str] = set()
        while len(seen) < per_item:
            words = " ".join(rng.sample(pool, min(len(pool), rng.randint(1, 4)))).split()
            if len(words) > 3 and rng.random() < 0.5:
                del words[rng.randrange(len(words))]
            answer = " ".join(words)
            if answer not in seen:
                seen.add(answer)
                result.append((answer, options))
    rng.shuffle(result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="answers per free-text item (default 300)")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()

    homework = load_homework("hw2-cnn")
    answers = make_answers(homework, args.n, random.Random(0))
    differences = sum(text.found_concepts(a, o) != text_reference.found_concepts(a, o) for a, o in answers)
    best = {"before": float("inf"), "after": float("inf")}
    for _ in range(args.rounds):
        for name, module in (("before", text_reference), ("after", text)):
            start = time.process_time()
            for answer, options in answers:
                module.found_concepts(answer, options)
            best[name] = min(best[name], (time.process_time() - start) / len(answers))
    words = sum(len(text.tokens(a)) for a, _ in answers) / len(answers)
    print(f"{len(answers)} answers ({words:.0f} words on average), {args.rounds} rounds; "
          f"differences in concepts found: {differences}")
    print(f"before: {best['before'] * 1e6:.1f} µs per call")
    print(f"after:  {best['after'] * 1e6:.1f} µs per call ({best['before'] / best['after']:.2f}× faster)")


if __name__ == "__main__":
    main()

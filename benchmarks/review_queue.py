"""Benchmark: the review queue on a synthetic class — how many decisions cover every flagged answer, and how long
the queue takes to load and a group decision to apply.

Builds N students (default 200): each takes the numeric and choice answers of a random sample-class
submission (submissions/hw2-cnn/) and, for each of hw2-cnn's 11 text items, an answer drawn at random
from the free-text marking sets (tests/data/freetext/: dev, holdout-1, holdout-2) with its markers'
points. `--variation light` edits every drawn text a little, as students' copies differ (case,
punctuation, a filler phrase, a typo in one word), so identical answers are rarer; `--distinct` gives
each student a different answer per item (the sets hold 62 per item, so at most 62 students): the
grouping's worst case, where nothing repeats. Starts its own
`grader serve` on a loopback port with a fresh SQLite folder, submits the class, then:

- decisions: the number of answer groups over all flagged items (one decision each) against the number of
  flagged answers, and, using the markers' points, the decisions a reviewer would make if every answer a
  group wrongly holds (marked more than 10 % of the item's points away from the group's most common mark)
  were split out and decided alone;
- times: GET of the queue (JSON API and the HTML page) and POST of a decision on a whole group, over
  interleaved rounds; min, median and max in ms. No unit test asserts a time.

`--sweep` also prints the decisions for other similarity thresholds (grader.service.grouping.SIMILAR),
grouping the same stored class in-process.

Usage: python benchmarks/review_queue.py [--students 200] [--rounds 5] [--variation none|light] [--distinct]
       [--sweep] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import serving  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SETS = [ROOT / "tests" / "data" / "freetext" / name for name in ("dev.yaml", "holdout-1.yaml", "holdout-2.yaml")]
FILLERS = ("I think ", "Basically, ", "In short: ", "", "So ", "Well, ")


def samples() -> list[dict[str, str]]:
    """The sample class's answers (item id → text) of every submission that loads."""
    from grader.api import read_submission
    from grader.core.errors import UsageError

    found = []
    for path in sorted((ROOT / "submissions" / "hw2-cnn").glob("*.yaml")):
        if path.name == "template.yaml":
            continue
        try:
            found.append({k: v.text for k, v in read_submission(path).answers.items()})
        except UsageError:
            continue
    return found


def text_answers() -> dict[str, list[tuple[str, float]]]:
    """Text item → (answer, markers' points) from the marking sets."""
    from grader.api import homework

    text_items = {item.id for item in homework("hw2-cnn").items if item.kind == "text"}
    by_item: dict[str, list[tuple[str, float]]] = {}
    for path in SETS:
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            if entry["item"] in text_items:
                by_item.setdefault(entry["item"], []).append((entry["answer"], float(entry["points"])))
    return by_item


def vary(text: str, rng: random.Random) -> str:
    """A student's copy: other case or punctuation, a filler phrase, or one word misspelt (a swap of two letters)."""
    words = text.split(" ")
    choice = rng.randrange(4)
    if choice == 0:
        return text.lower().rstrip(".") if rng.random() < 0.5 else text.upper()[:1] + text[1:] + "."
    if choice == 1:
        return rng.choice(FILLERS) + text[:1].lower() + text[1:]
    long_words = [n for n, w in enumerate(words) if len(w) > 5 and w.isalpha()]
    if choice == 2 and long_words:
        n = rng.choice(long_words)
        w = words[n]
        k = rng.randrange(1, len(w) - 2)
        words[n] = w[:k] + w[k + 1] + w[k] + w[k + 2:]
        return " ".join(words)
    return text.replace(", ", " , ", 1) + " "


def build_class(count: int, variation: str, distinct: bool, rng: random.Random
                ) -> tuple[list[bytes], dict[tuple[str, int], float]]:
    """The students' files, and the markers' points of each text answer (item, student) drawn."""
    base, pool = samples(), text_answers()
    if distinct:
        if count > min(len(choices) for choices in pool.values()):
            sys.exit(f"--distinct takes at most {min(len(c) for c in pool.values())} students")
        for choices in pool.values():
            rng.shuffle(choices)
    files, marks = [], {}
    for n in range(count):
        answers = dict(rng.choice(base))
        for item, choices in pool.items():
            text, points = choices[n] if distinct else rng.choice(choices)
            answers[item] = vary(text, rng) if variation == "light" else text
            marks[(item, n)] = points
        files.append(yaml.safe_dump({"homework": "hw2-cnn", "answers": answers}, allow_unicode=True).encode())
    return files, marks


def timed(call, *args, **kwargs) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    answer = call(*args, **kwargs)
    return 1000 * (time.perf_counter() - started), answer


def spread(values: list[float]) -> str:
    return f"{min(values):.0f} / {statistics.median(values):.0f} / {max(values):.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--variation", choices=("none", "light"), default="none")
    parser.add_argument("--distinct", action="store_true", help="a different answer per student and item")
    parser.add_argument("--sweep", action="store_true", help="decisions for other similarity thresholds too")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    files, marks = build_class(args.students, args.variation, args.distinct, rng)
    folder = Path(tempfile.mkdtemp(prefix="grader-review-"))
    course = folder / "course.yaml"
    course.write_text("title: Review benchmark\nhomeworks:\n  hw2-cnn: {deadline: 2099-01-01T00:00:00Z}\n"
                      "limits: {submissions_per_minute: 1000}\nstudents:\n"
                      + "".join(f"  - {{id: s{n}}}\n" for n in range(args.students))
                      + "instructors:\n  - {id: prof}\n", encoding="utf-8")
    with serving(course, folder, "--no-warm") as (url, rows):
        tokens = {row["id"]: row["token"] for row in rows}
        started = time.perf_counter()
        with ThreadPoolExecutor(4) as pool:
            sent = list(pool.map(lambda n: httpx.post(f"{url}/api/v1/submissions", content=files[n], timeout=300,
                                                      headers={"Authorization": f"Bearer {tokens[f's{n}']}"}),
                                 range(args.students)))
        assert all(answer.status_code == 201 for answer in sent), {a.status_code for a in sent}
        print(f"{args.students} students submitted in {time.perf_counter() - started:.1f} s "
              f"(variation: {args.variation}{', distinct answers' if args.distinct else ''}, seed {args.seed})")
        report(url, tokens["prof"], marks, args.rounds)
        if args.sweep:
            sweep(folder / "data" / "grader.sqlite3", marks)


def decisions_needed(groups, item: str, points: float, marks: dict[tuple[str, int], float]) -> int:
    """One decision per group, plus one per answer the markers marked more than 10 % of the points away from the
    group's most common mark (it would be split out and decided alone)."""
    needed = 0
    for group in groups:
        marked = Counter(marks[key] for key in ((item, int(student[1:])) for student in group) if key in marks)
        common = marked.most_common(1)[0][0] if marked else None
        needed += 1 + sum(n for mark, n in marked.items() if abs(mark - common) > 0.1 * points)
    return needed


def sweep(database: Path, marks: dict[tuple[str, int], float]) -> None:
    """Groups and decisions needed at other similarity thresholds, on the same stored class (before any decision
    the benchmark made: those only reorder groups)."""
    from grader.api import homework
    from grader.service import grouping
    from grader.service.classdata import load_class
    from grader.service.storage import Store, make_engine

    entries = load_class(Store(make_engine(f"sqlite:///{database}")), "hw2-cnn")
    items = [item for item in homework("hw2-cnn").items if item.kind == "text"]
    chosen = grouping.SIMILAR
    for threshold in (90, 70, 50, 30, 0):
        grouping.SIMILAR = threshold
        answers = groups = needed = 0
        for item in items:
            found = grouping.answers_for(entries, item.id)
            made = grouping.group(found)
            answers, groups = answers + len(found), groups + len(made)
            needed += decisions_needed([[a.student for a in g.answers] for g in made], item.id, item.points, marks)
        print(f"similarity ≥ {threshold}{' (the service)' if threshold == chosen else ''}: {groups} groups "
              f"= {100 * groups / answers:.1f} %, {needed} decisions with splits = {100 * needed / answers:.1f} %")
    grouping.SIMILAR = chosen


def report(url: str, token: str, marks: dict[tuple[str, int], float], rounds: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    client = httpx.Client(base_url=url, headers=headers, timeout=120)
    api = "/api/v1/instructor/hw2-cnn"
    items = client.get(f"{api}/queue").json()["items"]
    flagged = groups = needed = 0
    points = {item["item"]: item["points"] for item in items}
    for item in items:
        queue = client.get(f"{api}/queue/{item['item']}").json()
        flagged += queue["answers"]
        groups += len(queue["groups"])
        needed += decisions_needed([[a["student"] for a in g["answers"]] for g in queue["groups"]], item["item"],
                                   points[item["item"]], marks)
    print(f"flagged answers: {flagged} in {len(items)} items; groups (one decision each): {groups} "
          f"= {100 * groups / flagged:.1f} % of the answers")
    print(f"with every answer the markers marked differently from its group split out and decided alone: "
          f"{needed} decisions = {100 * needed / flagged:.1f} %")
    loads, pages, decisions = [], [], []
    # The page: the instructor signed in through the form (its cookie is Secure, which httpx keeps from plain
    # http, so it is carried by hand).
    form = httpx.get(f"{url}/")
    field = form.text.split('name="csrf" value="')[1].split('"')[0]
    signed = httpx.post(f"{url}/sign-in", data={"token": token, "csrf": field}, cookies=dict(form.cookies))
    session = httpx.Client(base_url=url, timeout=120, cookies=dict(signed.cookies))
    for round_ in range(rounds):
        for item in items:
            spent, answer = timed(client.get, f"{api}/queue/{item['item']}")
            loads.append(spent)
            spent, page = timed(session.get, f"/instructor/hw2-cnn/review/{item['item']}")
            assert page.status_code == 200, page.status_code
            pages.append(spent)
            largest = max(answer.json()["groups"], key=lambda g: g["size"])
            body = {"item": item["item"], "submissions": [a["submission"] for a in largest["answers"]],
                    "points": round(item["points"] * (round_ % 2), 4), "comment": "benchmark"}
            spent, done = timed(client.post, f"{api}/decisions", json=body)
            assert done.status_code == 200, done.text
            decisions.append(spent)
    print(f"queue load, JSON API (min / median / max over {len(loads)}): {spread(loads)}")
    print(f"queue load, review page: {spread(pages)}")
    print(f"group decision (largest group of the item): {spread(decisions)}")


if __name__ == "__main__":
    main()

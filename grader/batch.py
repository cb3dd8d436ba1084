"""Grade a class folder: discovery, a pool of worker processes, overrides, and the class outputs.

A class folder holds `NAME.yaml` files or `NAME/submission.yaml` folders (CONTRACT §3).
Each submission is graded and its HTML report written by a worker; the main process
collects the outcomes in discovery order (so every output is deterministic whatever the
scheduling) and writes `grades.csv`, `results.jsonl` and `index.html`. A submission that
cannot be read, or that crashes the grader, or even kills its worker process, becomes an
error row: it never stops the batch. Every file is written atomically.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import logging
import multiprocessing
import os
import re
import statistics
import tempfile
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from grader.carry_service import CarryService
from grader.errors import UsageError
from grader.models import Result, Status
from grader.overrides import Overrides, apply_overrides

log = logging.getLogger(__name__)

# The blank submission `grader template` writes, kept beside the class: not a student.
TEMPLATE_STEM = "template"
REPORTS_DIR = "reports"
# Shown to the student when the grader itself failed; the traceback goes to the instructor only.
CRASH_MESSAGE = "The grader failed on this submission; your instructor has been told and will grade it by hand."
WORKER_DIED = "the grading worker process died on this submission (crash or out of memory)"
MAX_MISTAKES = 15
HISTOGRAM_BINS = 10

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Entry:
    """One submission found in the class folder; `name` is unique and names its report.

    `problem` says why an entry found in the folder cannot be graded (a student folder without
    a submission, a symlink leading elsewhere, an unreadable file); it is listed, not graded.
    """

    name: str
    path: Path
    default_id: str
    problem: str | None = None


@dataclass(frozen=True)
class Options:
    """What every worker needs: where reports go, and how to grade."""

    out: Path
    hide_expected: bool = False
    overrides: Overrides = field(default_factory=dict)
    reports: bool = True
    carry_service: tuple[str, bytes] | None = None  # address and key of the batch's grader.carry_service


@dataclass
class Outcome:
    """One submission's line in the class outputs: its points, or why it was not graded.

    A worker also sends `result_json` (the line of results.jsonl) and `digest` (per-item facts
    for the class statistics); the main process consumes both and drops them, so its memory
    does not grow with the full results of a large class.
    """

    entry: Entry
    student_id: str
    student_name: str | None = None
    homework: str | None = None
    problems: dict[str, float] = field(default_factory=dict)
    score: float | None = None
    max_score: float | None = None
    adjusted: int = 0
    review: int = 0
    warnings: int = 0
    error: str | None = None
    details: str | None = None  # instructor-only: a traceback
    report: str | None = None  # path of the HTML report, relative to OUT
    result_json: str | None = None
    # per item: status, score fraction, needs review, wrong answer, its feedback, mistake rule, item followed
    digest: list[tuple[str, float, bool, str | None, str | None, str | None, str | None]] | None = None

    @property
    def graded(self) -> bool:
        return self.score is not None

    @property
    def percent(self) -> float | None:
        if self.score is None:
            return None
        return 100 * self.score / self.max_score if self.max_score else 0.0


@dataclass
class ItemStats:
    """How a class did on one item."""

    id: str
    problem: str
    max_score: float
    mean_fraction: float
    counts: dict[str, int]
    needs_review: int


@dataclass
class Mistake:
    """One wrong answer (as the grader read it) and how many students gave it; `rule`: the misconception it is."""

    item: str
    answer: str
    count: int
    status: str
    feedback: str
    rule: str | None = None


@dataclass
class Misconception:
    """A mistake rule and how often the class made it: answers, students, and the items most often affected."""

    rule: str
    answers: int
    students: int
    items: list[tuple[str, int]]


@dataclass
class HomeworkSummary:
    """Class statistics of one homework."""

    id: str
    title: str
    max_score: float
    problems: list[tuple[str, str, float]]  # (id, title, max points)
    graded: int
    mean: float | None
    median: float | None
    low: float | None
    high: float | None
    histogram: list[int]  # students per 10 % band of the score, last band includes 100 %
    items: list[ItemStats]
    mistakes: list[Mistake]
    misconceptions: list[Misconception]
    carried: int  # answers that earned credit by error carried forward
    carried_students: int


@dataclass
class ClassSummary:
    """Everything index.html shows."""

    folder: str
    outcomes: list[Outcome]
    homeworks: list[HomeworkSummary]
    warnings: list[str]
    generated: str
    grader_version: str

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error is not None]


# --- discovery -----------------------------------------------------------------------------


def discover(folder: str | Path) -> list[Entry]:
    """Submissions of a class folder, sorted by name: `NAME.yaml` files and `NAME/submission.yaml`.

    grader.discovery finds them safely (no symlink out of a student's area, no file twice). What
    it skips is kept as an entry with its `problem`, so a student whose folder has no submission
    is listed rather than silently left out; files that are not submissions (README.md) and the
    blank `template.yaml` are left out.
    """
    from grader.discovery import discover_submissions

    found = discover_submissions(folder)
    entries = [Entry(f.name, f.path, f.name) for f in found.submissions if f.name.lower() != TEMPLATE_STEM]
    for skipped in found.skipped:
        if skipped.reason.startswith("is not a submission file"):
            continue
        stem, suffix = os.path.splitext(skipped.name)
        name = stem if suffix.lower() in (".yaml", ".yml", ".json") else skipped.name
        entries.append(Entry(name, skipped.path, name, problem=skipped.reason))
    return _unique_names(sorted(entries, key=lambda e: e.name))


def _unique_names(entries: list[Entry]) -> list[Entry]:
    """Report names safe as file names and distinct (`ada.yaml` beside `ada/` gets `ada-2`)."""
    from grader.discovery import safe_stem

    seen: set[str] = set()
    unique = []
    for entry in entries:
        base = safe_stem(entry.name)
        name, n = base, 1
        while name.lower() in seen:
            n += 1
            name = f"{base}-{n}"
        seen.add(name.lower())
        unique.append(Entry(name, entry.path, entry.default_id, entry.problem))
    return unique


# --- grading one submission (runs in a worker) ---------------------------------------------

_options: Options | None = None


def _init_worker(options: Options) -> None:
    global _options
    _options = options
    if options.carry_service is not None:
        from grader.carry import set_recompute
        from grader.carry_service import client

        set_recompute(client(*options.carry_service))


def _grade_chunk(entries: Sequence[Entry]) -> list[Outcome]:
    return [grade_entry(entry, _options) for entry in entries]


def grade_entry(entry: Entry, options: Options) -> Outcome:
    """Grade one submission and write its report; every failure becomes an error outcome."""
    from grader.api import check_file

    outcome = Outcome(entry, student_id=entry.default_id)
    result = None
    try:
        if entry.problem is not None:
            raise UsageError(entry.problem, path=entry.path)
        result = check_file(entry.path, hide_expected=options.hide_expected, mathml=True,
                            default_student_id=entry.default_id)
        result = apply_overrides(result, options.overrides.get(result.student.id, {}))
        _record(outcome, result)
    except UsageError as error:
        outcome.error = _one_line(str(error))
    except Exception as error:  # a crash is a result: listed, never fatal
        log.exception("grading %s crashed", entry.path)
        outcome.error = f"internal error: {type(error).__name__}: {_one_line(str(error))}"
        outcome.details = traceback.format_exc()
    if options.reports:
        try:
            outcome.report = _write_report(entry, result, outcome, options)
        except Exception as error:
            log.exception("writing the report of %s failed", entry.path)
            outcome.error = outcome.error or f"internal error writing the report: {type(error).__name__}: {error}"
            outcome.details = outcome.details or traceback.format_exc()
    return outcome


_WRONG = (Status.INCORRECT, Status.PARTIAL, Status.INVALID)


def _record(outcome: Outcome, result: Result) -> None:
    """What the class outputs need of a result: totals, counts, the JSON line and a per-item digest."""
    outcome.student_id = result.student.id
    outcome.student_name = result.student.name
    outcome.homework = result.homework
    outcome.problems = {p.id: p.score for p in result.problems}
    outcome.score, outcome.max_score = result.score, result.max_score
    outcome.adjusted = sum(item.override is not None for item in result.items)
    outcome.review = sum(item.needs_review for item in result.items)
    outcome.warnings = len(result.warnings)
    outcome.result_json = result.model_dump_json()
    outcome.digest = [
        (item.status.value, item.score / item.max_score if item.max_score else 0.0, item.needs_review,
         (item.read_as if item.read_as is not None else item.given or "") if item.status in _WRONG else None,
         item.feedback if item.status in _WRONG else None, item.misconception, item.follows_from)
        for item in result.items
    ]


def _write_report(entry: Entry, result: Result | None, outcome: Outcome, options: Options) -> str:
    from grader.render.html import render_error_report, render_report

    relative = f"{REPORTS_DIR}/{entry.name}.html"
    if result is not None:
        html = render_report(result, back_link="../index.html")
    else:
        message = CRASH_MESSAGE if outcome.details else outcome.error or CRASH_MESSAGE
        html = render_error_report(entry.default_id, str(entry.path), message, back_link="../index.html")
    write_atomic(options.out / relative, html)
    return relative


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- the pool --------------------------------------------------------------------------------


def grade_folder(
    folder: str | Path,
    out: str | Path,
    *,
    jobs: int | None = None,
    overrides: Overrides | None = None,
    hide_expected: bool = False,
    progress: Progress | None = None,
) -> ClassSummary:
    """Grade every submission of `folder` and write the class outputs into `out`.

    Outcomes arrive in discovery order; each is written to results.jsonl and added to the
    statistics at once, so memory stays flat however large the class.
    """
    from grader import __version__
    from grader.plugins import load_homework

    entries = discover(folder)
    out = Path(out)
    (out / REPORTS_DIR).mkdir(parents=True, exist_ok=True)
    options = Options(out=out, hide_expected=hide_expected, overrides=overrides or {})
    tallies: dict[str, _Tally] = {}
    outcomes: list[Outcome] = []
    with atomic_writer(out / "results.jsonl") as jsonl:
        for outcome in run_pool(entries, options, jobs=jobs or os.cpu_count() or 1, progress=progress):
            jsonl.write((outcome.result_json or _error_line(outcome)) + "\n")
            if outcome.digest is not None and outcome.homework is not None:
                if outcome.homework not in tallies:
                    tallies[outcome.homework] = _Tally(load_homework(outcome.homework))
                tallies[outcome.homework].add(outcome)
            outcome.result_json = outcome.digest = None
            outcomes.append(outcome)
    summary = summarize(str(folder), outcomes, tallies, overrides or {}, grader_version=__version__)
    write_outputs(summary, out)
    return summary


def run_pool(
    entries: Sequence[Entry], options: Options, *, jobs: int, progress: Progress | None = None
) -> Iterator[Outcome]:
    """Grade entries with `jobs` worker processes (in this process if 1); yield outcomes in entry order."""
    total, done = len(entries), 0
    if progress is not None:
        progress(0, total)
    for outcome in _in_order(entries, options, jobs):
        done += 1
        if progress is not None:
            progress(done, total)
        yield outcome


def _in_order(entries: Sequence[Entry], options: Options, jobs: int) -> Iterator[Outcome]:
    total = len(entries)
    if jobs <= 1 or total <= 1:
        for entry in entries:
            yield grade_entry(entry, options)
        return
    # The answer caches live in each worker's bounded checking process (grader.bounded), which a
    # forked worker starts afresh, so the parent does not grade ahead to warm them.
    # The service is forked first: it starts loading torch while this process imports sympy for
    # the workers, and does not carry sympy itself.
    service = CarryService(warm=total >= WARM_CARRY_FORWARD_AT)
    _import_for_workers()
    try:
        yield from _in_pools(entries, replace(options, carry_service=(service.address, service.authkey)), jobs)
    finally:
        service.stop()


# From this many submissions on, some answer nearly always needs an error carried forward, so the
# carry-forward service loads torch while the workers start grading rather than when first asked.
WARM_CARRY_FORWARD_AT = 100


def _in_pools(entries: Sequence[Entry], options: Options, jobs: int) -> Iterator[Outcome]:
    total = len(entries)
    size = max(1, min(16, total // (jobs * 8)))
    pending = deque(list(range(i, min(i + size, total))) for i in range(0, total, size))
    while pending:
        with _pool(jobs, options) as pool:
            futures = deque((chunk, pool.submit(_grade_chunk, [entries[i] for i in chunk])) for chunk in pending)
            pending.clear()
            while futures:
                chunk, future = futures.popleft()
                try:
                    outcomes = future.result()
                except BrokenProcessPool:
                    # A worker died (segfault, out of memory, os._exit) and took the pool with it.
                    # This chunk is re-run one submission at a time, each in a fresh one-worker
                    # pool, so only the culprit fails; the chunks after it go to a fresh pool.
                    for i in chunk:
                        yield _run_isolated(entries[i], options)
                    pending.extend(c for c, _ in futures)
                    break
                for index, outcome in zip(chunk, outcomes):
                    outcome.entry = entries[index]  # this process's own, not the unpickled copy: kept for the summary
                    yield outcome


def _run_isolated(entry: Entry, options: Options) -> Outcome:
    with _pool(1, options) as pool:
        try:
            return pool.submit(_grade_chunk, [entry]).result()[0]
        except BrokenProcessPool:
            outcome = Outcome(entry, student_id=entry.default_id, error=WORKER_DIED, details=WORKER_DIED)
            if options.reports:
                outcome.report = _write_report(entry, None, outcome, options)
            return outcome


def _import_for_workers() -> None:
    """Import what grading with reports needs, once, before the workers are forked.

    Grading itself needs no sympy, but reports print formulas as MathML with sympy (0.5 s to
    import); imported here, every forked worker and checking process shares it.
    """
    import sympy.printing.mathml  # noqa: F401

    import grader.api  # noqa: F401
    import grader.render.html  # noqa: F401

    # The objects imported so far live as long as the process: frozen, the workers' garbage
    # collections never write to them, so their pages stay shared with this process instead of
    # being copied into each worker (1,000 submissions: 65 MB less in all, PSS).
    gc.freeze()


def _pool(jobs: int, options: Options) -> ProcessPoolExecutor:
    # fork shares the already imported grader and sympy with the workers (no 0.5 s start each);
    # elsewhere fall back to the platform's default.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(options,))


# --- the class summary ------------------------------------------------------------------------


class _Tally:
    """Class statistics of one homework, accumulated one outcome at a time."""

    def __init__(self, homework) -> None:
        self.homework = homework
        self.counts = [{status.value: 0 for status in Status} for _ in homework.items]
        self.fractions = [0.0] * len(homework.items)
        self.review = [0] * len(homework.items)
        self.scores: list[float] = []
        self.wrong: Counter[tuple[int, str]] = Counter()
        # The feedback each wrong answer first got, and counts per feedback only for the answers
        # that got differing feedback: a large class has hundreds of thousands of distinct wrong
        # answers, nearly all with one feedback, and a Counter each would take most of the memory.
        self.feedback: dict[tuple[int, str], str] = {}
        self.feedback_variants: dict[tuple[int, str], Counter[str]] = {}
        self.status_of: dict[tuple[int, str], str] = {}
        # One copy of each distinct feedback and status text: every outcome arrives unpickled with
        # its own copies, and a class's wrong answers share a few thousand feedback texts.
        self.texts: dict[str, str] = {}
        self.rule_of: dict[tuple[int, str], str] = {}
        self.rules: Counter[str] = Counter()
        self.rule_students: Counter[str] = Counter()
        self.rule_items: dict[str, Counter[int]] = {}
        self.carried = self.carried_students = 0

    def add(self, outcome: Outcome) -> None:
        self.scores.append(outcome.score or 0.0)
        rules, carried = set(), 0
        for index, (status, fraction, review, answer, feedback, rule, follows) in enumerate(outcome.digest or ()):
            self.counts[index][status] += 1
            self.fractions[index] += fraction
            self.review[index] += review
            if answer is not None:
                key = (index, answer)
                self.wrong[key] += 1
                text = self.texts.setdefault(feedback or "", feedback or "")
                status = self.texts.setdefault(status, status)
                first = self.feedback.setdefault(key, text)
                if text != first or key in self.feedback_variants:
                    variants = self.feedback_variants.setdefault(key, Counter({first: self.wrong[key] - 1}))
                    variants[text] += 1
                self.status_of[key] = status
                if rule is not None:
                    self.rule_of[key] = rule
            if rule is not None:
                self.rules[rule] += 1
                self.rule_items.setdefault(rule, Counter())[index] += 1
                rules.add(rule)
            carried += follows is not None and rule is None
        self.rule_students.update(rules)
        self.carried += carried
        self.carried_students += carried > 0

    def _most_common_feedback(self, key: tuple[int, str]) -> str:
        variants = self.feedback_variants.get(key)
        return variants.most_common(1)[0][0] if variants is not None else self.feedback[key]

    def summary(self) -> HomeworkSummary:
        homework, scores, graded = self.homework, self.scores, len(self.scores)
        histogram = [0] * HISTOGRAM_BINS
        for score in scores:
            fraction = score / homework.max_score if homework.max_score else 0.0
            histogram[min(HISTOGRAM_BINS - 1, max(0, int(fraction * HISTOGRAM_BINS)))] += 1
        items = [
            ItemStats(item.id, homework.problem_of(item.id).id, item.points,
                      self.fractions[i] / graded if graded else 0.0, self.counts[i], self.review[i])
            for i, item in enumerate(homework.items)
        ]
        ranked = sorted(self.wrong.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))
        mistakes = [Mistake(homework.items[index].id, answer, count, self.status_of[(index, answer)],
                            self._most_common_feedback((index, answer)), self.rule_of.get((index, answer)))
                    for (index, answer), count in ranked[:MAX_MISTAKES] if count > 1]
        misconceptions = [
            Misconception(rule, count, self.rule_students[rule],
                          [(homework.items[index].id, n) for index, n in self.rule_items[rule].most_common(3)])
            for rule, count in sorted(self.rules.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        return HomeworkSummary(
            id=homework.id, title=homework.title, max_score=homework.max_score,
            problems=[(p.id, p.title, p.max_score) for p in homework.problems],
            graded=graded,
            mean=statistics.fmean(scores) if scores else None,
            median=statistics.median(scores) if scores else None,
            low=min(scores, default=None), high=max(scores, default=None),
            histogram=histogram, items=items, mistakes=mistakes, misconceptions=misconceptions,
            carried=self.carried, carried_students=self.carried_students,
        )


def summarize(
    folder: str, outcomes: list[Outcome], tallies: dict[str, _Tally], overrides: Overrides, *, grader_version: str
) -> ClassSummary:
    """Statistics per homework, and warnings about the class as a whole."""
    warnings: list[str] = []
    ids = Counter(o.student_id for o in outcomes)
    for student, count in sorted(ids.items()):
        if count > 1:
            names = ", ".join(o.entry.name for o in outcomes if o.student_id == student)
            warnings.append(f"student id {student!r} appears in {count} submissions ({names})")
    unused = sorted(set(overrides) - set(ids))
    if unused:
        warnings.append(f"overrides for students without a submission: {', '.join(unused)}")
    return ClassSummary(
        folder=folder, outcomes=outcomes, homeworks=[tally.summary() for tally in tallies.values()],
        warnings=warnings, generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        grader_version=grader_version,
    )


# --- outputs -----------------------------------------------------------------------------------


def write_outputs(summary: ClassSummary, out: Path) -> None:
    """grades.csv and index.html (results.jsonl is streamed while grading), each written atomically."""
    from grader.render.html import render_index

    write_atomic(out / "grades.csv", grades_csv(summary))
    write_atomic(out / "index.html", render_index(summary))


def grades_csv(summary: ClassSummary) -> str:
    """One row per submission: id, name, homework, points per problem, total, maximum, percent, error.

    With several homeworks in one folder, problem columns are prefixed `homework:`.
    """
    several = len(summary.homeworks) > 1
    columns = [(h.id, p) for h in summary.homeworks for p, _, _ in h.problems]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "name", "homework",
                     *(f"{h}:{p}" if several else p for h, p in columns),
                     "total", "max_score", "percent", "error"])
    for outcome in summary.outcomes:
        if not outcome.graded:
            # Not graded is not zero: the total stays empty, so a gradebook import records nothing.
            writer.writerow([_cell(outcome.student_id), "", "", *([""] * len(columns)), "", "", "",
                             _cell(outcome.error or "")])
            continue
        points = {(outcome.homework, p): score for p, score in outcome.problems.items()}
        writer.writerow([_cell(outcome.student_id), _cell(outcome.student_name or ""), outcome.homework,
                         *(_num(points[c]) if c in points else "" for c in columns),
                         _num(outcome.score), _num(outcome.max_score), f"{outcome.percent:.2f}",
                         _cell(outcome.error or "")])
    return buffer.getvalue()


def _cell(text: str) -> str:
    """Text a spreadsheet must not run as a formula (CSV injection): a leading quote disarms it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _num(value: float) -> str:
    return f"{value:g}"


def _error_line(outcome: Outcome) -> str:
    """The results.jsonl line of a submission not graded: {student, source, error}."""
    return json.dumps({"student": {"id": outcome.student_id, "name": None},
                       "source": str(outcome.entry.path), "error": outcome.error}, ensure_ascii=False)


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that a reader (or an interrupted run) never sees it half-written."""
    with atomic_writer(path) as file:
        file.write(text)


@contextmanager
def atomic_writer(path: Path) -> Iterator[TextIO]:
    """A text file that appears at `path` complete, or not at all (a temporary beside it, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            yield file
        os.chmod(temporary, 0o644)  # mkstemp makes 0600; reports are meant to be shared
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

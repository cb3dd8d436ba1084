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
import difflib
import gc
import heapq
import io
import json
import logging
import os
import re
import statistics
import tempfile
import traceback
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from grader.runtime import pool
from grader.grading.carry import CarryDeferred
from grader.runtime.carry_service import CarryService
from grader.core.errors import UsageError
from grader.core.identity import graded_as
from grader.core.models import Result, Status
from grader.core.overrides import Overrides, apply_overrides
from grader.render.safe_text import json_safe, log_safe
from grader.io.submission import MAX_SUGGESTIONS, printable_path

if TYPE_CHECKING:
    from grader.grading.grade import Checking

log = logging.getLogger(__name__)

# The blank submission `grader template` writes, kept at the top of the class folder: not a student.
TEMPLATE_FILE = "template.yaml"
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
    carry_service: tuple[str, bytes] | None = None  # address and key of the batch's grader.runtime.carry_service


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
    declared_id: str | None = None  # the file's own student.id where it differs from student_id: a flag
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


def discover(folder: str | Path) -> tuple[list[Entry], list[str]]:
    """Submissions of a class folder, sorted by name, and the names of files deliberately left out.

    grader.io.discovery finds them safely (no symlink out of a student's area, no file twice). What
    it skips is kept as an entry with its `problem`, so a student whose folder has no submission
    is listed rather than silently left out; files that are not submissions (README.md) are left
    out, and so is the blank `template.yaml` at the top (listed in the second list). A student's
    file or folder named `Template`, `template/` or `template.json` is a student like any other.
    """
    from grader.io.discovery import discover_submissions

    found = discover_submissions(folder)
    blank = [f for f in found.submissions if f.path.name == TEMPLATE_FILE and f.path.parent == Path(folder)]
    entries = [Entry(f.name, f.path, f.name) for f in found.submissions if f not in blank]
    for skipped in found.skipped:
        if skipped.reason.startswith("is not a submission file"):
            continue
        stem, suffix = os.path.splitext(skipped.name)
        name = stem if suffix.lower() in (".yaml", ".yml", ".json") else skipped.name
        entries.append(Entry(name, skipped.path, name, problem=skipped.reason))
    return _unique_names(sorted(entries, key=lambda e: e.name)), [f.path.name for f in blank]


def _unique_names(entries: list[Entry]) -> list[Entry]:
    """Report names safe as file names and distinct (`ada.yaml` beside `ada/` gets `ada-2`)."""
    from grader.io.discovery import safe_stem

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


def grade_entry(entry: Entry, options: Options) -> Outcome:
    """Grade one submission and write its report; every failure becomes an error outcome."""
    begun = begin_entry(entry, options)
    return begun if isinstance(begun, Outcome) else end_entry(entry, begun, options)


def begin_entry(entry: Entry, options: Options) -> Outcome | Checking:
    """Load a submission and check its answers; the finished Outcome if that already failed."""
    from grader.api import read_and_check

    try:
        if entry.problem is not None:
            raise UsageError(entry.problem, path=entry.path)
        # Discovery vetted the path (links stay inside the student's own area), so links are followed.
        return read_and_check(entry.path, hide_expected=options.hide_expected, mathml=True,
                              default_student_id=entry.default_id, follow_links=True)
    except Exception as error:
        return _ended(entry, options, None, error)


def end_entry(entry: Entry, checking: Checking, options: Options) -> Outcome:
    """Grade a checked submission to the end and write its report (CarryDeferred is let through)."""
    from grader.grading.grade import finish

    try:
        # Whose grade it is comes from the layout (NAME.yaml or NAME/), never from the file's student.id:
        # rows, reports and overrides are keyed by it.
        result = graded_as(finish(checking), entry.default_id)
        return _ended(entry, options, apply_overrides(result, options.overrides.get(entry.default_id, {})), None)
    except CarryDeferred:
        raise
    except Exception as error:
        return _ended(entry, options, None, error)


def _ended(entry: Entry, options: Options, result: Result | None, error: Exception | None) -> Outcome:
    """The outcome of a graded submission or of one that failed (a crash is a result: listed, never fatal)."""
    outcome = Outcome(entry, student_id=entry.default_id)
    try:
        if error is not None:
            raise error
        _record(outcome, result)
    except UsageError as failure:
        outcome.error = _one_line(str(failure))
        result = None
    except Exception as failure:
        log.exception("grading %s crashed", log_safe(str(entry.path)))
        outcome.error = f"internal error: {type(failure).__name__}: {_one_line(str(failure))}"
        outcome.details = traceback.format_exc()
        result = None
    if options.reports:
        try:
            outcome.report = _write_report(entry, result, outcome, options)
        except Exception as failure:
            log.exception("writing the report of %s failed", log_safe(str(entry.path)))
            outcome.error = outcome.error or f"internal error writing the report: {type(failure).__name__}: {failure}"
            outcome.details = outcome.details or traceback.format_exc()
    return outcome


# Submissions a worker sets aside while the carry-forward service warms up (about 145 KB each).
MAX_SET_ASIDE = 128
# Workers run this much nicer than the carry-forward service and the main process, which they wait
# on: the service then loads torch on a core of its own while the workers use what is left, and
# answers a worker's request before the other workers' grading. (1,000 submissions, 6 interleaved
# pairs: 14.5 s on average against 16.0 s before setting aside; without it, no gain.)
WORKER_NICENESS = 5


class _Grading:
    """A batch worker's job (grader.runtime.pool.Job): grades submissions and writes their reports.

    While the carry-forward service is still loading torch (3-4 s), a submission that needs an error
    carried forward is set aside with its answers checked, and the worker goes on with the next one
    instead of waiting; those set aside are finished once the service answers, or when there is
    nothing else to do.
    """

    def __init__(self, options: Options) -> None:
        if hasattr(os, "nice"):
            os.nice(WORKER_NICENESS)
        self.options = options
        self.client = None
        if options.carry_service is not None:
            from grader.grading.carry import set_recompute
            from grader.runtime.carry_service import ServiceClient

            self.client = ServiceClient(*options.carry_service)
            self.client.defer = True
            set_recompute(self.client)
        self.aside: list[tuple[int, Entry, Checking]] = []

    def take(self, index: int, entry: Entry) -> list[tuple[int, Outcome]]:
        done = []
        begun = begin_entry(entry, self.options)
        if isinstance(begun, Outcome):
            done.append((index, begun))
        else:
            try:
                done.append((index, end_entry(entry, begun, self.options)))
            except CarryDeferred:
                self.aside.append((index, entry, begun))
        if self.aside and (len(self.aside) >= MAX_SET_ASIDE or self.client.ready()):
            done.extend(self.finish_held())
        return done

    def holding(self) -> bool:
        return bool(self.aside)

    def finish_held(self) -> list[tuple[int, Outcome]]:
        # Only the service's client sets a submission aside, so there is one whenever this runs.
        aside, self.aside = self.aside, []
        self.client.defer = False
        try:
            return [(index, end_entry(entry, checking, self.options)) for index, entry, checking in aside]
        finally:
            self.client.defer = True


_WRONG = (Status.INCORRECT, Status.PARTIAL, Status.INVALID)


def _record(outcome: Outcome, result: Result) -> None:
    """What the class outputs need of a result: totals, counts, the JSON line and a per-item digest."""
    outcome.student_id = result.student.id
    outcome.student_name = result.student.name
    outcome.declared_id = result.student.declared_id
    outcome.homework = result.homework
    outcome.problems = {p.id: p.score for p in result.problems}
    outcome.score, outcome.max_score = result.score, result.max_score
    outcome.adjusted = sum(item.override is not None for item in result.items)
    outcome.review = sum(item.needs_review for item in result.items)
    outcome.warnings = len(result.warnings)
    # json_safe: U+2028 and the like in an answer would split the record for some line splitters.
    outcome.result_json = json_safe(result.model_dump_json())
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
    from grader.plugins.homeworks import load_homework

    entries, left_out = discover(folder)
    out = Path(out)
    (out / REPORTS_DIR).mkdir(parents=True, exist_ok=True)
    options = Options(out=out, hide_expected=hide_expected, overrides=overrides or {})
    tallies: dict[str, _Tally] = {}
    outcomes: list[Outcome] = []
    with atomic_writer(out / "results.jsonl") as jsonl:
        for outcome in run_pool(entries, options, jobs=worker_count(jobs), progress=progress):
            jsonl.write((outcome.result_json or _error_line(outcome)) + "\n")
            if outcome.digest is not None and outcome.homework is not None:
                if outcome.homework not in tallies:
                    tallies[outcome.homework] = _Tally(load_homework(outcome.homework))
                tallies[outcome.homework].add(outcome)
            outcome.result_json = outcome.digest = None
            outcomes.append(outcome)
    summary = summarize(str(folder), outcomes, tallies, overrides or {}, grader_version=__version__,
                        skipped=left_out)
    write_outputs(summary, out)
    return summary


def worker_count(asked: int | None) -> int:
    """Worker processes for `--jobs`: the number of cores by default, at most twice that.

    Each worker also forks a bounded checking process; more workers than cores only add processes
    and memory (`--jobs 300` would start over 400 processes).
    """
    cores = os.cpu_count() or 1
    return cores if asked is None else max(1, min(asked, 2 * cores))


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
    # The answer caches live in each worker's bounded checking process (grader.runtime.bounded), which a
    # forked worker starts afresh, so the parent does not grade ahead to warm them.
    # The service is forked first: it starts loading torch while this process imports sympy for
    # the workers, and does not carry sympy itself.
    service = CarryService(warm=total >= WARM_CARRY_FORWARD_AT)
    _import_for_workers()
    options = replace(options, carry_service=(service.address, service.authkey))
    try:
        yield from _in_pool(entries, options, jobs)
    finally:
        service.stop()


# From this many submissions on, some answer nearly always needs an error carried forward, so the
# carry-forward service loads torch while the workers start grading rather than when first asked.
WARM_CARRY_FORWARD_AT = 100


def _in_pool(entries: Sequence[Entry], options: Options, jobs: int) -> Iterator[Outcome]:
    """Outcomes in entry order from `jobs` workers. A worker that dies (segfault, out of memory,
    os._exit) fails no one by itself: what it had not finished is graded again one submission at a
    time, each in a worker of its own, so only the culprit fails."""
    size = max(1, min(16, len(entries) // (jobs * 8)))
    for outcome, entry in zip(pool.in_order(entries, partial(_Grading, options), jobs=jobs, chunk_size=size,
                                            lost=lambda _, entry: _run_isolated(entry, options)), entries):
        outcome.entry = entry  # this process's own, not the unpickled copy: kept for the summary
        yield outcome


def _run_isolated(entry: Entry, options: Options) -> Outcome:
    return next(pool.in_order([entry], partial(_Grading, options), jobs=1, chunk_size=1, lost=_died(options)))


def _died(options: Options) -> Callable[[int, Entry], Outcome]:
    def outcome_of(_: int, entry: Entry) -> Outcome:
        outcome = Outcome(entry, student_id=entry.default_id, error=WORKER_DIED, details=WORKER_DIED)
        if options.reports:
            outcome.report = _write_report(entry, None, outcome, options)
        return outcome

    return outcome_of


def _import_for_workers() -> None:
    """Import what grading with reports needs, once, before the workers are forked.

    Grading itself needs no sympy, but reports print formulas as MathML with sympy (0.5 s to
    import); imported here, every forked worker and checking process shares it, as it shares the
    free-text reader's English dictionary.
    """
    import sympy.printing.mathml  # noqa: F401

    import grader.api  # noqa: F401
    import grader.render.html  # noqa: F401
    from grader.text.lexicon import lemma

    lemma("weights")  # loads simplemma's English dictionary (0.15 s, 29 MB) once, shared by the workers

    # The objects imported so far live as long as the process: frozen, the workers' garbage
    # collections never write to them, so their pages stay shared with this process instead of
    # being copied into each worker (1,000 submissions: 65 MB less in all, PSS).
    gc.freeze()


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
        # The first few only: a class of 10,000 has over 100,000 distinct wrong answers.
        ranked = heapq.nsmallest(MAX_MISTAKES, self.wrong.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))
        mistakes = [Mistake(homework.items[index].id, answer, count, self.status_of[(index, answer)],
                            self._most_common_feedback((index, answer)), self.rule_of.get((index, answer)))
                    for (index, answer), count in ranked if count > 1]
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
    folder: str, outcomes: list[Outcome], tallies: dict[str, _Tally], overrides: Overrides, *, grader_version: str,
    skipped: Sequence[str] = (),
) -> ClassSummary:
    """Statistics per homework, and warnings about the class as a whole."""
    warnings: list[str] = []
    # Names from the layout are distinct as written; the same name in another case (Ada.yaml, ada/)
    # or as both a file and a folder is likely one student twice, and a gradebook cannot tell them apart.
    by_name: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_name.setdefault(outcome.student_id.casefold(), []).append(outcome)
    for same in by_name.values():
        if len(same) > 1:
            files = ", ".join(printable_path(o.entry.path) for o in same)
            warnings.append(f"student {same[0].student_id!r} has {len(same)} submissions ({files}); "
                            "each is graded, keep one")
    for outcome in outcomes:
        if outcome.declared_id is not None:
            warnings.append(f"{printable_path(outcome.entry.path)} says it is student {outcome.declared_id!r}; "
                            f"graded as {outcome.student_id!r}, the name it was found under")
    ids = {o.student_id for o in outcomes}
    unused = sorted(set(overrides) - ids)
    if unused:
        # Did-you-mean for the first few only: each is a look through the whole class.
        named = [_with_closest(student, ids) if n < MAX_SUGGESTIONS else student for n, student in enumerate(unused)]
        warnings.append(f"overrides for students without a submission: {', '.join(named)}")
    warnings.extend(f"{name} not graded: the blank template, not a student's submission" for name in skipped)
    return ClassSummary(
        folder=folder, outcomes=outcomes, homeworks=[tally.summary() for tally in tallies.values()],
        warnings=warnings, generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        grader_version=grader_version,
    )


def _with_closest(student: str, ids: Collection[str]) -> str:
    close = difflib.get_close_matches(student, ids, n=1)
    return f"{student} (did you mean {close[0]}?)" if close else student


# --- outputs -----------------------------------------------------------------------------------


def write_outputs(summary: ClassSummary, out: Path) -> None:
    """grades.csv and index.html (results.jsonl is streamed while grading), each written atomically."""
    from grader.render.html import render_index

    write_atomic(out / "grades.csv", grades_csv(summary))
    write_atomic(out / "index.html", render_index(summary))


def grades_csv(summary: ClassSummary) -> str:
    """One row per submission: id, name, homework, points per problem, total, maximum, percent, error,
    the file it came from, and the student id the file declares where that differs from the row's.

    With several homeworks in one folder, problem columns are prefixed `homework:`.
    """
    several = len(summary.homeworks) > 1
    columns = [(h.id, p) for h in summary.homeworks for p, _, _ in h.problems]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "name", "homework",
                     *(f"{h}:{p}" if several else p for h, p in columns),
                     "total", "max_score", "percent", "error", "source", "declared_id"])
    for outcome in summary.outcomes:
        origin = [_cell(printable_path(outcome.entry.path)), _cell(outcome.declared_id or "")]
        if not outcome.graded:
            # Not graded is not zero: the total stays empty, so a gradebook import records nothing.
            writer.writerow([_cell(outcome.student_id), "", "", *([""] * len(columns)), "", "", "",
                             _cell(outcome.error or ""), *origin])
            continue
        points = {(outcome.homework, p): score for p, score in outcome.problems.items()}
        writer.writerow([_cell(outcome.student_id), _cell(outcome.student_name or ""), outcome.homework,
                         *(_num(points[c]) if c in points else "" for c in columns),
                         _num(outcome.score), _num(outcome.max_score), f"{outcome.percent:.2f}",
                         _cell(outcome.error or ""), *origin])
    return buffer.getvalue()


def _cell(text: str) -> str:
    """Text a spreadsheet must not run as a formula (CSV injection): a leading quote disarms it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _num(value: float) -> str:
    return f"{value:g}"


def _error_line(outcome: Outcome) -> str:
    """The results.jsonl line of a submission not graded: {student, source, error}."""
    return json_safe(json.dumps({"student": {"id": outcome.student_id, "name": None},
                                 "source": str(outcome.entry.path), "error": outcome.error}, ensure_ascii=False))


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that a reader (or an interrupted run) never sees it half-written."""
    with atomic_writer(path) as file:
        file.write(text)


def _umask() -> int:
    # Read once, at import (no other thread yet): os.umask can only be read by setting it.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()


@contextmanager
def atomic_writer(path: Path) -> Iterator[TextIO]:
    """A text file that appears at `path` complete, or not at all (a temporary beside it, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            yield file
        os.chmod(temporary, 0o666 & ~_UMASK)  # mkstemp makes 0600; give what open() would, under the umask
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

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
import io
import json
import logging
import multiprocessing
import os
import re
import statistics
import tempfile
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from grader.errors import UsageError
from grader.models import Result, Status
from grader.overrides import Overrides, apply_overrides

log = logging.getLogger(__name__)

SUBMISSION_SUFFIXES = (".yaml", ".yml", ".json")
FOLDER_SUBMISSION = "submission"
REPORTS_DIR = "reports"
# Shown to the student when the grader itself failed; the traceback goes to the instructor only.
CRASH_MESSAGE = "The grader failed on this submission; your instructor has been told and will grade it by hand."
WORKER_DIED = "the grading worker process died on this submission (crash or out of memory)"
MAX_MISTAKES = 15
HISTOGRAM_BINS = 10
# Submissions the parent grades before forking its workers, to hand them warm caches.
WARM_UP = 40

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Entry:
    """One submission found in the class folder; `name` is unique and names its report."""

    name: str
    path: Path
    default_id: str


@dataclass(frozen=True)
class Options:
    """What every worker needs: where reports go, and how to grade."""

    out: Path
    hide_expected: bool = False
    overrides: Overrides = field(default_factory=dict)
    reports: bool = True


@dataclass
class Outcome:
    """A graded submission or its error, as sent back by a worker (plain data, cheap to pickle)."""

    entry: Entry
    result_json: str | None = None
    error: str | None = None
    details: str | None = None  # instructor-only: a traceback
    report: str | None = None  # path of the HTML report, relative to OUT
    result: Result | None = None  # parsed in the main process

    @property
    def student_id(self) -> str:
        return self.result.student.id if self.result else self.entry.default_id

    @property
    def student_name(self) -> str | None:
        return self.result.student.name if self.result else None


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
    """One wrong answer (as the grader read it) and how many students gave it."""

    item: str
    answer: str
    count: int
    status: str
    feedback: str


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

    A student folder without a submission file is still an entry (its loading fails and is
    reported), so a student who forgot to commit is listed rather than silently skipped.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError("not a folder of submissions", path=folder)
    entries: list[Entry] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.startswith((".", "_")):
            continue
        if path.is_file() and path.suffix.lower() in SUBMISSION_SUFFIXES:
            entries.append(Entry(path.stem, path, path.stem))
        elif path.is_dir():
            found = [path / f"{FOLDER_SUBMISSION}{suffix}" for suffix in SUBMISSION_SUFFIXES]
            existing = [p for p in found if p.is_file()]
            entries.append(Entry(path.name, existing[0] if existing else found[0], path.name))
    return _unique_names(entries)


def _unique_names(entries: list[Entry]) -> list[Entry]:
    """Report names safe as file names and distinct (`ada.yaml` beside `ada/` gets `ada-2`)."""
    seen: set[str] = set()
    unique = []
    for entry in entries:
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", entry.name).strip("._") or "submission"
        name, n = base, 1
        while name.lower() in seen:
            n += 1
            name = f"{base}-{n}"
        seen.add(name.lower())
        unique.append(Entry(name, entry.path, entry.default_id))
    return unique


# --- grading one submission (runs in a worker) ---------------------------------------------

_options: Options | None = None


def _init_worker(options: Options) -> None:
    global _options
    _options = options


def _grade_chunk(entries: Sequence[Entry]) -> list[Outcome]:
    return [grade_entry(entry, _options) for entry in entries]


def grade_entry(entry: Entry, options: Options) -> Outcome:
    """Grade one submission and write its report; every failure becomes an error outcome."""
    from grader.api import check_file

    outcome = Outcome(entry)
    result = None
    try:
        if not entry.path.is_file() and entry.path.parent.name == entry.default_id and entry.path.stem == FOLDER_SUBMISSION:
            raise UsageError(f"no {FOLDER_SUBMISSION}.yaml in the student's folder", path=entry.path.parent)
        result = check_file(entry.path, hide_expected=options.hide_expected, default_student_id=entry.default_id)
        result = apply_overrides(result, options.overrides.get(result.student.id, {}))
        outcome.result_json = result.model_dump_json()
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
    """Grade every submission of `folder` and write the class outputs into `out`."""
    from grader import __version__

    entries = discover(folder)
    out = Path(out)
    (out / REPORTS_DIR).mkdir(parents=True, exist_ok=True)
    options = Options(out=out, hide_expected=hide_expected, overrides=overrides or {})
    outcomes = run_pool(entries, options, jobs=jobs or os.cpu_count() or 1, progress=progress)
    for outcome in outcomes:
        if outcome.result_json is not None:
            outcome.result = Result.model_validate_json(outcome.result_json)
    summary = summarize(str(folder), outcomes, overrides or {}, grader_version=__version__)
    write_outputs(summary, out)
    return summary


def run_pool(entries: Sequence[Entry], options: Options, *, jobs: int, progress: Progress | None = None) -> list[Outcome]:
    """Grade entries with `jobs` worker processes (in this process if 1); outcomes in entry order."""
    total = len(entries)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    if jobs <= 1 or total <= 1:
        outcomes = []
        for entry in entries:
            outcomes.append(grade_entry(entry, options))
            tick(1)
        return outcomes

    by_index: dict[int, Outcome] = {}
    # Grade the first few here before forking: the workers inherit the warm caches (the key read,
    # the class's most common answers read and decided), instead of each filling them again.
    warm = min(WARM_UP, total // (jobs * 4))
    for i in range(warm):
        by_index[i] = grade_entry(entries[i], options)
        tick(1)
    chunk = max(1, min(16, (total - warm) // (jobs * 8)))
    chunks = [list(range(i, min(i + chunk, total))) for i in range(warm, total, chunk)]
    orphans: list[int] = []
    with _pool(jobs, options) as pool:
        futures: list[tuple[list[int], Future]] = [
            (indices, pool.submit(_grade_chunk, [entries[i] for i in indices])) for indices in chunks
        ]
        for indices, future in futures:
            try:
                for i, outcome in zip(indices, future.result()):
                    by_index[i] = outcome
                tick(len(indices))
            except BrokenProcessPool:
                orphans.extend(indices)
    # A worker died (segfault, out of memory, os._exit): the pool is gone with every task it
    # held. Re-run those one at a time, each in a fresh one-worker pool, so only the culprit fails.
    for i in orphans:
        by_index[i] = _run_isolated(entries[i], options)
        tick(1)
    return [by_index[i] for i in range(total)]


def _run_isolated(entry: Entry, options: Options) -> Outcome:
    with _pool(1, options) as pool:
        try:
            return pool.submit(_grade_chunk, [entry]).result()[0]
        except BrokenProcessPool:
            outcome = Outcome(entry, error=WORKER_DIED, details=WORKER_DIED)
            if options.reports:
                outcome.report = _write_report(entry, None, outcome, options)
            return outcome


def _pool(jobs: int, options: Options) -> ProcessPoolExecutor:
    # fork shares the already imported grader and sympy with the workers (no 0.5 s start each);
    # elsewhere fall back to the platform's default.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(options,))


# --- the class summary ------------------------------------------------------------------------


def summarize(folder: str, outcomes: list[Outcome], overrides: Overrides, *, grader_version: str) -> ClassSummary:
    """Statistics per homework, and warnings about the class as a whole."""
    from grader.plugins import load_homework

    warnings: list[str] = []
    ids = Counter(o.student_id for o in outcomes)
    for student, count in sorted(ids.items()):
        if count > 1:
            names = ", ".join(o.entry.path.name if o.entry.path.parent.name != o.entry.name else o.entry.name
                              for o in outcomes if o.student_id == student)
            warnings.append(f"student id {student!r} appears in {count} submissions ({names})")
    unused = sorted(set(overrides) - set(ids))
    if unused:
        warnings.append(f"overrides for students without a submission: {', '.join(unused)}")
    homeworks = []
    for homework_id in dict.fromkeys(o.result.homework for o in outcomes if o.result):
        results = [o.result for o in outcomes if o.result and o.result.homework == homework_id]
        homeworks.append(_homework_summary(load_homework(homework_id), results))
    return ClassSummary(
        folder=folder, outcomes=outcomes, homeworks=homeworks, warnings=warnings,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), grader_version=grader_version,
    )


def _homework_summary(homework, results: list[Result]) -> HomeworkSummary:
    scores = [r.score for r in results]
    histogram = [0] * HISTOGRAM_BINS
    for score in scores:
        fraction = score / homework.max_score if homework.max_score else 0.0
        histogram[min(HISTOGRAM_BINS - 1, max(0, int(fraction * HISTOGRAM_BINS)))] += 1
    items = []
    wrong: Counter[tuple[str, str]] = Counter()
    feedback: dict[tuple[str, str], Counter[str]] = {}
    status_of: dict[tuple[str, str], str] = {}
    for index, item in enumerate(homework.items):
        counts = {status.value: 0 for status in Status}
        total = review = 0
        for result in results:
            graded = result.items[index]
            counts[graded.status.value] += 1
            total += graded.score / graded.max_score if graded.max_score else 0.0
            review += graded.needs_review
            if graded.status in (Status.INCORRECT, Status.PARTIAL, Status.INVALID):
                answer = graded.read_as if graded.read_as is not None else (graded.given or "")
                key = (item.id, answer)
                wrong[key] += 1
                feedback.setdefault(key, Counter())[graded.feedback] += 1
                status_of[key] = graded.status.value
        items.append(ItemStats(item.id, homework.problem_of(item.id).id, item.points,
                               total / len(results) if results else 0.0, counts, review))
    order = {item.id: i for i, item in enumerate(homework.items)}
    ranked = sorted(wrong.items(), key=lambda kv: (-kv[1], order[kv[0][0]], kv[0][1]))
    mistakes = [Mistake(item_id, answer, count, status_of[(item_id, answer)],
                        feedback[(item_id, answer)].most_common(1)[0][0])
                for (item_id, answer), count in ranked[:MAX_MISTAKES] if count > 1]
    return HomeworkSummary(
        id=homework.id, title=homework.title, max_score=homework.max_score,
        problems=[(p.id, p.title, p.max_score) for p in homework.problems],
        graded=len(results),
        mean=statistics.fmean(scores) if scores else None,
        median=statistics.median(scores) if scores else None,
        low=min(scores, default=None), high=max(scores, default=None),
        histogram=histogram, items=items, mistakes=mistakes,
    )


# --- outputs -----------------------------------------------------------------------------------


def write_outputs(summary: ClassSummary, out: Path) -> None:
    """grades.csv, results.jsonl and index.html, each written atomically."""
    from grader.render.html import render_index

    write_atomic(out / "grades.csv", grades_csv(summary))
    write_atomic(out / "results.jsonl", results_jsonl(summary))
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
        result = outcome.result
        if result is None:
            writer.writerow([_cell(outcome.student_id), "", "", *([""] * len(columns)), 0, "", "",
                             _cell(outcome.error or "")])
            continue
        points = {(result.homework, p.id): p.score for p in result.problems}
        percent = 100 * result.score / result.max_score if result.max_score else 0.0
        writer.writerow([_cell(result.student.id), _cell(result.student.name or ""), result.homework,
                         *(_num(points[c]) if c in points else "" for c in columns),
                         _num(result.score), _num(result.max_score), f"{percent:.2f}", ""])
    return buffer.getvalue()


def _cell(text: str) -> str:
    """Text a spreadsheet must not run as a formula (CSV injection): a leading quote disarms it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _num(value: float) -> str:
    return f"{value:g}"


def results_jsonl(summary: ClassSummary) -> str:
    """One JSON object per line: the Result of CONTRACT §2, or {student, source, error} for a failure."""
    lines = []
    for outcome in summary.outcomes:
        if outcome.result_json is not None:
            lines.append(outcome.result_json)
        else:
            lines.append(json.dumps({"student": {"id": outcome.student_id, "name": None},
                                     "source": str(outcome.entry.path), "error": outcome.error},
                                    ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that a reader (or an interrupted run) never sees it half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes 0600; reports are meant to be shared
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


"""Grading a class folder: discovery, a pool of worker processes, and the class outputs as outcomes arrive.

Each submission is graded and its HTML report written by a worker; the main process collects the
outcomes in discovery order (so every output is deterministic whatever the scheduling) and writes
`results.jsonl` as they arrive, then `grades.csv` and `index.html`. A submission that cannot be
read, or that crashes the grader, or even kills its worker process, becomes an error row: it
never stops the batch. One service process loads torch for every worker's error carried forward.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from grader import __version__
from grader.api import homework_for, homework_named_in
from grader.authoring.key_cache import KeyCache, default_cache_folder, precompute
from grader.batch.discover import Entry, discover
from grader.batch.outputs import error_line, write_outputs
from grader.batch.stats import Tally, summarize
from grader.batch.worker import REPORTS_DIR, WORKER_DIED, Grading, Options, failed, grade_entry
from grader.core.overrides import Overrides
from grader.core.summary import ClassSummary, Outcome
from grader.core.variant import Assignment
from grader.io.files import atomic_writer
from grader.plugins.homeworks import load_homework
from grader.runtime import pool
from grader.runtime.carry_service import CarryService

Progress = Callable[[int, int], None]


def grade_folder(
    folder: str | Path,
    out: str | Path,
    *,
    jobs: int | None = None,
    overrides: Overrides | None = None,
    hide_expected: bool = False,
    progress: Progress | None = None,
    assignment: Assignment | None = None,
    keys: KeyCache | None = None,
    key_progress: Progress | None = None,
) -> ClassSummary:
    """Grade every submission of `folder` and write the class outputs into `out`.

    Outcomes arrive in discovery order; each is written to results.jsonl and added to the
    statistics at once, so memory stays flat however large the class. With an `assignment` (the
    course secret), each student is graded on their own variant, named by the layout's name; the
    variants' keys missing from `keys` are computed first, in `jobs` processes.
    """
    entries, left_out = discover(folder)
    out = Path(out)
    (out / REPORTS_DIR).mkdir(parents=True, exist_ok=True)
    if assignment is not None:
        keys = keys or KeyCache(default_cache_folder())
        prepare_keys(entries, assignment, keys, jobs=worker_count(jobs), progress=key_progress)
    options = Options(out=out, hide_expected=hide_expected, overrides=overrides or {}, assignment=assignment,
                      keys=keys)
    tallies: dict[str, Tally] = {}
    outcomes: list[Outcome] = []
    with atomic_writer(out / "results.jsonl") as jsonl:
        for outcome in run_pool(entries, options, jobs=worker_count(jobs), progress=progress):
            jsonl.write((outcome.result_json or error_line(outcome)) + "\n")
            if outcome.digest is not None and outcome.homework is not None:
                if outcome.homework not in tallies:
                    tallies[outcome.homework] = Tally(load_homework(outcome.homework))
                tallies[outcome.homework].add(outcome)
            outcome.result_json = outcome.digest = None
            outcomes.append(outcome)
    summary = summarize(str(folder), outcomes, tallies, overrides or {}, grader_version=__version__,
                        skipped=left_out)
    write_outputs(summary, out)
    return summary


def prepare_keys(entries: Sequence[Entry], assignment: Assignment, keys: KeyCache, *, jobs: int,
                 progress: Progress | None = None) -> int:
    """Compute the keys of the class's variants that are not kept yet (how many), before any worker needs one.

    Each file's homework is read off its `homework:` line without parsing it (grading reads it properly);
    a homework without parameters has no variants.
    """
    wanted = []
    for entry in entries:
        homework = homework_named_in(entry.path) if entry.problem is None else None
        if homework is not None and homework.parameters:
            varied = homework_for(homework.id, assignment, entry.default_id)
            if varied.variant is not None and varied.variant.values != varied.default_variant.values:
                wanted.append(varied)
    return precompute(wanted, keys, jobs=jobs, progress=progress)


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
    # The answer caches live in each worker's runtime and checking process, which a forked worker starts
    # afresh, so the parent does not grade ahead to warm them.
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
    yield from pool.in_order(entries, partial(Grading, options), jobs=jobs, chunk_size=size,
                             lost=lambda _, entry: _run_isolated(entry, options))


def _run_isolated(entry: Entry, options: Options) -> Outcome:
    return next(pool.in_order([entry], partial(Grading, options), jobs=1, chunk_size=1,
                              lost=lambda _, entry: failed(entry, options, WORKER_DIED)))


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

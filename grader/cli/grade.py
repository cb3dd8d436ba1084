"""`grader grade`: grade a class folder and print its summary."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from grader.cli import app
from grader.render.safe_text import log_safe


@app.command()
def grade(
    folder: Annotated[
        Path, typer.Argument(help="The class folder: NAME.yaml files or NAME/submission.yaml folders (template.yaml skipped).")
    ],
    *,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write index.html, reports/, grades.csv, results.jsonl.")],
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: the number of cores).")
    ] = None,
    overrides: Annotated[
        Path | None, typer.Option(help="YAML of student → item → points (and comment): an instructor's regrade.")
    ] = None,
    hide_expected: Annotated[bool, typer.Option(help="Withhold expected answers from the reports.")] = False,
) -> None:
    """Grade a class folder: a report per student, grades.csv, results.jsonl and a class summary."""
    from grader.batch import grade_folder, worker_count
    from grader.io.overrides import load_overrides
    from grader.plugins.homeworks import available_homeworks, load_homework

    loaded = load_overrides(overrides, [load_homework(name) for name in available_homeworks()]) if overrides else None
    workers = worker_count(jobs)
    if jobs is not None and workers < jobs:
        typer.echo(f"--jobs {jobs}: using {workers} worker processes, the most this machine's "
                   f"{os.cpu_count() or 1} cores can use.", err=True)
    progress = _progress_bar() if sys.stderr.isatty() else None
    summary = grade_folder(folder, out, jobs=workers, overrides=loaded, hide_expected=hide_expected,
                           progress=progress)
    if progress is not None:
        typer.echo("", err=True)
    graded = sum(outcome.graded for outcome in summary.outcomes)
    typer.echo(f"Graded {graded} of {len(summary.outcomes)} submissions in {log_safe(str(folder))}.")
    for homework in summary.homeworks:
        typer.echo(f"  {homework.id}: mean {homework.mean:.1f} / {homework.max_score:g}, "
                   f"median {homework.median:.1f}, range {homework.low:g}–{homework.high:g}")
    for outcome in summary.errors:  # file names and errors quoting a file are the students'
        typer.echo(f"  not graded ({log_safe(outcome.name)}): {log_safe(outcome.error)}")
    for warning in summary.warnings:
        typer.echo(f"  warning: {log_safe(warning)}")
    typer.echo(f"Class summary: {log_safe(str(out / 'index.html'))}  (also grades.csv, results.jsonl, reports/)")


def _progress_bar(width: int = 30):
    """A one-line progress bar on stderr, redrawn in place (only used on a terminal)."""

    def draw(done: int, total: int) -> None:
        filled = width * done // total if total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()

    return draw

"""`grader grade`: grade a class folder and print its summary."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from grader.cli import app
from grader.cli.variants import KeyCacheOption, SecretFileOption, read_secret
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
    secret_file: SecretFileOption = None,
    key_cache: KeyCacheOption = None,
) -> None:
    """Grade a class folder: a report per student, grades.csv, results.jsonl and a class summary.

    With the course secret (--secret-file or $GRADER_SECRET), each student is graded on their own variant,
    named by the layout's name (NAME.yaml, NAME/); missing keys are computed first.
    """
    from grader.authoring.key_cache import KeyCache
    from grader.batch import grade_folder, worker_count
    from grader.core.variant import Assignment
    from grader.io.overrides import load_overrides
    from grader.plugins.homeworks import available_homeworks, load_homework

    secret = read_secret(secret_file)

    loaded = load_overrides(overrides, [load_homework(name) for name in available_homeworks()]) if overrides else None
    workers = worker_count(jobs)
    if jobs is not None and workers < jobs:
        typer.echo(f"--jobs {jobs}: using {workers} worker processes, the most this machine's "
                   f"{os.cpu_count() or 1} cores can use.", err=True)
    progress = _progress_bar() if sys.stderr.isatty() else None
    summary = grade_folder(folder, out, jobs=workers, overrides=loaded, hide_expected=hide_expected,
                           progress=progress, assignment=Assignment(secret=secret) if secret is not None else None,
                           keys=KeyCache(key_cache) if key_cache is not None else None,
                           key_progress=_progress_bar("keys") if sys.stderr.isatty() else None)
    if progress is not None:
        typer.echo("", err=True)
    graded = sum(outcome.graded for outcome in summary.outcomes)
    typer.echo(f"Graded {graded} of {len(summary.outcomes)} submissions in {log_safe(str(folder))}.")
    for homework in summary.homeworks:
        variants = f", {homework.variants} variants" if homework.variants else ""
        typer.echo(f"  {homework.id}: mean {homework.mean:.1f} / {homework.max_score:g}, "
                   f"median {homework.median:.1f}, range {homework.low:g}–{homework.high:g}{variants}")
    for outcome in summary.errors:  # file names and errors quoting a file are the students'
        typer.echo(f"  not graded ({log_safe(outcome.name)}): {log_safe(outcome.error)}")
    for warning in summary.warnings:
        typer.echo(f"  warning: {log_safe(warning)}")
    typer.echo(f"Class summary: {log_safe(str(out / 'index.html'))}  (also grades.csv, results.jsonl, reports/)")


def _progress_bar(what: str = "", width: int = 30):
    """A one-line progress bar on stderr, redrawn in place (only used on a terminal)."""

    def draw(done: int, total: int) -> None:
        filled = width * done // total if total else width
        sys.stderr.write(f"\r{what + ' ' if what else ''}[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()
        if what and done == total:
            sys.stderr.write("\n")

    return draw

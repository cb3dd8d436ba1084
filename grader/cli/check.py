"""`grader check`: grade one file and print it in any format, with the CI side effects inside GitHub Actions."""

from __future__ import annotations

import math
import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from grader.cli import app
from grader.cli.variants import KeyCacheOption, SecretFileOption, StudentOption, VariantOption, assignment_of
from grader.core.errors import ExitCode, UsageError


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    gradescope = "gradescope"
    junit = "junit"
    classroom = "classroom"


def _use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@app.command()
def check(
    submission: Annotated[Path, typer.Argument(help="The submission file (YAML or JSON).")],
    *,
    format: Annotated[
        OutputFormat,
        typer.Option(
            "--format", "-f",
            help="Output format. gradescope: results.json; classroom: prints `Points X/Y` and writes the "
            "autograding result to $GITHUB_OUTPUT as `result=…` (printed as that line when the variable is unset).",
        ),
    ] = OutputFormat.text,
    hide_expected: Annotated[
        bool, typer.Option(help="Withhold expected answers from every output (hints stay).")
    ] = False,
    fail_under: Annotated[
        float | None,
        typer.Option(help="Exit with code 1 when the score is below this many points (0 … the homework's points)."),
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the feedback report as a self-contained HTML file.")
    ] = None,
    homework: Annotated[
        str | None,
        typer.Option("--homework", help="Grade only this homework: a file naming another one is refused (exit 2). "
                     "Set it wherever students run the grader (CI, Gradescope)."),
    ] = None,
    variant: VariantOption = None,
    student: StudentOption = None,
    secret_file: SecretFileOption = None,
    key_cache: KeyCacheOption = None,
) -> None:
    """Grade one submission and print the result.

    Inside GitHub Actions (GITHUB_ACTIONS=true) it also writes the Markdown report to the job
    summary, the outputs `score` and `max-score`, and a warning annotation (on stderr) at the
    line of each answer that lost points.

    With --variant SEED, or --student ID and the course secret, the answers are graded against that
    student's variant (its key is computed with torch on first use and kept in the key cache).
    """
    from grader.api import check_file
    from grader.authoring.key_cache import KeyCache
    from grader.core.identity import graded_as
    from grader.plugins.homeworks import load_homework
    from grader.render import github_actions as ci

    env = os.environ
    started = time.perf_counter()
    if fail_under is not None and not (math.isfinite(fail_under) and fail_under >= 0):
        raise UsageError(f"--fail-under must be a number of points, 0 or more, not {fail_under:g}")
    try:
        assignment, identity = assignment_of(variant, student, secret_file, env)
        if homework is not None:
            load_homework(homework)  # an unknown name is the caller's mistake: say so before reading the file
        result = check_file(submission, hide_expected=hide_expected, mathml=html is not None, homework=homework,
                            assignment=assignment, identity=identity,
                            keys=KeyCache(key_cache) if key_cache is not None else None)
        if identity is not None:  # the deployment vouches for whose file it is (Gradescope's student)
            result = graded_as(result, identity)
    except UsageError as error:
        _report_unusable(error, submission, format, time.perf_counter() - started, env, homework)
        raise
    if fail_under is not None and fail_under > result.max_score:
        raise UsageError(f"--fail-under {fail_under:g} is more than the {result.max_score:g} points of "
                         f"{result.homework}: no submission could pass")
    if html is not None:
        _write_html(result, html)
    _print_result(result, format, time.perf_counter() - started, env)
    if ci.in_github_actions(env):
        ci.report(result, env, sys.stderr)
    if fail_under is not None and result.score < fail_under:
        typer.echo(f"Score {result.score:g} is below --fail-under {fail_under:g} (of {result.max_score:g}).",
                   err=True)
        raise typer.Exit(ExitCode.BELOW_THRESHOLD)


def _print_result(result, format: OutputFormat, seconds: float, env) -> None:
    """Print `result` in `format` (the only place that knows every renderer)."""
    if format is OutputFormat.json:
        from grader.render.json_result import render_json

        typer.echo(render_json(result))
    elif format is OutputFormat.markdown:
        from grader.render.markdown import render_markdown

        typer.echo(render_markdown(result), nl=False)
    elif format is OutputFormat.gradescope:
        from grader.render.gradescope import render_gradescope

        typer.echo(render_gradescope(result, execution_time=seconds))
    elif format is OutputFormat.junit:
        from grader.render.junit import render_junit

        typer.echo(render_junit(result), nl=False)
    elif format is OutputFormat.classroom:
        from grader.render.classroom import points_line, render_classroom

        typer.echo(points_line(result))
        _emit_classroom_result(render_classroom(result), env)
    else:
        from grader.render.text import render_text

        typer.echo(render_text(result, color=_use_color()))


def _write_html(result, path: Path) -> None:
    """The student's feedback report as one self-contained HTML file (jinja2 is imported only here)."""
    from grader.io.files import write_atomic
    from grader.render.html import render_report

    try:
        write_atomic(path, render_report(result))
    except OSError as error:
        raise UsageError(f"cannot write the HTML report: {error.strerror or error}", path=path) from None


def _report_unusable(
    error: UsageError, submission: Path, format: OutputFormat, seconds: float, env, pinned: str | None
) -> None:
    """A submission that cannot be graded still yields a valid document in the CI formats.

    Gradescope gets a results.json with score 0 and the reason; Classroom gets an `error`
    runner result, and Actions the outputs `score` 0 and `max-score` (the homework's max score:
    the pinned one, else the one the file names, else 0). The caller then re-raises, so the
    message goes to stderr and the exit code is 2.
    """
    from grader.api import homework_named_in
    from grader.render import github_actions as ci

    message = str(error) if error.path else f"{submission}: {error}"
    in_actions = ci.in_github_actions(env)
    max_score = 0.0
    if format is OutputFormat.classroom or in_actions:
        homework = homework_named_in(submission, pinned=pinned)
        max_score = homework.max_score if homework is not None else 0.0
    if format is OutputFormat.gradescope:
        from grader.render.gradescope import render_error

        typer.echo(render_error(message, execution_time=seconds))
    elif format is OutputFormat.classroom:
        from grader.render.classroom import encode_payload, error_payload

        typer.echo(f"Points 0/{max_score:g}")
        _emit_classroom_result(encode_payload(error_payload(message, max_score=max_score, source=str(submission))), env)
    if in_actions:
        ci.report_unusable(error, env, sys.stderr, max_score=max_score)


def _emit_classroom_result(payload: str, env) -> None:
    """The runner result goes to $GITHUB_OUTPUT as `result`, or to stdout as that line if it is unset."""
    from grader.render import github_actions as ci

    if not ci.set_output("result", payload, env):
        typer.echo(f"result={payload}")

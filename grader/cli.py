"""The `grader` command: thin typer wiring from options to library calls and exit codes.

What it prints may quote a student (names, keys, answers, file names) and lands on an instructor's
terminal or in a CI log read by the GitHub Actions runner: renderers return text that is safe for
both, and every other line that quotes a submission passes it through grader.safe_text.log_safe.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from grader.errors import ExitCode, UsageError
from grader.safe_text import log_safe

app = typer.Typer(
    help="Grade homework submissions against computed answer keys.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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
        Optional[float],
        typer.Option(help="Exit with code 1 when the score is below this many points (0 … the homework's points)."),
    ] = None,
    html: Annotated[
        Optional[Path], typer.Option("--html", help="Also write the feedback report as a self-contained HTML file.")
    ] = None,
    homework: Annotated[
        Optional[str],
        typer.Option("--homework", help="Grade only this homework: a file naming another one is refused (exit 2). "
                     "Set it wherever students run the grader (CI, Gradescope)."),
    ] = None,
) -> None:
    """Grade one submission and print the result.

    Inside GitHub Actions (GITHUB_ACTIONS=true) it also writes the Markdown report to the job
    summary, the outputs `score` and `max-score`, and a warning annotation (on stderr) at the
    line of each answer that lost points.
    """
    from grader import ci
    from grader.api import check_file
    from grader.plugins import load_homework

    env = os.environ
    started = time.perf_counter()
    if fail_under is not None and not (math.isfinite(fail_under) and fail_under >= 0):
        raise UsageError(f"--fail-under must be a number of points, 0 or more, not {fail_under:g}")
    try:
        if homework is not None:
            load_homework(homework)  # an unknown name is the caller's mistake: say so before reading the file
        result = check_file(submission, hide_expected=hide_expected, mathml=html is not None, homework=homework)
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
    from grader.batch import write_atomic
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
    from grader import ci
    from grader.api import homework_named_in

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
    from grader import ci

    if not ci.set_output("result", payload, env):
        typer.echo(f"result={payload}")


@app.command()
def grade(
    folder: Annotated[
        Path, typer.Argument(help="The class folder: NAME.yaml files or NAME/submission.yaml folders (template.yaml skipped).")
    ],
    *,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write index.html, reports/, grades.csv, results.jsonl.")],
    jobs: Annotated[
        Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: the number of cores).")
    ] = None,
    overrides: Annotated[
        Optional[Path], typer.Option(help="YAML of student → item → points (and comment): an instructor's regrade.")
    ] = None,
    hide_expected: Annotated[bool, typer.Option(help="Withhold expected answers from the reports.")] = False,
) -> None:
    """Grade a class folder: a report per student, grades.csv, results.jsonl and a class summary."""
    from grader.batch import grade_folder, worker_count
    from grader.overrides import load_overrides
    from grader.plugins import available_homeworks, load_homework

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
        typer.echo(f"  not graded ({log_safe(outcome.entry.name)}): {log_safe(outcome.error)}")
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


@app.command("list")
def list_homeworks(
    homework: Annotated[Optional[str], typer.Argument(help="Show this homework's problems and items.")] = None,
) -> None:
    """List installed homeworks, or one homework's problems, items and points."""
    from grader.plugins import available_homeworks, load_homework

    if homework is None:
        for name in available_homeworks():
            loaded = load_homework(name)
            typer.echo(f"{name}  {loaded.title}  ({loaded.max_score:g} points, {len(loaded.items)} items)")
        return
    loaded = load_homework(homework)
    typer.echo(f"{loaded.id}: {loaded.title} ({loaded.max_score:g} points)")
    for problem in loaded.problems:
        typer.echo(f"\n{problem.id}  {problem.title}  ({problem.max_score:g} points)")
        for item in problem.items:
            typer.echo(f"  {item.id:<28} {item.kind:<10} {item.points:>5g}  {item.prompt}")


@app.command()
def key(
    homework: Annotated[str, typer.Argument(help="The homework whose key to compute.")],
    *,
    check: Annotated[bool, typer.Option("--check", help="Fail (exit 1) if the committed key is stale.")] = False,
    output: Annotated[Optional[Path], typer.Option(help="Write here instead of the plugin's key file.")] = None,
) -> None:
    """Recompute the answer key with torch and sympy and write it (or check the committed one)."""
    from grader.key import build_key, key_path, load_key, stale_items, write_key
    from grader.plugins import load_homework

    loaded = load_homework(homework)
    computed = build_key(loaded)
    path = output or key_path(loaded)
    if check:
        stale = stale_items(load_key(loaded, path), computed)
        if stale:
            typer.echo(f"{path}: stale for {len(stale)} item(s): {', '.join(stale[:10])}", err=True)
            typer.echo(f"Run `grader key {homework}` to recompute it.", err=True)
            raise typer.Exit(ExitCode.BELOW_THRESHOLD)
        typer.echo(f"{path}: up to date ({len(computed.answers)} items).")
        return
    write_key(computed, path)
    typer.echo(f"Wrote {path} ({len(computed.answers)} items).")


@app.command()
def template(
    homework: Annotated[str, typer.Argument(help="The homework to write a blank submission for.")],
    *,
    schema: Annotated[
        Optional[str], typer.Option(help="Schema path or URL for line 1 (default: HOMEWORK.schema.json).")
    ] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here instead of printing.")] = None,
) -> None:
    """A blank submission: every item id with its prompt as a comment (grades as all missing)."""
    from grader.plugins import load_homework
    from grader.template import render_template

    _emit(render_template(load_homework(homework), schema=schema), output)


@app.command()
def schema(
    homework: Annotated[str, typer.Argument(help="The homework whose submission schema to print.")],
    *,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here instead of printing.")] = None,
) -> None:
    """JSON Schema of a submission (ids, kinds, prompts), for editor completion and validation."""
    import json

    from grader.plugins import load_homework
    from grader.schema import build_schema

    _emit(json.dumps(build_schema(load_homework(homework)), indent=2, ensure_ascii=False) + "\n", output)


def _emit(text: str, output: Optional[Path]) -> None:
    """Print `text`, or write it to `output` and print the path written."""
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write: {error.strerror}", path=output) from None
    typer.echo(f"Wrote {output}")


class _OneLineFormatter(logging.Formatter):
    """Log records as one line without traceback: stderr is what students read in CI.

    Crashes reach the instructor elsewhere (a batch keeps each traceback for the class summary);
    GRADER_DEBUG=1 prints them in full.
    """

    def format(self, record: logging.LogRecord) -> str:
        first = record.getMessage().splitlines()[0] if record.getMessage() else ""
        return f"grader: {record.levelname.lower()}: {log_safe(first)}"


def _configure_logging(env) -> None:
    """Warnings and errors of the grader, its homework plugins and libraries, on stderr (once per process)."""
    root = logging.getLogger()
    if any(getattr(handler, "grader_cli", False) for handler in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.grader_cli = True  # type: ignore[attr-defined]
    if env.get("GRADER_DEBUG") != "1":
        handler.setFormatter(_OneLineFormatter())
    root.addHandler(handler)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: a usage error prints one clear line and exits 2.

    The message may quote a submission's keys, tags or file name: log_safe keeps it one line.
    typer/click handle their own errors (bad options exit 2) and `typer.Exit` codes.
    """
    _configure_logging(os.environ)
    try:
        app(args=argv)
    except UsageError as error:
        typer.echo(f"error: {log_safe(str(error))}", err=True)
        sys.exit(ExitCode.USAGE)


# --- the answer-checking service: `grader serve`, `grader tokens`, `grader submit` (grader.service) ----------


@app.command()
def serve(
    *,
    course: Annotated[Path, typer.Option("--course", help="The course file (homeworks, deadlines, roster).")],
    data: Annotated[Path, typer.Option("--data", help="Folder of the embedded SQLite database (created if missing).")
                    ] = Path("grader-data"),
    database_url: Annotated[
        Optional[str], typer.Option("--database-url", help="A database for several replicas instead, e.g. "
                                    "postgresql+psycopg://user@host/db (overrides --data).")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (each loads the grader and torch once).")] = 1,
    concurrency: Annotated[int, typer.Option(min=1, help="Submissions graded at once per worker process.")] = 2,
    queue: Annotated[int, typer.Option(min=0, help="Submissions waiting per worker before the server answers 503.")
                     ] = 64,
    warm: Annotated[bool, typer.Option(help="Load torch for error carried forward when a worker starts.")] = True,
    secure_cookies: Annotated[bool, typer.Option(help="Mark sign-in cookies Secure (https, or http on localhost); "
                                                 "--no-secure-cookies only behind plain http on another host.")] = True,
) -> None:
    """Run the answer-checking service: students submit over HTTP, the key stays on this server."""
    from grader.service.server import run
    from grader.service.settings import Settings, sqlite_url

    run(Settings(course=str(course.resolve()), database_url=database_url or sqlite_url(data), host=host, port=port,
                 workers=workers, concurrency=concurrency, queue=queue, warm=warm, secure_cookies=secure_cookies))


@app.command()
def tokens(
    course: Annotated[Path, typer.Argument(help="The course file whose roster gets tokens.")],
    *,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="New CSV for the tokens (never overwritten).")
                      ] = None,
    data: Annotated[Path, typer.Option("--data", help="Folder of the embedded SQLite database.")] = Path("grader-data"),
    database_url: Annotated[Optional[str], typer.Option("--database-url", help="The service's database URL.")] = None,
    reissue: Annotated[Optional[list[str]], typer.Option("--reissue", help="Revoke this member's tokens and issue a new one (repeatable).")] = None,
    revoke: Annotated[Optional[list[str]], typer.Option("--revoke", help="Revoke this member's tokens (repeatable).")] = None,
    expires: Annotated[Optional[str], typer.Option(help="Tokens issued now stop working then (ISO time with zone).")
                       ] = None,
) -> None:
    """Issue tokens to roster members who have none (or --reissue), written once to a CSV; the server keeps only hashes.

    --revoke ends a member's tokens and issues them none.
    """
    from datetime import datetime

    from grader.api import installed_homeworks
    from grader.service.course import load_course
    from grader.service.server import prepare_database
    from grader.service.settings import Settings, sqlite_url
    from grader.service.tokens import write_once

    loaded = load_course(course, installed=installed_homeworks())
    store = prepare_database(Settings(course=str(course), database_url=database_url or sqlite_url(data)), loaded)
    roster = {m.id: ("student", m) for m in loaded.students} | {m.id: ("instructor", m) for m in loaded.instructors}
    unknown = [m for m in (*(reissue or []), *(revoke or [])) if m not in roster]
    if unknown:
        raise UsageError(f"not on the roster of {course}: {', '.join(unknown)}")
    if revoke:
        typer.echo(f"Revoked {store.revoke(revoke)} token(s) of {', '.join(revoke)}.")
    if revoke and not reissue and output is None:
        return
    if output is None:
        raise UsageError("--output FILE is needed: the new tokens are written there (and nowhere else)")
    if output.exists():
        raise UsageError("exists already; tokens are written to a new file only (the old one may hold the only "
                         "copy of earlier tokens)", path=output)
    until = None
    if expires is not None:
        try:
            until = datetime.fromisoformat(expires)
        except ValueError:
            raise UsageError(f"--expires must be an ISO time such as 2026-12-31T23:59:00+01:00, not {expires!r}") from None
        if until.tzinfo is None:
            raise UsageError("--expires needs a time zone (…+01:00 or …Z)")
    if reissue:
        store.revoke(reissue)
    holders = store.members_with_tokens()
    wanted = [member_id for member_id in roster if member_id not in holders and member_id not in (revoke or [])]
    issued = store.issue(wanted, expires_at=until)
    count = write_once(output, ((roster[m][0], m, roster[m][1].name or "", issued[m]) for m in wanted))
    skipped = len(roster) - count
    typer.echo(f"Wrote {count} token(s) to {output}" + (f"; {skipped} member(s) already hold one." if skipped else "."))


@app.command()
def submit(
    submission: Annotated[Path, typer.Argument(help="The submission file (YAML or JSON).")],
    *,
    server: Annotated[str, typer.Option("--server", envvar="GRADER_SERVER", help="The service's URL.")],
    token_env: Annotated[str, typer.Option(help="The environment variable holding your token.")] = "GRADER_TOKEN",
    homework: Annotated[Optional[str], typer.Option("--homework", help="Refuse a file naming another homework.")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format, as for `check`.")
                      ] = OutputFormat.text,
    fail_under: Annotated[Optional[float], typer.Option(help="Exit 1 when the score is below this many points.")
                          ] = None,
) -> None:
    """Send a submission to the grading service and print its report (exit codes as `check`)."""
    from grader import ci
    from grader.discovery import refuse_links
    from grader.models import Result
    from grader.service.client import submit as post
    from grader.submission import MAX_FILE_BYTES

    env = os.environ
    started = time.perf_counter()
    token = env.get(token_env, "").strip()
    if not token:
        raise UsageError(f"set {token_env} to your token (in CI: a repository secret)")
    if fail_under is not None and not (math.isfinite(fail_under) and fail_under >= 0):
        raise UsageError(f"--fail-under must be a number of points, 0 or more, not {fail_under:g}")
    try:
        refuse_links(submission)
        if not submission.is_file():
            raise UsageError("file not found", path=submission)
        if submission.stat().st_size > MAX_FILE_BYTES:
            raise UsageError(f"the file is larger than {MAX_FILE_BYTES:,} bytes, the limit for a submission",
                             path=submission)
        answer = post(server, token, submission.read_bytes(), filename=submission.name, homework=homework)
        if answer.status == 422:
            raise UsageError(answer.document["error"])
    except UsageError as error:
        _report_unusable(error, submission, format, time.perf_counter() - started, env, homework)
        raise
    result = Result.model_validate(answer.document["result"])
    _print_result(result, format, time.perf_counter() - started, env)
    if ci.in_github_actions(env):
        ci.report(result, env, sys.stderr)
    typer.echo(f"Stored as submission {answer.document['id']}; report: {answer.document['report_url']}", err=True)
    if fail_under is not None and result.score < fail_under:
        typer.echo(f"Score {result.score:g} is below --fail-under {fail_under:g} (of {result.max_score:g}).", err=True)
        raise typer.Exit(ExitCode.BELOW_THRESHOLD)

"""The answer-checking service's commands: `grader serve`, `grader tokens` and `grader submit` (grader.service)."""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from grader.cli import app
from grader.cli.check import OutputFormat, _print_result, _report_unusable
from grader.core.errors import ExitCode, UsageError


@app.command()
def serve(
    *,
    course: Annotated[Path, typer.Option("--course", help="The course file (homeworks, deadlines, roster).")],
    data: Annotated[Path, typer.Option("--data", help="Folder of the embedded SQLite database (created if missing).")
                    ] = Path("grader-data"),
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="A database for several replicas instead, e.g. "
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
    key_cache: Annotated[Path | None, typer.Option(
        "--key-cache", help="Folder of the students' variants' keys (default: DATA/keys, or the user's key cache "
                            "with --database-url).")] = None,
) -> None:
    """Run the answer-checking service: students submit over HTTP, the key stays on this server."""
    from grader.authoring.key_cache import default_cache_folder
    from grader.service.server import run
    from grader.service.settings import Settings, sqlite_url

    keys = key_cache or (default_cache_folder() if database_url else data / "keys")
    run(Settings(course=str(course.resolve()), database_url=database_url or sqlite_url(data), host=host, port=port,
                 workers=workers, concurrency=concurrency, queue=queue, warm=warm, secure_cookies=secure_cookies,
                 key_cache=str(keys.resolve())))


@app.command()
def tokens(
    course: Annotated[Path, typer.Argument(help="The course file whose roster gets tokens.")],
    *,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="New CSV for the tokens (never overwritten).")
                      ] = None,
    data: Annotated[Path, typer.Option("--data", help="Folder of the embedded SQLite database.")] = Path("grader-data"),
    database_url: Annotated[str | None, typer.Option("--database-url", help="The service's database URL.")] = None,
    reissue: Annotated[list[str] | None, typer.Option("--reissue", help="Revoke this member's tokens and issue a new one (repeatable).")] = None,
    revoke: Annotated[list[str] | None, typer.Option("--revoke", help="Revoke this member's tokens (repeatable).")] = None,
    expires: Annotated[str | None, typer.Option(help="Tokens issued now stop working then (ISO time with zone).")
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
    homework: Annotated[str | None, typer.Option("--homework", help="Refuse a file naming another homework.")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format, as for `check`.")
                      ] = OutputFormat.text,
    fail_under: Annotated[float | None, typer.Option(help="Exit 1 when the score is below this many points.")
                          ] = None,
) -> None:
    """Send a submission to the grading service and print its report (exit codes as `check`)."""
    from grader.core.models import Result
    from grader.io.discovery import refuse_links
    from grader.io.submission import MAX_FILE_BYTES
    from grader.render import github_actions as ci
    from grader.service.client import submit as post

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

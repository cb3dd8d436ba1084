"""The `grader` command: thin typer wiring from options to library calls and exit codes."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from grader.errors import ExitCode, UsageError

app = typer.Typer(
    help="Grade homework submissions against computed answer keys.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


def _use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@app.command()
def check(
    submission: Annotated[Path, typer.Argument(help="The submission file (YAML or JSON).")],
    *,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
    hide_expected: Annotated[bool, typer.Option(help="Withhold expected answers from the output.")] = False,
    fail_under: Annotated[
        Optional[float], typer.Option(help="Exit with code 1 when the score is below this many points.")
    ] = None,
) -> None:
    """Grade one submission and print the result."""
    from grader.api import check_file

    result = check_file(submission, hide_expected=hide_expected)
    if format is OutputFormat.json:
        from grader.render.json_result import render_json

        typer.echo(render_json(result))
    else:
        from grader.render.text import render_text

        typer.echo(render_text(result, color=_use_color()))
    if fail_under is not None and result.score < fail_under:
        raise typer.Exit(ExitCode.BELOW_THRESHOLD)


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


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: a usage error prints one clear line and exits 2.

    typer/click handle their own errors (bad options exit 2) and `typer.Exit` codes.
    """
    try:
        app(args=argv)
    except UsageError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(ExitCode.USAGE)

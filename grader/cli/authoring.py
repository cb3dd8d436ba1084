"""The commands about a homework rather than a submission: `list`, `key`, `template` and `schema`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grader.cli import app
from grader.core.errors import ExitCode, UsageError


@app.command("list")
def list_homeworks(
    homework: Annotated[str | None, typer.Argument(help="Show this homework's problems and items.")] = None,
) -> None:
    """List installed homeworks, or one homework's problems, items and points."""
    from grader.plugins.homeworks import available_homeworks, load_homework

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
    output: Annotated[Path | None, typer.Option(help="Write here instead of the plugin's key file.")] = None,
) -> None:
    """Recompute the answer key with torch and sympy and write it (or check the committed one)."""
    from grader.authoring.keys import build_key, stale_items, write_key
    from grader.core.key import key_path, load_key
    from grader.plugins.homeworks import load_homework

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
        str | None, typer.Option(help="Schema path or URL for line 1 (default: HOMEWORK.schema.json).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of printing.")] = None,
) -> None:
    """A blank submission: every item id with its prompt as a comment (grades as all missing)."""
    from grader.plugins.homeworks import load_homework
    from grader.render.template import render_template

    _emit(render_template(load_homework(homework), schema=schema), output)


@app.command()
def schema(
    homework: Annotated[str, typer.Argument(help="The homework whose submission schema to print.")],
    *,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of printing.")] = None,
) -> None:
    """JSON Schema of a submission (ids, kinds, prompts), for editor completion and validation."""
    import json

    from grader.plugins.homeworks import load_homework
    from grader.render.schema import build_schema

    _emit(json.dumps(build_schema(load_homework(homework)), indent=2, ensure_ascii=False) + "\n", output)


def _emit(text: str, output: Path | None) -> None:
    """Print `text`, or write it to `output` and print the path written."""
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write: {error.strerror}", path=output) from None
    typer.echo(f"Wrote {output}")

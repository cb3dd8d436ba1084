"""The commands about a homework rather than a submission: `list`, `key`, `template` and `schema`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grader.cli import app
from grader.cli.variants import (
    KeyCacheOption,
    SecretFileOption,
    StudentOption,
    VariantOption,
    homework_option,
    read_secret,
)
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
    variant: VariantOption = None,
    student: StudentOption = None,
    secret_file: SecretFileOption = None,
    roster: Annotated[Path | None, typer.Option(
        help="Compute the key of every student's variant (ids: a course file or one per line), with the secret.")
    ] = None,
    key_cache: KeyCacheOption = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Processes for --roster (default: cores).")
                    ] = None,
) -> None:
    """Recompute the answer key with torch and sympy and write it (or check the committed one).

    With --variant, --student or --roster, the keys of those variants are computed into the key cache
    (the committed key is the default variant's and stays as it is).
    """
    from grader.authoring.keys import build_key, stale_items, write_key
    from grader.core.key import key_path, load_key
    from grader.plugins.homeworks import load_homework

    if variant is not None or student is not None or roster is not None:
        _variant_keys(homework, variant, student, secret_file, roster, key_cache, jobs, output)
        return
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
    variant: VariantOption = None,
    student: StudentOption = None,
    secret_file: SecretFileOption = None,
) -> None:
    """A blank submission: every item id with its prompt as a comment (grades as all missing); with --student or
    --variant, the prompts hold that variant's numbers."""
    from grader.render.template import render_template

    _emit(render_template(homework_option(homework, variant, student, secret_file), schema=schema), output)


@app.command()
def schema(
    homework: Annotated[str, typer.Argument(help="The homework whose submission schema to print.")],
    *,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of printing.")] = None,
    variant: VariantOption = None,
    student: StudentOption = None,
    secret_file: SecretFileOption = None,
) -> None:
    """JSON Schema of a submission (ids, kinds, prompts), for editor completion and validation."""
    import json

    from grader.render.schema import build_schema

    loaded = homework_option(homework, variant, student, secret_file)
    _emit(json.dumps(build_schema(loaded), indent=2, ensure_ascii=False) + "\n", output)


def _variant_keys(homework: str, variant: str | None, student: str | None, secret_file: Path | None,
                  roster: Path | None, key_cache: Path | None, jobs: int | None, output: Path | None) -> None:
    """`grader key` for variants: one (--variant, --student) or a class's (--roster), kept in the key cache."""
    import os
    import time

    from grader.api import homework_for
    from grader.authoring.key_cache import KeyCache, default_cache_folder, precompute
    from grader.core.variant import Assignment
    from grader.io.roster import read_roster
    from grader.render.safe_text import log_safe

    keys = KeyCache(key_cache or default_cache_folder())
    if roster is None:
        loaded = homework_option(homework, variant, student, secret_file)
        assert loaded.variant is not None
        found = keys.get(loaded)
        path = keys.path(loaded) if found.variant is not None else Path(found.source)
        if output is not None:
            _emit(path.read_text(encoding="utf-8"), output)
        typer.echo(f"Key of variant {loaded.variant.short}: {log_safe(str(path))}")
        return
    if variant is not None or student is not None:
        raise UsageError("--roster computes every student's key: it takes no --variant or --student")
    secret = read_secret(secret_file)
    if secret is None:
        raise UsageError("--roster needs the course secret: --secret-file FILE or GRADER_SECRET")
    started = time.perf_counter()
    ids = read_roster(roster)
    varied = [homework_for(homework, Assignment(secret=secret), identity) for identity in ids]
    own = [h for h in varied if h.variant is not None and h.variant.values != h.default_variant.values]
    computed = precompute(own, keys, jobs=jobs or os.cpu_count() or 1)
    distinct = len({h.variant.digest for h in own if h.variant is not None})
    typer.echo(f"{len(ids)} students, {distinct} distinct variants ({len(ids) - len(own)} the default): "
               f"{computed} keys computed, {distinct - computed} already kept, in "
               f"{time.perf_counter() - started:.1f} s; {log_safe(str(keys.folder))}")


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

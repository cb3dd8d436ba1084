"""Per-student variants on the command line: the shared options, the course secret, `grader statement` and `grader secret`."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from grader.cli import app
from grader.core.errors import UsageError
from grader.core.homework import Homework
from grader.core.variant import Assignment

# The course secret itself, for commands run where a file is awkward (CI secrets).
SECRET_ENVIRONMENT = "GRADER_SECRET"

VariantOption = Annotated[str | None, typer.Option(
    "--variant", help="The variant this seed draws (the seed a student's statement shows).")]
StudentOption = Annotated[str | None, typer.Option(
    "--student", help="This student's variant, from the course secret (--secret-file or $GRADER_SECRET).")]
SecretFileOption = Annotated[Path | None, typer.Option(
    "--secret-file", help="The file holding the course secret (else $GRADER_SECRET); `grader secret FILE` makes one.")]
KeyCacheOption = Annotated[Path | None, typer.Option(
    "--key-cache", help="Folder of the variants' keys (else $GRADER_KEY_CACHE, else ~/.cache/grader/keys).")]


def read_secret(path: Path | None, env: Mapping[str, str] = os.environ) -> bytes | None:
    """The course secret: the file's content (surrounding blanks removed), else $GRADER_SECRET, else None."""
    from grader.io.secret import read_secret_file, secret_from_text

    if path is not None:
        return read_secret_file(path)
    text = env.get(SECRET_ENVIRONMENT, "")
    return secret_from_text(text, where=SECRET_ENVIRONMENT) if text.strip() else None


def assignment_of(variant: str | None, student: str | None, secret_file: Path | None,
                  env: Mapping[str, str] = os.environ) -> tuple[Assignment | None, str | None]:
    """The assignment and identity the options name: a seed (`--variant`), or a student under the course secret."""
    if variant is not None and student is not None:
        raise UsageError("give --variant SEED or --student ID, not both")
    if variant is not None:
        return Assignment(seed=variant), None
    if student is not None:
        secret = read_secret(secret_file, env)
        if secret is None:
            raise UsageError(f"--student needs the course secret: --secret-file FILE or {SECRET_ENVIRONMENT}")
        return Assignment(secret=secret), student
    if secret_file is not None:
        raise UsageError("--secret-file needs --student ID: whose variant is it?")
    return None, None


def homework_option(name: str, variant: str | None, student: str | None, secret_file: Path | None) -> Homework:
    """The homework the options name: as registered, or the variant of a seed or of a student."""
    from grader.api import homework_for
    from grader.plugins.homeworks import load_homework

    assignment, identity = assignment_of(variant, student, secret_file)
    if assignment is None:
        return load_homework(name)
    if not load_homework(name).parameters:
        raise UsageError(f"homework {name} has no parameters: every student gets the same one")
    return homework_for(name, assignment, identity or "")


class StatementFormat(str, Enum):
    markdown = "markdown"
    html = "html"


@app.command()
def statement(
    homework: Annotated[str, typer.Argument(help="The homework whose statement to write.")],
    *,
    variant: VariantOption = None,
    student: StudentOption = None,
    secret_file: SecretFileOption = None,
    format: Annotated[StatementFormat, typer.Option("--format", "-f", help="Markdown or a self-contained HTML page.")
                      ] = StatementFormat.markdown,
    roster: Annotated[Path | None, typer.Option(
        help="Write every student's statement into the folder --output names (ids: a course file or one per line).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of printing.")] = None,
) -> None:
    """The homework's statement with a student's numbers (their variant), or as it is."""
    from grader.cli.authoring import _emit
    from grader.io.files import write_atomic
    from grader.io.roster import read_roster
    from grader.render.safe_text import log_safe
    from grader.render.statement import render_statement_html, render_statement_markdown

    render = render_statement_html if format is StatementFormat.html else render_statement_markdown
    if roster is None:
        _emit(render(homework_option(homework, variant, student, secret_file)), output)
        return
    if output is None or variant is not None or student is not None:
        raise UsageError("--roster writes one statement per student into the folder --output names "
                         "(and takes no --variant or --student)")
    ids = read_roster(roster)
    suffix = ".html" if format is StatementFormat.html else ".md"
    for identity in ids:
        write_atomic(output / f"{_file_safe(identity)}{suffix}", render(homework_option(homework, None, identity,
                                                                                         secret_file)))
    typer.echo(f"Wrote {len(ids)} statements into {log_safe(str(output))}")


def _file_safe(identity: str) -> str:
    from grader.io.discovery import safe_stem

    return safe_stem(identity)


@app.command()
def secret(
    path: Annotated[Path, typer.Argument(help="The new file (never overwritten; readable by you only).")],
) -> None:
    """Write a new course secret: from it and a student's identity comes their variant (keep it private)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError("exists already: a course's secret is made once (a new one gives every student "
                         "another variant)", path=path) from None
    except OSError as error:
        raise UsageError(f"cannot write: {error.strerror}", path=path) from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secrets.token_hex(32) + "\n")
    typer.echo(f"Wrote a course secret to {path}")

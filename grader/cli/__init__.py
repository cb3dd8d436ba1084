"""The `grader` command: thin typer wiring from options to library calls and exit codes.

What it prints may quote a student (names, keys, answers, file names) and lands on an instructor's
terminal or in a CI log read by the GitHub Actions runner: renderers return text that is safe for
both, and every other line that quotes a submission passes it through grader.render.safe_text.log_safe.
"""

from __future__ import annotations

import logging
import os
import sys

import typer

from grader.core.errors import ExitCode, UsageError
from grader.render.safe_text import log_safe

app = typer.Typer(
    help="Grade homework submissions against computed answer keys.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# The commands register themselves on `app` when their modules are imported.
from grader.cli import authoring, check, grade, serving, variants  # noqa: E402, F401  (after `app`: they decorate it)


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

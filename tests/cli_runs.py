"""Running `grader ARGS` in-process for tests: the exit code, stdout and stderr."""

from __future__ import annotations


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """`grader ARGS` through the console entry point; (exit code, stdout, stderr)."""
    from grader.cli import main

    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    captured = capsys.readouterr()
    return code, captured.out, captured.err

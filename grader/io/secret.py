"""Reading the course secret, from which each student's variant comes: never printed, logged or stored in a result."""

from __future__ import annotations

from pathlib import Path

from grader.core.errors import UsageError

# `grader secret` writes 64 hex digits; shorter secrets are guessable.
MIN_SECRET_LENGTH = 16


def secret_from_text(text: str, *, where: str | Path | None = None) -> bytes:
    """The secret in `text` (surrounding blanks removed), refused when it is too short to be secret."""
    secret = text.strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise UsageError(f"the course secret must be at least {MIN_SECRET_LENGTH} characters "
                         "(`grader secret FILE` writes a good one)", path=where)
    return secret.encode("utf-8")


def read_secret_file(path: str | Path) -> bytes:
    """The secret held in a file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read the course secret: {getattr(error, 'strerror', None) or error}",
                         path=path) from None
    return secret_from_text(text, where=path)

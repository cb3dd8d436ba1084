"""Access tokens: random secrets handed to people once, kept by the server only as SHA-256 digests."""

from __future__ import annotations

import csv
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

PREFIX = "grd_"
# 32 random bytes, URL-safe base64 without padding: 43 characters.
_SHAPE = re.compile(r"^grd_[A-Za-z0-9_-]{43}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    """A fresh token: 256 random bits, so a fast hash suffices (nothing to guess, nothing to crack)."""
    return PREFIX + secrets.token_urlsafe(32)


def well_formed(token: str) -> bool:
    """Whether `token` has a token's shape (anything else is refused before the database is asked)."""
    return bool(_SHAPE.fullmatch(token))


def well_formed_secret(value: str) -> bool:
    """Whether `value` has the shape of a sign-in cookie (secrets.token_urlsafe(32))."""
    return bool(_SECRET.fullmatch(value))


def digest(secret: str) -> str:
    """What the database stores and is searched by (of a token or a sign-in cookie)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def matches(stored_digest: str, token: str) -> bool:
    """Constant-time comparison of a stored digest with a presented token's."""
    return hmac.compare_digest(stored_digest.encode("ascii"), digest(token).encode("ascii"))


def write_once(path: Path, rows: Iterable[tuple[str, str, str, str]]) -> int:
    """Write (role, id, name, token) rows to a new CSV readable only by its owner; refuse an existing file.

    The tokens exist nowhere else: the server keeps only their digests.
    """
    header = ("role", "id", "name", "token")
    # O_EXCL: never overwrite (a second run must not destroy the only copy of earlier tokens).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    count = 0
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count

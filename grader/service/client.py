"""`grader submit`'s side of the service: post a file, get the server's answer (standard library only).

The GitHub action's server mode runs this on the student's runner, so it needs neither the
service's dependencies nor torch nor any homework's key.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from grader.core.errors import UsageError

# Grading takes at most 60 s of checks, plus queueing; a server silent for longer is gone.
TIMEOUT_SECONDS = 180


@dataclass(frozen=True)
class Answer:
    """The server's answer to a submission: HTTP status and the JSON document."""

    status: int
    document: dict[str, Any]


def submit(server: str, token: str, data: bytes, *, filename: str, homework: str | None) -> Answer:
    """POST the file to SERVER/api/v1/submissions; UsageError when no usable answer comes back."""
    base = server.rstrip("/")
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise UsageError(f"--server must be an http:// or https:// URL, not {server!r}")
    query = urllib.parse.urlencode({k: v for k, v in {"homework": homework, "filename": filename}.items() if v})
    request = urllib.request.Request(
        f"{base}/api/v1/submissions?{query}", data=data, method="POST",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json",
                 "Content-Type": "application/json" if filename.endswith(".json") else "application/yaml",
                 "User-Agent": "grader-submit"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return Answer(response.status, _json(response.read(), response.status))
    except urllib.error.HTTPError as error:
        document = _json(error.read(), error.code)
        if error.code == 422 and "error" in document:
            return Answer(error.code, document)
        detail = document.get("detail") if isinstance(document.get("detail"), str) else error.reason
        raise UsageError(f"the server refused the submission ({error.code}): {detail}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise UsageError(f"cannot reach the server at {base}: {reason}") from None


def _json(body: bytes, status: int) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except ValueError:
        raise UsageError(f"the server's answer ({status}) is not JSON; is --server the grader service?") from None
    return document if isinstance(document, dict) else {}

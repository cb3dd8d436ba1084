"""What a server process is started with: passed from `grader serve` to its worker processes as JSON."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

# The environment variable through which uvicorn's worker processes receive the settings.
ENVIRONMENT_VARIABLE = "GRADER_SERVE_SETTINGS"


@dataclass(frozen=True)
class Settings:
    """One server's configuration; every replica of a course is started with the same course file and database."""

    course: str
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    # Submissions graded at once in one worker process (each grading thread has its own bounded checker).
    concurrency: int = 2
    # Submissions waiting for a grading thread in one worker process before the server answers 503.
    queue: int = 64
    # Load torch and the carry-forward analyses when a worker starts, not on the first student who needs them.
    warm: bool = True
    # Cookies marked Secure (browsers keep them on https, and on http only for localhost).
    secure_cookies: bool = True
    # How long SIGTERM waits for requests in flight (a submission's checks take at most 60 s).
    drain_seconds: float = 75.0
    log_level: str = "info"
    # Where the keys of the students' variants are kept (computed at start for the roster).
    key_cache: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Settings:
        return cls(**json.loads(text))

    @classmethod
    def from_environment(cls) -> Settings:
        try:
            return cls.from_json(os.environ[ENVIRONMENT_VARIABLE])
        except KeyError:
            raise RuntimeError(f"{ENVIRONMENT_VARIABLE} is not set: start the service with `grader serve`") from None


def sqlite_url(data: Path) -> str:
    """The embedded default: one SQLite file in the data folder (created if missing)."""
    data.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(data / 'grader.sqlite3').resolve()}"

"""The benchmarks' own grading server: tokens for a course file, `grader serve` on a free loopback port, stopped after."""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

GRADER = str(Path(sys.executable).with_name("grader"))


@contextmanager
def serving(course: Path, folder: Path, *options: str) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """Issue the course's tokens and run `grader serve` on it (data in FOLDER/data, log in FOLDER/serve.log) until
    the block ends; yields the server's URL and the token rows (`role`, `id`, `name`, `token`)."""
    database = ["--data", str(folder / "data")]
    subprocess.run([GRADER, "tokens", str(course), "-o", str(folder / "tokens.csv"), *database], check=True,
                   capture_output=True)
    with (folder / "tokens.csv").open(encoding="utf-8", newline="") as file:
        tokens = list(csv.DictReader(file))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with (folder / "serve.log").open("wb") as log:
        server = subprocess.Popen([GRADER, "serve", "--course", str(course), *database, "--port", str(port), *options],
                                  stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit(f"the server did not start; see {folder / 'serve.log'}")
            time.sleep(0.2)
        yield url, tokens
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=120)

"""Real `grader serve` processes on loopback ports, their course files and tokens, and a throwaway PostgreSQL."""

from __future__ import annotations

import csv
import getpass
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "submissions" / "hw2-cnn"
GRADER = str(Path(sys.executable).with_name("grader"))

COURSE = """\
title: Test course
homeworks:
  hw2-cnn:
    deadline: {deadline}
    late: {{penalty_per_day: 10}}
    {release}
limits: {{submissions_per_minute: {per_minute}}}
students:
  - {{id: ada, name: Ada Lovelace}}
  - {{id: ben, name: Ben Okafor}}
  - {{id: chen, name: Chen Wei}}
instructors:
  - {{id: prof, name: The Instructor}}
"""


def write_course(folder: Path, *, per_minute: int = 1000, deadline: str = "2099-01-01T00:00:00Z",
                 release: str | None = None, students: int = 0) -> Path:
    """A course file offering hw2-cnn to ada, ben, chen (and `students` more: s0, s1, …) and the instructor prof."""
    text = COURSE.format(deadline=deadline, per_minute=per_minute,
                         release=f"release_expected: {release}" if release else "")
    if students:
        head, tail = text.split("instructors:\n", 1)
        text = head + "".join(f"  - {{id: s{n}}}\n" for n in range(students)) + "instructors:\n" + tail
    path = folder / "course.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def issue_tokens(course: Path, database: list[str], out: Path, *extra: str) -> dict[str, str]:
    """`grader tokens COURSE -o OUT` (a real process); member id → token."""
    done = subprocess.run([GRADER, "tokens", str(course), "-o", str(out), *database, *extra],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8", newline="") as file:
        return {row["id"]: row["token"] for row in csv.DictReader(file)}


class Server:
    """One `grader serve` process group on a free loopback port, its log in a file."""

    def __init__(self, course: Path, database: list[str], log: Path, *options: str) -> None:
        self.course, self.database, self.log_path, self.options = course, database, log, options
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 120.0) -> Server:
        return self.launch().ready(timeout)

    def launch(self) -> Server:
        """Start the process (in a session of its own: its group is the supervisor, workers and checkers)."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [GRADER, "serve", "--course", str(self.course), *self.database, "--port", str(self.port),
                 *self.options], stdout=log, stderr=log, start_new_session=True)
        return self

    def ready(self, timeout: float = 120.0) -> Server:
        """Wait until /healthz answers 200."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"grader serve exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise AssertionError(f"grader serve did not answer /healthz within {timeout:g} s:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def terminate(self, timeout: float = 90.0) -> int:
        """SIGTERM (drains requests in flight), then wait; the exit code."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self._reap_group()
        return code

    def kill(self) -> None:
        """SIGKILL to the whole process group: supervisor, workers and their checkers, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self._reap_group()

    def _reap_group(self) -> None:
        if self.process is None:
            return
        try:  # workers and checkers of a killed supervisor must not outlive the test
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    """Servers a test starts go here; all are killed at its end."""
    started: list[Server] = []
    yield started
    for server in started:
        server.kill()


@pytest.fixture
def sqlite_course(tmp_path):
    """(course file, database options, tokens) for a SQLite data folder."""
    course = write_course(tmp_path)
    database = ["--data", str(tmp_path / "data")]
    return course, database, issue_tokens(course, database, tmp_path / "tokens.csv")


@pytest.fixture
def server(sqlite_course, servers, tmp_path) -> Server:
    """One server (one worker, no warm-up) on SQLite, with ada, ben, chen and prof's tokens in `.tokens`."""
    course, database, tokens = sqlite_course
    started = Server(course, database, tmp_path / "serve.log", "--no-warm").start()
    started.tokens = tokens  # type: ignore[attr-defined]
    servers.append(started)
    return started


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post(server: Server, token: str, data: bytes, **params: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/v1/submissions", content=data, headers=bearer(token), params=params,
                      timeout=120)


def sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.yaml").read_bytes()


def checked_score(name: str) -> float:
    """What `grader check` gives the sample submission: the service must grade it the same."""
    from grader.api import check_file

    return check_file(SAMPLES / f"{name}.yaml").score


BEN = f"{checked_score('ben'):g}"  # ben's points, as text (47.35 at the time of writing)


# --- PostgreSQL ------------------------------------------------------------------------------------


def _postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


class Postgres:
    """A throwaway cluster in a temporary folder, reached through its unix socket only."""

    def __init__(self, root: Path, binaries: Path) -> None:
        self.root, self.binaries = root, binaries
        self.data, self.socket = root / "data", root
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.user = "postgres" if os.geteuid() == 0 else getpass.getuser()

    def run(self, tool: str, *args: str) -> None:
        subprocess.run([*self._as, str(self.binaries / tool), *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        if self._as:  # initdb refuses to run as root; the cluster belongs to the postgres user
            shutil.chown(self.root, "postgres")
        self.run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-c listen_addresses='' -c unix_socket_directories={self.socket} -c max_connections=300 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "postgres.log"), "-w", "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def create_database(self, name: str) -> str:
        """A new empty database; its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(host=str(self.socket), user=self.user, dbname="postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://{self.user}@/{name}?host={self.socket}"


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    binaries = _postgres_bin()
    if binaries is None:
        pytest.skip("PostgreSQL's initdb is not installed (apt-get install postgresql; .ci/run does)")
    root = Path(tempfile.mkdtemp(prefix="grader-pg-"))
    cluster = Postgres(root, binaries)
    cluster.start()
    yield cluster
    cluster.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(postgres, request) -> str:
    return postgres.create_database(f"t{abs(hash(request.node.nodeid)) % 10**12}_{os.getpid()}")


def summary_of(server: Server, token: str) -> dict:
    response = httpx.get(f"{server.url}/api/v1/summary", headers=bearer(token), timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def dumps(document: dict) -> str:
    return json.dumps(document, sort_keys=True)


def pytest_collection_modifyitems(config, items):
    """Every service test runs real server processes (and databases, browsers): all are `slow`."""
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.slow)

"""Benchmark: N concurrent clients submitting the sample class to `grader serve --workers W` for T seconds.

Starts its own server on a loopback port with a fresh SQLite data folder (a course of N students, no
rate limit to speak of), then runs N closed-loop clients (each: post, wait for the answer, post the
next file of the sample class). Prints throughput, latency percentiles, errors, and checks that the
database stored exactly as many submissions as were sent. With the sample class as is, a worker recalls
the result of a file its student sent before if it is among its 256 latest (with 32 clients, 352 pairs
of student and file: about 60 % of submissions were recalled, counted once by hand), and free-text
verdicts are remembered. `--varied` changes a few numeric answers and adds a comment naming the client
and its count to every submission, so nothing is recalled and the grader's memory of checked answers
helps less. Traffic goes to 127.0.0.1 only and stops after T seconds.

Usage: python benchmarks/serve_load.py [--clients 32] [--seconds 30] [--workers 2] [--varied]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import serving  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(p for p in (ROOT / "submissions" / "hw2-cnn").glob("*.yaml") if p.name != "template.yaml")
NUMBER_ANSWER = re.compile(rb"^(\s+(?:params|macs|rf)\s*:\s*)(\d[\d,]*)\s*$", re.MULTILINE)


def course_file(folder: Path, clients: int) -> Path:
    students = "".join(f"  - {{id: s{n}}}\n" for n in range(clients))
    path = folder / "course.yaml"
    path.write_text("title: Load test\nhomeworks:\n  hw2-cnn: {}\nlimits: {submissions_per_minute: 1000000}\n"
                    f"students:\n{students}instructors:\n  - {{id: prof}}\n", encoding="utf-8")
    return path


def vary(data: bytes, rng: random.Random, tag: str) -> bytes:
    """A few counts of the file replaced by nearby random values (new answers for the grader to check), and a
    comment that makes the file unlike any other sent (no result to recall)."""
    return NUMBER_ANSWER.sub(lambda m: m.group(1) + str(int(m.group(2).replace(b",", b"")) + rng.randint(1, 999))
                             .encode(), data, count=4) + f"\n# {tag}\n".encode()


async def client(url: str, token: str, files: list[bytes], until: float, varied: bool, seed: int,
                 latencies: list[float], errors: list[str], keep_alive: bool) -> int:
    rng, sent = random.Random(seed), 0
    # Without keep-alive each submission opens its own connection, as `grader submit`, the action and a browser's
    # upload do; kept alive, a client's connection stays with the worker process that accepted it first.
    # aiohttp, whose HTTP parser is compiled: the load generator shares the server's two cores, and httpx took
    # about twice its CPU per request.
    connector = aiohttp.TCPConnector(limit=0, force_close=not keep_alive)
    async with aiohttp.ClientSession(url, headers={"Authorization": f"Bearer {token}"}, connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=120)) as http:
        while time.monotonic() < until:
            data = files[(seed + sent) % len(files)]
            if varied:
                data = vary(data, rng, f"client {seed}, submission {sent}")
            started = time.perf_counter()
            try:
                async with http.post("/api/v1/submissions", data=data) as answer:
                    body = await answer.read()
                    if answer.status not in (201, 422):  # 422: the sample class's broken file, stored
                        errors.append(f"{answer.status} {body[:100]!r}")
            except (aiohttp.ClientError, TimeoutError) as error:
                errors.append(type(error).__name__)
            latencies.append(time.perf_counter() - started)
            sent += 1
    return sent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2, help="grading threads per worker process")
    parser.add_argument("--varied", action="store_true")
    parser.add_argument("--keep-alive", action="store_true", help="each client keeps one connection open")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="grader-load-"))
    course = course_file(folder, args.clients)
    with serving(course, folder, "--workers", str(args.workers), "--concurrency", str(args.concurrency)) as (url, rows):
        tokens = [row["token"] for row in rows if row["role"] == "student"]
        time.sleep(3)  # every worker warm (each loads torch at start)
        files = [p.read_bytes() for p in SAMPLES]
        latencies: list[float] = []
        errors: list[str] = []

        async def run() -> int:
            until = time.monotonic() + args.seconds
            counts = await asyncio.gather(*(client(url, tokens[n], files, until, args.varied, n, latencies, errors,
                                                   args.keep_alive)
                                            for n in range(args.clients)))
            return sum(counts)

        started = time.perf_counter()
        sent = asyncio.run(run())
        elapsed = time.perf_counter() - started

    from grader.service.storage import Store, make_engine

    counts = Store(make_engine(f"sqlite:///{folder / 'data' / 'grader.sqlite3'}")).counts()
    print(f"clients: {args.clients}  workers: {args.workers} × {args.concurrency} grading threads  "
          f"seconds: {elapsed:.1f}  submissions: {'varied' if args.varied else 'the sample class as is'}  "
          f"connections: {'kept alive' if args.keep_alive else 'one per submission'}")
    print(f"sent: {sent}  throughput: {sent / elapsed:.1f}/s")
    print(f"latency ms: p50 {1000 * statistics.median(latencies):.0f}  p95 {1000 * percentile(latencies, 0.95):.0f}  "
          f"p99 {1000 * percentile(latencies, 0.99):.0f}  max {1000 * max(latencies):.0f}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    lost = sent - len(errors) - counts["stored"]
    print(f"stored: {counts['stored']}  graded: {counts['graded']}  pending: {counts['pending']}  lost: {lost}")
    if lost or counts["pending"]:
        sys.exit("stored count differs from sent count")


if __name__ == "__main__":
    main()

"""Nothing lost: kill -9 during a burst, SIGTERM draining, and two replicas on one PostgreSQL."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.service.conftest import Server, bearer, dumps, issue_tokens, post, sample, summary_of, write_course

NAMES = ["ada", "ben", "chen", "dana", "emil", "fatima", "gus", "hana", "ivan", "lin", "okafor"]


def burst(server_urls: list[str], tokens: list[str], count: int, workers: int = 8):
    """`count` submissions of the sample class from `workers` threads, spread over the servers and students.

    Returns the acknowledged answers (201 graded, 422 stored but unusable: the sample class has a broken file)
    and the requests that failed without one.
    """
    acknowledged, failed, lock = [], [], threading.Lock()

    def one(n: int) -> None:
        url = server_urls[n % len(server_urls)]
        try:
            answer = httpx.post(f"{url}/api/v1/submissions", content=sample(NAMES[n % len(NAMES)]),
                                headers=bearer(tokens[n % len(tokens)]), timeout=120)
            ok = answer.status_code in (201, 422)
        except httpx.HTTPError:
            ok = False
        with lock:
            (acknowledged if ok else failed).append(answer.json() if ok else n)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(count)))
    return acknowledged, failed


def rows(url: str) -> dict[str, tuple]:
    """public id → (digest, score, outcome) of every stored submission, and the ids without a grading."""
    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(text(
            "SELECT s.public_id, s.digest, g.score, g.outcome FROM submissions s "
            "LEFT JOIN gradings g ON g.submission_id = s.id")).all()
    engine.dispose()
    return {row[0]: row[1:] for row in found}


@pytest.mark.slow
def test_kill_9_during_a_burst_loses_no_acknowledged_submission(tmp_path, servers):
    """kill -9 the whole server mid-burst, restart: every acknowledged submission is stored with the result the
    student got, every stored submission is graded (those cut off are graded at the restart), none half-written."""
    course = write_course(tmp_path, students=8)
    database = ["--data", str(tmp_path / "data")]
    tokens = issue_tokens(course, database, tmp_path / "tokens.csv")
    students = [tokens[f"s{n}"] for n in range(8)]
    server = Server(course, database, tmp_path / "serve.log", "--no-warm", "--workers", "2").start()
    servers.append(server)
    outcome: dict = {}
    sender = threading.Thread(target=lambda: outcome.update(zip(("ack", "failed"), burst([server.url], students, 300))))
    sender.start()
    time.sleep(4)
    server.kill()
    sender.join()
    acknowledged, failed = outcome["ack"], outcome["failed"]
    assert acknowledged and failed, "the kill should land mid-burst"
    url = f"sqlite:///{tmp_path / 'data' / 'grader.sqlite3'}"
    before = rows(url)
    assert {a["id"] for a in acknowledged} <= set(before)
    restarted = Server(course, database, tmp_path / "serve2.log", "--no-warm").start()
    servers.append(restarted)
    after = rows(url)
    assert set(after) == set(before)  # nothing appeared or vanished
    assert all(outcome_ in ("graded", "unusable") for _, _, outcome_ in after.values())  # no pending left
    for answer in acknowledged:
        assert after[answer["id"]] == (answer["digest"], answer["score"], answer["outcome"])
    # Those cut off before their grading was recorded are graded at the restart (one may also have been graded
    # and recorded, its answer cut off: stored and graded, not acknowledged, and nothing left to do).
    pending = sum(1 for _, _, outcome_ in before.values() if outcome_ is None)
    assert ("graded submissions left pending" in restarted.log()) == (pending > 0)


@pytest.mark.slow
def test_sigterm_drains_requests_in_flight(sqlite_course, servers, tmp_path):
    """SIGTERM to the whole process group (as systemd sends it) while slow submissions are being graded: each
    gets its answer, then the server exits (uvicorn re-raises the signal once it has drained)."""
    course, database, tokens = sqlite_course
    server = Server(course, database, tmp_path / "serve.log", "--no-warm").start()
    servers.append(server)
    slow = (b"homework: hw2-cnn\nanswers:\n  p4.formula.conv_out: floor(floor(floor(floor(H^16)^16)^16)^16)^16\n")
    answers: list = []

    def send(token: str) -> None:
        answers.append(post(server, token, slow))

    senders = [threading.Thread(target=send, args=(tokens[m],)) for m in ("ada", "ben", "chen")]
    for sender in senders:
        sender.start()
    time.sleep(1.5)
    code = server.terminate()
    for sender in senders:
        sender.join()
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert code in (0, -15)
    assert "Shutting down" in server.log()
    for answer in answers:
        item = next(i for i in answer.json()["result"]["items"] if i["id"] == "p4.formula.conv_out")
        assert "Too complex to check" in item["feedback"]


@pytest.mark.slow
def test_two_replicas_on_one_postgresql_store_each_submission_once(tmp_path, servers, pg_url):
    """Two `grader serve` processes (two workers each) on one PostgreSQL, concurrent submissions to both:
    every submission stored exactly once and readable from either, the same class summary from both."""
    course = write_course(tmp_path, students=8)
    database = ["--database-url", pg_url]
    tokens = issue_tokens(course, database, tmp_path / "tokens.csv")
    first = Server(course, database, tmp_path / "a.log", "--no-warm", "--workers", "2")
    second = Server(course, database, tmp_path / "b.log", "--no-warm", "--workers", "2")
    servers.extend([first, second])
    for replica in (first.launch(), second.launch()):  # started together: they migrate one at a time
        replica.ready()
    students = [tokens[f"s{n}"] for n in range(8)]
    acknowledged, failed = burst([first.url, second.url], students, 120, workers=16)
    assert failed == [] and len(acknowledged) == 120
    stored = rows(pg_url)
    assert len(stored) == 120 == len({a["id"] for a in acknowledged})
    for answer in acknowledged:
        assert stored[answer["id"]] == (answer["digest"], answer["score"], answer["outcome"])
    assert all(url in {a["report_url"].split("/submissions")[0] for a in acknowledged}
               for url in (first.url, second.url))
    sample_id = acknowledged[0]["id"]
    owner = tokens[acknowledged[0]["student"]]
    assert all(httpx.get(f"{r.url}/api/v1/submissions/{sample_id}", headers=bearer(owner)).status_code == 200
               for r in (first, second))
    one, other = summary_of(first, tokens["prof"]), summary_of(second, tokens["prof"])
    assert dumps(one) == dumps(other)
    latest = one["homeworks"][0]
    assert latest["students"] == 8 and len(latest["latest"]) == 8

"""Size and rate limits, and the security corpus's hostile files and answers, over HTTP to a real server."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from grader.core.key import load_key
from problems.hw2_cnn import HOMEWORK
from tests.security.test_answers import BOMBS, INJECTIONS
from tests.security.test_files import HEADER, MARKUP, YAML_DANGERS
from tests.service.conftest import BEN, ROOT, Server, bearer, issue_tokens, post, sample, write_course

KEY = load_key(HOMEWORK)
# Key answers long and specific enough that finding one in a response means the key leaked (a choice's
# options are no secret: the template lists them, and an unreadable choice names them).
KEY_ANSWERS = [answer for item_id, answer in KEY.answers.items()
               if len(answer) >= 12 and HOMEWORK.item(item_id).kind != "choice"]


def stored(server, token) -> int:
    return len(httpx.get(f"{server.url}/api/v1/submissions", headers=bearer(token), params={"limit": 500})
               .json()["submissions"])


def assert_leaks_nothing(text: str, tmp_path) -> None:
    """No traceback, no server path, no key answer in what a student gets back."""
    assert "Traceback" not in text and str(ROOT) not in text and str(tmp_path) not in text
    assert not [answer for answer in KEY_ANSWERS if answer in text]


def test_a_body_over_the_limit_is_refused_before_it_is_read(server):
    """413 for a declared length over the limit and for a chunked body that grows past it; nothing is stored."""
    token = server.tokens["ada"]
    big = b"homework: hw2-cnn\nanswers:\n  p1.a: '" + b"x" * 1_200_000 + b"'\n"
    assert post(server, token, big).status_code == 413

    def chunks():
        for _ in range(120):
            yield b"x" * 10_000

    chunked = httpx.post(f"{server.url}/api/v1/submissions", content=chunks(), headers=bearer(token), timeout=60)
    assert chunked.status_code == 413 and "larger than" in chunked.json()["detail"]
    assert stored(server, token) == 0
    assert httpx.get(f"{server.url}/healthz").status_code == 200


def test_a_file_over_a_megabyte_inside_the_body_limit_is_stored_and_refused_by_the_grader(server):
    """Between the grader's 1,000,000 bytes and the body limit: stored, and unusable with the grader's message."""
    data = HEADER.encode() + b"  p1.a: '" + b"y" * 1_010_000 + b"'\n"
    answer = post(server, server.tokens["ada"], data)
    assert answer.status_code == 422 and "larger than 1,000,000 bytes" in answer.json()["error"]
    assert stored(server, server.tokens["ada"]) == 1


def test_the_rate_limit_counts_per_student(servers, tmp_path):
    """The (N+1)-th submission within a minute gets 429 with Retry-After; another student is not affected."""
    course = write_course(tmp_path, per_minute=3)
    database = ["--data", str(tmp_path / "limited-data")]
    tokens = issue_tokens(course, database, tmp_path / "limited.csv")
    server = Server(course, database, tmp_path / "limited.log", "--no-warm").start()
    servers.append(server)
    codes = [post(server, tokens["ada"], sample("ada")).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    refused = post(server, tokens["ada"], sample("ada"))
    assert refused.headers["retry-after"] == "60" and "at most 3 submissions a minute" in refused.json()["detail"]
    assert post(server, tokens["ben"], sample("ben")).status_code == 201
    assert stored(server, tokens["ada"]) == 3


@pytest.mark.slow
def test_a_slow_body_is_cut_off(server):
    """A client that never finishes its body gets 408 (or is disconnected) instead of holding the request forever."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as connection:
        connection.sendall(b"POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                           b"Authorization: Bearer " + server.tokens["ada"].encode() + b"\r\n\r\nhomework")
        started = time.monotonic()
        reply = connection.recv(4096)
    assert 25 < time.monotonic() - started < 45
    assert reply.startswith(b"HTTP/1.1 408") or reply == b""
    assert stored(server, server.tokens["ada"]) == 0


@pytest.mark.parametrize("content, fragment", [c[1:] for c in YAML_DANGERS], ids=[c[0] for c in YAML_DANGERS])
def test_hostile_file_over_http_is_stored_refused_and_leaks_nothing(server, content, fragment, tmp_path):
    """Each hostile file of the security corpus: a clear 422 (413 if too large), no marker, no leak, still serving."""
    marker = tmp_path / "MARKER"
    data = content.replace("MARKER", str(marker)).encode() if isinstance(content, str) else content
    name = "ada.json" if data.startswith(b'{"') else "ada.yaml"
    started = time.monotonic()
    answer = post(server, server.tokens["ada"], data, filename=name)
    assert time.monotonic() - started < 30
    if answer.status_code == 413:
        assert fragment == "larger than 1,000,000 bytes"
    elif not data:  # refused before anything is stored: there is nothing to keep
        assert answer.status_code == 400 and answer.json() == {"detail": "the submission is empty"}
    else:
        assert answer.status_code == 422, answer.text
        # The course, not the installation, decides which homeworks are taken: it names what it offers.
        expected = {"unknown homework": "which this course does not offer"}.get(fragment, fragment)
        assert expected in answer.json()["error"] and answer.json()["error"].startswith(name)
    assert not marker.exists()
    assert_leaks_nothing(answer.text.replace(str(marker), "MARKER"), tmp_path)  # errors may quote the file's line
    assert post(server, server.tokens["ben"], sample("ben")).json()["score"] == float(BEN)


def test_hostile_answers_over_http_are_graded_and_never_run(server, tmp_path):
    """Every injection and resource bomb of the corpus in one submission: graded (201), no marker, no leak,
    every answer invalid or wrong, and the server grades the next submission normally."""
    marker = tmp_path / "MARKER"
    kinds = {item.kind: item.id for item in HOMEWORK.items}
    lines = []
    for item_id, payload in zip((i.id for i in HOMEWORK.items), [p for _, p in INJECTIONS]):
        lines.append(f"  {item_id}: {_quoted(payload.replace('MARKER', str(marker)))}")
    bombs = [(kind, text) for _, kind, text, _ in BOMBS if kind in kinds]
    used = {line.split(":", 1)[0].strip() for line in lines}
    spare = [item for item in HOMEWORK.items if item.id not in used]
    for kind, text in bombs:
        target = next((item for item in spare if item.kind == kind), None)
        if target is not None:
            spare.remove(target)
            lines.append(f"  {target.id}: {_quoted(text)}")
    answer = post(server, server.tokens["ada"], (HEADER + "\n".join(lines) + "\n").encode())
    assert answer.status_code == 201, answer.text
    items = {item["id"]: item for item in answer.json()["result"]["items"]}
    answered = [items[line.split(":", 1)[0].strip()] for line in lines]
    assert all(item["status"] in ("invalid", "incorrect") and item["score"] == 0 for item in answered)
    assert not marker.exists()
    assert_leaks_nothing(answer.text.replace(str(marker), "MARKER"), tmp_path)  # the answers quote the marker's path
    assert post(server, server.tokens["ben"], sample("ben")).json()["score"] == float(BEN)
    assert str(marker) not in server.log()


@pytest.mark.parametrize("text", [text for _, text in MARKUP[:4]], ids=[name for name, _ in MARKUP[:4]])
def test_markup_in_answers_and_names_is_escaped_on_every_page(server, text):
    """Markup a student wrote comes back escaped in the HTML report (and as is in the JSON)."""
    data = f"homework: hw2-cnn\nstudent: {{id: ada, name: {_quoted(text)}}}\nanswers:\n  p1.a: {_quoted(text)}\n"
    document = post(server, server.tokens["ada"], data.encode()).json()
    assert document["result"]["items"][0]["given"] == text
    report = httpx.get(f"{server.url}/api/v1/submissions/{document['id']}/report",
                       headers=bearer(server.tokens["ada"]))
    assert "<script" not in report.text.lower().replace("&lt;script", "")
    assert "script-src" not in report.headers["content-security-policy"]
    assert report.headers["content-security-policy"].startswith("default-src 'none'")


def test_answer_text_never_reaches_the_log(server):
    """The server's structured log names members, submissions and digests, never what a student wrote."""
    secret = "unmistakable-answer-text-4711"
    data = f"homework: hw2-cnn\nanswers:\n  p1.a: {secret}\n  p4.layer1.output: '{secret}'\n  bogus.{secret}: 1\n"
    document = post(server, server.tokens["ada"], data.encode()).json()
    post(server, server.tokens["ada"], f"homework: [{secret}\n".encode())
    log = server.log()
    assert document["id"] in log and document["digest"] in log
    assert secret not in log


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"

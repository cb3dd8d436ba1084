"""Who may do what, through a real server process: identity from the token only, students confined to their own."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.service.conftest import bearer, issue_tokens, post, sample

UNAUTHORIZED = {"detail": "a valid token is required"}


def test_a_student_reads_only_their_own_submissions(server):
    """B cannot read A's submission, report or bytes, and B's list has only B's; the instructor sees both."""
    ada, ben, prof = (server.tokens[m] for m in ("ada", "ben", "prof"))
    mine = post(server, ada, sample("ada")).json()
    theirs = post(server, ben, sample("ben")).json()
    for path in (f"/api/v1/submissions/{mine['id']}", f"/api/v1/submissions/{mine['id']}/report"):
        refused = httpx.get(server.url + path, headers=bearer(ben))
        assert refused.status_code == 404 and refused.json() == {"detail": "no such submission"}
        assert httpx.get(server.url + path, headers=bearer(ada)).status_code == 200
        assert httpx.get(server.url + path, headers=bearer(prof)).status_code == 200
    assert httpx.get(f"{server.url}/api/v1/submissions/{mine['id']}/raw", headers=bearer(ben)).status_code == 403
    raw = httpx.get(f"{server.url}/api/v1/submissions/{mine['id']}/raw", headers=bearer(prof))
    assert raw.content == sample("ada")
    listed = httpx.get(f"{server.url}/api/v1/submissions", headers=bearer(ben), params={"student": "ada"}).json()
    assert [s["id"] for s in listed["submissions"]] == [theirs["id"]]
    everyone = httpx.get(f"{server.url}/api/v1/submissions", headers=bearer(prof)).json()
    assert {s["student"] for s in everyone["submissions"]} == {"ada", "ben"}


def test_identity_comes_from_the_token_and_a_differing_file_id_is_flagged(server):
    """Ben's token with a file saying `student: {id: ada}` is Ben's submission, flagged; Ada's history is untouched."""
    ada, ben = server.tokens["ada"], server.tokens["ben"]
    before = httpx.get(f"{server.url}/api/v1/submissions", headers=bearer(ada)).json()["submissions"]
    answer = post(server, ben, sample("ada"))
    assert answer.status_code == 201
    document = answer.json()
    assert document["student"] == "ben"
    assert document["result"]["student"] == {"id": "ben", "name": "Ada Lovelace", "declared_id": "ada"}
    assert httpx.get(f"{server.url}/api/v1/submissions", headers=bearer(ada)).json()["submissions"] == before
    report = httpx.get(f"{server.url}/api/v1/submissions/{document['id']}/report", headers=bearer(ben)).text
    assert "The file says it belongs to student id &#39;ada&#39;" in report


def test_there_is_no_way_to_change_or_delete_a_submission(server):
    """Submissions are append-only: PUT, PATCH and DELETE do not exist, for students or instructors."""
    document = post(server, server.tokens["ada"], sample("ada")).json()
    for token in (server.tokens["ben"], server.tokens["prof"]):
        for method in ("PUT", "PATCH", "DELETE"):
            answer = httpx.request(method, f"{server.url}/api/v1/submissions/{document['id']}",
                                   headers=bearer(token), content=sample("ben"))
            assert answer.status_code == 405
    again = httpx.get(f"{server.url}/api/v1/submissions/{document['id']}", headers=bearer(server.tokens["ada"]))
    assert again.json()["digest"] == document["digest"]


@pytest.mark.parametrize("header", [
    None, "Bearer", "Basic YWRhOmFkYQ==", "Bearer grd_" + "A" * 43, "Bearer grd_short", "Bearer ' OR 1=1 --",
    "Bearer " + "x" * 5000, "Bearer grd_" + "é" * 43,
], ids=["missing", "empty", "basic", "unknown", "malformed", "sql", "huge", "non-ascii"])
def test_missing_unknown_or_malformed_tokens_get_the_same_401(server, header):
    """Every kind of bad credential gets the same 401 body and a Bearer challenge, on every route."""
    headers = {"Authorization": header.encode("utf-8")} if header else {}
    for method, path in (("GET", "/api/v1/me"), ("GET", "/api/v1/submissions"), ("POST", "/api/v1/submissions"),
                         ("GET", "/api/v1/summary")):
        answer = httpx.request(method, server.url + path, headers=headers, content=b"homework: hw2-cnn\n")
        assert answer.status_code == 401 and answer.json() == UNAUTHORIZED
        assert answer.headers["www-authenticate"] == "Bearer"


@pytest.mark.slow
def test_revoked_and_expired_tokens_stop_working(sqlite_course, tmp_path):
    """A revoked token (`grader tokens --revoke`) and one past its `--expires` time get the same 401 as an unknown one."""
    from tests.service.conftest import Server

    course, database, tokens = sqlite_course
    # Far enough ahead that issuing the token (a process of its own, slow on a busy machine) is done before it.
    expiry = datetime.now(UTC) + timedelta(seconds=20)
    server = Server(course, database, tmp_path / "serve.log", "--no-warm").start()
    try:
        assert httpx.get(f"{server.url}/api/v1/me", headers=bearer(tokens["ada"])).status_code == 200
        assert issue_tokens(course, database, tmp_path / "revoke.csv", "--revoke", "ada") == {}
        assert httpx.get(f"{server.url}/api/v1/me", headers=bearer(tokens["ada"])).json() == UNAUTHORIZED
        renewed = issue_tokens(course, database, tmp_path / "ada.csv", "--reissue", "ada", "--expires", expiry.isoformat())
        assert set(renewed) == {"ada"}
        assert httpx.get(f"{server.url}/api/v1/me", headers=bearer(renewed["ada"])).json()["id"] == "ada"
        time.sleep(max(0.0, (expiry - datetime.now(UTC)).total_seconds()) + 1)
        expired = httpx.get(f"{server.url}/api/v1/me", headers=bearer(renewed["ada"]))
        assert expired.status_code == 401 and expired.json() == UNAUTHORIZED
        assert httpx.get(f"{server.url}/api/v1/me", headers=bearer(tokens["ben"])).status_code == 200
    finally:
        server.kill()


def test_students_cannot_reach_instructor_routes_and_instructors_do_not_submit(server):
    """Student tokens get 403 on instructor routes; an instructor's token does not submit (403)."""
    for path in ("/api/v1/summary", "/api/v1/submissions/0/raw"):
        answer = httpx.get(server.url + path, headers=bearer(server.tokens["ada"]))
        assert answer.status_code == 403 and answer.json() == {"detail": "instructors only"}
    assert httpx.get(f"{server.url}/api/v1/summary", headers=bearer(server.tokens["prof"])).status_code == 200
    assert post(server, server.tokens["prof"], sample("ada")).status_code == 403


def test_tokens_are_stored_only_as_digests(sqlite_course, tmp_path):
    """No token appears in the database file; the CSV is the owner's only and is never overwritten."""
    course, database, tokens = sqlite_course
    stored = (tmp_path / "data" / "grader.sqlite3").read_bytes()
    assert all(token.encode() not in stored for token in tokens.values())
    assert (tmp_path / "tokens.csv").stat().st_mode & 0o777 == 0o600
    import subprocess

    from tests.service.conftest import GRADER

    again = subprocess.run([GRADER, "tokens", str(course), "-o", str(tmp_path / "tokens.csv"), *database],
                           capture_output=True, text=True)
    assert again.returncode == 2 and "exists already" in again.stderr
    fresh = subprocess.run([GRADER, "tokens", str(course), "-o", str(tmp_path / "more.csv"), *database],
                           capture_output=True, text=True)
    assert fresh.returncode == 0 and "Wrote 0 token(s)" in fresh.stdout and "4 member(s) already hold one" in fresh.stdout

"""The service gives each student their own variant: keys computed at start, statements with their numbers, each
submission graded on the token's student's variant, and the course secret never shown."""

from __future__ import annotations

import json

import httpx
import pytest

from grader.api import homework_for
from grader.authoring.keys import build_key
from grader.core.errors import UsageError
from grader.core.variant import Assignment
from grader.plugins.homeworks import load_homework
from grader.service.course import load_course
from tests.service.conftest import Server, bearer, issue_tokens, write_course

SECRET = "0123456789abcdef0123456789abcdef-a-course-secret"
HOMEWORK = load_homework("hw2-cnn")


def varied_course(folder):
    """The test course with hw2-cnn given in variants and the secret beside it."""
    course = write_course(folder)
    text = course.read_text(encoding="utf-8").replace("    late:", "    variants: true\n    late:")
    course.write_text("secret_file: course.secret\n" + text, encoding="utf-8")
    (folder / "course.secret").write_text(SECRET + "\n", encoding="utf-8")
    return course


def variant_of(identity: str):
    return homework_for(HOMEWORK.id, Assignment(secret=SECRET.encode()), identity)


def test_variants_need_the_secret_and_a_homework_with_parameters(tmp_path, register_homework):
    course = varied_course(tmp_path)
    assert load_course(course, installed=("hw2-cnn",)).varied == {"hw2-cnn"}
    course.write_text(course.read_text(encoding="utf-8").replace("secret_file: course.secret\n", ""))
    with pytest.raises(UsageError, match="given in variants: set secret_file"):
        load_course(course)
    register_homework("tiny", "tests.tiny_homework:TINY")
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text("secret_file: course.secret\nhomeworks: {tiny: {variants: true}}\n", encoding="utf-8")
    with pytest.raises(UsageError, match="tiny has no parameters"):
        load_course(tiny, installed=("tiny",))


@pytest.mark.slow
def test_each_student_is_graded_and_shown_their_own_variant(tmp_path, servers):
    course = varied_course(tmp_path)
    database = ["--data", str(tmp_path / "data")]
    tokens = issue_tokens(course, database, tmp_path / "tokens.csv")
    server = Server(course, database, tmp_path / "serve.log", "--no-warm").start(timeout=300)
    servers.append(server)
    ada, ben = variant_of("ada"), variant_of("ben")
    kept = sorted(p.stem for p in (tmp_path / "data" / "keys").rglob("*.yaml"))
    assert kept == sorted(variant_of(i).variant.digest for i in ("ada", "ben", "chen"))  # computed at start

    statement = httpx.get(f"{server.url}/api/v1/statement/hw2-cnn", headers=bearer(tokens["ada"]), timeout=60)
    assert statement.status_code == 200 and ada.problems[3].title in statement.text
    assert ada.item("p4.layer1.output").prompt in statement.text and ada.variant.seed in statement.text
    assert httpx.get(f"{server.url}/api/v1/statement/hw2-cnn", headers=bearer(tokens["ben"]),
                     timeout=60).text != statement.text

    key = build_key(ada)
    answers = "homework: hw2-cnn\nanswers:\n" + "".join(
        f"  {item}: {json.dumps(text, ensure_ascii=False)}\n" for item, text in key.answers.items())
    mine = httpx.post(f"{server.url}/api/v1/submissions", content=answers.encode(), headers=bearer(tokens["ada"]),
                      timeout=120).json()
    assert mine["score"] == HOMEWORK.max_score and mine["result"]["variant"]["digest"] == ada.variant.digest
    theirs = httpx.post(f"{server.url}/api/v1/submissions", content=answers.encode(), headers=bearer(tokens["ben"]),
                        timeout=120).json()
    assert theirs["score"] < HOMEWORK.max_score and theirs["result"]["variant"]["digest"] == ben.variant.digest
    assert mine["key_digest"] != theirs["key_digest"]

    summary = httpx.get(f"{server.url}/api/v1/summary", headers=bearer(tokens["prof"]), timeout=60).json()
    assert {row["student"]: row["variant"] for row in summary["homeworks"][0]["latest"]} == \
        {"ada": ada.variant.digest, "ben": ben.variant.digest}
    assert SECRET not in server.log() and SECRET not in json.dumps([mine, theirs, summary]) + statement.text

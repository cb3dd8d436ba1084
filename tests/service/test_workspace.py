"""The instructor's workspace through real server processes: review decisions reach reports, history, the class
view and every export; exports parse back against their documented columns; overrides go both ways with
`grader grade`; regrades keep decisions and show what moves before publishing; expected answers stay hidden
until released; students reach no instructor route."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess

import httpx
import pytest
import yaml

from grader.core.models import Result
from grader.io.overrides import read_overrides
from grader.service import instructor_api, instructor_pages
from grader.service.exports import CANVAS_COLUMNS, MOODLE_COLUMNS
from tests.service.conftest import GRADER, SAMPLES, Server, bearer, issue_tokens, post, sample, write_course
from tests.service.test_pages import signed_in_client

CLASS = ("ada", "ben", "chen")
API = "/api/v1/instructor/hw2-cnn"


def submit_class(server) -> dict[str, dict]:
    return {name: post(server, server.tokens[name], sample(name)).json() for name in CLASS}


def instructor(server, path: str, method: str = "GET", **kwargs) -> httpx.Response:
    answer = httpx.request(method, server.url + path, headers=bearer(server.tokens["prof"]), timeout=120, **kwargs)
    assert answer.status_code in (200, 201), answer.text
    return answer


def test_a_group_decision_reaches_the_report_history_class_view_and_exports(server):
    """Decide p1.a for one group: each student in it gets the points with "reviewed by your instructor" and the
    comment (escaped), their history and the class view count them, and the audit log keeps reviewer and before."""
    sent = submit_class(server)
    items = instructor(server, f"{API}/queue").json()["items"]
    assert {"p1.a", "p1.b.i.why"} <= {i["item"] for i in items} and all(i["decided"] == 0 for i in items)
    groups = instructor(server, f"{API}/queue/p1.a").json()["groups"]
    assert sum(g["size"] for g in groups) == 3
    group = groups[0]
    members = [a["submission"] for a in group["answers"]]
    done = instructor(server, f"{API}/decisions", "POST", json={
        "item": "p1.a", "submissions": members, "points": 4.5, "comment": "Fair <b>summary</b>"}).json()
    assert done == {"decisions": len(members), "points": 4.5}
    student = group["answers"][0]["student"]
    before = sent[student]["score"]
    item_before = group["answers"][0]["points"]
    expected = round(before - item_before + 4.5, 4)
    mine = httpx.get(f"{server.url}/api/v1/submissions/{sent[student]['id']}", headers=bearer(server.tokens[student]))
    assert mine.json()["score"] == expected
    reviewed = next(i for i in mine.json()["result"]["items"] if i["id"] == "p1.a")
    assert reviewed["override"]["reviewer"] == "prof" and reviewed["override"]["original_score"] == item_before
    report = httpx.get(f"{server.url}/api/v1/submissions/{sent[student]['id']}/report",
                       headers=bearer(server.tokens[student])).text
    assert "Reviewed by your instructor" in report and "Fair &lt;b&gt;summary&lt;/b&gt;" in report
    history = httpx.get(f"{server.url}/api/v1/submissions", headers=bearer(server.tokens[student])).json()
    assert history["submissions"][0]["score"] == expected
    view = instructor(server, f"{API}/class").json()
    assert {s["student"]: s["score"] for s in view["students"]}[student] == expected
    log = instructor(server, f"{API}/decisions").json()["decisions"]
    assert {(d["student"], d["points"], d["points_before"], d["reviewer"]) for d in log} >= {
        (student, 4.5, item_before, "prof")}
    assert instructor(server, f"{API}/queue").json()["items"][0]["decided"] == len(members)
    grades = list(csv.DictReader(io.StringIO(instructor(server, f"{API}/exports/grades.csv").text)))
    assert {row["student_id"]: float(row["total"]) for row in grades}[student] == expected


def test_exports_parse_back_with_their_documented_columns(server):
    """grades.csv has the batch's columns, Canvas's and Moodle's files their documented ones with each student's
    points, results.jsonl one Result per line, and overrides.yaml reads back as the decisions made."""
    sent = submit_class(server)
    instructor(server, f"{API}/decisions", "POST", json={
        "item": "p1.b.i.why", "submissions": [sent["ben"]["id"]], "points": 0.5, "comment": "Half: no reason given."})
    scores = {name: sent[name]["score"] for name in CLASS} | {"ben": None}
    grades = list(csv.reader(io.StringIO(instructor(server, f"{API}/exports/grades.csv").text)))
    assert grades[0] == ["student_id", "name", "homework", "p1", "p2", "p3", "p4", "total", "max_score", "percent",
                         "error", "source", "declared_id"]
    totals = {row[0]: float(row[7]) for row in grades[1:]}
    scores["ben"] = totals["ben"]
    assert totals == scores and totals["ben"] != sent["ben"]["score"]
    canvas = list(csv.reader(io.StringIO(instructor(server, f"{API}/exports/canvas.csv").text)))
    assert tuple(canvas[0][:5]) == CANVAS_COLUMNS == ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
    assert canvas[0][5] == "Homework 2: Convolutional Neural Networks" and len(canvas[0]) == 6
    assert {row[2]: float(row[5]) for row in canvas[1:]} == totals
    assert {row[0]: row[2] for row in canvas[1:]}["Ben Okafor"] == "ben"
    moodle = list(csv.reader(io.StringIO(instructor(server, f"{API}/exports/moodle.csv").text)))
    assert tuple(moodle[0][:2]) == MOODLE_COLUMNS == ("ID number", "Full name") and len(moodle[0]) == 3
    assert {row[0]: float(row[2]) for row in moodle[1:]} == totals
    lines = instructor(server, f"{API}/exports/results.jsonl").text.splitlines()
    results = [Result.model_validate_json(line) for line in lines]
    assert {r.student.id: r.score for r in results} == totals
    overrides = read_overrides(instructor(server, f"{API}/exports/overrides.yaml").text, "exported.yaml")
    assert {s: {i: (o.points, o.comment) for i, o in items.items()} for s, items in overrides.items()} == {
        "ben": {"p1.b.i.why": (0.5, "Half: no reason given.")}}


def test_overrides_go_both_ways_and_grader_grade_gives_the_same_points(server, tmp_path):
    """An overrides file imported into the service, exported again and given to `grader grade` on the same
    submissions: the batch's grades.csv and the service's agree on every student's points."""
    submit_class(server)
    text = "ada:\n  p1.a: {points: 2, comment: Too short.}\nchen:\n  p3.b.i: 1.5\nnobody:\n  p1.a: 1\n"
    done = instructor(server, f"{API}/overrides", "POST", content=text.encode()).json()
    assert done == {"decisions": 2, "students_without_submission": ["nobody"]}
    refused = httpx.post(f"{server.url}{API}/overrides", content=b"ada:\n  p1.zz: 1\n",
                         headers=bearer(server.tokens["prof"]))
    assert refused.status_code == 422 and "unknown item 'p1.zz'" in refused.json()["detail"]
    exported = tmp_path / "overrides.yaml"
    exported.write_text(instructor(server, f"{API}/exports/overrides.yaml").text, encoding="utf-8")
    assert yaml.safe_load(exported.read_text()) == {"ada": {"p1.a": {"points": 2, "comment": "Too short."}},
                                                    "chen": {"p3.b.i": {"points": 1.5}}}
    folder = tmp_path / "class"
    folder.mkdir()
    for name in CLASS:
        shutil.copy(SAMPLES / f"{name}.yaml", folder / f"{name}.yaml")
    done = subprocess.run([GRADER, "grade", str(folder), "-o", str(tmp_path / "out"), "--overrides", str(exported),
                           "--jobs", "1"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    batch = list(csv.DictReader((tmp_path / "out" / "grades.csv").open(encoding="utf-8")))
    service = list(csv.DictReader(io.StringIO(instructor(server, f"{API}/exports/grades.csv").text)))
    columns = ("student_id", "p1", "p2", "p3", "p4", "total", "max_score", "percent")
    assert [[row[c] for c in columns] for row in batch] == [[row[c] for c in columns] for row in service]


def test_a_regrade_keeps_decisions_and_shows_what_moves_before_it_is_published(server, sqlite_course, tmp_path):
    """Ben's grading in force came from an older grader that gave p4.layer1.params full points; a regrade draft
    lists Ben and that item with the change, keeps the reviewer's p1.a, and only publishing makes it count."""
    sent = submit_class(server)
    ben = sent["ben"]
    instructor(server, f"{API}/decisions", "POST", json={"item": "p1.a", "submissions": [ben["id"]], "points": 3,
                                                          "comment": "Regrade-proof."})
    database = sqlite3.connect(tmp_path / "data" / "grader.sqlite3")
    row = database.execute("SELECT g.* FROM gradings g JOIN submissions s ON s.id = g.submission_id "
                           "WHERE s.public_id = ?", (ben["id"],)).fetchone()
    names = [d[0] for d in database.execute("SELECT * FROM gradings LIMIT 0").description]
    old = dict(zip(names, row))
    result = json.loads(old["result"])
    item = next(i for i in result["items"] if i["id"] == "p4.layer1.params")
    assert item["score"] < item["max_score"]
    gain = item["max_score"] - item["score"]
    item.update(score=item["max_score"], status="correct")
    result["score"] = round(result["score"] + gain, 4)
    older = {**old, "id": None, "revision": 1, "result": json.dumps(result), "score": result["score"],
             "grader_version": "0.0.9"}
    database.execute(f"INSERT INTO gradings ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                     [older[n] for n in names])
    database.commit()
    before = httpx.get(f"{server.url}/api/v1/submissions/{ben['id']}", headers=bearer(server.tokens["ben"])).json()
    assert before["score"] == round(ben["score"] + gain - next(
        i["score"] for i in ben["result"]["items"] if i["id"] == "p1.a") + 3, 4)
    draft = instructor(server, f"{API}/regrades", "POST").json()
    assert draft["state"] == "draft" and draft["regraded"] == 3
    assert [(s["student"], s["delta"], s["items"]) for s in draft["students"]] == [
        ("ben", -gain, [{"item": "p4.layer1.params", "before": item["max_score"], "after": item["max_score"] - gain}])]
    assert draft["items"] == [{"item": "p4.layer1.params", "students": 1, "delta": -gain}]
    prof, _ = signed_in_client(server, "prof")
    page = prof.get(f"/instructor/hw2-cnn/regrades/{draft['id']}")
    assert page.status_code == 200 and 'id="publish"' in page.text
    assert "<code>p4.layer1.params</code>" in page.text and f"{-gain:+g}" in page.text
    unchanged = httpx.get(f"{server.url}/api/v1/submissions/{ben['id']}", headers=bearer(server.tokens["ben"]))
    assert unchanged.json()["score"] == before["score"]
    assert instructor(server, f"/api/v1/instructor/regrades/{draft['id']}/publish", "POST").json() == {"published": 3}
    after = httpx.get(f"{server.url}/api/v1/submissions/{ben['id']}", headers=bearer(server.tokens["ben"])).json()
    assert after["score"] == round(before["score"] - gain, 4) and after["grader_version"] == "0.1.0"
    assert next(i for i in after["result"]["items"] if i["id"] == "p1.a")["override"]["comment"] == "Regrade-proof."
    assert instructor(server, f"/api/v1/instructor/regrades/{draft['id']}").json()["state"] == "published"


def _expected_texts(result: dict) -> list[str]:
    return [i["expected"] for i in result["items"] if i["expected"] is not None]


def test_expected_answers_stay_hidden_until_released(server):
    """Before the deadline and without a release, no student route or page shows an expected answer; after the
    instructor's release every one does (and the class page says so)."""
    ada = post(server, server.tokens["ada"], sample("ada")).json()
    assert _expected_texts(ada["result"]) == [] and ada["expected_withheld"]
    client, _ = signed_in_client(server, "ada")
    key_answer = "49*C**2"  # p3.a.ii.params_single_same_rf's expected answer
    pages = [f"/submissions/{ada['id']}", f"/submissions/{ada['id']}/report", "/"]
    for path in pages:
        assert key_answer not in client.get(path).text
    assert key_answer not in httpx.get(f"{server.url}/api/v1/submissions/{ada['id']}/report",
                                       headers=bearer(server.tokens["ada"])).text
    prof, field = signed_in_client(server, "prof")
    assert prof.post("/instructor/hw2-cnn/release", data={"csrf": "wrong"}).status_code == 403
    assert prof.post("/instructor/hw2-cnn/release", data={"csrf": field}).status_code == 303
    assert 'id="released"' in prof.get("/instructor/hw2-cnn").text
    shown = httpx.get(f"{server.url}/api/v1/submissions/{ada['id']}", headers=bearer(server.tokens["ada"])).json()
    assert len(_expected_texts(shown["result"])) == len(shown["result"]["items"]) and not shown["expected_withheld"]
    assert key_answer in client.get(f"/submissions/{ada['id']}/report").text


def test_expected_answers_show_after_the_deadline(servers, tmp_path):
    """A course whose deadline has passed (no release time, no late window) shows students the expected answers."""
    course = write_course(tmp_path, deadline="2020-01-01T00:00:00Z")
    database = ["--data", str(tmp_path / "data")]
    tokens = issue_tokens(course, database, tmp_path / "tokens.csv")
    server = Server(course, database, tmp_path / "serve.log", "--no-warm").start()
    servers.append(server)
    answer = post(server, tokens["ada"], sample("ada")).json()
    assert answer["late"] is not None and not answer["expected_withheld"]
    assert len(_expected_texts(answer["result"])) == len(answer["result"]["items"])


def _paths(routes) -> list[tuple[str, str]]:
    values = {"homework": "hw2-cnn", "item": "p1.a", "student": "ada", "name": "grades.csv", "run_id": "1",
              "action": "publish"}
    found = []
    for route in routes:
        for method in route.methods:
            path = route.path
            for key, value in values.items():
                path = path.replace("{" + key + "}", value)
            found.append((method, path))
    return found


def test_students_reach_no_instructor_route_export_or_decision(server):
    """Every instructor API route answers a student's token with 403 and every instructor page a student's sign-in
    with 403: queue, decisions, exports, overrides, regrades, release; nothing is recorded."""
    sent = submit_class(server)
    api_routes = _paths(instructor_api.router.routes)
    page_routes = _paths(instructor_pages.router.routes)
    assert len(api_routes) == 11 and len(page_routes) == 14
    for method, path in api_routes:
        answer = httpx.request(method, server.url + path, headers=bearer(server.tokens["ben"]),
                               json={"item": "p1.a", "submissions": [sent["ben"]["id"]], "points": 5})
        assert answer.status_code == 403, (method, path, answer.status_code)
        assert httpx.request(method, server.url + path).status_code == 401, (method, path)
    client, field = signed_in_client(server, "ben")
    for method, path in page_routes:
        answer = client.request(method, path, data={"csrf": field, "submission": sent["ben"]["id"], "points": "5"})
        assert answer.status_code == 403, (method, path, answer.status_code)
    assert instructor(server, f"{API}/decisions").json()["decisions"] == []
    mine = httpx.get(f"{server.url}/api/v1/submissions/{sent['ben']['id']}", headers=bearer(server.tokens["ben"]))
    assert mine.json()["score"] == sent["ben"]["score"] and mine.json()["expected_withheld"]


def test_instructor_pages_decide_with_the_form_and_need_the_csrf_field(server):
    """The group page's form (what the keyboard submits) records a decision; without the CSRF field it is refused."""
    sent = submit_class(server)
    prof, field = signed_in_client(server, "prof")
    listed = prof.get("/instructor/hw2-cnn?item=p1.a&status=correct")  # the class view's filter
    shown = [n for n in CLASS if f'href="/instructor/hw2-cnn/students/{n}"' in listed.text]
    correct = [n for n in CLASS if next(i for i in sent[n]["result"]["items"] if i["id"] == "p1.a")["status"] == "correct"]
    assert shown == correct and len(correct) < len(CLASS)
    page = prof.get("/instructor/hw2-cnn/review/p1.a")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/static/review.js"></script>' in page.text
    members = [m for m in (sent[n]["id"] for n in CLASS) if f'value="{m}"' in page.text]
    assert prof.post("/instructor/hw2-cnn/review/p1.a", data={"submission": members, "points": "1"}).status_code == 403
    done = prof.post("/instructor/hw2-cnn/review/p1.a",
                     data={"csrf": field, "submission": members, "points": "", "concept": [], "action": "apply"})
    assert done.status_code == 422  # neither points nor concepts
    done = prof.post("/instructor/hw2-cnn/review/p1.a", data={"csrf": field, "submission": members, "points": "2.5",
                                                              "comment": "ok", "action": "apply", "g": "0"})
    assert done.status_code == 303
    assert len(instructor(server, f"{API}/decisions").json()["decisions"]) == len(members)
    everyone = [sent[n]["id"] for n in CLASS]
    one = prof.post("/instructor/hw2-cnn/review/p1.b.i.why", data={
        "csrf": field, "submission": everyone, "points": "0.75", "action": f"one:{everyone[1]}"})
    assert one.status_code == 303
    decided = instructor(server, f"{API}/decisions").json()["decisions"]
    assert [(d["item"], d["student"]) for d in decided if d["item"] == "p1.b.i.why"] == [("p1.b.i.why", "ben")]
    split = prof.post("/instructor/hw2-cnn/review/p2.e", data={"csrf": field, "submission": everyone,
                                                               "action": f"split:{everyone[2]}"})
    assert split.status_code == 303
    groups = instructor(server, f"{API}/queue/p2.e").json()["groups"]
    assert [[a["student"] for a in g["answers"]] for g in groups if g["kind"] == "split"] == [["chen"]]
    assert httpx.get(f"{server.url}/static/review.js").headers["content-type"].startswith("text/javascript")
    summary = prof.get("/instructor/hw2-cnn/index.html")  # the batch's page; its links resolve beside it
    assert summary.status_code == 200 and "Score distribution" in summary.text and "Most frequent mistakes" in summary.text
    assert 'href="reports/ada.html"' in summary.text and prof.get("/instructor/hw2-cnn/reports/ada.html").status_code == 200
    assert prof.get("/instructor/hw2-cnn/grades.csv").text.startswith("student_id,name,homework")
    assert prof.get("/instructor/hw2-cnn/results.jsonl").text.count("\n") == 3


@pytest.mark.parametrize("engine", ["postgresql"])
def test_decisions_and_regrades_on_postgresql(engine, pg_url, servers, tmp_path):
    """The workspace's queries (the grading in force, decisions in force, regrade publishing) on PostgreSQL."""
    course = write_course(tmp_path)
    database = ["--database-url", pg_url]
    tokens = issue_tokens(course, database, tmp_path / "tokens.csv")
    server = Server(course, database, tmp_path / "serve.log", "--no-warm").start()
    server.tokens = tokens
    servers.append(server)
    sent = submit_class(server)
    groups = instructor(server, f"{API}/queue/p1.a").json()["groups"]
    instructor(server, f"{API}/decisions", "POST", json={
        "item": "p1.a", "submissions": [a["submission"] for a in groups[0]["answers"]], "points": 1})
    draft = instructor(server, f"{API}/regrades", "POST").json()
    assert draft["students"] == [] and draft["regraded"] == 3
    assert instructor(server, f"/api/v1/instructor/regrades/{draft['id']}/publish", "POST").json() == {"published": 3}
    student = groups[0]["answers"][0]["student"]
    mine = httpx.get(f"{server.url}/api/v1/submissions/{sent[student]['id']}",
                     headers=bearer(tokens[student])).json()
    assert next(i for i in mine["result"]["items"] if i["id"] == "p1.a")["score"] == 1
    latest = httpx.get(f"{server.url}/api/v1/summary", headers=bearer(tokens["prof"])).json()
    assert len(latest["homeworks"][0]["latest"]) == 3


@pytest.mark.skipif(not (shutil.which("chromedriver") and shutil.which("chromium")),
                    reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
def test_review_a_group_with_the_keyboard_in_chromium(server, tmp_path):
    """Headless Chromium, keyboard only on the review page: tick a concept (1), write a comment (c), apply (Enter);
    then the student's report says "Reviewed by your instructor" with the comment, and the class view counts it.
    Screenshots go to $SERVICE_SCREENSHOTS (or tmp)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.service.test_pages import chromium

    sent = submit_class(server)
    browser, shots = chromium(tmp_path)
    try:
        browser.get(server.url + "/")
        browser.find_element(By.ID, "token").send_keys(server.tokens["prof"])
        browser.find_element(By.ID, "sign-in").click()
        browser.find_element(By.CSS_SELECTOR, "#workspaces a").click()
        browser.save_screenshot(str(shots / "workspace-class.png"))
        browser.get(server.url + "/instructor/hw2-cnn/review/p3.a.iii")
        where = browser.find_element(By.ID, "where").text
        assert where.startswith("Group 1 of ")
        student = browser.find_element(By.CSS_SELECTOR, "li.answer.chosen strong").text
        body = browser.find_element(By.TAG_NAME, "body")
        boxes = browser.find_elements(By.CSS_SELECTOR, "input[name=concept]")
        first = boxes[0].is_selected()
        body.send_keys("1")
        assert boxes[0].is_selected() != first
        body.send_keys("c")
        browser.switch_to.active_element.send_keys("Checked by hand: see the lecture notes.", Keys.ESCAPE)
        points = browser.find_element(By.ID, "points").get_attribute("value")
        browser.save_screenshot(str(shots / "workspace-review.png"))
        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ENTER)
        undecided = int(where.split("(")[1].split()[0])
        WebDriverWait(browser, 10).until(lambda b: f"({undecided - 1} undecided)" in b.find_element(By.ID, "where").text)
        browser.save_screenshot(str(shots / "workspace-review-next.png"))
        browser.get(f"{server.url}/instructor/hw2-cnn/students/{student}")
        browser.switch_to.frame(browser.find_element(By.ID, "report"))
        report = browser.find_element(By.ID, "item-p3.a.iii").text
        assert "Reviewed by your instructor" in report and "Checked by hand: see the lecture notes." in report
        assert f"{float(points):g} / 3" in report
        browser.switch_to.default_content()
        browser.save_screenshot(str(shots / "workspace-student.png"))
        browser.get(f"{server.url}/instructor/hw2-cnn?item=p3.a.iii")
        row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "#students tbody tr")
                   if r.find_element(By.TAG_NAME, "th").text.startswith(student))
        assert "1 reviewed" in row.text
        browser.save_screenshot(str(shots / "workspace-class-filtered.png"))
        browser.find_element(By.CSS_SELECTOR, "form[action='/sign-out'] button").click()
        browser.find_element(By.ID, "token").send_keys(server.tokens[student])
        browser.find_element(By.ID, "sign-in").click()
        assert browser.find_element(By.ID, "who").text == student
        browser.get(f"{server.url}/submissions/{sent[student]['id']}/report")
        browser.save_screenshot(str(shots / "workspace-student-report.png"))
        assert "Checked by hand: see the lecture notes." in browser.find_element(By.ID, "item-p3.a.iii").text
    finally:
        browser.quit()

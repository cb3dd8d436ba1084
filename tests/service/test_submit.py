"""`grader submit` and the GitHub action's server mode against a real server: exit codes as `check`."""

from __future__ import annotations

import base64
import json
import subprocess

import httpx

from tests.deployments import run_action
from tests.service.conftest import BEN, GRADER, SAMPLES, bearer


def submit(server, token: str, *args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "GRADER_TOKEN": token, **(env_extra or {})}
    return subprocess.run([GRADER, "submit", *args, "--server", server.url], capture_output=True, text=True,
                          env=env, timeout=120)


def test_submit_prints_the_servers_report_and_exits_like_check(server, tmp_path):
    """0 with the text report; 1 below --fail-under; 2 for an unusable file (stored) or a refused token."""
    ben = server.tokens["ben"]
    done = submit(server, ben, str(SAMPLES / "ben.yaml"))
    assert done.returncode == 0 and f"Total: {BEN} / 100" in done.stdout and "Stored as submission" in done.stderr
    assert submit(server, ben, str(SAMPLES / "ben.yaml"), "--fail-under", "50").returncode == 1
    broken = tmp_path / "broken.yaml"
    broken.write_text("homework: hw2-cnn\nanswers: [1\n", encoding="utf-8")
    unusable = submit(server, ben, str(broken))
    assert unusable.returncode == 2 and "broken.yaml:3: could not read the YAML" in unusable.stderr
    refused = submit(server, "grd_" + "B" * 43, str(SAMPLES / "ben.yaml"))
    assert refused.returncode == 2 and "refused the submission (401)" in refused.stderr
    stored = httpx.get(f"{server.url}/api/v1/submissions", headers=bearer(ben)).json()["submissions"]
    assert [s["outcome"] for s in stored] == ["unusable", "graded", "graded"]


def test_submit_refuses_a_link_and_a_missing_token(server, tmp_path):
    """As `check`: a symbolic link is not sent; without the token variable nothing is sent."""
    link = tmp_path / "submission.yaml"
    link.symlink_to(SAMPLES / "ben.yaml")
    assert submit(server, server.tokens["ben"], str(link)).returncode == 2
    assert submit(server, "", str(SAMPLES / "ben.yaml")).returncode == 2
    assert httpx.get(f"{server.url}/api/v1/submissions", headers=bearer(server.tokens["ben"])).json() == {
        "submissions": []}


def test_the_action_in_server_mode_reports_the_servers_points(server, tmp_path, monkeypatch):
    """The action's grading step with `server` set posts the file and sets result, score and max-score from
    the server's answer (Classroom's payload included)."""
    (tmp_path / "submission.yaml").write_bytes((SAMPLES / "ben.yaml").read_bytes())
    monkeypatch.setenv("GRADER_TOKEN", server.tokens["ben"])
    completed, outputs = run_action(tmp_path, homework="hw2-cnn", server=server.url)
    assert completed.returncode == 0, completed.stderr
    assert f"Points {BEN}/100" in completed.stdout
    assert outputs["score"] == BEN and outputs["max-score"] == "100"
    payload = json.loads(base64.b64decode(outputs["result"]))
    assert payload["status"] == "fail" and round(sum(t["score"] for t in payload["tests"]), 2) == float(BEN)
    listed = httpx.get(f"{server.url}/api/v1/submissions", headers=bearer(server.tokens["ben"])).json()
    assert len(listed["submissions"]) == 1

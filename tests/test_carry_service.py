"""The batch's carry-forward service: workers get the same recomputations without loading torch themselves."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from grader.api import check_file
from grader.carry import recompute_here
from grader.carry_service import CarryService, client
from problems.hw2_cnn import HOMEWORK

DANA = Path(__file__).resolve().parents[1] / "submissions" / "hw2-cnn" / "dana.yaml"  # needs errors carried forward

PROBE = """
import json, sys
from grader.api import check_file
from grader.carry import set_recompute
from grader.carry_service import CarryService, client

service = CarryService(warm=False)
set_recompute(client(service.address, service.authkey))
result = check_file(sys.argv[1])
service.stop()
print(json.dumps({"torch": "torch" in sys.modules, "result": result.model_dump(mode="json")}))
"""


def test_a_worker_using_the_service_grades_the_same_without_torch():
    """Grading through the service gives the same result as grading alone, and the grading process
    never imports torch (the service does)."""
    done = subprocess.run([sys.executable, "-c", PROBE, str(DANA)], capture_output=True, text=True, check=True)
    probe = json.loads(done.stdout)
    alone = check_file(DANA).model_dump(mode="json")
    assert probe["torch"] is False
    assert probe["result"] == alone
    assert any(item["follows_from"] for item in alone["items"])  # the service really recomputed something


def test_a_stopped_service_falls_back_to_recomputing_here(caplog):
    """When the service is gone the worker recomputes itself, with the same values, and says so once."""
    service = CarryService(warm=False)
    address, authkey = service.address, service.authkey
    service.stop()
    recompute = client(address, authkey)
    upstream = {"p4.layer1.output": "250 × 250 × 32"}
    item = "p4.bn1.output"
    assert recompute(HOMEWORK, item, upstream) == recompute_here(HOMEWORK, item, upstream)
    assert recompute(HOMEWORK, item, upstream) == recompute_here(HOMEWORK, item, upstream)
    assert sum("cannot be reached" in record.message for record in caplog.records) == 1


def test_a_caller_without_the_key_is_not_answered_and_the_service_goes_on(caplog):
    """A connection with the wrong key is refused (the caller recomputes itself); the right key still works."""
    service = CarryService(warm=False)
    try:
        upstream = {"p4.layer1.output": "250 × 250 × 32"}
        expected = recompute_here(HOMEWORK, "p4.bn1.output", upstream)
        assert client(service.address, b"wrong")(HOMEWORK, "p4.bn1.output", upstream) == expected
        assert any("cannot be reached" in record.message for record in caplog.records)
        caplog.clear()
        assert client(service.address, service.authkey)(HOMEWORK, "p4.bn1.output", upstream) == expected
        assert not any("cannot be reached" in record.message for record in caplog.records)
    finally:
        service.stop()


def test_requests_asked_ahead_are_answered_without_waiting_again(monkeypatch):
    """A batch sent ahead is read before any request is sent and waited for (replies come in order),
    and its answers then need no message; every answer equals the one recomputed here."""
    import grader.carry_service as carry_service

    sent = []
    real_send = carry_service._Client._send
    monkeypatch.setattr(carry_service._Client, "_send", lambda self, message: sent.append(message[0]) or
                        real_send(self, message))
    service = CarryService(warm=False)
    try:
        recompute = client(service.address, service.authkey)
        ahead = [("p4.bn1.output", {"p4.layer1.output": "250 × 250 × 32"}),
                 ("p4.layer2.params", {"p4.relu1.output": "250 × 250 × 16"})]
        recompute.prefetch(HOMEWORK, ahead)
        other = ("p4.bn1.output", {"p4.layer1.output": "240 × 240 × 32"})
        assert recompute(HOMEWORK, *other) == recompute_here(HOMEWORK, *other)
        for item, upstream in ahead:
            assert recompute(HOMEWORK, item, upstream) == recompute_here(HOMEWORK, item, upstream)
        assert sent == ["batch", "one"]
        recompute.prefetch(HOMEWORK, ahead)  # already known: nothing is sent
        assert sent == ["batch", "one"]
    finally:
        service.stop()


def test_what_is_asked_ahead_is_what_carrying_forward_asks(monkeypatch):
    """For each sample submission, the requests asked ahead are among those follow_up makes, and the
    only ones not asked ahead follow a chain through an unanswered or unreadable answer."""
    from grader import carry
    from grader.api import committed_key
    from grader.grading import check_submission, grade
    from grader.models import Status
    from grader.plugins import load_homework
    from grader.submission import load_submission

    class Spy:
        def __init__(self):
            self.asked, self.ahead = set(), set()

        def __call__(self, homework, item_id, upstream):
            self.asked.add((item_id, tuple(sorted(upstream.items()))))
            return recompute_here(homework, item_id, upstream)

        def prefetch(self, homework, requests):
            self.ahead |= {(item_id, tuple(sorted(upstream.items()))) for item_id, upstream in requests}

    key = committed_key(HOMEWORK.id)
    followed = 0
    for path in sorted(DANA.parent.glob("*.yaml")):
        try:
            submission = load_submission(path, known_ids=lambda name: load_homework(name).item_ids)
        except Exception:
            continue  # the sample class has a broken file on purpose
        spy = Spy()
        monkeypatch.setattr(carry, "_recompute", spy)
        checked = check_submission(submission, HOMEWORK, key)
        carry.ask_ahead(HOMEWORK, key, submission, checked)
        grade(submission, HOMEWORK, key, checked=checked)
        assert spy.ahead <= spy.asked, path.name
        for item_id, _ in spy.asked - spy.ahead:
            assert any(d not in checked or checked[d][1].status is Status.INVALID
                       for d in HOMEWORK.item(item_id).depends_on), (path.name, item_id)
        followed += len(spy.ahead)
    assert followed > 0

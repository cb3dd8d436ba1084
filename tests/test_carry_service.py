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

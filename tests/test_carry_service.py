"""The batch's carry-forward service: workers get the same recomputations without loading torch themselves."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Listener
from pathlib import Path

import pytest

from grader.api import check_file
from grader.grading.runtime import recompute_here
from grader.homework import Carried
from grader.runtime.carry_service import CarryService, ServiceClient
from problems.hw2_cnn import HOMEWORK

DANA = Path(__file__).resolve().parents[1] / "submissions" / "hw2-cnn" / "dana.yaml"  # needs errors carried forward

PROBE = """
import json, sys
from grader.api import check_file
from grader.runtime.carry_service import CarryService, ServiceClient
from grader.runtime.sandbox import bounded_runtime

service = CarryService(warm=False)
result = check_file(sys.argv[1], runtime=bounded_runtime(recompute=ServiceClient(service.address, service.authkey)))
service.stop()
print(json.dumps({"torch": "torch" in sys.modules, "result": result.model_dump(mode="json")}))
"""


@pytest.mark.slow
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
    recompute = ServiceClient(address, authkey)
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
        assert ServiceClient(service.address, b"wrong")(HOMEWORK, "p4.bn1.output", upstream) == expected
        assert any("cannot be reached" in record.message for record in caplog.records)
        caplog.clear()
        assert ServiceClient(service.address, service.authkey)(HOMEWORK, "p4.bn1.output", upstream) == expected
        assert not any("cannot be reached" in record.message for record in caplog.records)
    finally:
        service.stop()


def test_a_client_waits_for_each_answer_and_remembers_it():
    """A request waits for the service's reply (even one that comes late); the same request again is not sent again."""
    authkey = b"test key"
    listener = Listener(family="AF_UNIX", authkey=authkey)
    requests: queue.Queue = queue.Queue()

    def serve():
        with listener.accept() as connection:
            while True:
                try:
                    requests.put(connection.recv())
                except EOFError:
                    return
                time.sleep(0.5)  # a service still loading torch
                connection.send(("ok", Carried("from the service")))

    threading.Thread(target=serve, daemon=True).start()
    recompute = ServiceClient(listener.address, authkey)
    upstream = {"p4.layer1.output": "250 × 250 × 32"}
    try:
        assert recompute(HOMEWORK, "p4.bn1.output", upstream) == Carried("from the service")
        # No variant (None): the homework as registered; a variant's parameter values would be sent instead.
        assert requests.get(timeout=10) == (HOMEWORK.id, None, "p4.bn1.output", upstream)
        assert recompute(HOMEWORK, "p4.bn1.output", upstream) == Carried("from the service")
        assert requests.empty()  # remembered, not asked again
    finally:
        listener.close()

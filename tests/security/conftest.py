"""Shared fixtures of the security corpus: the hw2-cnn homework, its key, and a side-effect watch."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager

import pytest

from grader.core.key import load_key
from grader.core.models import ItemResult, RawAnswer
from grader.grading.grade import grade_item
from grader.grading.runtime import Runtime
from problems.hw2_cnn import HOMEWORK

from ..runtimes import INLINE, bounded

# Checking processes as `grader check` has them, shared by the corpus.
BOUNDED = bounded()

KEY = load_key(HOMEWORK)
# One item of each kind the homework has (the corpus runs every payload through each): the
# formula with the most variables, a shape and a count of Problem 4, else the first of the kind.
_PREFERRED = {"expression": "p4.formula.conv_out", "shape": "p4.layer1.output", "number": "p4.layer1.params"}
ITEM_OF_KIND = {}
for _item in HOMEWORK.items:
    ITEM_OF_KIND.setdefault(_item.kind, _item)
for _kind, _item_id in _PREFERRED.items():
    if _item_id in HOMEWORK.item_ids:
        ITEM_OF_KIND[_kind] = HOMEWORK.item(_item_id)

# Audit events that mean code ran, a process started, the network was touched or a new module
# was imported (forking and killing our own bounded worker are expected; see https://docs.python.org/3/library/audit_events.html).
DANGEROUS_EVENTS = frozenset({
    "os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn",
    "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.__new__", "urllib.Request",
    "compile", "exec", "import", "ctypes.dlopen", "shutil.rmtree", "os.remove", "os.rename",
})
_watching: list[list[tuple[str, str]]] = []


def _audit(event: str, args: tuple) -> None:
    if _watching and event in DANGEROUS_EVENTS:
        _watching[-1].append((event, repr(args)[:200]))


sys.addaudithook(_audit)  # hooks cannot be removed; it records only inside watch_side_effects()


@contextmanager
def watch_side_effects():
    """Collect dangerous audit events raised in this process while the block runs."""
    events: list[tuple[str, str]] = []
    _watching.append(events)
    try:
        yield events
    finally:
        _watching.pop()


def grade_answer(kind: str, text: str, runtime: Runtime = BOUNDED, **kwargs) -> ItemResult:
    """Grade `text` as the answer to the homework's first item of `kind` (bounded, as `grader check` does)."""
    item = ITEM_OF_KIND[kind]
    return grade_item(item, RawAnswer(text=text, line=3), KEY.answers[item.id], HOMEWORK, runtime, **kwargs)


@contextmanager
def within(seconds: float):
    """Fail if the block takes longer than `seconds` of wall-clock time."""
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    assert elapsed < seconds, f"took {elapsed:.2f} s (bound {seconds} s)"


@pytest.fixture
def marker(tmp_path):
    """A path that a successful injection would create; the test asserts it never exists."""
    path = tmp_path / "pwned"
    yield path
    assert not path.exists(), "an injected command ran"


def _warm_up() -> None:
    """Grade typical and broken answers once, so lazy first-use imports are not counted as events."""
    for kind, item in ITEM_OF_KIND.items():
        for text in (KEY.answers[item.id], "1+1", "__import__('x')", "H^2 + floor(H/2) + sqrt(H) + max(H, p) + abs(p)",
                     "9^9^9", "1e999999", "(((", "x" * 2000, r"\frac{H}{2}", "2.5M", "floor(floor(H^16)^16)^16^16"):
            grade_answer(kind, text, runtime=INLINE)


_warm_up()

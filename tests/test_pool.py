"""The streaming worker pool: results in order whatever the workers' speed, bounded waiting results, dead workers."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from grader.runtime import pool

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")


class Squares:
    """A job that squares numbers, slowly for every multiple of `slow`, and dies on `die_on`."""

    def __init__(self, slow: int = 0, die_on: int | None = None) -> None:
        self.slow, self.die_on = slow, die_on

    def take(self, item):
        if item == self.die_on:
            os._exit(3)
        if self.slow and item % self.slow == 0:
            time.sleep(0.05)
        return item * item, os.getpid()


def test_results_come_in_item_order_from_several_workers():
    items = list(range(100))
    results = list(pool.in_order(items, Squares, jobs=3, chunk_size=4, lost=_never))
    assert [square for square, _ in results] == [i * i for i in items]
    assert len({pid for _, pid in results}) > 1  # really spread over workers


def test_slow_items_do_not_change_the_order():
    """Every third item is slow, so results arrive out of order: they are still yielded in item order."""
    items = list(range(60))
    results = list(pool.in_order(items, lambda: Squares(slow=3), jobs=2, chunk_size=5, lost=_never))
    assert [square for square, _ in results] == [i * i for i in items]


def test_a_slow_first_item_does_not_stall_the_pool_when_results_pile_up(monkeypatch):
    """With few results allowed to wait behind a slow first item, no more work is sent until it is done,
    and the pool goes on to the end."""
    monkeypatch.setattr(pool, "MAX_WAITING_RESULTS", 3)
    items = list(range(40))
    results = list(pool.in_order(items, lambda: Squares(slow=40), jobs=2, chunk_size=2, lost=_never))
    assert [square for square, _ in results] == [i * i for i in items]


def test_a_worker_that_dies_loses_only_what_it_had_not_answered():
    """The items given to a worker that died and not answered go to `lost`; the rest are graded by a
    fresh worker, in order."""
    lost = []

    def on_lost(index, item):
        lost.append(item)
        return ("lost", None)

    items = list(range(30))
    results = list(pool.in_order(items, lambda: Squares(die_on=13), jobs=2, chunk_size=3, lost=on_lost))
    # 12 was answered before the worker died on 13; lost: the rest of its chunk and at most the
    # chunk queued behind it.
    assert 13 in lost and 12 not in lost and len(lost) <= 5
    assert [r[0] for r in results] == [("lost" if i in lost else i * i) for i in items]


def test_items_held_by_a_worker_that_dies_are_lost_too():
    """A worker holding items back that then dies: those held items are handed to `lost` as well."""
    lost = []

    def on_lost(index, item):
        lost.append(item)
        return ("lost", None)

    items = list(range(12))
    results = list(pool.in_order(items, lambda: Squares(hold=2, die_on=5), jobs=1, chunk_size=3, lost=on_lost))
    assert {0, 2, 4, 5} <= set(lost)  # held (even ones before 5) and the culprit
    assert [r[0] for r in results] == [("lost" if i in lost else i * i) for i in items]


def _never(index, item):
    raise AssertionError(f"item {item} lost")

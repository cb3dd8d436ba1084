"""Keys of variants: computed by torch once, kept on disk by digest, read back by grading; and recomputed per variant
by the batch's carry-forward service."""

from __future__ import annotations

import logging

import pytest
import yaml

from grader.authoring import key_cache as cache_module
from grader.authoring.key_cache import KeyCache, precompute
from grader.authoring.keys import build_key
from grader.grading.runtime import recompute_here
from grader.runtime.carry_service import CarryService, ServiceClient

from .conftest import HOMEWORK, variant_of


def test_a_key_is_computed_once_and_read_back(tmp_path, monkeypatch):
    """The first `get` computes and writes DIGEST.yaml (its variant named inside); later ones read it, not torch."""
    keys, homework = KeyCache(tmp_path), variant_of("kept once")
    first = keys.get(homework)
    path = keys.path(homework)
    assert path.name == f"{homework.variant.digest}.yaml" and path.is_file()
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left behind
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert written["variant"] == {"digest": homework.variant.digest, "parameters": homework.variant.as_dict()}

    def no_torch(_):
        raise AssertionError("recomputed a kept key")

    monkeypatch.setattr(cache_module, "build_key", no_torch)
    again = keys.get(homework)
    assert (again.answers, again.mistakes, again.variant) == (first.answers, first.mistakes, first.variant)


def test_a_kept_key_is_the_computed_one(tmp_path):
    """What grading reads from the cache is what the plugin computes for the variant."""
    homework = variant_of("same as computed")
    kept, computed = KeyCache(tmp_path).get(homework), build_key(homework)
    assert (kept.answers, kept.mistakes) == (computed.answers, computed.mistakes)
    assert kept.answers != build_key(HOMEWORK).answers


def test_a_key_of_another_variant_is_never_read(tmp_path, caplog):
    """A key file copied under another variant's name is refused (its digest says whose it is) and recomputed."""
    keys, mine, other = KeyCache(tmp_path), variant_of("mine"), variant_of("other")
    keys.get(other)
    keys.path(mine).write_bytes(keys.path(other).read_bytes())
    with caplog.at_level(logging.WARNING):
        key = keys.get(mine)
    assert "recomputing the key" in caplog.text
    assert key.variant == mine.variant.digest and key.answers == build_key(mine).answers


def test_precompute_computes_the_missing_keys_in_several_processes(tmp_path):
    keys = KeyCache(tmp_path)
    homeworks = [variant_of(f"class-{n}") for n in range(5)]
    keys.get(homeworks[0])
    assert precompute(homeworks + homeworks[:2], keys, jobs=2) == 4  # each once, the kept one skipped
    assert all(keys.path(h).is_file() for h in homeworks)
    assert precompute(homeworks, keys, jobs=2) == 0


def test_the_registered_homework_has_no_cached_key(tmp_path):
    with pytest.raises(Exception, match="committed key"):
        KeyCache(tmp_path).path(HOMEWORK)


def test_the_carry_forward_service_recomputes_with_each_students_network():
    """Through the batch's service, an item recomputed from the same earlier answer follows each variant's own
    layer (as recomputing in the worker would), and the worker remembers answers per variant."""
    one, two = variant_of("net one"), variant_of("net two")
    upstream = {"p4.layer1.output": "100 × 100 × 16"}
    service = CarryService(warm=False)
    try:
        client = ServiceClient(service.address, service.authkey)
        carried = [client(homework, "p4.layer2.output", upstream) for homework in (one, two)]
    finally:
        service.stop()
    assert carried == [recompute_here(homework, "p4.layer2.output", upstream) for homework in (one, two)]
    assert len(client._known) == 2
    # Their layer2 differ (filters and padding), so what follows from the same input does too.
    assert one.item("p4.layer2.output").prompt != two.item("p4.layer2.output").prompt
    assert carried[0].answer != carried[1].answer

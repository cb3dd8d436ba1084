"""Security corpus, YAML cost: a file cheap to write and costly to compose is refused while it is composed.

A megabyte of flow pairs is a million YAML nodes, which took 17 s and 550 MB to build before a
walk of the tree refused them. Each case asserts the one-line message (file, line) and that no
more than the 100,000 values of the limit were ever built; `benchmarks/hostile_files.py`
prints the time and memory this takes.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from unittest.mock import patch

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.batch import grade_folder
from grader.core.errors import UsageError
from grader.io import yaml_compose
from grader.io.yaml_compose import MAX_NODES
from tests.cli_runs import run_cli
from tests.security.hostile_yaml import SHAPES, VALUES_BEFORE, file_name
from tests.security.test_files import good

MESSAGE = "the file holds more than 100,000 values (each use of an alias counts)"


@contextmanager
def nodes_built():
    """Count the YAML nodes built in this process (by PyYAML, libyaml or the JSON reader) while the block runs."""
    built = [0]

    def counting(init):
        def wrapped(self, *args, **kwargs):
            built[0] += 1
            init(self, *args, **kwargs)
        return wrapped

    with patch.object(yaml.nodes.ScalarNode, "__init__", counting(yaml.nodes.ScalarNode.__init__)), \
            patch.object(yaml.nodes.CollectionNode, "__init__", counting(yaml.nodes.CollectionNode.__init__)):
        yield built


def expected_line(name: str, text: str) -> str:
    """The line of value 100,001 as a pattern: exact where the shape makes it plain, else any line."""
    if name.startswith("JSON past a long key"):
        return ""  # read by json.loads, which gives no lines
    junk = text[: text.index("junk")].count("\n") + 1
    if text[text.index("junk"):].count("\n") <= 1:
        return f":{junk}"  # a flow collection, all on the line of its key
    if name == "block sequence":  # one value a line after the `junk:` line
        return f":{junk + MAX_NODES + 1 - VALUES_BEFORE}"
    return r":\d+"


@pytest.mark.parametrize("name", list(SHAPES))
def test_costly_file_is_refused_before_its_values_are_built(name, tmp_path, capsys):
    """`grader check` exits 2 with the limit's message, file and line, having built at most 100,000 values."""
    path = tmp_path / file_name(SHAPES[name])
    path.write_text(SHAPES[name], encoding="utf-8")
    with nodes_built() as built:
        code, out, err = run_cli(capsys, "check", str(path), "--format", "json")
    assert code == 2 and out == ""
    assert re.fullmatch(re.escape(f"error: {path}") + expected_line(name, SHAPES[name]) + re.escape(f": {MESSAGE}\n"),
                        err), err
    assert built[0] <= MAX_NODES + 10  # JSON: a few more, from YAML's attempt before json.loads


@pytest.mark.parametrize("name", ["flow pairs", "block sequence"])
def test_python_composer_refuses_at_the_same_line_without_libyaml(name, monkeypatch):
    """Without libyaml (or where it cannot read the file) PyYAML's composer counts: the same refusal, as early."""
    def refusal() -> UsageError:
        with pytest.raises(UsageError) as caught:
            yaml_compose.compose_submission(SHAPES[name], "ada.yaml")
        return caught.value

    with_libyaml = refusal()
    monkeypatch.setattr(yaml_compose, "_FAST_LOADER", None)
    with nodes_built() as built:
        without = refusal()
    assert (without.message, without.line) == (with_libyaml.message, with_libyaml.line) == (MESSAGE, without.line)
    assert built[0] <= MAX_NODES


def test_batch_worker_refuses_the_file_and_grades_the_rest(tmp_path):
    """`grader grade` lists the flow-pairs file as not graded with the one-line message; the other file is graded."""
    folder = tmp_path / "class"
    good(folder / "lin.yaml")
    (folder / "ada.yaml").write_text(SHAPES["flow pairs"], encoding="utf-8")
    with nodes_built() as built:
        grade_folder(folder, tmp_path / "out", jobs=1)  # in this process, so the nodes built are counted
    lines = (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    results = {result["student"]["id"]: result for result in map(json.loads, lines)}
    assert results["ada"]["error"] == f"{folder / 'ada.yaml'}:5: {MESSAGE}"
    assert "error" not in results["lin"]
    assert built[0] <= 2 * MAX_NODES  # what grading lin built, besides ada's refusal


# Fragments that libyaml and PyYAML read alike or not: flow pairs, tabs, tags, anchors, block keys.
FRAGMENTS = [*"[]{}:?-,", "a", " ", "\n", "\n  ", "\n- ", "*x", "&x ", "&y ", "# ", "'", '"', "|", "!",
             "!!str ", "!!int ", "---", "...", "\t", "b: ", "? ", "a:,", "a:[", ":{", "x:]", "\\"]


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join), limit=st.integers(1, 12))
def test_libyaml_count_refuses_only_what_the_python_composer_refuses(text, limit):
    """With a limit of a few values: where libyaml's count refuses a text, PyYAML refuses it too (for its
    size with the same message, or for its syntax, which libyaml is more lenient about); a text that PyYAML
    composes within the limit is never refused."""
    with patch.object(yaml_compose, "MAX_NODES", limit):
        try:
            yaml_compose._count_values(text)
            counted = None
        except UsageError as error:
            counted = error
        loader = yaml_compose._Loader(text)
        try:
            loader.get_single_node()
            composed = None
        except (UsageError, yaml.YAMLError) as error:
            composed = error
        finally:
            loader.dispose()
    if counted is not None:
        assert composed is not None, "refused a text PyYAML composes within the limit"
        if isinstance(composed, UsageError) and composed.message == MESSAGE:
            assert counted.message == MESSAGE

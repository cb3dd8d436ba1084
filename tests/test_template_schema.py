"""`grader template` and `grader schema`: a blank submission and the JSON Schema editors use."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from grader.cli import app
from grader.plugins.homeworks import load_homework
from grader.render.schema import build_schema
from grader.render.template import render_template

ROOT = Path(__file__).resolve().parents[1]
HOMEWORK = load_homework("hw2-cnn")
SCHEMA = build_schema(HOMEWORK)
runner = CliRunner()


def test_template_first_line_points_at_the_schema():
    """Line 1 is the yaml-language-server schema pointer; the default is the file `grader schema -o` writes."""
    lines = render_template(HOMEWORK).splitlines()
    assert lines[0] == "# yaml-language-server: $schema=hw2-cnn.schema.json"
    assert render_template(HOMEWORK, schema="../s.json").splitlines()[0].endswith("$schema=../s.json")


def test_template_lists_every_id_after_its_prompt():
    """Every item id appears once as an empty key, with its prompt in the comment just above."""
    lines = render_template(HOMEWORK).splitlines()
    for item in HOMEWORK.items:
        index = lines.index(f"  {item.id}:")
        comment = []
        j = index - 1
        while lines[j].startswith("  # ") and not lines[j].startswith("  # ──"):
            comment.insert(0, lines[j][4:])
            j -= 1
        assert item.prompt.split()[0] in " ".join(comment) and f"{item.points:g} point" in " ".join(comment)


def test_template_is_valid_yaml_with_every_answer_empty():
    """The template parses as YAML: the homework named, every answer null."""
    document = yaml.safe_load(render_template(HOMEWORK))
    assert document["homework"] == "hw2-cnn"
    assert set(document["answers"]) == set(HOMEWORK.item_ids)
    assert all(value is None for value in document["answers"].values())


def test_committed_template_and_schema_are_current():
    """submissions/hw2-cnn/template.yaml and schemas/hw2-cnn.schema.json are what the commands print."""
    committed = (ROOT / "submissions/hw2-cnn/template.yaml").read_text(encoding="utf-8")
    assert committed == render_template(HOMEWORK, schema="../../schemas/hw2-cnn.schema.json")
    assert json.loads((ROOT / "schemas/hw2-cnn.schema.json").read_text(encoding="utf-8")) == SCHEMA


def test_schema_is_a_valid_draft_07_schema():
    """The schema itself passes the draft-07 meta-schema."""
    jsonschema.Draft7Validator.check_schema(SCHEMA)


def errors(document) -> list[str]:
    return [e.message for e in jsonschema.Draft7Validator(SCHEMA).iter_errors(document)]


@pytest.mark.parametrize(
    "name", ["ada", "ben", "chen", "dana", "emil", "fatima", "gus", "ivan", "lin", "okafor", "template"],
)
def test_sample_submissions_validate(name):
    """Every readable sample (nested, dotted and mixed ids) passes the schema; okafor's made-up layer9 is flagged."""
    document = yaml.safe_load((ROOT / f"submissions/hw2-cnn/{name}.yaml").read_text(encoding="utf-8"))
    found = errors(document)
    if name == "okafor":
        assert len(found) == 1 and "p4.layer9.output" in found[0]
    else:
        assert found == []


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({"homework": "hw2-cnn", "answers": {"p4.layer9.output": "1"}}, "p4.layer9.output"),
        ({"homework": "hw2-cnn", "answers": {"p4": {"layer1": {"outptu": "1"}}}}, "outptu"),
        ({"homework": "hw3", "answers": {}}, "hw2-cnn"),
        ({"answers": {}}, "homework"),
    ],
    ids=["unknown-flat-id", "unknown-nested-id", "other-homework", "no-homework"],
)
def test_schema_flags_mistakes(document, fragment):
    """Unknown ids (flat or nested), another homework and a missing homework are schema errors."""
    assert any(fragment in message for message in errors(document))


def test_schema_describes_items():
    """Each item's definition carries its prompt, kind and points; choices list their options."""
    definition = SCHEMA["definitions"]["item:p2.c.rotation"]
    assert "rotation" in definition["description"] and "choice, 2 points" in definition["description"]
    assert definition["anyOf"][0]["examples"] == ["invariant", "equivariant", "neither"]
    assert SCHEMA["definitions"]["group:p1.b.i"]["properties"]["why"] == {"$ref": "#/definitions/item:p1.b.i.why"}
    assert "anyOf" in SCHEMA["definitions"]["group:p1.b"]["properties"]["i"]  # an item and a group at once


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["template", "hw2-cnn"], "# yaml-language-server: $schema="),
        (["schema", "hw2-cnn"], '"$schema": "http://json-schema.org/draft-07/schema#"'),
    ],
    ids=["template", "schema"],
)
def test_cli_prints(args, fragment):
    """`grader template` and `grader schema` print the template and the schema and exit 0."""
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and fragment in result.output


@pytest.mark.parametrize("command", ["template", "schema"])
def test_cli_unknown_homework_exits_2(command, monkeypatch, capsys):
    """An unknown homework is a usage error: one line naming the installed homeworks, exit code 2."""
    from grader import cli

    monkeypatch.setattr("sys.argv", ["grader", command, "hw9"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 2 and "unknown homework 'hw9'" in capsys.readouterr().err


def test_cli_writes_files(tmp_path):
    """-o writes the file and prints its path; the written template grades."""
    target = tmp_path / "hw2-cnn.schema.json"
    result = runner.invoke(app, ["schema", "hw2-cnn", "-o", str(target)])
    assert result.exit_code == 0 and str(target) in result.output
    assert json.loads(target.read_text(encoding="utf-8")) == SCHEMA

"""JSON Schema of a homework's submission file, for editor completion and validation.

Answers may be nested or dotted, freely mixed (`p4: {layer1.output: …}` is `p4.layer1.output`),
so every id prefix gets a definition whose properties are the rest of each id below it, written
in any of those ways. Unknown ids are flagged by the editor (`additionalProperties: false`);
`grader check` itself only warns about them.
"""

from __future__ import annotations

from typing import Any

from grader.core.homework import Homework, Item
from grader.plugins.kinds import kind_of

DRAFT = "http://json-schema.org/draft-07/schema#"
_STRUCTURE = ("type", "anyOf", "oneOf", "items", "enum", "const")


def build_schema(homework: Homework) -> dict[str, Any]:
    """The JSON Schema (draft-07) of a submission of `homework`."""
    ids = list(homework.item_ids)
    prefixes = _prefixes(ids)
    definitions: dict[str, Any] = {}
    for item in homework.items:
        definitions[_item_ref(item.id)] = _item_schema(item)
    for prefix in prefixes:
        definitions[_group_ref(prefix)] = _group_schema(prefix, ids, prefixes)
    return {
        "$schema": DRAFT,
        "$id": f"urn:grader:{homework.id}:submission",
        "title": f"{homework.title}: submission",
        "type": "object",
        "required": ["homework", "answers"],
        "additionalProperties": False,
        "properties": {
            "homework": {"const": homework.id, "description": "Which homework this file answers."},
            "student": {
                "type": ["object", "null"],
                "description": "Who you are (the file name is used when this is missing).",
                "additionalProperties": False,
                "properties": {
                    "id": {"type": ["string", "integer", "null"], "description": "Your student id."},
                    "name": {"type": ["string", "null"], "description": "Your name."},
                },
            },
            "answers": {"$ref": f"#/definitions/{_group_ref('')}"},
        },
        "definitions": {**definitions, _group_ref(""): _group_schema("", ids, prefixes)},
    }


def _prefixes(ids: list[str]) -> list[str]:
    """Every proper dotted prefix of an id (`p4`, `p4.layer1`), in order of first appearance."""
    seen: dict[str, None] = {}
    for item_id in ids:
        parts = item_id.split(".")
        for end in range(1, len(parts)):
            seen.setdefault(".".join(parts[:end]))
    return list(seen)


def _item_ref(item_id: str) -> str:
    return f"item:{item_id}"


def _group_ref(prefix: str) -> str:
    return f"group:{prefix}" if prefix else "answers"


def _item_schema(item: Item) -> dict[str, Any]:
    fragment = kind_of(item).json_schema(item)
    description = f"{item.prompt} ({item.kind}, {item.points:g} points)"
    if "description" in fragment:  # what the kind says of its answers: "One of: …"
        description += ". " + fragment["description"]
    # What the value is first, then its name and description, then the kind's other annotations (examples).
    schema: dict[str, Any] = {key: value for key, value in fragment.items() if key in _STRUCTURE}
    schema.update(title=item.id, description=description)
    schema.update((key, value) for key, value in fragment.items() if key not in _STRUCTURE and key != "description")
    return {"anyOf": [schema, {"type": "null"}], "description": description}


def _group_schema(prefix: str, ids: list[str], prefixes: list[str]) -> dict[str, Any]:
    """The mapping under `prefix`: each item or group below it, keyed by the rest of its id."""
    start = f"{prefix}." if prefix else ""
    properties: dict[str, Any] = {}
    item_set = set(ids)
    for target in [*ids, *prefixes]:
        if not target.startswith(start) or target == prefix:
            continue
        key = target[len(start):]
        refs = []
        if target in item_set:
            refs.append({"$ref": f"#/definitions/{_item_ref(target)}"})
        if target in prefixes:
            refs.append({"$ref": f"#/definitions/{_group_ref(target)}"})
        properties[key] = refs[0] if len(refs) == 1 else {"anyOf": refs}
    return {"type": ["object", "null"], "additionalProperties": False, "properties": properties}

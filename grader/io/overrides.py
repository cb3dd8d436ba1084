"""Reading an instructor's overrides file (grader grade --overrides), checked before anything is graded.

```yaml
ada:
  p4.layer2.output: {points: 0.5, comment: "Typo in the channel count; your working shows 64."}
  p4.formula.conv_out: 1.5          # short form: points only
```

Unknown item ids (with a did-you-mean) and points outside [0, item points] fail with their line,
so that a typo fails fast, not after grading a class.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from grader.core.errors import UsageError
from grader.core.homework import Homework
from grader.core.overrides import ItemOverride, Overrides


def load_overrides(path: str | Path, homeworks: Iterable[Homework] = ()) -> Overrides:
    """Read and check an overrides file; UsageError (file, line, what is wrong) if it is unusable.

    With `homeworks`, item ids must belong to one of them and points must lie in
    [0, the item's points].
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError("overrides file not found", path=path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read the overrides file: {error}", path=path) from None
    return read_overrides(text, path, homeworks)


def read_overrides(text: str, path: str | Path, homeworks: Iterable[Homework] = ()) -> Overrides:
    """Overrides from the text of a file (`path` names it in messages); checked as `load_overrides` does."""
    path = Path(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise UsageError(f"not valid YAML: {getattr(error, 'problem', error)}", path=path,
                         line=mark.line + 1 if mark else None) from None
    if root is None:
        return {}
    max_points: dict[str, float] = {item.id: item.points for hw in homeworks for item in hw.items}
    overrides: Overrides = {}
    for student_node, items_node in _mapping(root, path, "student ids mapped to items"):
        student = _scalar(student_node, path, "a student id")
        per_item = overrides.setdefault(student, {})
        for item_node, value in _mapping(items_node, path, f"item ids of student {student!r} mapped to points"):
            item_id = _scalar(item_node, path, "an item id")
            line = item_node.start_mark.line + 1
            if max_points and item_id not in max_points:
                close = difflib.get_close_matches(item_id, max_points, n=1)
                suggestion = f" (did you mean {close[0]}?)" if close else ""
                raise UsageError(f"student {student!r}: unknown item {item_id!r}{suggestion}", path=path, line=line)
            override = _override(value, path, line)
            limit = max_points.get(item_id)
            if override.points < 0 or (limit is not None and override.points > limit):
                raise UsageError(
                    f"student {student!r}, item {item_id}: {override.points:g} points is outside "
                    f"0 … {limit:g}" if limit is not None else f"student {student!r}, item {item_id}: negative points",
                    path=path, line=line,
                )
            per_item[item_id] = override
    return overrides


def _mapping(node: Node, path: Path, what: str) -> list[tuple[Node, Node]]:
    if not isinstance(node, MappingNode):
        raise UsageError(f"expected {what}", path=path, line=node.start_mark.line + 1)
    return node.value


def _scalar(node: Node, path: Path, what: str) -> str:
    if not isinstance(node, ScalarNode) or not node.value.strip():
        raise UsageError(f"expected {what}", path=path, line=node.start_mark.line + 1)
    return node.value.strip()


def _number(text: str, path: Path, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"points must be a number, not {text!r}", path=path, line=line) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UsageError(f"points must be a finite number, not {text!r}", path=path, line=line)
    return value


def _override(node: Node, path: Path, line: int) -> ItemOverride:
    if isinstance(node, ScalarNode):
        return ItemOverride(_number(node.value, path, line), line=line)
    fields = {_scalar(k, path, "points or comment"): v for k, v in _mapping(node, path, "points and a comment")}
    unknown = sorted(set(fields) - {"points", "comment"})
    if unknown or "points" not in fields:
        raise UsageError(f"an override needs points (and optionally a comment); found {', '.join(fields) or 'nothing'}",
                         path=path, line=line)
    comment = fields.get("comment")
    return ItemOverride(
        _number(_scalar(fields["points"], path, "points"), path, line),
        comment=comment.value.strip() if isinstance(comment, ScalarNode) else "",
        line=line,
    )

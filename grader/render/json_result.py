"""The JSON result of CONTRACT §2."""

from __future__ import annotations

from grader.core.models import Result
from grader.render.safe_text import json_safe


def render_json(result: Result) -> str:
    """The result as indented JSON, fields in the contract's order (json_safe: it is printed to CI logs)."""
    return json_safe(result.model_dump_json(indent=2))

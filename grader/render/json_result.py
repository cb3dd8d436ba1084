"""The JSON result of CONTRACT §2."""

from __future__ import annotations

from grader.models import Result


def render_json(result: Result) -> str:
    """The result as indented JSON, fields in the contract's order."""
    return result.model_dump_json(indent=2)

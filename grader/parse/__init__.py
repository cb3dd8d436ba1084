"""Parsers that turn a student's text into values, or a FormatError that says where and why."""

from grader.parse.errors import FormatError

__all__ = ["FormatError"]

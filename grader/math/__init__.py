"""Student math: parsers from text to formula trees (an allow-list, never eval), exact algebra, equivalence by proof or sampling."""

from grader.math.errors import FormatError

__all__ = ["FormatError"]

"""The one error type every parser raises for text it cannot read."""

from __future__ import annotations


class FormatError(ValueError):
    """Text that cannot be read, with the 0-based position of the problem and a fix.

    `text` is the text the position refers to (after light normalisation, e.g. LaTeX
    rewriting, if any happened); `hint` tells the student how to write it instead.
    """

    def __init__(self, message: str, *, text: str = "", position: int | None = None, hint: str = ""):
        self.message = message
        self.text = text
        self.position = position
        self.hint = hint
        super().__init__(message)

    def explain(self) -> str:
        """The message, the text with a caret under the bad spot, and the hint."""
        lines = [self.message]
        if self.text and self.position is not None and "\n" not in self.text:
            pos = max(0, min(self.position, len(self.text)))
            lines.append(f"  {self.text}")
            lines.append("  " + " " * pos + "^")
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)

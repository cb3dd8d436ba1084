"""Reading a tensor shape: `256x256x32`, `256 × 256 × 32`, `(256, 256, 32)`, `[256, 256, 32]`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.core import examples
from grader.math.errors import FormatError

_LATEX_SEPARATORS = {"\\times", "\\cdot", "\\left", "\\right"}
_BATCH_NAMES = {"n", "b", "batch", "none", "batch_size", "bs"}
# Matched at the end of right-stripped text (a leading \s* would make the search quadratic).
_TRAILING_WORDS = re.compile(r"(?:features|units|neurons|values)\.?\Z", re.IGNORECASE)
_MAX_DIMS = 8
_MAX_DIGITS = 12
_MAX_LENGTH = 1000
_WRITE_A_SHAPE = f"Write a shape like {examples.SHAPE}."


@dataclass(frozen=True)
class ShapeReading:
    """Dimensions as written; `symbolic_batch` is set when a leading `N`/`batch` was written."""

    dims: tuple[int, ...]
    symbolic_batch: bool = False


def read_shape(text: str) -> ShapeReading:
    """Parse a shape; raises FormatError pointing at the first part that is not a whole number."""
    body = text.strip().strip("$").strip()
    if len(body) > _MAX_LENGTH:
        raise FormatError(f"the answer is too long for a shape (at most {_MAX_LENGTH} characters)", text=body[:80],
                          position=0, hint=_WRITE_A_SHAPE)
    if trailing := _TRAILING_WORDS.search(body):
        body = body[: trailing.start()].rstrip()
    body = _strip_brackets(body)
    if not body:
        raise FormatError("no dimensions given", text=text, position=0, hint=_WRITE_A_SHAPE)
    parts = [(m.start(), m.group()) for m in re.finditer(r"\\[A-Za-z]+|[^\s×xX*·⋅,\\]+", body)]
    parts = [(at, part) for at, part in parts if part not in _LATEX_SEPARATORS]
    symbolic_batch = bool(parts) and parts[0][1].lower() in _BATCH_NAMES
    if symbolic_batch:
        parts = parts[1:]
    if len(parts) > _MAX_DIMS:
        raise FormatError(f"too many dimensions (at most {_MAX_DIMS})", text=body, position=0)
    dims = []
    for position, part in parts:
        if part.isdecimal() and len(part) > _MAX_DIGITS:
            raise FormatError(f"{part[:_MAX_DIGITS]}… is too large for a dimension (at most {_MAX_DIGITS} digits)",
                              text=body, position=position, hint="Check the number of digits.")
        if not part.isdecimal() or int(part) == 0:
            raise FormatError(
                f"{part!r} is not a dimension",
                text=body,
                position=position,
                hint=f"Each dimension is a positive whole number, e.g. {examples.SHAPE}.",
            )
        dims.append(int(part))
    if not dims:
        raise FormatError("no dimensions given", text=body, position=0, hint=_WRITE_A_SHAPE)
    _reject_dangling_separators(body)
    return ShapeReading(tuple(dims), symbolic_batch)


def _strip_brackets(body: str) -> str:
    pairs = {"(": ")", "[": "]", "{": "}"}
    while body and body[0] in pairs:
        if not body.endswith(pairs[body[0]]):
            raise FormatError("unbalanced brackets", text=body, position=0, hint="Close the bracket you opened.")
        body = body[1:-1].strip()
    return body.rstrip(",").strip()  # `(1024,)` is Python's one-element tuple


def _reject_dangling_separators(body: str) -> None:
    # "256 x x 32" or "256,,32": two separators with nothing between them.
    match = re.search(r"[×xX*·⋅,]\s*[×xX*·⋅,]", body)
    if match:
        raise FormatError("a dimension is missing", text=body, position=match.end() - 1,
                          hint="Write one number between each pair of separators.")
    if re.match(r"^\s*[×xX*·⋅,]", body) or re.search(r"[×xX*·⋅,]\s*$", body):
        raise FormatError("a dimension is missing", text=body, position=0,
                          hint="Write one number between each pair of separators.")


def format_shape(dims: tuple[int, ...]) -> str:
    """A shape for people: `126 × 126 × 64`."""
    return " × ".join(str(d) for d in dims)


def read_dims(text: str) -> tuple[int, ...] | None:
    """The dimensions of a shape with no symbolic batch, else None (never raises)."""
    try:
        reading = read_shape(text)
    except FormatError:
        return None
    return None if reading.symbolic_batch else reading.dims

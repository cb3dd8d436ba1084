"""Splitting an answer written as a chain of equal members (`(15 × 15 × C) × C = 225C^2`)."""

from __future__ import annotations

_OPENERS = "([{⌊⌈"
_CLOSERS = ")]}⌋⌉"
# Characters that make an `=` part of another operator (==, <=, >=, !=, :=).
_NOT_ALONE = "=<>!:"


def split_members(text: str, separators: str = "=≈") -> list[str]:
    """The members of `a = b ≈ c` at bracket depth 0, stripped; one member if there is no separator.

    `==`, `<=`, `>=`, `!=` and `:=` are not separators; an empty member is kept (as "") so the
    caller can say where it is.
    """
    members: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        elif ch in separators and depth == 0 and not _is_compound(text, i):
            members.append(text[start:i].strip())
            start = i + 1
    members.append(text[start:].strip())
    return members


def _is_compound(text: str, i: int) -> bool:
    if text[i] != "=":
        return False
    before = text[i - 1 : i]
    after = text[i + 1 : i + 2]
    return (before != "" and before in _NOT_ALONE) or after == "="

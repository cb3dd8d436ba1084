"""Rubric phrasings compiled against a lexicon, and where they occur in an answer.

A phrasing is a sequence of word slots; a slot lists alternatives with `|`, an alternative of several
words joins them with `_` (`fully_connected`, which also matches `fullyconnected`), and a trailing `*`
is a prefix (`translat*`). The words of an occurrence lie in one clause, in order; between two slots
may stand up to GAP other content words (function words are free), and no more than SKIP words in all; words
in brackets are passed over (no gap, but words) or the next slot is found among them.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.text.lexicon import Lexicon, Reading, is_stopword
from grader.text.words import Token, normalise

# Content words that may stand between two slots of a phrasing (words in brackets passed over are none), and
# words of any kind.
GAP = 3
SKIP = 8


@dataclass(frozen=True)
class Alternative:
    """One alternative of a slot: rubric word ids in order, and the id of the words glued (or None)."""

    words: tuple[int, ...]
    glued: int | None


@dataclass(frozen=True)
class Phrasing:
    """A phrasing compiled against a lexicon; `firsts` holds, per slot, the ids a match of it starts with."""

    text: str
    slots: tuple[tuple[Alternative, ...], ...]
    firsts: tuple[frozenset[int], ...]


def words_of(phrasing: str) -> list[str]:
    """Every rubric word a phrasing uses (the words of each alternative, and each alternative glued)."""
    words = []
    for slot in normalise(phrasing).split():
        for alternative in slot.split("|"):
            parts = alternative.split("_")
            words.extend(parts)
            if len(parts) > 1:
                words.append(_glued(parts))
    return words


def _glued(parts: list[str]) -> str:
    return "".join(p.rstrip("*") for p in parts) + ("*" if parts[-1].endswith("*") else "")


def compile_phrasing(phrasing: str, lexicon: Lexicon) -> Phrasing:
    """The phrasing as slots of alternatives of word ids (every word must be in the lexicon)."""
    slots = []
    for slot in normalise(phrasing).split():
        alternatives = []
        for alternative in slot.split("|"):
            parts = alternative.split("_")
            glued = lexicon.index(_glued(parts)) if len(parts) > 1 else None
            alternatives.append(Alternative(tuple(lexicon.index(p) for p in parts), glued))
        slots.append(tuple(alternatives))
    firsts = tuple(frozenset(w for a in slot for w in (a.words[0], a.glued) if w is not None) for slot in slots)
    return Phrasing(phrasing, tuple(slots), firsts)


def occurrences(phrasing: Phrasing, toks: list[Token], reading: Reading) -> list[tuple[int, ...]]:
    """Each place the phrasing occurs: the positions of its words (one occurrence per starting word)."""
    # A phrasing with a slot none of whose words the answer has cannot occur (most of a rubric's, at once).
    if not all(any(reading.positions(word) for word in first) for first in phrasing.firsts):
        return []
    starts = sorted({position for word in phrasing.firsts[0] for position in reading.positions(word)})
    found = []
    for start in starts:
        match = _extend(phrasing, 0, start, (), toks, reading)
        if match is not None:
            found.append(match)
    return found


def _extend(phrasing: Phrasing, slot: int, at: int, matched: tuple[int, ...], toks: list[Token], reading: Reading
            ) -> tuple[int, ...] | None:
    """The positions of slots `slot`… matched from `at` on (after `matched`), or None."""
    slots = phrasing.slots
    if slot == len(slots):
        return matched
    first = phrasing.firsts[slot]
    ids, pairs = reading.ids, reading.pairs
    last = toks[matched[-1]] if matched else toks[at]
    clause, inside = last.clause, last.aside
    content = 0
    for j in range(at, min(len(toks), at + (1 if slot == 0 else SKIP + 1))):
        # Words in brackets after the clause's last match may hold the next slot ("fixed upsampling (nearest
        # neighbour, bilinear)") or be passed over ("1 kernel (k × k × C) reused"); they count as no gap.
        aside = toks[j].clause != clause and toks[j].aside and not inside
        if toks[j].clause != clause and not aside:
            break
        if not first.isdisjoint(ids[j]) or (j in pairs and not first.isdisjoint(pairs[j])):
            for alternative in slots[slot]:
                covered = _cover(alternative, j, toks, reading)
                if covered:
                    found = _extend(phrasing, slot + 1, j + covered, matched + tuple(range(j, j + covered)), toks,
                                    reading)
                    if found is not None:
                        return found
        if not aside and not is_stopword(toks[j].raw):
            content += 1
            if content > GAP:
                break
    return None


def _cover(alternative: Alternative, i: int, toks: list[Token], reading: Reading) -> int:
    """How many tokens from i the alternative covers (0: it does not match there)."""
    ids = reading.ids
    words = alternative.words
    n = len(words)
    if i + n <= len(toks) and all(words[k] in ids[i + k] for k in range(n)) and (
            n == 1 or toks[i].clause == toks[i + n - 1].clause):
        return n
    if alternative.glued is not None and alternative.glued in ids[i]:
        return 1  # "fullyconnected" for fully_connected
    pair = reading.pairs.get(i)
    if pair and (words[0] in pair if n == 1 else alternative.glued in pair):
        return 2  # "down sampling" for downsampl*, "fully connected" written "fully-connected" is two tokens anyway
    return 0

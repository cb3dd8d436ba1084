"""The free-text matcher as it was before the pre-filter of phrasings (grader/checks/text.py at 1d515c5).

Kept verbatim (the matching half only: tokens, find, found_concepts) as the reference that
tests/checks/test_text.py compares the checker with, and benchmarks/text_rubric.py times it
against. Not used by the grader. `stem` and the negation constants, which the pre-filter left
as they were, come from the checker itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from grader.checks.text import GAP, NEGATION_REACH, _NEGATIONS, _NOT_NEGATING_AFTER, stem
from grader.homework import Concept, TextOptions

@dataclass(frozen=True)
class _Token:
    raw: str
    stem: str
    clause: int


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[’']", "'", text)
    text = re.sub(r"\bcan ?not\b|\bcan't\b", "can not", text)
    text = re.sub(r"\bwon't\b", "will not", text)
    text = re.sub(r"n't\b", " not", text)
    # 1 × 1, 3x3, 5 * 5 → one word, as written in "1x1 convolution".
    return re.sub(r"(\d)\s*[x×*]\s*(?=\d)", r"\1x", text)


def tokens(text: str) -> list[_Token]:
    """Words of the text with their stems and the clause they are in (clauses end at . ; : ! ? ( ), "but",
    blank lines and list bullets)."""
    result: list[_Token] = []
    # A wrapped line goes on the same clause; a blank line or a list bullet starts a new one.
    text = re.sub(r"\n\s*(?:\n|[-*•]\s|\d+[.)]\s)", " . ", _normalise(text)).replace("\n", " ")
    for clause, part in enumerate(re.split(r"[.;:!?()]+|\bbut\b|\bwhereas\b|\bhowever\b", text)):
        for word in re.findall(r"[^\W_]+", part):
            result.append(_Token(word, stem(word), clause))
    return result


@dataclass(frozen=True)
class _Alternative:
    """One alternative of a slot: one or more words, each a stem or a prefix (`translat*`)."""

    words: tuple[str, ...]

    def __post_init__(self) -> None:
        # Precomputed once per rubric phrasing: match() runs ~10⁵ times per class and item.
        joined = "".join(w.rstrip("*") for w in self.words) + ("*" if self.words[-1].endswith("*") else "")
        object.__setattr__(self, "_tests", tuple(_matcher(w) for w in self.words))
        object.__setattr__(self, "_joined", _matcher(joined) if len(self.words) > 1 else None)
        # Every way to match (the words, the words glued, two tokens glued) starts with the first
        # word's first letter, and stemming keeps first letters: a cheap test rules most tokens out.
        object.__setattr__(self, "_first", self.words[0][:1] if self.words[0][:1] not in ("", "*") else None)

    def match(self, toks: list[_Token], i: int) -> int | None:
        """How many tokens from i this alternative covers, or None."""
        if self._first is not None and i < len(toks) and not toks[i].raw.startswith(self._first):
            return None
        tests = self._tests
        n = len(tests)
        if i + n <= len(toks) and all(test(toks[i + k].raw, toks[i + k].stem) for k, test in enumerate(tests)):
            if n == 1 or len({toks[i + k].clause for k in range(n)}) == 1:
                return n
        if n > 1 and self._joined(toks[i].raw, toks[i].stem):
            return 1  # "fullyconnected" for fully_connected
        if n == 1 and i + 1 < len(toks) and toks[i].clause == toks[i + 1].clause:
            pair = toks[i].raw + toks[i + 1].raw  # "down sampling" for downsampl*
            if tests[0](pair, None):
                return 2
        return None


def _matcher(word: str):
    """A test of a token (raw, stem) against one rubric word: a prefix (`translat*`) or a stem.

    A stem of None is computed on demand (for words glued from two tokens).
    """
    if word.endswith("*"):
        prefix = word[:-1]
        return lambda raw, token_stem: raw.startswith(prefix)
    word_stem = stem(word)
    return lambda raw, token_stem: raw == word or (token_stem if token_stem is not None else stem(raw)) == word_stem


@cache
def _compile(phrasing: str) -> tuple[tuple[_Alternative, ...], ...]:
    """`same weight|kernel` → slots of alternatives; `_` joins the words of one alternative."""
    slots = []
    for slot in _normalise(phrasing).split():
        slots.append(tuple(_Alternative(tuple(alt.split("_"))) for alt in slot.split("|")))
    return tuple(slots)


def _negated(toks: list[_Token], start: int) -> bool:
    """Whether a negation stands just before the match, in the same clause."""
    clause = toks[start].clause
    for j in range(max(0, start - NEGATION_REACH), start):
        if toks[j].clause != clause:
            continue
        if toks[j].raw in _NEGATIONS:
            following = toks[j + 1].raw if j + 1 < len(toks) else ""
            if following not in _NOT_NEGATING_AFTER:
                return True
    return False


@cache
def _first_letters(phrasing: str) -> tuple[frozenset[str] | None, ...]:
    """Per slot, the first letters a token matching it can start with (None: any letter)."""
    letters = []
    for slot in _compile(phrasing):
        firsts = frozenset(alt._first for alt in slot)
        letters.append(None if None in firsts else firsts)
    return tuple(letters)


def find(phrasing: str, text_tokens: list[_Token], *, negatable: bool = True,
         text_letters: frozenset[str] | None = None) -> bool:
    """Whether the phrasing occurs in the tokens (and, if negatable, is not negated).

    `text_letters`, the first letters of the tokens, lets a phrasing with a slot that no token
    can match be ruled out at once (found_concepts tries dozens of phrasings on one text).
    """
    slots = _compile(phrasing)
    if text_letters is not None and any(
            letters is not None and not letters & text_letters for letters in _first_letters(phrasing)):
        return False
    starts_negated = any(w in _NEGATIONS for alt in slots[0] for w in alt.words)

    def extend(slot: int, i: int) -> bool:
        if slot == len(slots):
            return True
        lowest = i
        highest = i if slot == 0 else i + GAP
        for j in range(lowest, min(highest, len(text_tokens) - 1) + 1):
            if slot > 0 and text_tokens[j].clause != text_tokens[i - 1].clause:
                break
            for alt in slots[slot]:
                covered = alt.match(text_tokens, j)
                if covered is not None:
                    gap = list(range(i, j)) if slot > 0 else []
                    if negatable and not starts_negated and any(text_tokens[g].raw in _NEGATIONS for g in gap):
                        continue
                    if extend(slot + 1, j + covered):
                        return True
        return False

    # Only tokens that start with a first letter of the first slot can start a match.
    firsts = _first_letters(phrasing)[0]
    starts = range(len(text_tokens)) if firsts is None else (
        i for i, token in enumerate(text_tokens) if token.raw[:1] in firsts)
    for start in starts:
        if extend(0, start):
            if not negatable or starts_negated or not _negated(text_tokens, start):
                return True
    return False


def found_concepts(text: str, options: TextOptions) -> list[Concept]:
    """The rubric's concepts the text contains, in rubric order."""
    toks = tokens(text)
    letters = frozenset(token.raw[:1] for token in toks)
    return [c for c in options.concepts
            if any(find(p, toks, negatable=c.negatable, text_letters=letters) for p in c.phrasings)]


"""The `text` checker: free text scored by a concept rubric, always flagged for a person to review.

A concept is found when one of its phrasings occurs in the answer (see `Concept` for the
phrasing syntax). Words are compared after light stemming, so plurals and -ed/-ing forms and
British/American spellings match; hyphens and spaces are interchangeable ("down-sampling",
"down sampling", "downsampling"); a few other words may stand between two words of a
phrasing within one clause ("the same set of filter weights" has "same … weights"). A
negation just before a phrasing, or between its words, defeats it ("not translation
invariant", "weights are not shared").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from grader.homework import Concept, Item, TextOptions
from grader.verdict import Verdict

# How many other words may stand between two words of a phrasing.
GAP = 3
# How many words before a phrasing a negation reaches.
NEGATION_REACH = 3
# How many first letters of a token file it in a text's `_index`.
KEY = 3
_NEGATIONS = frozenset({"not", "no", "never", "without", "nor", "neither", "none", "lack", "lacks",
                        "lacking", "unable", "cant"})
# "not only X but also Y" affirms X.
_NOT_NEGATING_AFTER = frozenset({"only", "just", "merely", "necessarily"})
# Every student writes their own text: remembering checked answers (grader.grading) would only take memory.
REMEMBER_CHECKS = False
_REVIEW_NOTE = "Scored automatically by looking for the key ideas; your instructor reviews free-text answers."


class _Token(NamedTuple):  # a tuple: made for every word of every answer, ~6× cheaper than a dataclass
    raw: str
    stem: str
    clause: int


@cache
def stem(word: str) -> str:
    """A crude stem: `weights`→`weight`, `shared`/`sharing`/`share`→`shar`, `normalise`→`normaliz`."""
    w = re.sub(r"is(e|ed|es|ing|ation|ations)$", r"iz\1", word)
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and re.search(r"(ss|x|ch|sh)es$", w):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not re.search(r"(ss|us|is)$", w):
        w = w[:-1]
    for suffix, shortest in (("ing", 6), ("ed", 5)):
        if len(w) >= shortest and w.endswith(suffix):
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
                w = w[:-1]  # mapping → mapp → map
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    # Each contraction rule only where its word occurs: finding a word is faster than a pattern.
    if "can" in text:
        text = re.sub(r"\bcan ?not\b|\bcan't\b", "can not", text)
    if "won't" in text:
        text = re.sub(r"\bwon't\b", "will not", text)
    if "n't" in text:
        text = re.sub(r"n't\b", " not", text)
    # 1 × 1, 3x3, 5 * 5 → one word, as written in "1x1 convolution".
    return re.sub(r"(\d)\s*[x×*]\s*(?=\d)", r"\1x", text)


# One pass over the text: a clause end (group 1) or a word (group 2). A clause end is never part of
# a word, nor a word part of a clause end (\b: no letter, digit or _ on either side of "but").
_CLAUSE_END_OR_WORD = re.compile(r"([.;:!?()]+|\b(?:but|whereas|however)\b)|([^\W_]+)")


def tokens(text: str) -> list[_Token]:
    """Words of the text with their stems and the clause they are in (clauses end at . ; : ! ? ( ), "but",
    blank lines and list bullets)."""
    result: list[_Token] = []
    # A wrapped line goes on the same clause; a blank line or a list bullet starts a new one.
    text = re.sub(r"\n\s*(?:\n|[-*•]\s|\d+[.)]\s)", " . ", _normalise(text)).replace("\n", " ")
    clause = 0
    for clause_end, word in _CLAUSE_END_OR_WORD.findall(text):
        if clause_end:
            clause += 1
        else:
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
        # The first KEY letters of a match are known too: its keys, where it may start in a text's
        # `_index` (None: some word too short to say).
        keys = [_keys(self.words[0])] + ([_keys(joined)] if len(self.words) > 1 else [])
        object.__setattr__(self, "_keys", None if None in keys else frozenset().union(*keys))

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


def _keys(word: str) -> frozenset[str] | None:
    """The first KEY letters a token, or two tokens glued, matching the rubric word can have (None: any).

    Such a token starts with the prefix of `translat*`, or else has the word's stem. stem() leaves
    words of one or two letters alone and makes none shorter than three letters: a stem that short
    is the token itself. A longer stem keeps its word's beginning: stem() changes only the end, but
    for a last 'ies' that becomes 'y' (`anies` → `any`) and an 's' after 'i' that becomes 'z'
    (`sise` → `siz`).
    """
    if word.endswith("*"):
        starts = [word[:-1]]
    else:
        word_stem = stem(word)
        if len(word_stem) < 3:
            return frozenset({word_stem})
        starts = [word_stem, word_stem[:-1] + "ies"] if word_stem.endswith("y") else [word_stem]
    if any(len(start) < KEY for start in starts):
        return None
    keys = {start[:KEY] for start in starts}
    return frozenset(keys | {key.replace("iz", "is") for key in keys})


def _matcher(word: str):
    """A test of a token (raw, stem) against one rubric word: a prefix (`translat*`) or a stem.

    A stem of None is computed on demand (for words glued from two tokens).
    """
    if word.endswith("*"):
        prefix = word[:-1]
        return lambda raw, token_stem: raw.startswith(prefix)
    word_stem = stem(word)
    return lambda raw, token_stem: raw == word or (token_stem if token_stem is not None else stem(raw)) == word_stem


@dataclass(frozen=True)
class _Phrasing:
    """A rubric phrasing, compiled once."""

    slots: tuple[tuple[_Alternative, ...], ...]
    keys: tuple[frozenset[str] | None, ...]  # per slot, its alternatives' keys (None if one has none)
    starts_negated: bool  # the phrasing is itself a negation ("not where")


@cache
def _compile(phrasing: str) -> _Phrasing:
    """`same weight|kernel` → slots of alternatives; `_` joins the words of one alternative."""
    slots = tuple(tuple(_Alternative(tuple(alt.split("_"))) for alt in slot.split("|"))
                  for slot in _normalise(phrasing).split())
    keys = tuple(None if any(alt._keys is None for alt in slot) else frozenset().union(*(alt._keys for alt in slot))
                 for slot in slots)
    return _Phrasing(slots, keys, any(w in _NEGATIONS for alt in slots[0] for w in alt.words))


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


def _index(toks: list[_Token]) -> dict[str, list[int]]:
    """The positions of the tokens by key (first KEY letters). A shorter token is also filed under
    the key of it glued to the next token of its clause, as `_Alternative.match` glues them."""
    index: dict[str, list[int]] = {}
    for i, token in enumerate(toks):
        index.setdefault(token.raw[:KEY], []).append(i)
        if len(token.raw) < KEY and i + 1 < len(toks) and toks[i + 1].clause == token.clause:
            index.setdefault((token.raw + toks[i + 1].raw)[:KEY], []).append(i)
    return index


def find(phrasing: str, text_tokens: list[_Token], *, negatable: bool = True,
         text_index: dict[str, list[int]] | None = None) -> bool:
    """Whether the phrasing occurs in the tokens (and, if negatable, is not negated).

    `text_index` is the tokens' `_index` (found_concepts makes it once for dozens of phrasings).
    """
    compiled = _compile(phrasing)
    slots = compiled.slots
    starts_negated = compiled.starts_negated
    index = _index(text_tokens) if text_index is None else text_index
    # A slot matches only where a token has one of its keys: most phrasings of a rubric are ruled out at once.
    present = index.keys()
    for keys in compiled.keys:
        if keys is not None and present.isdisjoint(keys):
            return False

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

    # Likewise a match starts only where a token has a key of the first slot.
    first_keys = compiled.keys[0]
    starts = range(len(text_tokens)) if first_keys is None else {i for k in first_keys for i in index.get(k, ())}
    for start in starts:
        if extend(0, start):
            if not negatable or starts_negated or not _negated(text_tokens, start):
                return True
    return False


def found_concepts(text: str, options: TextOptions) -> list[Concept]:
    """The rubric's concepts the text contains, in rubric order."""
    toks = tokens(text)
    index = _index(toks)
    return [c for c in options.concepts
            if any(find(p, toks, negatable=c.negatable, text_index=index) for p in c.phrasings)]


def _options(item: Item) -> TextOptions:
    assert isinstance(item.options, TextOptions), f"{item.id}: text items need TextOptions"
    return item.options


def needs_bounds(text: str) -> bool:
    """Reading is regular expressions over text whose length is already limited: no bounded worker needed."""
    return False


def read(text: str, item: Item) -> str:
    """The answer's text, as written."""
    return text.strip()


def show(value: str) -> str:
    return value


def compare(given: str, expected: str, item: Item) -> Verdict:
    """The shares of the concepts found (capped at 1), listing found and missing ones; always for review."""
    options = _options(item)
    found = found_concepts(given, options)
    score = min(1.0, sum(c.share for c in found))
    parts = []
    if found:
        parts.append("Found: " + "; ".join(c.name for c in found) + ".")
    missing = [c for c in options.concepts if c not in found]
    if missing and score < 1.0:
        parts.append("Missing: " + "; ".join(c.name for c in missing) + ".")
    parts.append(_REVIEW_NOTE)
    return Verdict(round(score, 4), " ".join(parts), needs_review=True)

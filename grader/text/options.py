"""Which options of a choice an answer names, affirms or denies, read as a careful marker reads it.

The answer's words (already normalised by the choice checker) are matched against every spelling
of every option, longest first. A word that is no spelling's word and no English word is read as
the one option word it is a typo of ("partialy" → "partially"), and said so in a note; a word near
several is a did-you-mean. A mention right after a negation is denied, and so is the next one
joined to it by "or" / "nor" ("not equivariant or invariant", "neither A nor B"); a denied mention
whose negation spelled out is another option names that one ("not a suitable task" → *not
suitable*), unless it is one of a "neither … nor" list. When the answer names no option but denies
all others, it names the remaining one if the homework allows answers by elimination.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.text.lexicon import max_edits, nearest
from grader.text.scope import NEGATORS

# Words of a choice answer that negate the mention right after them (within two words).
NEGATIONS = NEGATORS | frozenset({"isnt", "arent", "doesnt", "dont", "cannot", "cant", "wasnt"})
_REACH = 2
# Longest spelling, in words, that is tried when spaces are ignored ("maxpooling").
MAX_WORDS = 8
_COORDINATION = frozenset({"or", "nor"})


@dataclass
class Mentions:
    """What an answer says of the options: those it names and those it denies, with notes on its spelling."""

    named: list[str] = field(default_factory=list)  # option names, in order of appearance
    denied: list[str] = field(default_factory=list)
    typos: list[tuple[str, str]] = field(default_factory=list)  # (as written, read as)
    near: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (as written, words it may be)


def read_mentions(words: list[str], by_spelling: dict[str, str], vocabulary: tuple[str, ...],
                  by_words: dict[tuple[str, ...], str]) -> Mentions:
    """The options named and denied by the words (`by_spelling`: a spelling without spaces → its option;
    `by_words`: a spelling's words, sorted → its option, for an answer that is one spelling in another order)."""
    result = Mentions()
    words = [_spelled(word, vocabulary, result) for word in words]
    for written, tied in list(result.near):
        # A typo near several option words is read as the one whose reading names a single option, if
        # those that do all name the same ("partialy": "partially" gives *partially suitable*, "partial"
        # gives two options).
        readings = {t: _scan([w if w != written else t for w in words], by_spelling, by_words).named for t in tied}
        single = {t: named[0] for t, named in readings.items() if len(named) == 1}
        if single and len(set(single.values())) == 1:
            chosen = next(iter(single))
            words = [w if w != written else chosen for w in words]
            result.near.remove((written, tied))
            result.typos.append((written, chosen))
    scanned = _scan(words, by_spelling, by_words)
    result.named, result.denied = scanned.named, scanned.denied
    return result


def _scan(words: list[str], by_spelling: dict[str, str], by_words: dict[tuple[str, ...], str]) -> Mentions:
    result = Mentions()
    reordered = by_words.get(tuple(sorted(words)))
    if reordered is not None:  # "suitable, partially"
        result.named.append(reordered)
        return result
    i = 0
    previous_end, previous_denied = -1, False
    while i < len(words):
        match = _longest(words, i, by_spelling)
        if match is None:
            i += 1
            continue
        end, option = match
        before = words[max(0, i - _REACH):i]
        listed = previous_denied and 0 < i - previous_end <= 2 and set(words[previous_end:i]) <= _COORDINATION
        negated = any(word in NEGATIONS for word in before) or listed
        spelled_out = by_spelling.get("not" + "".join(words[i:end]))
        # "neither suitable nor unsuitable" denies both options; only a plain "not" names the negated one
        if negated and spelled_out is not None and spelled_out != option and not listed and "neither" not in before:
            negated, option = False, spelled_out  # "not a suitable task" names *not suitable*
        target = result.denied if negated else result.named
        if option not in target:
            target.append(option)
        previous_end, previous_denied = end, negated
        i = end
    return result


def _spelled(word: str, vocabulary: tuple[str, ...], result: Mentions) -> str:
    """The word, or the option word it is a typo of (noted in `result`)."""
    if word in vocabulary or word in NEGATIONS or not max_edits(word) or not word.isalpha():
        return word
    best, tied = nearest(word, vocabulary, max_edits(word))
    if best is not None:
        result.typos.append((word, best))
        return best
    if tied:
        result.near.append((word, tied))
    return word


def _longest(words: list[str], start: int, by_spelling: dict[str, str]) -> tuple[int, str] | None:
    """The longest run of words from `start` that, with spaces removed, spells an option."""
    joined = ""
    best = None
    for end in range(start + 1, min(len(words), start + MAX_WORDS) + 1):
        joined += words[end - 1]
        if joined in by_spelling:
            best = (end, by_spelling[joined])
    return best


def by_elimination(mentions: Mentions, options: tuple[str, ...]) -> str | None:
    """The one option left when an answer names none and denies every other, or None."""
    if mentions.named:
        return None
    left = [o for o in options if o not in mentions.denied]
    return left[0] if len(left) == 1 else None

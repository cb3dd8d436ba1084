"""Which words of an answer a negation denies, and where the answer turns back on itself.

A negation (not, no, never, without, cannot, neither, nor, nothing, lacks, instead of, rather than, …)
denies every word after it up to the end of its span (see `grader.text.words`): across "or" and
"nor" ("not equivariant or invariant", "neither A nor B"), not past a comma, "and", "but", "because"
and the like ("not A but B" affirms B). "not only", "not just" deny nothing.

A *turn* ("actually", "then again", "in fact", "although", "but", "no,") marks a sentence that may
take back what came before: "maybe X, but actually not X" — the later denial wins.
"""

from __future__ import annotations

from grader.text.words import Token

NEGATORS = frozenset({"not", "no", "never", "without", "nor", "neither", "none", "nothing", "nobody", "lack",
                      "lacks", "lacking", "unable", "fail", "fails", "failed", "non", "myth", "untrue"})
# Two-word negations: the first word and the word that must follow it.
_NEGATING_PAIRS = {"instead": "of", "rather": "than"}
# "no matter where", "no doubt" deny nothing.
_NOT_NEGATIONS = frozenset({("no", "matter"), ("no", "doubt")})
# "not only X but also Y" affirms X.
_NOT_NEGATING_AFTER = frozenset({"only", "just", "merely", "necessarily", "always"})
TURN_WORDS = frozenset({"actually", "really", "although", "though", "however", "but", "yet", "whereas", "wait",
                        "correction"})
_TURN_PAIRS = {("then", "again"), ("in", "fact"), ("second", "thought"), ("either", "way"), ("other", "hand")}
# Words between a subject and the negation of its verb ("X is not", "X can really not").
_AUXILIARIES = frozenset({"is", "are", "was", "were", "be", "been", "does", "do", "did", "can", "could", "will",
                          "would", "should", "may", "might", "must", "has", "have", "had", "really", "actually",
                          "also", "still", "just", "simply", "even", "then", "therefore"})


class Scope:
    """The negations of one answer: which token each word is denied by, and the turns of its sentences."""

    __slots__ = ("denied_by", "turns")

    def __init__(self, toks: list[Token]) -> None:
        denied_by = [-1] * len(toks)
        turns: list[int] = []
        negation, negation_span = -1, -1
        for i, token in enumerate(toks):
            following = toks[i + 1].raw if i + 1 < len(toks) else ""
            if token.span != negation_span:
                negation = -1
            if negation >= 0:
                denied_by[i] = negation
            word = token.raw
            if (word in NEGATORS and following not in _NOT_NEGATING_AFTER and (word, following) not in _NOT_NEGATIONS
                    ) or _NEGATING_PAIRS.get(word) == following:
                negation, negation_span = i, token.span
            if word in TURN_WORDS or (word, following) in _TURN_PAIRS or (word == "instead" and following != "of") or (
                    word == "no" and (i == 0 or toks[i - 1].sentence != token.sentence)):
                turns.append(i)
        self.denied_by = denied_by
        self.turns = turns

    def denies(self, positions: tuple[int, ...], toks: list[Token]) -> int:
        """The negation denying any of these words, other than one among them ("not where"), or -1.

        A negated verb right after them denies them too: "local receptive fields don't help",
        "transposed convolution is not an upsampling method".
        """
        for position in positions:
            negation = self.denied_by[position]
            if negation >= 0 and negation not in positions:
                return negation
        last = max(positions)
        for after in range(last + 1, min(len(toks), last + 4)):
            word = toks[after].raw
            if toks[after].span != toks[last].span or word in _NOT_NEGATING_AFTER:
                break
            if word in NEGATORS:
                following = toks[after + 1].raw if after + 1 < len(toks) else ""
                negating = following not in _NOT_NEGATING_AFTER and (word, following) not in _NOT_NEGATIONS
                return after if negating else -1
            if word not in _AUXILIARIES:
                break
        return -1

    def turned(self, toks: list[Token], position: int) -> bool:
        """Whether a turn comes before this word in its sentence, or just before ("Actually no. …")."""
        sentence = toks[position].sentence
        return any(t <= position and (toks[t].sentence == sentence or
                                      (toks[t].sentence == sentence - 1 and position - t <= 4)) for t in self.turns)

"""Which words of an answer a negation denies, which it only hedges or questions, and where the answer takes itself back.

A negation (not, no, never, without, cannot, neither, nor, nothing, lacks, instead of, rather than, …)
denies every word after it up to the end of its span (see `grader.text.words`): across "or" and
"nor" ("not equivariant or invariant", "neither A nor B"), not past a comma, "and", "but", "because"
and the like ("not A but B" affirms B). "not only", "not just" deny nothing.

Not every "not" denies: "not perfectly translation invariant" still says it is, in part (*hedged*),
and "I'm not sure whether pooling counts" neither says nor denies that it does (*questioned*).

A *turn* ("actually", "then again", "in fact", "although", "but", "no,") marks a sentence that may
take back what came before: "maybe X, but actually not X" — the later denial wins. A negation that
stands alone after a turn ("Maybe X, but actually no, …", "X, or maybe not.", "No wait, …") takes
back everything before it in its sentence, or the sentence before when it opens its own.
"""

from __future__ import annotations

from grader.text.lexicon import is_stopword
from grader.text.words import Token

NEGATORS = frozenset({"not", "no", "never", "without", "nor", "neither", "none", "nothing", "nobody", "lack",
                      "lacks", "lacking", "unable", "fail", "fails", "failed", "non", "myth", "untrue"})
# Two-word negations: the first word and the word that must follow it.
_NEGATING_PAIRS = {"instead": "of", "rather": "than"}
# "no matter where", "no doubt" deny nothing.
_NOT_NEGATIONS = frozenset({("no", "matter"), ("no", "doubt")})
# "not only X but also Y" affirms X; without "but" or "also" after it, "not just X" says X only in part ("it's not
# just overfitting: it is harder to train"), and so do "not necessarily X" and "not always X".
_NOT_NEGATING_AFTER = frozenset({"only", "just", "merely", "necessarily", "always"})
_AFFIRMING = frozenset({"but", "also"})
# "not perfectly X", "not fully X": X is still claimed, in part.
_HEDGING_AFTER = frozenset({"perfectly", "fully", "completely", "entirely", "totally", "exactly", "strictly", "100"})
# "not (quite) sure whether X", "unsure if X": X is neither claimed nor denied.
_DEGREE = frozenset({"quite", "totally", "completely", "entirely", "really", "so", "too", "very", "fully", "100"})
_UNSURE = frozenset({"sure", "certain", "convinced", "clear"})
_DOUBTING = frozenset({"unsure", "uncertain", "unclear", "wonder", "doubt"})
_WHETHER = frozenset({"whether", "if", "that", "about", "of"})
TURN_WORDS = frozenset({"actually", "really", "although", "though", "however", "but", "yet", "whereas", "wait",
                        "correction"})
_TURN_PAIRS = {("then", "again"), ("in", "fact"), ("second", "thought"), ("either", "way"), ("other", "hand")}
# Words between a subject and the negation of its verb ("X is not", "X can really not").
_AUXILIARIES = frozenset({"is", "are", "was", "were", "be", "been", "does", "do", "did", "can", "could", "will",
                          "would", "should", "may", "might", "must", "has", "have", "had", "really", "actually",
                          "also", "still", "just", "simply", "even", "then", "therefore"})
_NOT_SUBJECT = frozenset({"i", "we", "you", "it", "they", "he", "she", "one", "or", "nor", "than"})
# Negations of a verb (not "nothing", "none": "it shrinks to nothing" denies no subject).
_VERB_NEGATORS = frozenset({"not", "never", "fail", "fails", "failed", "unable"})
# Words of a subject between a phrasing and the negation of its verb.
SUBJECT_WORDS = 1
# A negation standing alone: nothing but these after it in its span ("no wait", "not really", "neither does").
_ALONE_AFTER = frozenset({"wait", "really", "actually", "at", "all", "quite", "true", "exactly", "so", "of", "them",
                          "these", "those", "does", "do", "is", "are", "works", "work", "helps", "help"})
# Negations that may stand alone ("no", "not", "or maybe neither does").
_LONE = frozenset({"no", "not", "nope", "neither", "none"})
# Words right before a lone negation that make it take back what came before ("but actually no", "or maybe not").
_RETRACTING_BEFORE = frozenset({"but", "actually", "maybe", "perhaps", "probably", "wait", "hmm", "well", "though"})
# Words that may open a sentence before a lone negation that takes back the sentence before ("But actually no.").
_OPENING = _RETRACTING_BEFORE | frozenset({"and", "or", "oh", "so", "then", "ok", "okay", "um", "uh"})


class Scope:
    """The negations of one answer: which token each word is denied by, which words are hedged or
    questioned, the turns of its sentences, and the stretches of words that a lone negation takes back."""

    __slots__ = ("denied_by", "turns", "hedged", "questioned", "taken_back")

    def __init__(self, toks: list[Token]) -> None:
        denied_by = [-1] * len(toks)
        hedged, questioned = [False] * len(toks), [False] * len(toks)
        turns: list[int] = []
        negation, negation_span = -1, -1
        # hedged or questioned, from a word on as far as its span reaches
        marking: list[bool] | None = None
        marking_span, marking_from = -1, 0
        for i, token in enumerate(toks):
            following = toks[i + 1].raw if i + 1 < len(toks) else ""
            if token.span != negation_span:
                negation = -1
            if token.span != marking_span and i >= marking_from:
                marking = None
            if negation >= 0:
                denied_by[i] = negation
            if marking is not None and i >= marking_from:
                marking[i] = True
            word = token.raw
            doubt = _doubt(toks, i)
            if doubt >= 0:
                # the doubted words may start a new span ("not sure if X": "if" opens one)
                marking, marking_span, marking_from, negation = questioned, toks[doubt].span, doubt, -1
            elif word == "not" and (following in _HEDGING_AFTER and (following, _word(toks, i + 2)) != (
                    "fully", "connected") or following in _NOT_NEGATING_AFTER and not _affirmed_later(toks, i)):
                marking, marking_span, marking_from = hedged, token.span, i + 1
            elif (word in NEGATORS and following not in _NOT_NEGATING_AFTER and (word, following) not in _NOT_NEGATIONS
                  ) or _NEGATING_PAIRS.get(word) == following:
                negation, negation_span = i, token.span
            if word in TURN_WORDS or (word, following) in _TURN_PAIRS or (word == "instead" and following != "of") or (
                    word == "no" and (i == 0 or toks[i - 1].sentence != token.sentence)):
                turns.append(i)
        self.denied_by = denied_by
        self.turns = turns
        self.hedged = hedged
        self.questioned = questioned
        self.taken_back = _taken_back(toks)

    def denies(self, positions: tuple[int, ...], toks: list[Token]) -> int:
        """The negation denying any of these words, other than one among them ("not where"), or -1.

        A negated verb after them denies them too: "local receptive fields don't help",
        "transposed convolution is not an upsampling method", "downsampling in the encoder does not …".
        """
        for position in positions:
            negation = self.denied_by[position]
            if negation >= 0 and negation not in positions:
                return negation
        after = _verb_negation_after(positions, toks)
        following = _word(toks, after + 1)
        if (after < 0 or following in _NOT_NEGATING_AFTER | _HEDGING_AFTER
                or (toks[after].raw, following) in _NOT_NEGATIONS):
            return -1
        return after

    def hedges(self, positions: tuple[int, ...], toks: list[Token]) -> bool:
        """Whether these words are said only in part: "not perfectly X", "X is not fully …"."""
        if any(self.hedged[p] for p in positions):
            return True
        after = _verb_negation_after(positions, toks)
        return after >= 0 and _word(toks, after + 1) in _HEDGING_AFTER

    def turned(self, toks: list[Token], position: int) -> bool:
        """Whether a turn comes before this word in its sentence, or just before ("Actually no. …")."""
        sentence = toks[position].sentence
        return any(t <= position and (toks[t].sentence == sentence or
                                      (toks[t].sentence == sentence - 1 and position - t <= 4)) for t in self.turns)

    def straddles(self, positions: tuple[int, ...]) -> bool:
        """Whether a lone negation stands among these words ("presence matters, not location — actually no, location
        is what matters" states nothing from both sides of it)."""
        return any(min(positions) < lone[0] <= max(positions) for _, lone in self.taken_back)

    def taking_back(self, positions: tuple[int, ...]) -> tuple[int, int] | None:
        """The lone negation (its first and last word) that takes these words back, or None."""
        for start, lone in self.taken_back:
            if start <= min(positions) and max(positions) < lone[0]:
                return lone
        return None


def _affirmed_later(toks: list[Token], i: int) -> bool:
    """Whether "but" or "also" follows in the sentence of "not only" at i ("not only X but also Y")."""
    sentence = toks[i].sentence
    return any(t.raw in _AFFIRMING for t in toks[i + 2:] if t.sentence == sentence)


def _word(toks: list[Token], i: int) -> str:
    return toks[i].raw if i < len(toks) else ""


def _verb_negation_after(positions: tuple[int, ...], toks: list[Token]) -> int:
    """The negation of the verb whose subject these words are ("X (in the encoder) does not"), or -1."""
    last = max(positions)
    others = 0  # words of the subject that the phrasing did not take
    for after in range(last + 1, min(len(toks), last + 9)):
        word = toks[after].raw
        if toks[after].span != toks[last].span or word in _NOT_NEGATING_AFTER or word in _NOT_SUBJECT:
            return -1  # another subject ("the same weights mean we do not need …") or "whether it is there or not"
        if word in _VERB_NEGATORS:
            return after
        if word not in _AUXILIARIES and not is_stopword(word):
            others += 1
            if others > SUBJECT_WORDS:
                return -1
    return -1


def _doubt(toks: list[Token], i: int) -> int:
    """Where the doubted words start when token i opens a doubt ("not (quite) sure whether", "unsure if"), or -1."""
    word = toks[i].raw
    j = i + 1
    if word == "not":
        while _word(toks, j) in _DEGREE:
            j += 1
        if _word(toks, j) not in _UNSURE and not (_word(toks, j) == "know" and _word(toks, j + 1) in _WHETHER):
            return -1
        j += 1
    elif word not in _DOUBTING:
        return -1
    if _word(toks, j) in _WHETHER:
        j += 1
    return j if j < len(toks) and toks[j].sentence == toks[i].sentence else -1


def _taken_back(toks: list[Token]) -> list[tuple[int, tuple[int, int]]]:
    """Each lone negation after a turn: the first word it takes back and (its first word, its last word)."""
    found = []
    for i, token in enumerate(toks):
        if token.raw not in _LONE:
            continue
        end = i + 1
        while end < len(toks) and toks[end].span == token.span and toks[end].raw in _ALONE_AFTER:
            end += 1
        if end < len(toks) and toks[end].span == token.span:
            continue  # "no separate weights": a negation of what follows
        opening = i
        while opening > 0 and toks[opening - 1].sentence == token.sentence and toks[opening - 1].raw in _OPENING:
            opening -= 1
        if opening == 0:
            continue  # nothing before it to take back
        if toks[opening - 1].sentence != token.sentence:
            # it opens its sentence: the sentence before is taken back
            before = toks[opening - 1].sentence
            start = next(k for k in range(opening) if toks[k].sentence == before)
        elif toks[i - 1].raw in _RETRACTING_BEFORE or _word(toks, i + 1) == "wait":  # "X — no wait, …"
            start = next((k for k in range(i - 1, -1, -1) if toks[k].sentence < token.sentence), -1) + 1
        else:
            continue
        found.append((start, (opening, end - 1)))
    return found

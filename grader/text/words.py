"""The words of an answer: normalised, the field's abbreviations spelled out, each with its clause, span and sentence.

Three nested units: a *sentence* ends at . ! ? or a new list item; a *clause* (where the words of
one phrasing must lie) also ends at ; ( ) and at "but", "whereas", "however"; a *span* (as far
as a negation reaches) also ends at a comma, a colon, an arrow and a word that starts another clause
("and", "because", "so", "which", …).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import NamedTuple

# The field's abbreviations and shorthand, as students write them (a trailing dot is dropped first).
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "fc": ("fully", "connected"), "fcs": ("fully", "connected"), "mlp": ("mlp",),
    "param": ("parameter",), "params": ("parameters",), "#params": ("number", "parameters"),
    "grad": ("gradient",), "grads": ("gradients",),
    "conv": ("convolution",), "convs": ("convolutions",), "deconv": ("deconvolution",),
    "res": ("resolution",), "bn": ("batch", "normalisation"), "nn": ("neural", "network"),
    "nns": ("neural", "networks"), "rf": ("receptive", "field"), "rfs": ("receptive", "fields"),
    "acc": ("accuracy",), "img": ("image",), "imgs": ("images",), "feat": ("feature",), "feats": ("features",),
    "dim": ("dimension",), "dims": ("dimensions",), "info": ("information",), "transl": ("translation",),
    "inv": ("invariance",), "indep": ("independent",), "est": ("estimation",), "aug": ("augmentation",),
    "augm": ("augmentation",), "approx": ("approximately",), "pos": ("position",), "loc": ("location",),
    "seq": ("sequence",), "temp": ("temporal",), "spat": ("spatial",), "enc": ("encoder",), "dec": ("decoder",),
    "transp": ("transposed",), "interp": ("interpolation",), "downsamp": ("downsampling",), "w/": ("with",), "w/o": ("without",),
    "b/c": ("because",), "wrt": ("with", "respect", "to"), "etc": (), "vs": ("versus",),
}
# An abbreviation's dot, unless a capital follows it: "the RF. Pooling then." ends a sentence.
_DOTTED = re.compile(r"(?<![\w#/])(" + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))
                     + r")\.(?=\W|$)(?-i:(?!\s+[A-Z]))", re.IGNORECASE)

# Words that start a clause (the phrasing of a concept does not reach across them).
CLAUSE_WORDS = frozenset({"but", "whereas", "however"})
# Words that open a comparison ("unlike X, …", "compared to X, …"): its comma also ends a clause.
COMPARING_WORDS = frozenset({"unlike", "compared", "comparing", "versus", "vs"})
# Words that start another statement: a negation before them does not reach past them.
SPAN_WORDS = CLAUSE_WORDS | frozenset({
    "and", "because", "since", "so", "which", "who", "whose", "while", "although", "though", "thus", "therefore",
    "hence", "yet", "then", "instead", "if", "unless", "when", "whereby", "otherwise"})

# A sentence end, a clause end, a span end, or a word (with an abbreviation's own characters).
_PIECE = re.compile(r"(\n\s*(?:\n|[-*•]\s|\d+[.)]\s)|[.!?]+)|([;()\[\]]+)|(,|:|->|→|=>|⇒|--|—|–)"
                    r"|(w/o|w/|b/c|#params|[^\W_]+)")


class Token(NamedTuple):  # a tuple: one per word of every answer
    raw: str  # the word as read (an abbreviation spelled out)
    written: str  # the word as written (an abbreviation, on the first word spelled out from it)
    position: int
    sentence: int
    clause: int
    span: int


def normalise(text: str) -> str:
    """Unicode forms folded, lower case, contractions spelled out (can't → can not), `3 × 3` → `3x3`."""
    text = _DOTTED.sub(r"\1", unicodedata.normalize("NFKC", text))
    text = text.casefold().replace("’", "'").replace("‘", "'")
    if "can" in text:
        text = re.sub(r"\bcan ?not\b|\bcan't\b", "can not", text)
    if "won't" in text:
        text = re.sub(r"\bwon't\b", "will not", text)
    if "n't" in text:
        text = re.sub(r"n't\b", " not", text)
    if "nt" in text:  # "dont", "doesnt", "isnt": the apostrophe left out
        text = re.sub(r"\b(do|does|did|is|are|was|were|has|have|had|could|would|should|must|need)nt\b", r"\1 not", text)
    text = re.sub(r"\b(?:e\.g|i\.e)\b\.?", " ", text)  # "e.g." and "i.e." end no sentence
    # 1 × 1, 3x3, 5 * 5 → one word, as written in "1x1 convolution".
    return re.sub(r"(\d)\s*[x×*]\s*(?=\d)", r"\1x", text)


def tokens(text: str) -> list[Token]:
    """The words of the text, abbreviations spelled out, with the sentence, clause and span each is in."""
    result: list[Token] = []
    # A wrapped line goes on in the same sentence; a blank line or a list bullet starts a new one.
    sentence = clause = span = 0
    opening = ""  # the first word of the current span
    for sentence_end, clause_end, span_end, word in _PIECE.findall(normalise(text)):
        if sentence_end:
            sentence, clause, span = sentence + 1, clause + 1, span + 1
        elif clause_end:
            clause, span = clause + 1, span + 1
        elif span_end:
            # "Unlike a dense layer, a conv layer has fewer weights": the compared thing is a clause of its own
            clause += opening in COMPARING_WORDS
            span += 1
        else:
            if word in CLAUSE_WORDS:
                clause += 1
            if word in SPAN_WORDS:
                span += 1
            if not result or result[-1].span != span:
                opening = word
            for k, spelled in enumerate(ABBREVIATIONS.get(word, (word,))):
                result.append(Token(spelled, word if k == 0 else spelled, len(result), sentence, clause, span))
    return result


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

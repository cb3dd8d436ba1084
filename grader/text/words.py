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
    "equivar": ("equivariance",), "obj": ("object",), "objs": ("objects",), "cls": ("classification",),
    "seg": ("segmentation",), "segm": ("segmentation",), "sem": ("semantic",), "recon": ("reconstruction",),
    "dil": ("dilated",), "maxpool": ("max", "pooling"), "maxpooling": ("max", "pooling"),
    "rot": ("rotation",), "rots": ("rotations",), "rand": ("random",), "da": ("data", "augmentation"),
    "kpt": ("keypoint",), "kpts": ("keypoints",), "keypts": ("keypoints",), "lmk": ("landmark",),
    "lmks": ("landmarks",), "hpe": ("human", "pose", "estimation"), "det": ("detection",),
    "avgpool": ("average", "pooling"),
}
# Arrows and symbols of terse notes, as words: "↓ HxW", "∀ positions".
_SYMBOLS = {"↑": " increase ", "↓": " reduce ", "∀": " for all "}
# An abbreviation's dot, unless a capital follows it: "the RF. Pooling then." ends a sentence.
_DOTTED = re.compile(r"(?<![\w#/])(" + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))
                     + r")\.(?=\W|$)(?-i:(?!\s+[A-Z]))", re.IGNORECASE)

# Words in brackets that still belong to the clause around them; longer asides are clauses of their own.
SHORT_ASIDE = 3
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
    aside: bool = False  # within brackets: a clause of its own, after which the clause around it goes on


def normalise(text: str) -> str:
    """Unicode forms folded, lower case, contractions spelled out (can't → can not), `3 × 3` → `3x3`."""
    text = _DOTTED.sub(r"\1", unicodedata.normalize("NFKC", text))
    text = text.casefold().replace("’", "'").replace("‘", "'")
    for symbol, words in _SYMBOLS.items():
        if symbol in text:
            text = text.replace(symbol, words)
    if "can" in text:
        text = re.sub(r"\bcan ?not\b|\bcan't\b", "can not", text)
    if "won't" in text:
        text = re.sub(r"\bwon't\b", "will not", text)
    if "n't" in text:
        text = re.sub(r"n't\b", " not", text)
    if "nt" in text:  # "dont", "doesnt", "isnt": the apostrophe left out
        text = re.sub(r"\b(do|does|did|is|are|was|were|has|have|had|could|would|should|must|need)nt\b", r"\1 not", text)
    text = re.sub(r"\b(?:e\.g|i\.e)\b\.?", " ", text)  # "e.g." and "i.e." end no sentence
    if "as well" in text:  # "… in every orientation as well, the layer …" compares nothing ("just as well" does)
        text = re.sub(r"(?<!just )\bas well(?=\s*(?:[,.;:!?)]|$))", "too", text)
    # 1 × 1, 3x3, 5 * 5, H × W → one word, as written in "1x1 convolution" and "HxW".
    text = re.sub(r"\b([a-z])\s*[x×*]\s*(?=[a-z]\b)", r"\1x", text)
    return re.sub(r"(\d)\s*[x×*]\s*(?=\d)", r"\1x", text)


def tokens(text: str) -> list[Token]:
    """The words of the text, abbreviations spelled out, with the sentence, clause and span each is in."""
    result: list[Token] = []
    # A wrapped line goes on in the same sentence; a blank line or a list bullet starts a new one.
    sentence = clause = span = last_clause = 0
    opening = ""  # the first word of the current span
    around: list[int] = []  # the clauses that brackets opened within ("1 kernel (k × k) reused at every position")
    outer: dict[int, int] = {}  # the clause of words in brackets → the clause around the brackets
    for sentence_end, clause_end, span_end, word in _PIECE.findall(normalise(text)):
        if sentence_end:
            around.clear()
            last_clause += 1
            sentence, clause, span = sentence + 1, last_clause, span + 1
        elif clause_end:
            for mark in clause_end:
                if mark in "([":
                    around.append(clause)
                if mark in ")]" and around:
                    clause = around.pop()
                else:
                    last_clause += 1
                    if mark in "([":
                        outer[last_clause] = clause
                    clause = last_clause
            span += 1
        elif span_end:
            # "Unlike a dense layer, a conv layer has fewer weights": the compared thing is a clause of its own
            if opening in COMPARING_WORDS:
                last_clause += 1
                clause = last_clause
            span += 1
        else:
            if word in CLAUSE_WORDS:
                last_clause += 1
                clause = last_clause
            if word in SPAN_WORDS:
                span += 1
            if not result or result[-1].span != span:
                opening = word
            for k, spelled in enumerate(ABBREVIATIONS.get(word, (word,))):
                result.append(Token(spelled, word if k == 0 else spelled, len(result), sentence, clause, span,
                                    bool(around)))
    return _short_asides_joined(result, outer)


def _short_asides_joined(result: list[Token], outer: dict[int, int]) -> list[Token]:
    """Words in short brackets belong to the clause around them: "transposed convolution (learnable)"."""
    sizes: dict[int, int] = {}
    for token in result:
        if token.aside:
            sizes[token.clause] = sizes.get(token.clause, 0) + 1
    short = {inner for inner, size in sizes.items() if size <= SHORT_ASIDE and inner in outer}
    if not short:
        return result
    joined = []
    for token in result:
        clause = token.clause
        while clause in short:  # brackets within brackets, both short
            clause = outer[clause]
        joined.append(token if clause == token.clause else token._replace(clause=clause, aside=clause in sizes))
    return joined


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

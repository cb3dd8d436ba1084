"""A rubric's vocabulary, and which of its words each word of an answer is: by stem, lemma, prefix or a typo.

Rubric words are written in their base form (`share`, `weight`) or as a prefix (`translat*`).
An answer's word is one of them when its stem or its lemma (simplemma's English dictionary: `shrank` →
`shrink`, `grew` → `grow`) is the rubric word's stem, or it starts with the prefix. A word that is none
of them and no English word either (`weigths`, `paralel`, `invarience`) is read as the one rubric word
it is a typo of: at most one edit (a transposition counts as one) for words up to 8 letters, two for
longer ones, never for words shorter than 5 letters or known English words (`shaped` stays `shaped`,
not `shared`). Each lookup is remembered per rubric, so a class pays for a word once.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from rapidfuzz import process
from rapidfuzz.distance import OSA
from simplemma import is_known, lemmatize

from grader.text.words import Token, stem

# Typo reading: the shortest word it is tried on, and the edits allowed by the word's length.
TYPO_SHORTEST = 5
# Words a lexicon remembers (a class's vocabulary); past this it starts afresh, so memory stays bounded.
REMEMBERED_WORDS = 50_000
_STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each either else even ever every few for from
further had has have having he her here hers him his how i if in into is it its itself just me more most
much must my neither no nor not now of off on once one only or other our out over own per quite rather
really same she should so some such than that the their them then there these they this those through
thus to too under until up upon us very was we were what when where whether which while who whom whose
why will with within without would yet you your many back kind sort lot bit pretty simply basically probably
maybe perhaps somewhat usually often guess think suppose believe seems like way actually
""".split())


def is_stopword(word: str) -> bool:
    """A function word: it neither counts as a gap between a phrasing's words nor as a copied word."""
    return word in _STOPWORDS


@cache
def lemma(word: str) -> str:
    """The dictionary form of an English word (`shrank` → `shrink`), or the word itself."""
    return lemmatize(word, lang="en") if word.isalpha() else word


@cache
def _known(word: str) -> bool:
    return is_known(word, lang="en")


def max_edits(word: str) -> int:
    """How many edits a typo of a word this long may have (0: too short to tell a typo from another word)."""
    if len(word) < TYPO_SHORTEST:
        return 0
    return 1 if len(word) <= 8 else 2


class Lexicon:
    """The words of one rubric, numbered, with the lookups that read an answer's words as them."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words: tuple[str, ...] = tuple(dict.fromkeys(words))
        self._by_form: dict[str, set[int]] = {}
        self._by_prefix: dict[str, set[int]] = {}
        exact: dict[str, set[int]] = {}
        for index, word in enumerate(self.words):
            if word.endswith("*"):
                self._by_prefix.setdefault(word[:-1], set()).add(index)
            else:
                for form in {word, stem(word)}:
                    if form == word or len(form) > 3:  # "none" cut to "non" would be read in "non-learnable"
                        self._by_form.setdefault(form, set()).add(index)
                exact.setdefault(word, set()).add(index)
        self._prefix_lengths = tuple(sorted({len(p) for p in self._by_prefix}))
        # Typo targets: rubric words long enough to tell a typo of them from another word.
        self._typo_words = tuple(w for w in exact if len(w) >= TYPO_SHORTEST and w.isalpha())
        self._typo_ids = {w: frozenset(exact[w]) for w in self._typo_words}
        self._typo_prefixes: dict[int, tuple[str, ...]] = {}
        for prefix in self._by_prefix:
            if len(prefix) >= TYPO_SHORTEST and prefix.isalpha():
                self._typo_prefixes.setdefault(len(prefix), ())
                self._typo_prefixes[len(prefix)] += (prefix,)
        self._seen: dict[str, tuple[frozenset[int], bool]] = {}
        self._glued: dict[str, frozenset[int]] = {}

    def index(self, word: str) -> int:
        return self.words.index(word)

    def ids(self, word: str) -> tuple[frozenset[int], bool]:
        """The rubric words an answer's word is, and whether it was read as a typo."""
        known = self._seen.get(word)
        if known is None:
            found = self._exact_ids(word)
            typo = False
            # A word that is no form of a rubric word (at most the start of one: "detecter" starts like detect*)
            # and no English word is also read as the rubric word it is a typo of ("detector").
            if (not found or not self._form_ids(word)) and max_edits(word) and word.isalpha() and not is_stopword(
                    word) and not _known(word):
                misspelt = self._typo_ids_of(word)
                typo = not misspelt <= found
                found = found | misspelt
            if len(self._seen) >= REMEMBERED_WORDS:
                self._seen.clear()
            known = self._seen[word] = (found, typo)
        return known

    def _glued_ids(self, word: str) -> frozenset[int]:
        """The rubric words two answer words glued are (`down` + `sampling`), remembered like single words."""
        known = self._glued.get(word)
        if known is None:
            if len(self._glued) >= REMEMBERED_WORDS:
                self._glued.clear()
            known = self._glued[word] = self._exact_ids(word)
        return known

    def _form_ids(self, word: str) -> set[int]:
        """The rubric words this word is a form of (itself, its stem, its lemma), prefixes aside."""
        found: set[int] = set()
        base = lemma(word) if len(word) > 3 else word  # short words: "non" is no form of "none"
        for form in {word, stem(word), base, stem(base)}:
            found.update(self._by_form.get(form, ()))
        return found

    def _exact_ids(self, word: str) -> frozenset[int]:
        found = self._form_ids(word)
        base = lemma(word) if len(word) > 3 else word
        for length in self._prefix_lengths:
            if length > len(word) and length > len(base):
                break
            found.update(self._by_prefix.get(word[:length], ()))
            found.update(self._by_prefix.get(base[:length], ()))
        return frozenset(found)

    def _typo_ids_of(self, word: str) -> frozenset[int]:
        for form in dict.fromkeys((word, stem(word))):  # "weigths" is one edit from "weight" once its -s is cut
            best, _ = nearest(form, self._typo_words, max_edits(form))
            if best is not None:
                return self._exact_ids(best)  # the word it is a typo of, and the prefixes that word has ("weight*")
        for length, prefixes in self._typo_prefixes.items():
            # The prefix's letters may end one letter earlier or later in a word with a typo.
            for cut in (length - 1, length, length + 1):
                best = nearest(word[:cut], prefixes, 1)[0] if cut < len(word) else None
                if best is not None:
                    return frozenset(self._by_prefix[best])
        return frozenset()

    def read(self, toks: list[Token]) -> Reading:
        """Which rubric words each token is, and each pair of tokens glued (`down sampling`)."""
        ids = []
        typos = []
        for token in toks:
            found, typo = self.ids(token.raw)
            if token.written != token.raw:  # "nn" may be the rubric's own word for nearest neighbour
                found = found | self.ids(token.written)[0]
            ids.append(found)
            if typo:
                typos.append(token.position)
        pairs = {}
        for first, second in zip(toks, toks[1:]):
            if len(first.raw) <= 5 and first.clause == second.clause:
                found = self._glued_ids(first.raw + second.raw)
                if found:
                    pairs[first.position] = found
        return Reading(ids, pairs, typos)


class Reading:
    """An answer's tokens read against a lexicon: word ids per token and per glued pair, typo positions."""

    __slots__ = ("ids", "pairs", "typos", "_at")

    def __init__(self, ids: list[frozenset[int]], pairs: dict[int, frozenset[int]], typos: list[int]) -> None:
        self.ids, self.pairs, self.typos = ids, pairs, typos
        at: dict[int, list[int]] = {}
        for position, found in enumerate(ids):
            for word in found:
                at.setdefault(word, []).append(position)
        for position, found in pairs.items():
            for word in found:
                at.setdefault(word, []).append(position)
        self._at = at

    def positions(self, word: int) -> list[int]:
        """Where a rubric word (alone or as a glued pair) starts in the answer."""
        return self._at.get(word, [])


def nearest(word: str, choices: Iterable[str], edits: int) -> tuple[str | None, tuple[str, ...]]:
    """The one choice within `edits` edits of the word nearer than any other, or (None, the choices tied nearest)."""
    if not edits:
        return None, ()
    near = process.extract(word, choices, scorer=OSA.distance, score_cutoff=edits, limit=3)
    if not near:
        return None, ()
    if len(near) > 1 and near[1][1] == near[0][1]:
        return None, tuple(n[0] for n in near if n[1] == near[0][1])
    return near[0][0], ()

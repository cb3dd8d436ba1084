"""A concept rubric applied to an answer: which concepts it asserts, denies, contradicts or only copies, and how sure that is.

A concept is credited when one of its phrasings occurs *asserted*: not denied by a negation (unless
the concept is not negatable), not only copied from the question (three or more content words in a
row as the question has them), and not taken back later ("X. Actually, not X": a denial after a
turn wins over an earlier assertion). A weaker phrasing (`Concept.partial`) earns half the share, two of them stated apart the whole. A
contrary phrasing that the answer asserts (`Concept.contrary`: sharing across layers for weight
sharing) cancels the concept however it is also phrased. A misconception the answer asserts
(`TextOptions.misconceptions`) takes its share off the score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.homework import Concept, TextOptions
from grader.text.lexicon import Lexicon, Reading, is_stopword, lemma
from grader.text.phrasing import Phrasing, compile_phrasing, occurrences, words_of
from grader.text.scope import Scope
from grader.text.words import Token, stem, tokens

PARTIAL_CREDIT = 0.5
# Content words in a row, as the question has them, that make a copy of the question.
ECHO_RUN = 3


@dataclass(frozen=True)
class _Compiled:
    """A concept's phrasings compiled against its rubric's lexicon."""

    concept: Concept
    full: tuple[Phrasing, ...]
    partial: tuple[Phrasing, ...]
    contrary: tuple[Phrasing, ...]


@dataclass(frozen=True)
class _Rubric:
    lexicon: Lexicon
    concepts: tuple[_Compiled, ...]
    misconceptions: tuple[_Compiled, ...]


_rubrics: dict[int, tuple[TextOptions, _Rubric]] = {}


def _rubric(options: TextOptions) -> _Rubric:
    """The options compiled once (keyed by identity: a homework's options live as long as the process)."""
    known = _rubrics.get(id(options))
    if known is not None and known[0] is options:
        return known[1]
    every = [*options.concepts, *options.misconceptions]
    lexicon = Lexicon(w for c in every for p in (*c.phrasings, *c.partial, *c.contrary) for w in words_of(p))

    def compiled(concept: Concept) -> _Compiled:
        return _Compiled(concept, *(tuple(compile_phrasing(p, lexicon) for p in group)
                                    for group in (concept.phrasings, concept.partial, concept.contrary)))

    rubric = _Rubric(lexicon, tuple(map(compiled, options.concepts)), tuple(map(compiled, options.misconceptions)))
    _rubrics[id(options)] = (options, rubric)
    return rubric


@dataclass
class Judgement:
    """What the rubric makes of one answer."""

    score: float = 0.0
    credited: list[tuple[Concept, float]] = field(default_factory=list)  # concept, share of its share
    missing: list[Concept] = field(default_factory=list)
    contradicted: list[tuple[Concept, str]] = field(default_factory=list)  # concept, the contrary words
    retracted: list[tuple[Concept, str]] = field(default_factory=list)  # concept, the later denial
    wrong: list[tuple[Concept, str]] = field(default_factory=list)  # misconception, the words asserting it
    confidence: str = "high"
    reason: str = ""


@dataclass
class _Found:
    """Where an answer states a group of phrasings: plainly, only in part (hedged, questioned), denied, or
    stated and then taken back by a lone negation (each as the phrasing's index and its words' positions)."""

    asserted: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    hedged: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    denied: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    taken_back: list[tuple[int, int]] = field(default_factory=list)  # the lone negations' first and last words


class _Answer:
    """An answer read once for all of a rubric's phrasings."""

    def __init__(self, text: str, rubric: _Rubric, question: str) -> None:
        self.toks = tokens(text)
        self.reading: Reading = rubric.lexicon.read(self.toks)
        self.scope = Scope(self.toks)
        self.echoed = _echoed(self.toks, question)
        self.denials: list[tuple[int, ...]] = []  # occurrences seen denied (for confidence)
        self.hedges: list[tuple[int, ...]] = []  # occurrences seen hedged or questioned (for confidence)
        self.echoes = 0
        self.seen = False

    def quote(self, positions: tuple[int, ...]) -> str:
        """The answer's words from the first to the last position (as read: lower case, abbreviations spelled out)."""
        return " ".join(t.raw for t in self.toks[min(positions):max(positions) + 1])

    def find(self, phrasings: tuple[Phrasing, ...], negatable: bool) -> _Found:
        """Each occurrence of the phrasings, sorted by how the answer states it."""
        found = _Found()
        scope = self.scope
        for index, phrasing in enumerate(phrasings):
            for positions in occurrences(phrasing, self.toks, self.reading):
                self.seen = True
                content = [p for p in positions if not is_stopword(self.toks[p].raw)]
                lone = scope.taking_back(positions)
                if content and all(p in self.echoed for p in content):
                    self.echoes += 1
                elif all(scope.questioned[p] for p in content or positions):
                    found.hedged.append((index, positions))
                elif negatable and scope.denies(positions, self.toks) >= 0:
                    found.denied.append((index, positions))
                elif lone is not None:
                    found.taken_back.append(lone)
                elif scope.hedges(positions, self.toks):
                    found.hedged.append((index, positions))
                else:
                    found.asserted.append((index, positions))
        self.denials.extend(positions for _, positions in found.denied)
        self.hedges.extend(positions for _, positions in found.hedged)
        return found


def judge(text: str, options: TextOptions, question: str = "") -> Judgement:
    """The rubric's verdict on an answer; `question` is the wording it may copy without earning credit."""
    rubric = _rubric(options)
    answer = _Answer(text, rubric, f"{question} {options.context}")
    result = Judgement()
    total = 0.0
    for compiled in rubric.concepts:
        concept = compiled.concept
        full = answer.find(compiled.full, concept.negatable)
        partial = answer.find(compiled.partial, concept.negatable)
        contrary = answer.find(compiled.contrary, True)
        if contrary.asserted:
            result.contradicted.append((concept, answer.quote(contrary.asserted[0][1])))
            continue
        stated = full.asserted + full.hedged + partial.asserted + partial.hedged
        if not stated:
            lone = (full.taken_back or partial.taken_back or [None])[0]
            if lone is not None:
                result.retracted.append((concept, answer.quote(lone)))
            else:
                result.missing.append(concept)
            continue
        retraction = _retraction(answer, stated, full.denied + partial.denied)
        if retraction is not None:
            result.retracted.append((concept, answer.quote(retraction)))
            continue
        credit = 1.0 if full.asserted or _two_apart(partial.asserted) else PARTIAL_CREDIT
        result.credited.append((concept, credit))
        total += concept.share * credit
    total = min(1.0, total)
    said: set[int] = set()  # words already taken as a misconception: one wrong claim costs once
    for compiled in rubric.misconceptions:
        wrong = answer.find(compiled.full, compiled.concept.negatable).asserted
        wrong = [positions for _, positions in wrong if said.isdisjoint(positions)]
        if wrong:
            said.update(wrong[0])
            result.wrong.append((compiled.concept, answer.quote(wrong[0])))
            total -= compiled.concept.share
    result.score = round(max(0.0, total), 4)
    result.confidence, result.reason = _confidence(answer, result)
    return result


def _two_apart(occurrences: list[tuple[int, tuple[int, ...]]]) -> bool:
    """Whether two different weaker phrasings are stated apart (not one phrase such as "bilinear interpolation")."""
    return any(i != j and min(b) > max(a) + 1 for i, a in occurrences for j, b in occurrences)


def _retraction(answer: _Answer, asserted: list[tuple[int, tuple[int, ...]]],
                denied: list[tuple[int, tuple[int, ...]]]) -> tuple[int, ...] | None:
    """A denial after a turn that comes after every assertion ("…, but actually not X"), or None."""
    last = max(max(p) for _, p in asserted)
    later = [d for _, d in denied if min(d) > last and answer.scope.turned(answer.toks, min(d))]
    return later[-1] if later else None


def _confidence(answer: _Answer, result: Judgement) -> tuple[str, str]:
    """high: concepts asserted plainly; medium: a negation, copied words, a typo or a weaker phrasing near;
    low: a contradiction decided, or nothing recognisable."""
    if result.contradicted or result.retracted or result.wrong:
        concept, words = (result.contradicted or result.retracted or result.wrong)[0]
        return "low", f"“{words}” contradicts {concept.name}" if not result.wrong else f"“{words}”: {concept.name}"
    if not answer.seen:
        return "low", "nothing in the answer matches the rubric's phrasings"
    if answer.denials:
        return "medium", f"a negation near “{answer.quote(answer.denials[0])}”"
    if answer.hedges:
        return "medium", f"said only in part or in doubt: “{answer.quote(answer.hedges[0])}”"
    if answer.echoes:
        return "medium", "words copied from the question"
    if any(credit < 1 for _, credit in result.credited):
        return "medium", "an idea only partly stated"
    if answer.reading.typos:
        return "medium", "words read as typos of the rubric's (" + ", ".join(
            answer.toks[p].raw for p in answer.reading.typos[:3]) + ")"
    return "high", ""


def _echoed(toks: list[Token], question: str) -> frozenset[int]:
    """Positions of the answer's content words that are part of a run of ECHO_RUN copied from the question."""
    if not question.strip():
        return frozenset()
    asked = [stem(lemma(t.raw)) for t in tokens(question) if not is_stopword(t.raw)]
    runs = {tuple(asked[i:i + ECHO_RUN]) for i in range(len(asked) - ECHO_RUN + 1)}
    content = [t.position for t in toks if not is_stopword(t.raw)]
    stems = [stem(lemma(toks[p].raw)) for p in content]
    echoed: set[int] = set()
    for i in range(len(content) - ECHO_RUN + 1):
        if tuple(stems[i:i + ECHO_RUN]) in runs:
            echoed.update(content[i:i + ECHO_RUN])
    return frozenset(echoed)

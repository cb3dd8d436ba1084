"""A concept rubric applied to an answer: which concepts it asserts, denies, contradicts or only copies, and how sure that is.

A concept is credited when one of its phrasings occurs *asserted*: not denied by a negation (unless
the concept is not negatable), not only copied from the question (three or more content words in a
row as the question has them), and not taken back later ("X. Actually, not X": a denial after a
turn wins over an earlier assertion, and so does a lone "but actually no"). A weaker phrasing
(`Concept.partial`) earns half the share; two different `Piece`s of it (two of three methods named)
stated apart earn the whole. A contrary phrasing that the answer asserts (`Concept.contrary`: sharing
across layers for weight sharing) cancels the concept however it is also phrased; a `ClauseContrary`
cancels what its own clause says ("pose estimation and landmarks are where invariance is desirable").
A concept that is one side of a contrast (`Concept.needs`: "per-frame patterns, *but not* the motion") is
whole only with its other side whole. An answer that mostly restates the question earns nothing from the
question's own words or from terms named without a claim; a clause about another question's subject
(`TextOptions.elsewhere`, and none of this one's, `about`) states nothing here; no phrasing of a concept reaches
across a lone negation. A misconception the answer asserts (`TextOptions.misconceptions`) takes its share off
the score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from grader.text.lexicon import Lexicon, Reading, is_stopword, lemma
from grader.text.phrasing import Phrasing, compile_phrasing, occurrences, words_of
from grader.text.scope import Scope
from grader.text.words import Token, stem, tokens

if TYPE_CHECKING:  # the rubric's data types belong to the text kind (grader.checks.text), above this engine
    from grader.checks.text import Concept, TextOptions

PARTIAL_CREDIT = 0.5
# Content words in a row, as the question has them, that make a copy of the question.
ECHO_RUN = 3
# An answer restates the question when it copies a run of it and most of its content words are the question's
# ("A CNN is suitable for detecting a wolf anywhere in drone images because it detects wolves anywhere").
RESTATING_SHARE = 0.6
RESTATING_WORDS = 5


class Piece(str):
    """A partial phrasing that states one piece of a concept (augmentation; rotated images): two different pieces
    stated apart make the whole, where two weaker paraphrases of one idea stay half of it. Phrasings of one piece
    share its `piece` name (each is its own piece by default)."""

    piece: str

    def __new__(cls, phrasing: str, piece: str = "") -> Piece:
        made = super().__new__(cls, phrasing)
        made.piece = piece or phrasing
        return made


class ClauseContrary(str):
    """A contrary phrasing that cancels only what its own clause says: "pose estimation, landmarks and
    localisation are where invariance is desirable" reverses each of them, not a task named elsewhere."""

    __slots__ = ()


@dataclass(frozen=True)
class _Compiled:
    """A concept's phrasings compiled against its rubric's lexicon (contraries for the whole answer, and
    for their own clause), and which partial phrasings are pieces."""

    concept: Concept
    full: tuple[Phrasing, ...]
    partial: tuple[Phrasing, ...]
    contrary: tuple[Phrasing, ...]
    clause_contrary: tuple[Phrasing, ...]
    pieces: dict[int, str]  # partial phrasing's index → the piece it states


@dataclass(frozen=True)
class _Rubric:
    lexicon: Lexicon
    concepts: tuple[_Compiled, ...]
    misconceptions: tuple[_Compiled, ...]
    about: tuple[Phrasing, ...]  # this question's subject
    elsewhere: tuple[Phrasing, ...]  # other questions' subjects
    # a question's content words (as `_key` gives them) and the rubric words among them, read once per question
    questions: dict[str, tuple[list[str], frozenset[int]]] = field(default_factory=dict)

    def question(self, text: str) -> tuple[list[str], frozenset[int]]:
        known = self.questions.get(text)
        if known is None:
            toks = [t for t in tokens(text) if not is_stopword(t.raw)]
            known = self.questions[text] = ([_key(t.raw) for t in toks],
                                            frozenset().union(*self.lexicon.read(toks).ids))
        return known


_rubrics: dict[int, tuple[TextOptions, _Rubric]] = {}


def _rubric(options: TextOptions) -> _Rubric:
    """The options compiled once (keyed by identity: a homework's options live as long as the process)."""
    known = _rubrics.get(id(options))
    if known is not None and known[0] is options:
        return known[1]
    every = [*options.concepts, *options.misconceptions]
    lexicon = Lexicon([*(w for c in every for p in (*c.phrasings, *c.partial, *c.contrary) for w in words_of(p)),
                       *(w for p in (*options.about, *options.elsewhere) for w in words_of(p))])

    def compiled(concept: Concept) -> _Compiled:
        whole = tuple(p for p in concept.contrary if not isinstance(p, ClauseContrary))
        clause = tuple(p for p in concept.contrary if isinstance(p, ClauseContrary))
        return _Compiled(concept, *(tuple(compile_phrasing(p, lexicon) for p in group)
                                    for group in (concept.phrasings, concept.partial, whole, clause)),
                         {i: p.piece for i, p in enumerate(concept.partial) if isinstance(p, Piece)})

    rubric = _Rubric(lexicon, tuple(map(compiled, options.concepts)), tuple(map(compiled, options.misconceptions)),
                     *(tuple(compile_phrasing(p, lexicon) for p in group) for group in (options.about, options.elsewhere)))
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
        asked, ids = rubric.question(question)
        self.echoed = _echoed(self.toks, asked)
        words = set(asked)
        # each word: is it one of the question's (or the same rubric word: "detection" for "detecting")?
        self.asked = [_key(t.raw) in words or not ids.isdisjoint(found) for t, found in zip(self.toks, self.reading.ids)]
        content = [t.position for t in self.toks if not is_stopword(t.raw)]
        self.restating = bool(self.echoed) and len(content) >= RESTATING_WORDS and sum(
            self.asked[p] for p in content) >= RESTATING_SHARE * len(content)
        # clauses about another question's subject, not this one's: what they say answers that other question
        self.aside = _clauses(self, rubric.elsewhere) - _clauses(self, rubric.about)
        self.off_subject = 0
        self.denials: list[tuple[int, ...]] = []  # occurrences seen denied (for confidence)
        self.hedges: list[tuple[int, ...]] = []  # occurrences seen hedged or questioned (for confidence)
        self.echoes = 0
        self.seen = False

    def quote(self, positions: tuple[int, ...]) -> str:
        """The answer's words from the first to the last position (as read: lower case, abbreviations spelled out)."""
        return " ".join(t.raw for t in self.toks[min(positions):max(positions) + 1])

    def find(self, phrasings: tuple[Phrasing, ...], negatable: bool, weak: bool = False, against: bool = False,
             answering: bool = False) -> _Found:
        """Each occurrence of the phrasings (`weak`: a concept's partial ones; `against`: contraries, which copying
        the question does not excuse: "… is not desirable"; `answering`: a concept's, which a clause about another
        question's subject does not state), sorted by how the answer states it."""
        found = _Found()
        scope = self.scope
        for index, phrasing in enumerate(phrasings):
            for positions in occurrences(phrasing, self.toks, self.reading):
                self.seen = True
                if answering and scope.straddles(positions):
                    continue  # a wrong claim straddling a retraction still counts: when unsure, less credit
                content = [p for p in positions if not is_stopword(self.toks[p].raw)]
                lone = scope.taking_back(positions)
                if answering and self.toks[positions[0]].clause in self.aside:
                    self.off_subject += 1
                elif not against and (content and all(p in self.echoed for p in content) or self.restating and (
                        weak or all(self.asked[p] for p in content))):
                    # copied, or a term named or the question's own words in an answer that restates the question
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
    found = [(c, answer.find(c.full, c.concept.negatable, answering=True),
              answer.find(c.partial, c.concept.negatable, weak=True, answering=True)) for c in rubric.concepts]
    needed = [_needed(answer, full.asserted + full.hedged) for _, full, _ in found]
    taken: set[int] = set()  # words that weaker phrasings of earlier concepts were credited for
    credits = []
    for i, (compiled, full, partial) in enumerate(found):
        # One statement earns one concept: a weaker phrasing within the one statement another concept is
        # credited for ("the same detector fires anywhere"), or already credited to an earlier concept ("it
        # can appear anywhere"), counts for no other.
        # Pieces stated apart still make the concept whole ("nearest neighbour, bilinear …; transposed convolution is
        # the only one that learns" says the others learn nothing).
        whole = _two_apart([(compiled.pieces[i], positions) for i, positions in partial.asserted if i in compiled.pieces])
        elsewhere = taken.union(*needed[:i], *needed[i + 1:])
        partial.asserted = [o for o in partial.asserted if elsewhere.isdisjoint(o[1])]
        partial.hedged = [o for o in partial.hedged if elsewhere.isdisjoint(o[1])]
        taken |= _words(partial.asserted + partial.hedged)
        credits.append(_credit(answer, compiled, full, partial, whole, result))
    _contrasts([c.concept for c in rubric.concepts], credits, result)
    total = min(1.0, sum(c.concept.share * credit for c, credit in zip(rubric.concepts, credits)))
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


def _stated(full: _Found, partial: _Found) -> list[tuple[int, tuple[int, ...]]]:
    return full.asserted + full.hedged + partial.asserted + partial.hedged


def _contrasts(concepts: list[Concept], credits: list[float], result: Judgement) -> None:
    """A concept that is one side of a contrast (`needs`) is whole only with the other side whole: half with it
    half or missing, nothing with it contradicted or taken back (the contrast reversed)."""
    index = {c.name: i for i, c in enumerate(concepts)}
    reversing = dict(result.contradicted + result.retracted)
    for i, concept in enumerate(concepts):
        other = concepts[index[concept.needs]] if concept.needs else None
        if other is None or not credits[i] or (credits[index[other.name]] >= 1 and other not in reversing):
            continue
        credits[i] = 0.0 if other in reversing else min(credits[i], PARTIAL_CREDIT)
        result.credited = [(c, credits[i] if c is concept else credit) for c, credit in result.credited if
                           c is not concept or credits[i]]
        if not credits[i]:
            result.contradicted.append((concept, reversing[other]))


def _clauses(answer: _Answer, phrasings: tuple[Phrasing, ...]) -> set[int]:
    """The clauses in which any of the phrasings occurs."""
    return {answer.toks[positions[0]].clause for phrasing in phrasings
            for positions in occurrences(phrasing, answer.toks, answer.reading)}


def _words(occurrences: list[tuple[int, tuple[int, ...]]]) -> set[int]:
    return {p for _, positions in occurrences for p in positions}


def _needed(answer: _Answer, occurrences: list[tuple[int, tuple[int, ...]]]) -> set[int]:
    """The words a concept's credit rests on: those of its phrasings when they all lie in one statement (span);
    none when it is stated in two places, either of which would do."""
    spans = {answer.toks[p].span for _, positions in occurrences for p in positions}
    return _words(occurrences) if len(spans) == 1 else set()


def _credit(answer: _Answer, compiled: _Compiled, full: _Found, partial: _Found, whole: bool, result: Judgement
            ) -> float:
    """The part of its share a concept earns (recorded in `result` as credited, contradicted, taken back or missing)."""
    concept = compiled.concept
    contrary = answer.find(compiled.contrary, True, against=True)
    if contrary.asserted:
        result.contradicted.append((concept, answer.quote(contrary.asserted[0][1])))
        return 0.0
    stated = _stated(full, partial)
    reversed_in = _clause_contrary(answer, compiled, stated)
    if reversed_in is not None:
        result.contradicted.append((concept, reversed_in))
        return 0.0
    if not stated:
        lone = (full.taken_back or partial.taken_back or [None])[0]
        if lone is not None:
            result.retracted.append((concept, answer.quote(lone)))
        else:
            result.missing.append(concept)
        return 0.0
    retraction = _retraction(answer, stated, full.denied + partial.denied)
    if retraction is not None:
        result.retracted.append((concept, answer.quote(retraction)))
        return 0.0
    credit = 1.0 if full.asserted or whole else PARTIAL_CREDIT
    result.credited.append((concept, credit))
    return credit


def _clause_contrary(answer: _Answer, compiled: _Compiled, stated: list[tuple[int, tuple[int, ...]]]) -> str | None:
    """The words of a clause contrary when every statement of the concept, or its last, is in a clause one
    reverses ("… so invariance is undesirable there. But for pose estimation invariance is fine"), or None."""
    if not stated or not compiled.clause_contrary:
        return None
    reversing = {answer.toks[min(p)].clause: p for _, p in answer.find(compiled.clause_contrary, True, against=True).asserted}
    clauses = {answer.toks[min(p)].clause for _, p in stated}
    last = answer.toks[max(max(p) for _, p in stated)].clause
    if clauses <= reversing.keys() or last in reversing:
        return answer.quote(reversing[last if last in reversing else min(clauses)])
    return None


def _two_apart(occurrences: list[tuple[str, tuple[int, ...]]]) -> bool:
    """Whether two different pieces are stated apart (not one phrase such as "bilinear interpolation")."""
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
    if answer.off_subject:
        return "medium", "words said of another question's subject"
    if any(credit < 1 for _, credit in result.credited):
        return "medium", "an idea only partly stated"
    if answer.reading.typos:
        return "medium", "words read as typos of the rubric's (" + ", ".join(
            answer.toks[p].raw for p in answer.reading.typos[:3]) + ")"
    return "high", ""


def _key(word: str) -> str:
    """A word as copying is judged: its dictionary form's stem."""
    return stem(lemma(word))


def _echoed(toks: list[Token], asked: list[str]) -> frozenset[int]:
    """Positions of the answer's content words that are part of a run of ECHO_RUN copied from the question's
    content words (`asked`, as `_key` gives them)."""
    runs = {tuple(asked[i:i + ECHO_RUN]) for i in range(len(asked) - ECHO_RUN + 1)}
    if not runs:
        return frozenset()
    content = [t.position for t in toks if not is_stopword(t.raw)]
    stems = [_key(toks[p].raw) for p in content]
    echoed: set[int] = set()
    for i in range(len(content) - ECHO_RUN + 1):
        if tuple(stems[i:i + ECHO_RUN]) in runs:
            echoed.update(content[i:i + ECHO_RUN])
    return frozenset(echoed)

"""After the checks: credit for answers that follow from a student's own wrong earlier answers, hints for the rest."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache

from grader.core.homework import Carried, Homework, Item
from grader.core.key import Key
from grader.core.models import Status, Submission
from grader.core.verdict import Verdict
from grader.grading.checking import Checked, Request
from grader.grading.runtime import Runtime
from grader.plugins.kinds import kind_of

log = logging.getLogger(__name__)

# Dependencies named in feedback before the rest are summed up.
MAX_NAMED = 3

# Where a problem's recomputation cannot be imported (torch is an optional extra), a person decides.
_UNAVAILABLE = ("The grader could not check here whether this answer follows from your answer to {0} "
                "(its network analysis is not installed); your instructor will review it.")


def follow_up(
    homework: Homework, key: Key, submission: Submission, checked: Mapping[str, Checked], *,
    runtime: Runtime, mathml: bool, hide_expected: bool,
) -> dict[str, Checked]:
    """The checked answers, with error carried forward and hints added.

    An answer that is not right by the key, to an item that depends on earlier items
    (`Item.depends_on`) one of which the student answered differently from the key, is checked
    again against the value the problem recomputes from the student's own earlier answers
    (`Problem.carry_forward`, called only then). Following it earns the item's `carry_credit`;
    matching a mistake rule under it earns the item's (or else the rule's) mistake credit; either
    way the feedback names the earlier item. A missing or unreadable earlier answer passes on the
    value carried to it, so chains of any length follow. Answers still wrong get their kind's
    quantitative hint (numbers and shapes have one).
    """
    flow = _Flow(homework, key, submission, checked, runtime)
    candidates = [item for item in homework.items if flow.is_candidate(item)]
    carried = {item.id: flow.carried(item) for item in candidates}
    rechecks = [item for item in candidates if carried[item.id] is not None]
    again = runtime.check([Request(item, submission.answers[item.id].text, carried[item.id].answer, mathml,
                                   _carried_mistakes(homework, item, carried[item.id])) for item in rechecks])
    result = dict(checked)
    for item in candidates:
        if item.id in flow.unavailable:
            verdict = result[item.id].verdict
            result[item.id] = replace(result[item.id], verdict=replace(verdict, feedback=_join(
                verdict.feedback, _UNAVAILABLE.format(flow.origin(flow.differing(item)[0]))), needs_review=True))
    for item, recheck in zip(rechecks, again):
        better = flow.followed(item, recheck.verdict)
        if better is not None and better.score > result[item.id].verdict.score:
            result[item.id] = replace(result[item.id], verdict=better)
    for item in homework.items:
        if item.id in result:
            result[item.id] = _with_hint(item, result[item.id], carried.get(item.id), flow, hide_expected)
    return result


def _carried_mistakes(homework: Homework, item: Item, carried: Carried) -> tuple:
    """The mistakes the problem's rules give `item` under the student's own earlier answers."""
    rules = {rule.id: rule for rule in homework.problem_of(item.id).rules}
    return tuple(rules[rule].mistake(answer, item) for rule, answer in carried.mistakes if rule in rules)


class _Flow:
    """Which earlier answers differ from the key, and what follows from them (memoised, in item order)."""

    def __init__(self, homework: Homework, key: Key, submission: Submission, checked: Mapping[str, Checked],
                 runtime: Runtime):
        self.homework, self.key, self.submission, self.checked = homework, key, submission, checked
        self.runtime = runtime
        self._carried: dict[str, Carried | None] = {}
        self.unavailable: set[str] = set()  # items whose recomputation could not be imported

    def own(self, item_id: str) -> str | None:
        """The student's answer as the grader read it, when readable and not the key's; else None."""
        found = self.checked.get(item_id)
        if found is None:
            return None
        read_as, verdict = found.read_as, found.verdict
        if verdict.status is Status.INVALID or (verdict.score >= 1.0 and verdict.misconception is None
                                                 and verdict.follows_from is None):
            return None
        return read_as if read_as is not None else self.submission.answers[item_id].text.strip()

    def effective(self, item_id: str) -> str | None:
        """What later items build on when it differs from the key: the student's answer, else what was carried to it."""
        if item_id in self.checked and self.checked[item_id].verdict.status is not Status.INVALID:
            return self.own(item_id)
        carried = self.carried(self.homework.item(item_id))
        return carried.answer if carried is not None else None

    def differing(self, item: Item) -> list[str]:
        return [dependency for dependency in item.depends_on if self.effective(dependency) is not None]

    def is_candidate(self, item: Item) -> bool:
        found = self.checked.get(item.id)
        return (found is not None and found.verdict.status is not Status.INVALID and found.verdict.score < 1.0
                and self.homework.problem_of(item.id).carry_forward is not None and bool(self.differing(item)))

    def carried(self, item: Item) -> Carried | None:
        """The item recomputed from the answers it depends on, when one of them differs from the key."""
        if item.id not in self._carried:
            can_recompute = self.homework.problem_of(item.id).carry_forward is not None
            differing = self.differing(item)
            self._carried[item.id] = None
            if can_recompute and differing:
                upstream = {d: self.effective(d) or self.key.answers[d] for d in item.depends_on}
                try:
                    self._carried[item.id] = self.runtime.recompute(self.homework, item.id, upstream)
                except ImportError as error:
                    # The item's feedback says so to the student and flags it; no traceback where students read.
                    log.debug("cannot carry errors forward to %s: %s", item.id, error)
                    self.unavailable.add(item.id)
        return self._carried[item.id]

    def origin(self, item_id: str) -> str:
        """The answered item a differing value comes from: itself, or through unanswered items the first one behind."""
        if item_id in self.checked and self.checked[item_id].verdict.status is not Status.INVALID:
            return item_id
        return self.origin(self.differing(self.homework.item(item_id))[0])

    def followed(self, item: Item, verdict: Verdict) -> Verdict | None:
        """The verdict of an answer re-checked against the carried value, if it follows or matches a rule."""
        sources = list(dict.fromkeys(self.origin(d) for d in self.differing(item)))
        named = [f"{d} ({self.own(d)})" for d in sources[:MAX_NAMED]]
        if len(sources) > MAX_NAMED:
            named.append(f"{len(sources) - MAX_NAMED} more")
        named = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
        if verdict.score >= 1.0 and verdict.misconception is None:
            credit = item.carry_credit
            share = "full credit" if credit >= 1.0 else f"{credit:.0%} of the points"
            feedback = f"Follows correctly from your answer to {named}: {share} (error carried forward)."
            return Verdict(credit, _join(feedback, verdict.feedback), follows_from=sources[0])
        if verdict.misconception is not None:
            return replace(verdict, feedback=_join(verdict.feedback, f"(Computed from your answer to {named}.)"),
                           follows_from=sources[0], status=None)
        return None


def _with_hint(item: Item, checked: Checked, carried: Carried | None, flow: _Flow, hidden: bool) -> Checked:
    """A quantitative hint (from the item's kind) added to a wrong answer, measured against what it should be."""
    verdict = checked.verdict
    if verdict.status not in (Status.INCORRECT, Status.PARTIAL) or verdict.misconception or verdict.follows_from:
        return checked
    if any(verdict.feedback == mistake.feedback for mistake in item.mistakes):
        return checked  # an anticipated mistake's own explanation says more than a number could
    given = flow.own(item.id)
    if given is None:
        return checked
    if carried is not None:
        text = _hint(item, given, carried.answer, hidden,
                     f"what follows from your answer to {flow.origin(flow.differing(item)[0])}")
    else:
        text = _hint(item, given, flow.key.answers[item.id], hidden, None)
    if text is None:
        return checked
    return replace(checked, verdict=replace(verdict, feedback=_join(verdict.feedback, text)))


# A class repeats the same wrong values: each common hint is worked out once per process.
@lru_cache(maxsize=4096)
def _hint(item: Item, given: str, reference: str, hidden: bool, relative_to: str | None) -> str | None:
    kind_hint = kind_of(item).hint
    return kind_hint(item, given, reference, hidden, relative_to) if kind_hint is not None else None


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)

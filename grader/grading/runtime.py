"""What grading needs from where it runs, injected: where bounded checks run, what is remembered, how errors are carried forward."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from grader.core.homework import Carried, Homework
from grader.core.limits import DEFAULT_WORK_LIMITS, Bound
from grader.core.lru import LeastRecentlyUsed
from grader.grading.checking import Checked, Request, check, too_complex, too_long
from grader.plugins.kinds import kind_of

# Checks the answers that may evaluate math, each within bounds, in order (grader.runtime.sandbox).
BoundedCheck = Callable[[Sequence[Request]], list[Checked]]
# Recomputes an item from a student's earlier answers: (homework, item id, {dependency: answer}) → Carried.
Recompute = Callable[[Homework, str, Mapping[str, str]], Carried | None]

# Enough for the common answers of a whole homework: a class's one-off wrong values pass through.
MAX_REMEMBERED_CHECKS = 4096
# Free-text answers a service remembers for their writers sending them again: up to 5,000 characters each, so
# at most a few megabytes.
MAX_REMEMBERED_RESENT = 1024


def recompute_here(homework: Homework, item_id: str, upstream: Mapping[str, str]) -> Carried | None:
    """The problem's own carry_forward, in this process (it may import torch)."""
    return homework.problem_of(item_id).carry_forward(item_id, upstream)


class CheckMemo(LeastRecentlyUsed[Request, Checked]):
    """Checked answers remembered, least recently used first out: a class writes the same answers again
    and again, and a check is a pure function of its request."""

    def __init__(self, size: int = MAX_REMEMBERED_CHECKS) -> None:
        super().__init__(size)


@dataclass
class Runtime:
    """The surroundings grading runs in, passed in rather than global.

    `sandbox` checks answers that may evaluate math (formulas, arithmetic) within time and memory
    bounds; without one, every answer is checked in this process (tests, debugging, platforms
    without fork), bounded only by the parsers' size limits. `memo` remembers checked answers
    (None: nothing is remembered) of the kinds worth remembering across students; `resent` those of
    the other kinds (free text), for a service, where a student sending a file again repeats most of
    their own answers. `recompute` carries errors forward (here, or through a service that keeps
    torch loaded for a whole batch).
    """

    sandbox: BoundedCheck | None = None
    memo: CheckMemo | None = field(default_factory=CheckMemo)
    recompute: Recompute = recompute_here
    resent: CheckMemo | None = None

    def check(self, requests: Sequence[Request]) -> list[Checked]:
        """Each request checked, in order: over-long text refused before any parser; remembered answers recalled;
        answers whose kind says they need bounds checked in the sandbox, the others (literals, shapes,
        choices, free text) in this process, through the same function, which saves the round trip."""
        outcomes: list[Checked | None] = [None] * len(requests)
        to_check: list[int] = []
        for index, request in enumerate(requests):
            outcomes[index] = too_long(request) or self._recall(request)
            if outcomes[index] is None:
                to_check.append(index)
        bounded = [i for i in to_check if self.sandbox is not None and kind_of(requests[i].item).needs_bounds(
            requests[i].text)]
        if bounded:
            for index, checked in zip(bounded, self.sandbox([requests[i] for i in bounded])):
                outcomes[index] = checked
        for index in to_check:
            if outcomes[index] is None:
                outcomes[index] = check_inline(requests[index])
            self._remember(requests[index], outcomes[index])
        return outcomes  # type: ignore[return-value]

    def _memo_for(self, request: Request) -> CheckMemo | None:
        return self.memo if kind_of(request.item).remember_checks else self.resent

    def _recall(self, request: Request) -> Checked | None:
        memo = self._memo_for(request)
        return memo.get(request) if memo is not None else None

    def _remember(self, request: Request, checked: Checked | None) -> None:
        memo = self._memo_for(request)
        # A bound hit depends on the machine's load, not on the answer: it is not remembered.
        if checked is not None and checked.bound is None and memo is not None:
            memo.put(request, checked)


def check_inline(request: Request) -> Checked:
    """`check` in this process, with a bounded process's treatment of memory and nesting errors."""
    try:
        return check(request)
    except MemoryError:
        return too_complex(Bound.MEMORY, DEFAULT_WORK_LIMITS)
    except RecursionError:
        return too_complex(Bound.NESTING, DEFAULT_WORK_LIMITS)

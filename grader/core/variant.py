"""Homework parameters and per-student variants: values drawn deterministically from a seed, a seed from a secret."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from grader.core.errors import UsageError

# Why a set of parameter values makes no valid homework (a layer that does not fit, numbers too
# large to compute by hand), or None when it is fine: the homework's own rule, applied while drawing.
Constraint = Callable[[Mapping[str, int]], str | None]

# Draws tried before giving up on a seed: a homework whose constraint refuses nearly everything is
# the plugin's mistake, and a test of every plugin draws hundreds of variants.
MAX_DRAWS = 1000


@dataclass(frozen=True)
class Parameter:
    """A number a homework lets vary between students: its default (today's homework) and the values it may take.

    The values are `choices`, or `low` … `high` in steps of `step`; `default` must be one of them.
    """

    name: str
    default: int
    choices: tuple[int, ...] = ()
    low: int | None = None
    high: int | None = None
    step: int = 1
    description: str = ""

    def values(self) -> tuple[int, ...]:
        """Every value the parameter may take, in order."""
        if self.choices:
            return self.choices
        if self.low is None or self.high is None:
            return (self.default,)
        return tuple(range(self.low, self.high + 1, self.step))


@dataclass(frozen=True)
class Variant:
    """One student's homework: a value for each parameter, and what they were drawn from.

    `seed` is the text the values were drawn from (None for the default variant). `digest` names
    the values alone (SHA-256 of the homework id and the values): two seeds that draw the same
    numbers share one key.
    """

    homework: str
    values: tuple[tuple[str, int], ...]
    seed: str | None = None
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        canonical = json.dumps({"homework": self.homework, "values": dict(self.values)}, sort_keys=True)
        object.__setattr__(self, "digest", hashlib.sha256(canonical.encode()).hexdigest())

    def __getitem__(self, name: str) -> int:
        return dict(self.values)[name]

    def as_dict(self) -> dict[str, int]:
        return dict(self.values)

    @property
    def short(self) -> str:
        """The first 12 hex digits of the digest: how reports and summaries name the variant."""
        return self.digest[:12]


def default_variant(homework_id: str, parameters: Sequence[Parameter]) -> Variant:
    """The variant with every parameter at its default: the homework as it is without variants."""
    return Variant(homework_id, tuple((p.name, p.default) for p in parameters))


def student_seed(secret: bytes, homework_id: str, identity: str) -> str:
    """A student's seed: HMAC-SHA256 of the homework id and their identity under the course secret, its first
    128 bits in hex (short enough to type into `grader check --variant`, far too many to guess).

    Without the secret nobody can compute it, so a student's own seed says nothing about anyone else's.
    """
    message = f"{homework_id}\0{identity}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def draw_variant(homework_id: str, parameters: Sequence[Parameter], constraint: Constraint | None,
                 seed: str) -> Variant:
    """The variant a seed gives: each parameter drawn uniformly from its values, drawn again until the
    constraint accepts them (the same seed always gives the same variant, on any machine)."""
    if not seed:
        raise UsageError("a variant seed cannot be empty")
    for attempt in range(MAX_DRAWS):
        values = tuple((p.name, p.values()[_uniform(homework_id, seed, attempt, p.name, len(p.values()))])
                       for p in parameters)
        if constraint is None or constraint(dict(values)) is None:
            return Variant(homework_id, values, seed)
    raise UsageError(f"homework {homework_id}: no valid variant in {MAX_DRAWS} draws from seed {seed!r}; "
                     "its parameters' constraint refuses nearly everything")


def _uniform(homework_id: str, seed: str, attempt: int, name: str, count: int) -> int:
    """An index below `count`, from SHA-256 (not Python's random, whose algorithm may change between versions).

    The modulo's bias is below count / 2**256: nothing any class could measure.
    """
    digest = hashlib.sha256(f"{homework_id}\0{seed}\0{attempt}\0{name}".encode()).digest()
    return int.from_bytes(digest, "big") % count


def variant_with(homework_id: str, parameters: Sequence[Parameter], constraint: Constraint | None,
                 values: Mapping[str, int], seed: str | None = None) -> Variant:
    """The variant of given values (a recorded result's, a carry-forward request's), checked against the homework."""
    names = [p.name for p in parameters]
    if sorted(values) != sorted(names):
        raise UsageError(f"homework {homework_id}: a variant needs exactly the parameters {', '.join(names)}")
    for parameter in parameters:
        if values[parameter.name] not in parameter.values():
            raise UsageError(f"homework {homework_id}: {values[parameter.name]!r} is not a value of "
                             f"parameter {parameter.name}")
    why = constraint(values) if constraint is not None else None
    if why is not None:
        raise UsageError(f"homework {homework_id}: not a valid variant: {why}")
    return Variant(homework_id, tuple((name, values[name]) for name in names), seed)


@dataclass(frozen=True)
class Assignment:
    """How a deployment gives each student their variant: an explicit seed (`grader check --variant`), or the
    course secret, from which each identity the deployment vouches for gets its own seed (`student_seed`).

    The secret is never shown (not in repr, results, reports or logs).
    """

    seed: str | None = None
    secret: bytes | None = field(default=None, repr=False)
    only: frozenset[str] | None = None  # the homeworks given in variants (None: every homework with parameters)

    def seed_for(self, homework_id: str, identity: str) -> str | None:
        """The seed of `identity`'s variant of the homework (None: the homework as it is)."""
        if self.only is not None and homework_id not in self.only:
            return None
        if self.seed is not None:
            return self.seed
        if self.secret is not None:
            return student_seed(self.secret, homework_id, identity)
        return None

"""Computing a homework's answer key with its reference functions (torch, sympy), and writing it as a submission-shaped YAML."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from grader.core.errors import UsageError
from grader.core.homework import Homework, Item
from grader.core.key import KEY_STUDENT, Key, check_mistakes
from grader.core.variant import Variant
from grader.math.errors import FormatError
from grader.plugins.homeworks import homework_variant
from grader.plugins.kinds import kind_of


def build_key(homework: Homework, variant: Variant | None = None) -> Key:
    """Recompute the key from the plugin's reference functions (this may import torch), for `variant` if given
    (or for the variant `homework` already is: `Homework.at`).

    UsageError naming the item when an answer or mistake value cannot be read by the item's
    checker: a key grading cannot use is never written.
    """
    if variant is not None:
        homework = homework_variant(homework.id, variant)
    answers: dict[str, str] = {}
    for problem in homework.problems:
        computed = dict(problem.reference())
        wanted = [item.id for item in problem.items]
        missing = [item_id for item_id in wanted if item_id not in computed]
        extra = sorted(set(computed) - set(wanted))
        if missing or extra:
            raise UsageError(
                f"problem {problem.id}'s reference computes no key for {missing}" if missing
                else f"problem {problem.id}'s reference computes keys for unknown items {extra}",
                path=homework.id,
            )
        answers.update((item_id, computed[item_id]) for item_id in wanted)
    mistakes: dict[str, tuple[tuple[str, str], ...]] = {}
    for problem in homework.problems:
        if problem.mistake_values is not None:
            computed_mistakes = problem.mistake_values()
            check_mistakes(homework, computed_mistakes, homework.id)
            mistakes.update((item_id, tuple(map(tuple, values))) for item_id, values in computed_mistakes.items())
    varied = homework.variant is not None and homework.variant.values != homework.default_variant.values
    key = Key(homework.id, answers, source="computed", mistakes=mistakes,
              variant=homework.variant.digest if varied and homework.variant is not None else None)
    _check_readable(homework, key)
    return key


def _check_readable(homework: Homework, key: Key) -> None:
    """Every answer and mistake value must read with its item's kind, as grading will read it."""
    for item in homework.items:
        values = [(f"the computed answer {key.answers[item.id]!r}", key.answers[item.id])]
        values += [(f"the value {answer!r} computed under mistake rule {rule!r}", answer)
                   for rule, answer in key.mistakes.get(item.id, ())]
        for what, text in values:
            fault = _unreadable(item, text)
            if fault is not None:
                raise UsageError(f"item {item.id}: {what} does not read as a {item.kind} ({fault}); "
                                 "the key is not written", path=homework.id)


# A class's variants share most formulas and many numbers: each is read once per process.
@lru_cache(maxsize=65_536)
def _unreadable(item: Item, text: str) -> str | None:
    """Why `text` does not read as an answer to `item`, or None."""
    try:
        kind_of(item).read(text, item)
    except FormatError as error:
        return error.message
    return None


def render_key(key: Key, variant: Variant | None = None) -> str:
    """The key as a submission file, so that grading it gives full marks; a variant's key names its variant
    (digest and parameter values), which reading it checks."""
    header = (
        f"# Answer key of {key.homework}, computed by `grader key {key.homework}` "
        "(torch for numbers, sympy for formulas).\n# Do not edit: recompute it instead.\n"
    )
    document: dict = {"homework": key.homework, "student": KEY_STUDENT, "answers": key.answers}
    if key.mistakes:
        document["mistakes"] = {item_id: [{"rule": rule, "answer": answer} for rule, answer in values]
                                for item_id, values in key.mistakes.items()}
    if key.variant is not None and variant is not None:
        document["variant"] = {"digest": key.variant, "parameters": variant.as_dict()}
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)


def write_key(key: Key, path: Path) -> None:
    """Write the key file atomically (a reader never sees half a key)."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(render_key(key), encoding="utf-8")
    temporary.replace(path)


def stale_items(committed: Key, computed: Key) -> list[str]:
    """Items whose committed key text, or computed mistakes, differ from the freshly computed ones."""
    ids = dict.fromkeys([*computed.answers, *committed.answers, *computed.mistakes, *committed.mistakes])
    return [item_id for item_id in ids
            if committed.answers.get(item_id) != computed.answers.get(item_id)
            or committed.mistakes.get(item_id, ()) != computed.mistakes.get(item_id, ())]

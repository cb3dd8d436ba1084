"""Answer keys: computed by a homework's reference functions, committed as a submission-shaped YAML.

Besides `answers`, a key file holds `mistakes`: per item, the answers computed under the
problem's mistake rules (torch runs at key time, so grading needs none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import yaml

from grader.core.errors import UsageError
from grader.core.homework import Homework, Mistake

KEY_STUDENT = {"id": "reference", "name": "Answer key"}
# libyaml's safe loader where PyYAML has it: reading the key is on every `grader check`'s path.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Key:
    """Item id → expected answer text, for one homework; item id → (rule id, answer) under mistake rules."""

    homework: str
    answers: dict[str, str]
    source: str
    mistakes: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)


def key_mistakes(homework: Homework, key: Key) -> dict[str, tuple[Mistake, ...]]:
    """Item id → the key's computed mistakes, with each rule's credit and feedback from the plugin."""
    found = {}
    for item_id, values in key.mistakes.items():
        rules = {rule.id: rule for rule in homework.problem_of(item_id).rules}
        item = homework.item(item_id)
        found[item_id] = tuple(rules[rule].mistake(answer, item) for rule, answer in values)
    return found


def key_path(homework: Homework) -> Path:
    """Where the homework's committed key lives (package data of the plugin)."""
    return Path(str(files(homework.key_package) / homework.key_file))


def build_key(homework: Homework) -> Key:
    """Recompute the key from the plugin's reference functions (this may import torch).

    UsageError naming the item when an answer or mistake value cannot be read by the item's
    checker: a key grading cannot use is never written.
    """
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
            _check_mistakes(homework, computed_mistakes, homework.id)
            mistakes.update((item_id, tuple(map(tuple, values))) for item_id, values in computed_mistakes.items())
    key = Key(homework.id, answers, source="computed", mistakes=mistakes)
    _check_readable(homework, key)
    return key


def _check_readable(homework: Homework, key: Key) -> None:
    """Every answer and mistake value must read with its item's checker, as grading will read it."""
    from grader.grading.grade import checker_for  # grading imports this module
    from grader.math.errors import FormatError

    for item in homework.items:
        values = [(f"the computed answer {key.answers[item.id]!r}", key.answers[item.id])]
        values += [(f"the value {answer!r} computed under mistake rule {rule!r}", answer)
                   for rule, answer in key.mistakes.get(item.id, ())]
        for what, text in values:
            try:
                checker_for(item).read(text, item)
            except FormatError as error:
                raise UsageError(f"item {item.id}: {what} does not read as a {item.kind} ({error.message}); "
                                 "the key is not written", path=homework.id) from None


def _check_mistakes(homework: Homework, mistakes, path) -> None:
    """Every item and rule named must exist: a renamed rule makes the key stale, not a crash."""
    for item_id, values in mistakes.items():
        if item_id not in homework.item_ids:
            raise UsageError(f"the answer key is stale: mistakes for unknown item {item_id}; "
                             f"run `grader key {homework.id}`", path=path)
        rules = {rule.id for rule in homework.problem_of(item_id).rules}
        unknown = [value[0] for value in values if value[0] not in rules]
        if unknown:
            raise UsageError(f"the answer key is stale: unknown mistake rule {unknown[0]!r} for {item_id}; "
                             f"run `grader key {homework.id}`", path=path)


def render_key(key: Key) -> str:
    """The key as a submission file, so that grading it gives full marks."""
    header = (
        f"# Answer key of {key.homework}, computed by `grader key {key.homework}` "
        "(torch for numbers, sympy for formulas).\n# Do not edit: recompute it instead.\n"
    )
    document: dict = {"homework": key.homework, "student": KEY_STUDENT, "answers": key.answers}
    if key.mistakes:
        document["mistakes"] = {item_id: [{"rule": rule, "answer": answer} for rule, answer in values]
                                for item_id, values in key.mistakes.items()}
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)


def write_key(key: Key, path: Path) -> None:
    """Write the key file atomically (a reader never sees half a key)."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(render_key(key), encoding="utf-8")
    temporary.replace(path)


def load_key(homework: Homework, path: Path | None = None) -> Key:
    """Read the committed key; it must hold an answer for every item of the homework."""
    path = path or key_path(homework)
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except FileNotFoundError:
        raise UsageError(f"no answer key for {homework.id}; run `grader key {homework.id}`", path=path) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise UsageError(f"cannot read the answer key: {error}", path=path) from None
    answers = document.get("answers") if isinstance(document, dict) else None
    if not isinstance(answers, dict) or document.get("homework") != homework.id:
        raise UsageError(f"not an answer key of {homework.id}", path=path)
    missing = [item_id for item_id in homework.item_ids if item_id not in answers]
    if missing:
        raise UsageError(
            f"the answer key is stale: no answer for {', '.join(missing[:5])}"
            f"{' …' if len(missing) > 5 else ''}; run `grader key {homework.id}`",
            path=path,
        )
    mistakes = _read_mistakes(document.get("mistakes") or {}, path)
    _check_mistakes(homework, mistakes, path)
    return Key(homework.id, {item_id: str(answers[item_id]) for item_id in homework.item_ids}, source=str(path),
               mistakes=mistakes)


def _read_mistakes(section, path) -> dict[str, tuple[tuple[str, str], ...]]:
    try:
        return {str(item_id): tuple((str(v["rule"]), str(v["answer"])) for v in values)
                for item_id, values in section.items()}
    except (AttributeError, KeyError, TypeError):
        raise UsageError("the answer key's mistakes section is malformed", path=path) from None


def stale_items(committed: Key, computed: Key) -> list[str]:
    """Items whose committed key text, or computed mistakes, differ from the freshly computed ones."""
    ids = dict.fromkeys([*computed.answers, *committed.answers, *computed.mistakes, *committed.mistakes])
    return [item_id for item_id in ids
            if committed.answers.get(item_id) != computed.answers.get(item_id)
            or committed.mistakes.get(item_id, ()) != computed.mistakes.get(item_id, ())]

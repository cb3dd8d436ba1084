"""Answer keys: the committed, submission-shaped YAML of a homework (grader.authoring.keys computes it), read for grading.

Besides `answers`, a key file holds `mistakes`: per item, the answers computed under the
problem's mistake rules (torch runs at key time, so grading needs none).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

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
    variant: str | None = None  # the digest of the variant it is the key of; None: the homework's own key


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






def check_mistakes(homework: Homework, mistakes: Mapping[str, Sequence[tuple[str, str]]], path: str | Path) -> None:
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
    variant = document.get("variant")
    digest = variant.get("digest") if isinstance(variant, dict) else None
    wanted = None if _is_default(homework) or homework.variant is None else homework.variant.digest
    if digest != wanted:  # a key file renamed or copied to the wrong place: it would grade by other numbers
        raise UsageError(f"the answer key is of variant {digest or 'default'}, not of {wanted or 'the default'}",
                         path=path)
    mistakes = _read_mistakes(document.get("mistakes") or {}, path)
    check_mistakes(homework, mistakes, path)
    return Key(homework.id, {item_id: str(answers[item_id]) for item_id in homework.item_ids}, source=str(path),
               mistakes=mistakes, variant=digest)


def _is_default(homework: Homework) -> bool:
    """Whether `homework` asks what the homework as registered asks (no variant, or the default variant)."""
    return homework.variant is None or homework.variant.values == homework.default_variant.values


def _read_mistakes(section: Any, path: Path) -> dict[str, tuple[tuple[str, str], ...]]:
    try:
        return {str(item_id): tuple((str(v["rule"]), str(v["answer"])) for v in values)
                for item_id, values in section.items()}
    except (AttributeError, KeyError, TypeError):
        raise UsageError("the answer key's mistakes section is malformed", path=path) from None

"""Answer keys: computed by a homework's reference functions, committed as a submission-shaped YAML."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml

from grader.errors import UsageError
from grader.homework import Homework

KEY_STUDENT = {"id": "reference", "name": "Answer key"}


@dataclass(frozen=True)
class Key:
    """Item id → expected answer text, for one homework."""

    homework: str
    answers: dict[str, str]
    source: str


def key_path(homework: Homework) -> Path:
    """Where the homework's committed key lives (package data of the plugin)."""
    return Path(str(files(homework.key_package) / homework.key_file))


def build_key(homework: Homework) -> Key:
    """Recompute the key from the plugin's reference functions (this may import torch)."""
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
    return Key(homework.id, answers, source="computed")


def render_key(key: Key) -> str:
    """The key as a submission file, so that grading it gives full marks."""
    header = (
        f"# Answer key of {key.homework}, computed by `grader key {key.homework}` "
        "(torch for numbers, sympy for formulas).\n# Do not edit: recompute it instead.\n"
    )
    document = {"homework": key.homework, "student": KEY_STUDENT, "answers": key.answers}
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
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
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
    return Key(homework.id, {item_id: str(answers[item_id]) for item_id in homework.item_ids}, source=str(path))


def stale_items(committed: Key, computed: Key) -> list[str]:
    """Items whose committed key text differs from the freshly computed one."""
    ids = dict.fromkeys([*computed.answers, *committed.answers])
    return [item_id for item_id in ids if committed.answers.get(item_id) != computed.answers.get(item_id)]

"""GitHub Actions side effects of a grading: step outputs, the job summary, and annotations.

Actions reads what a step leaves behind in three places (docs: "Workflow commands for GitHub
Actions"):

- step outputs: `name=value` lines appended to the file named by `$GITHUB_OUTPUT`;
- the job summary: Markdown appended to the file named by `$GITHUB_STEP_SUMMARY`;
- annotations: `::warning file=F,line=L,title=T::message` lines on stdout or stderr, shown on
  that line of the file in the run and in a pull request's diff. We write them to stderr so
  that a machine-readable format on stdout (`--format json`, `junit`, …) stays clean. Their
  texts quote the student, so they are log_safe (grader.render.safe_text says what the runner honours).

Nothing else we print can be a workflow command (every renderer and the CLI neutralise them), so
the output is not wrapped in `::stop-commands::TOKEN` … `::TOKEN::`: the runner reads stdout and
stderr on two threads and, for each batch of lines, handles stderr's first (ProcessOutput in
src/Runner.Sdk/ProcessInvoker.cs), so annotations written on stderr right after a wrapped stdout
could be read while commands are stopped, and dropped.

Actions shows at most 10 warning annotations per step (50 per job), so the annotations are
budgeted: one per answered item that lost points, in homework order, and the rest (and all
unanswered items) folded into a few summary warnings; the job summary always has everything.

Everything here is a plain function of a Result and an environment mapping, so it is tested
by pointing the variables at temporary files; the library never calls it, the CLI does.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import TextIO

from grader.core.errors import UsageError
from grader.core.models import ItemResult, Result, Status
from grader.render._common import item_notes, item_summary, points
from grader.render.safe_text import log_safe

# Actions shows at most this many `warning` annotations of one step (the rest are dropped).
WARNING_LIMIT = 10


def in_github_actions(env: Mapping[str, str]) -> bool:
    """Whether we run inside a GitHub Actions job (the runner sets GITHUB_ACTIONS=true)."""
    return env.get("GITHUB_ACTIONS") == "true"


def set_output(name: str, value: str, env: Mapping[str, str]) -> bool:
    """Append a step output to $GITHUB_OUTPUT; False (and nothing written) when it is unset.

    A value with a line break uses the `name<<DELIMITER` form with a random delimiter.
    """
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return False
    if "\n" in value or "\r" in value:
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        text = f"{name}<<{delimiter}\n{value}\n{delimiter}\n"
    else:
        text = f"{name}={value}\n"
    _append(path, text)
    return True


def append_summary(markdown: str, env: Mapping[str, str]) -> bool:
    """Append Markdown to the job summary ($GITHUB_STEP_SUMMARY); False when it is unset."""
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    _append(path, markdown if markdown.endswith("\n") else markdown + "\n")
    return True


def workflow_command(command: str, message: str, **properties: str | int | None) -> str:
    """One workflow command line: texts log_safe, then escaped as the actions toolkit does (`%`, CR, LF;
    and `:` `,` in properties), so the message and properties can only ever be data."""
    props = ",".join(f"{key}={_escape_property(log_safe(str(value)))}"
                     for key, value in properties.items() if value is not None)
    return f"::{command}{' ' + props if props else ''}::{_escape_data(log_safe(message, keep_newlines=True))}"


def annotations(result: Result, *, workspace: str | None = None, limit: int = WARNING_LIMIT) -> list[str]:
    """Warning annotations for the items that lost points, at most `limit` of them.

    Each answered item that is not correct gets one at its line of the submission file, titled
    with its id, status and points, carrying its feedback (and the expected answer only if the
    result has it). Unanswered items have no line: they share one file-level warning. When
    answered items would exceed the budget, the last warning lists the ones left out.
    """
    file = annotation_path(result.source, workspace)
    answered = [item for item in result.items if item.status not in (Status.CORRECT, Status.MISSING)]
    missing = [item for item in result.items if item.status is Status.MISSING]
    budget = max(1, limit - (1 if missing else 0))
    shown, left_out = (answered, []) if len(answered) <= budget else (answered[: budget - 1], answered[budget - 1:])
    lines = [_item_annotation(item, file) for item in shown]
    if left_out:
        lines.append(workflow_command(
            "warning",
            f"{_list(left_out)}. Only {limit} annotations are shown per step: see the job summary for all feedback.",
            file=file, title=_count(len(left_out), "more answer") + " lost points",
        ))
    if missing:
        lines.append(workflow_command(
            "warning", f"No answer for {_list(missing)}.", file=file, title=_count(len(missing), "item") + " unanswered",
        ))
    return lines


def error_annotation(error: UsageError, *, workspace: str | None = None) -> str:
    """An error annotation for a submission that could not be used, at its line when known."""
    return workflow_command(
        "error", error.message, file=annotation_path(error.path, workspace), line=error.line,
        title="The submission could not be graded",
    )


def annotation_path(source: str | None, workspace: str | None) -> str | None:
    """The submission's path as annotations want it: relative to the workspace, with `/`."""
    if not source:
        return None
    path = Path(source)
    if workspace and path.is_absolute():
        try:
            path = path.relative_to(Path(workspace))
        except ValueError:
            pass
    return PurePath(path).as_posix()


def report(result: Result, env: Mapping[str, str], stream: TextIO) -> None:
    """Inside Actions: outputs `score` and `max-score`, the Markdown summary, and the annotations."""
    from grader.render.markdown import render_markdown

    set_output("score", points(result.score), env)
    set_output("max-score", points(result.max_score), env)
    append_summary(render_markdown(result), env)
    for line in annotations(result, workspace=env.get("GITHUB_WORKSPACE")):
        print(line, file=stream)
    print(workflow_command("notice", f"Points {points(result.score)}/{points(result.max_score)}",
                           title=f"{result.homework} grade"), file=stream)


def report_unusable(error: UsageError, env: Mapping[str, str], stream: TextIO, *, max_score: float) -> None:
    """Inside Actions, for a submission that could not be used: outputs `score` 0 and `max-score` (the
    homework's when known), an error annotation and a summary line."""
    from grader.render.markdown import md_escape

    set_output("score", points(0), env)
    set_output("max-score", points(max_score), env)
    append_summary(f"## The submission could not be graded\n\n{md_escape(str(error))}\n", env)
    print(error_annotation(error, workspace=env.get("GITHUB_WORKSPACE")), file=stream)


def _item_annotation(item: ItemResult, file: str | None) -> str:
    message = "\n".join(item_notes(item)) or item_summary(item)
    return workflow_command(
        "warning", message, file=file, line=item.line, title=f"{item.id}: {item_summary(item)}",
    )


def _list(items: list[ItemResult], most: int = 12) -> str:
    ids = [item.id for item in items]
    return ", ".join(ids[:most]) + (f" and {len(ids) - most} more" if len(ids) > most else "")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _append(path: str, text: str) -> None:
    with open(path, "a", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")

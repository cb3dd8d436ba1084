"""Load a submission file (YAML or JSON) safely into raw answer texts with their line numbers."""

from __future__ import annotations

import codecs
import difflib
import os
import re
import stat
from collections.abc import Callable, Collection
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from grader.core.errors import UsageError
from grader.core.models import RawAnswer, Student, Submission, without_surrogates
from grader.io.yaml_compose import NULL, compose_submission, describe, node_line

# The homework's item ids, or a function from the homework a file names to its item ids.
KnownIds = Collection[str] | Callable[[str], Collection[str]] | None

MAX_FILE_BYTES = 1_000_000
# A file of thousands of bad ids must not take minutes of did-you-mean or flood the report.
MAX_SUGGESTIONS = 100
MAX_WARNINGS = 100

_SECTIONS = ("homework", "student", "answers")
_STUDENT_FIELDS = ("id", "name")
_SHOWN_GROUP_MEMBERS = 3
# LaTeX commands that begin with a YAML double-quote escape (\a \b \e \f \n \r \t \v \L \P), so
# YAML reads them without error as something else; other commands (\cdot, \sqrt) are YAML errors.
_GARBLED_LATEX = (
    "alpha approx angle arccos arcsin arctan ast bar beta bf big bigg bigl bigr binom bmod boldsymbol "
    "bullet begin ell emptyset end epsilon equiv eta exp forall frac nabla ne neg neq newline not nu "
    "rangle rceil rfloor rho right rightarrow rm tan tanh tau text textbf textrm tfrac theta tilde to top "
    "times triangle varepsilon varphi vartheta vdots vec vee vert Lambda Large Leftarrow Phi Pi Pr Psi"
).split()
# Such a command after a backslash that is not itself escaped (`\\frac` is a proper escape).
_LATEX_COMMAND = re.compile(r"(?<!\\)(?:\\\\)*\\(?:" + "|".join(_GARBLED_LATEX) + r")(?![A-Za-z])")


def load_submission(
    path: str | Path,
    *,
    known_ids: KnownIds = None,
    default_student_id: str | None = None,
    follow_links: bool = True,
) -> Submission:
    """Read and check one submission file.

    `known_ids` (the homework's item ids, or a function from the homework named in the file
    to its item ids) turns on id checking: unknown ids are dropped with a warning. `student.id` defaults to `default_student_id`, else the file's stem.
    With `follow_links=False` a file that is a symbolic link is refused (see
    grader.io.discovery.refuse_links, which also checks the folders on the way).
    Raises UsageError (file, line, what is wrong) when the file cannot be used.
    """
    path = Path(path)
    return load_submission_text(
        _read_bytes(path, follow_links), source=printable_path(path), known_ids=known_ids, default_student_id=default_student_id
    )


def printable_path(path: str | Path) -> str:
    """The path as text that can always be printed and written as JSON.

    A file name that is not valid UTF-8 reaches Python with lone surrogates, which no output
    can encode; they are shown as U+FFFD instead.
    """
    return os.fsencode(path).decode("utf-8", "replace")


def load_submission_text(
    text: str | bytes,
    *,
    source: str,
    known_ids: KnownIds = None,
    default_student_id: str | None = None,
) -> Submission:
    """Like `load_submission`, for content already in memory; `source` names it in messages.

    A `source` ending in `.json` is read as JSON; the default student id is its stem.
    """
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    _check_size(size, source)
    if isinstance(text, bytes):
        text = _decode(text, source)
    root = compose_submission(text.removeprefix("\ufeff"), source)
    warnings: list[str] = []
    single, answer_nodes = _sections(root, warnings)
    homework = _homework(single.get("homework"), root, source)
    if callable(known_ids):
        try:
            known_ids = known_ids(homework)
        except UsageError as error:  # e.g. an unknown homework: say where the file names it
            raise UsageError(error.message, path=source, line=node_line(single["homework"])) from None
    student = _student(single.get("student"), default_student_id or Path(source).stem, warnings)
    answers = _answers(answer_nodes, known_ids, source, warnings)
    if len(warnings) > MAX_WARNINGS:
        warnings[MAX_WARNINGS:] = [f"… and {len(warnings) - MAX_WARNINGS:,} more warnings"]
    return Submission(homework=homework, student=student, answers=answers, source=source, warnings=warnings)


# --- reading and decoding -------------------------------------------------------------------


def _read_bytes(path: Path, follow_links: bool = True) -> bytes:
    shown = printable_path(path)
    if not path.exists():
        raise UsageError("file not found", path=shown)
    if path.is_dir():
        raise UsageError("is a folder, not a submission file", path=shown)
    # O_NONBLOCK: opening a named pipe (FIFO) must not wait for a writer forever. O_NOFOLLOW: a
    # link swapped in after the caller's check is refused by the open itself.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow_links else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if not follow_links and os.path.islink(path):
            raise UsageError("the submission file is a symbolic link; a submission is graded only as a file of its "
                             "own", path=shown) from None
        raise UsageError(f"could not read the file: {error.strerror}", path=shown) from None
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UsageError("is not a regular file (a pipe, device or socket?)", path=shown)
        try:
            # Bounded read: a growing file cannot make us read without end.
            data = file.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise UsageError(f"could not read the file: {error.strerror}", path=shown) from None
    _check_size(len(data), shown)
    return data


def _check_size(size: int, source: str | Path) -> None:
    if size > MAX_FILE_BYTES:
        raise UsageError(
            f"the file is larger than {MAX_FILE_BYTES:,} bytes, the limit for a submission", path=source
        )


def _decode(data: bytes, source: str) -> str:
    # Windows editors save "Unicode" as UTF-16 with a byte order mark; that is unambiguous, so read it.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UsageError("the file starts like UTF-16 but is not valid UTF-16; save it as UTF-8",
                             path=source) from None
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        # Everything before the bad byte decoded fine, so its characters can be counted.
        column = len(data[line_start:error.start].decode("utf-8")) + 1
        raise UsageError(
            f"the file is not valid UTF-8 at column {column} (byte 0x{data[error.start]:02x}); "
            "save it as UTF-8",
            path=source,
            line=data.count(b"\n", 0, error.start) + 1,
        ) from None


# --- node helpers ---------------------------------------------------------------------------


def _at(line: int | None) -> str:
    """Prefix for a warning about a line (JSON read by the fallback has no lines)."""
    return f"line {line}: " if line else ""


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and (node.tag == NULL or not node.value.strip())


def _key(node: Node) -> str:
    """A mapping key's text without surrounding whitespace; "" for a list or mapping used as a key."""
    return _text(node).strip() if isinstance(node, ScalarNode) else ""


def _text(node: ScalarNode) -> str:
    """The scalar exactly as typed (YAML never turns it into a number or boolean here)."""
    text = node.value.rstrip("\n") if node.style in ("|", ">") else node.value
    # "\ud83d\ude00" escapes give surrogate halves; join pairs, replace strays (unprintable).
    return without_surrogates(text)


# --- sections -------------------------------------------------------------------------------


def _sections(root: MappingNode, warnings: list[str]) -> tuple[dict[str, Node], list[Node]]:
    """Split the top level into homework/student (last one wins) and every answers section."""
    single: dict[str, Node] = {}
    answers: list[Node] = []
    for key_node, value in root.value:
        key = _key(key_node)
        if key == "answers":
            answers.append(value)  # a second answers: section adds to the first
        elif key in _SECTIONS:
            if key in single:
                warnings.append(f"{_at(node_line(key_node))}{key} is given twice; the later one is used")
            single[key] = value
        else:
            close = difflib.get_close_matches(key, _SECTIONS, n=1)
            suggestion = f"did you mean {close[0]}?" if close else "expected " + ", ".join(_SECTIONS)
            warnings.append(f"{_at(node_line(key_node))}unknown top-level key {key!r} ignored ({suggestion})")
    return single, answers


def _homework(node: Node | None, root: MappingNode, source: str) -> str:
    if node is None:
        found = ", ".join(_key(key) for key, _ in root.value)
        raise UsageError(f"homework: is missing (top-level keys found: {found})",
                         path=source, line=node_line(root))
    if not isinstance(node, ScalarNode) or _is_empty(node):
        raise UsageError(f"homework must name the homework (e.g. homework: hw2-cnn), not {describe(node)}",
                         path=source, line=node_line(node))
    return _text(node).strip()


def _student(node: Node | None, default_id: str, warnings: list[str]) -> Student:
    """`student: {id, name}`; anything unusable is ignored with a warning so grading goes on."""
    fields: dict[str, str] = {}
    if node is not None and not _is_empty(node):
        if isinstance(node, MappingNode):
            for key_node, value in node.value:
                key = _key(key_node)
                where = _at(node_line(key_node))
                if key not in _STUDENT_FIELDS:
                    warnings.append(f"{where}unknown key {key!r} under student ignored (expected id, name)")
                elif not isinstance(value, ScalarNode):
                    warnings.append(f"{where}student.{key} must be a single value; ignored")
                elif not _is_empty(value):
                    fields[key] = _text(value).strip()
        else:
            warnings.append(f"{_at(node_line(node))}student must be a mapping with id and name; ignored")
    return Student(id=fields.get("id", default_id), name=fields.get("name"))


def _answers(
    nodes: list[Node], known_ids: Collection[str] | None, source: str, warnings: list[str]
) -> dict[str, RawAnswer]:
    """Every answer of every answers section, by item id."""
    if not nodes:
        warnings.append("no answers section")
    collector = _Answers(_KnownIds(known_ids) if known_ids is not None else None, warnings)
    for node in nodes:
        if _is_empty(node) or (isinstance(node, MappingNode) and not node.value):
            warnings.append(f"{_at(node_line(node))}the answers section is empty")
        elif isinstance(node, MappingNode):
            collector.add_group(node, "")
        else:
            raise UsageError(f"answers must be a mapping of item ids to answers, not {describe(node)}",
                             path=source, line=node_line(node))
    return collector.answers


class _Answers:
    """Collects answers from nested and dotted keys, warning about duplicates and unknown ids."""

    def __init__(self, known: _KnownIds | None, warnings: list[str]):
        self.known = known
        self.warnings = warnings
        self.answers: dict[str, RawAnswer] = {}

    def add_group(self, node: MappingNode, prefix: str) -> None:
        """Add every answer under `node`, whose keys continue the id `prefix`."""
        for key_node, value in node.value:
            key = _key(key_node)
            if not key:
                self.warnings.append(f"{_at(node_line(key_node))}an answer without an item id is ignored")
                continue
            item_id = _join(prefix, key)
            if isinstance(value, MappingNode):
                self.add_group(value, item_id)
            else:
                self._add_leaf(value, item_id)

    def _add_leaf(self, node: Node, item_id: str) -> None:
        text = self._leaf_text(node, item_id)
        if not text.strip():
            return  # left blank: the item is simply not answered
        line = node_line(node)
        if self.known is not None:
            item_id = self.known.resolve(item_id, line, self.warnings)
            if item_id is None:
                return
        if item_id in self.answers:
            self.warnings.append(_given_twice(item_id, self.answers[item_id].line, line))
        self.answers[item_id] = RawAnswer(text=text, line=line)

    def _leaf_text(self, node: Node, item_id: str) -> str:
        """The answer's text; "" when it is blank or cannot be an answer (then with a warning)."""
        where = f"{_at(node_line(node))}item {item_id}: "
        if isinstance(node, SequenceNode):
            if not all(isinstance(item, ScalarNode) for item in node.value):
                self.warnings.append(f"{where}a list of lists/mappings cannot be an answer")
                return ""
            # A YAML list is a shape: keep each entry as typed, written the way students write shapes.
            return "[" + ", ".join(_text(item) for item in node.value) + "]" if node.value else ""
        if _is_empty(node):
            return ""
        latex = _latex_source(node)
        if latex is None:
            return _text(node)
        self.warnings.append(
            f"{where}backslashes read as LaTeX, as typed (in double quotes YAML reads "
            "\\f, \\t, \\n, … as escapes; write LaTeX in single quotes)"
        )
        return latex


def _latex_source(node: Node) -> str | None:
    r"""The answer as typed when it is LaTeX in double quotes, else None.

    YAML reads `"\frac{a}{b}"` as a form feed + `rac{a}{b}` (and `\times` as a tab + `imes`)
    without any error, so such an answer is taken from the file's text instead.
    """
    if node.style != '"' or node.start_mark is None or node.start_mark.buffer is None:
        return None  # no buffer: libyaml composed it, which it only does for text without a backslash
    raw = node.start_mark.buffer[node.start_mark.pointer + 1 : node.end_mark.pointer - 1]
    if not _LATEX_COMMAND.search(raw):
        return None
    return re.sub(r"[ \t]*\n[ \t]*", " ", raw)  # fold lines as YAML would


def _join(prefix: str, key: str) -> str:
    """The id `key` names under `prefix`; whitespace around each dotted part is dropped."""
    parts = [part.strip() for part in key.split(".")]
    return ".".join([prefix, *parts] if prefix else parts)


def _given_twice(item_id: str, first: int | None, second: int | None) -> str:
    lines = f" (lines {first} and {second})" if first and second else ""
    return f"item {item_id} is given twice{lines}; the later answer is graded"


class _KnownIds:
    """The homework's item ids, to check the ids a student wrote."""

    def __init__(self, known: Collection[str]):
        self.ids = [item_id.strip() for item_id in known]
        self.exact = set(self.ids)
        self.by_case = {item_id.casefold(): item_id for item_id in self.ids}
        self.suggested = 0
        self.groups: dict[str, list[str]] = {}
        for item_id in self.ids:
            parts = item_id.split(".")
            for end in range(1, len(parts)):
                self.groups.setdefault(".".join(parts[:end]), []).append(item_id)

    def resolve(self, item_id: str, line: int | None, warnings: list[str]) -> str | None:
        """The known id `item_id` means, or None (with a warning) when the answer is dropped."""
        if item_id in self.exact:
            return item_id
        where = _at(line)
        if item_id.casefold() in self.by_case:
            known = self.by_case[item_id.casefold()]
            warnings.append(f"{where}item {item_id} read as {known} (item ids are case-sensitive)")
            return known
        if item_id in self.groups:
            members = self.groups[item_id]
            shown = ", ".join(members[:_SHOWN_GROUP_MEMBERS])
            if len(members) > _SHOWN_GROUP_MEMBERS:
                shown += ", …"
            warnings.append(f"{where}{item_id} is a group of items ({shown}); give each item separately")
            return None
        self.suggested += 1
        close = difflib.get_close_matches(item_id, self.ids, n=1) if self.suggested <= MAX_SUGGESTIONS else []
        suggestion = f" (did you mean {close[0]}?)" if close else ""
        warnings.append(f"{where}unknown item {item_id}{suggestion}")
        return None

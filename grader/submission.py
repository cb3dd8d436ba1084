"""Load a submission file (YAML or JSON) safely into raw answer texts with their line numbers."""

from __future__ import annotations

import codecs
import difflib
import json
import os
import re
import stat
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from grader.errors import UsageError
from grader.models import RawAnswer, Student, Submission, without_surrogates

# The homework's item ids, or a function from the homework a file names to its item ids.
KnownIds = Collection[str] | Callable[[str], Collection[str]] | None

MAX_FILE_BYTES = 1_000_000
# Aliases let a tiny file name a huge tree ("billion laughs"); every walk is bounded by these.
MAX_NODES = 100_000
MAX_DEPTH = 64
# A file of thousands of bad ids must not take minutes of did-you-mean or flood the report.
MAX_SUGGESTIONS = 100
MAX_WARNINGS = 100

_TAG = "tag:yaml.org,2002:"
_NULL, _STR, _BOOL, _INT, _FLOAT = (_TAG + t for t in ("null", "str", "bool", "int", "float"))
_SEQ, _MAP = _TAG + "seq", _TAG + "map"
# The YAML 1.1 types SafeLoader knows, plus `merge`/`value` that it resolves `<<` and `=` to.
# Anything else (`!!python/object/apply:...`, `!custom`) is refused: no file needs it.
_STANDARD_TAGS = frozenset(
    _TAG + t
    for t in ("null", "bool", "int", "float", "str", "binary", "timestamp",
              "seq", "map", "omap", "pairs", "set", "merge", "value")
)
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

# (text in PyYAML's message, advice for a student); the first match wins.
_YAML_HINTS = (
    ("'\\t'", "use spaces, not tabs, to indent and after ':'"),
    ("mapping values are not allowed", "an answer containing ': ' must be quoted"),
    ("quoted scalar found unexpected end", "a quote is not closed"),
    ("unknown escape", "in double quotes a backslash starts an escape; use single quotes for LaTeX"),
    ("expected <block end>, but found '<scalar>'",
     "an answer that starts with a quote must end with it; otherwise quote the whole answer"),
    ("flow sequence", "a '[' is not closed; quote an answer that starts with '[' unless it is a list"),
    ("flow mapping", "a '{' is not closed; quote an answer that starts with '{'"),
    ("found ']'", "a ']' closes nothing; quote the answer"),
    ("found '}'", "a '}' closes nothing; quote the answer"),
    ("alias", "an answer starting with '*' must be quoted"),
    ("anchor", "an answer starting with '&' must be quoted"),
    ("block scalar", "an answer starting with '|' or '>' must be quoted"),
    ("sequence entries are not allowed", "an answer starting with '- ' must be quoted"),
    ("mapping keys are not allowed", "an answer starting with '? ' must be quoted"),
    ("cannot start any token", "an answer starting with this character must be quoted"),
    ("could not find expected ':'",
     "a long answer must stay indented under its key, or be written as a block (key: |)"),
    ("expected <block end>", "check the indentation of this line"),
)


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
    grader.discovery.refuse_links, which also checks the folders on the way).
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
    root = _parse(text.removeprefix("\ufeff"), source)
    _check_tree(root, source)
    warnings: list[str] = []
    single, answer_nodes = _sections(root, warnings)
    homework = _homework(single.get("homework"), root, source)
    if callable(known_ids):
        try:
            known_ids = known_ids(homework)
        except UsageError as error:  # e.g. an unknown homework: say where the file names it
            raise UsageError(error.message, path=source, line=_line(single["homework"])) from None
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


# --- parsing into a node graph --------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader whose composer refuses deep nesting (it recurses once per level)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: object) -> Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                problem = f"values nested more than {MAX_DEPTH} deep"
                raise yaml.composer.ComposerError(None, None, problem, mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _parse(text: str, source: str) -> Node:
    """Compose (never construct) the single document in `text`; raise UsageError if there is none."""
    is_json = source.lower().endswith(".json")
    if is_json:
        # JSON forbids raw tabs inside strings, so every tab is whitespace; PyYAML only takes spaces.
        text = text.replace("\t", " ")
    try:
        root = _compose(text)
    except yaml.YAMLError as error:
        if not is_json:
            raise _yaml_error(error, source, text) from None
        root = _parse_json(text, source)
    if root is None or (isinstance(root, ScalarNode) and root.tag == _NULL):
        raise UsageError("the file is empty (or holds only comments); it needs homework: and answers:",
                         path=source)
    if not isinstance(root, MappingNode):
        raise UsageError(
            f"the file must be a mapping with homework:, student: and answers:, not {_describe(root)}",
            path=source, line=_line(root),
        )
    return root


# libyaml composes ~20× faster than PyYAML (a class of 1,000 files: 0.7 s instead of 14 s), but
# its composer recurses in C once per nesting level without a limit. Every nesting level needs
# one of these indicator characters, so a text with fewer of them cannot nest deeper than that:
# such texts take the fast path; anything else, and any error, takes the checked Python path.
# libyaml's marks carry no buffer, which `_latex_source` needs for double-quoted LaTeX: a text
# with both a double quote and a backslash takes the Python path too (without a backslash there
# is no escape to undo), and so does one with a tab, which libyaml accepts after a colon where
# PyYAML (and our advice to students) does not.
_FAST_INDICATORS = re.compile(r"[\[{:?-]")
_FAST_MAX_INDICATORS = 2000


def _compose(text: str) -> Node | None:
    """The node graph of `text`: libyaml when that is safe and succeeds, else PyYAML (exact errors)."""
    quoted_latex = '"' in text and "\\" in text
    if _FAST_LOADER is not None and not quoted_latex and "\t" not in text \
            and len(_FAST_INDICATORS.findall(text)) < _FAST_MAX_INDICATORS:
        try:
            root = yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass  # the Python composer below raises the error with the message students see
        else:
            if root is None or not _deeper_than(root, MAX_DEPTH):
                return root
    loader = _Loader(text)  # the reader already checks the characters here, so it may raise too
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _deeper_than(root: Node, limit: int) -> bool:
    """Whether any path from the root nests more than `limit` deep (a recursive alias does).

    No recursion; a graph with more than MAX_NODES paths is left to `_check_tree`, which
    refuses it with the same message on either path.
    """
    stack: list[tuple[Node, int]] = [(root, 1)]
    visited = 0
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        visited += 1
        if visited > MAX_NODES:
            return False
        if isinstance(node, MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
    return False


def _yaml_error(error: yaml.YAMLError, source: str, text: str) -> UsageError:
    """Rephrase a PyYAML error for a student: where, what, and a hint for the usual mistakes."""
    if isinstance(error, yaml.reader.ReaderError):
        return UsageError(
            f"the file contains a character YAML does not allow (U+{error.character:04X})",
            path=source, line=text.count("\n", 0, error.position) + 1,
        )
    assert isinstance(error, yaml.MarkedYAMLError)  # every other PyYAML error carries marks
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    if error.context == "expected a single document in the stream":
        return UsageError(
            "a second YAML document starts here; a submission is one document (remove the '---')",
            path=source, line=line,
        )
    where = f" at column {mark.column + 1}" if mark else ""
    message = f"could not read the YAML{where}: {error.problem or error.context}"
    if error.problem and error.context and error.context_mark:
        start = error.context_mark.line + 1
        if error.context.startswith("while "):
            message += f" {error.context} that starts on line {start}"
        else:  # e.g. a duplicate anchor: the context is the first occurrence
            message = f"could not read the YAML{where}: {error.context} on line {start}, {error.problem}"
    said = f"{error.context} {error.problem}"
    hint = next((advice for clue, advice in _YAML_HINTS if clue in said), None)
    return UsageError(f"{message} ({hint})" if hint else message, path=source, line=line)


def _parse_json(text: str, source: str) -> Node:
    """Read a valid JSON file PyYAML rejects (e.g. a key over 1024 characters); no line numbers then."""
    try:
        value = json.loads(
            text,
            object_pairs_hook=_json_mapping,  # keeps duplicate keys, like the YAML path
            parse_int=lambda t: ScalarNode(_INT, t),  # keep numbers as typed
            parse_float=lambda t: ScalarNode(_FLOAT, t),
            parse_constant=lambda t: ScalarNode(_FLOAT, t),
        )
        return _json_node(value)
    except json.JSONDecodeError as error:
        raise UsageError(f"could not read the JSON at column {error.colno}: {error.msg}",
                         path=source, line=error.lineno) from None
    except RecursionError:
        raise UsageError(f"values nested more than {MAX_DEPTH} deep", path=source) from None


def _json_mapping(pairs: list[tuple[str, object]]) -> MappingNode:
    return MappingNode(_MAP, [(ScalarNode(_STR, key), _json_node(value)) for key, value in pairs])


def _json_node(value: object) -> Node:
    """Turn what json.loads left as Python values (strings, lists, true/false/null) into nodes."""
    if isinstance(value, Node):
        return value
    if isinstance(value, list):
        return SequenceNode(_SEQ, [_json_node(item) for item in value])
    if isinstance(value, bool):
        return ScalarNode(_BOOL, "true" if value else "false")
    if value is None:
        return ScalarNode(_NULL, "null")
    return ScalarNode(_STR, str(value))


def _check_tree(root: Node, source: str) -> None:
    """Refuse non-standard tags, alias bombs and self-containing aliases anywhere in the file.

    Later walks visit a subset of what this visits, so they are bounded too.
    """
    visited = 0

    def visit(node: Node, depth: int) -> None:
        nonlocal visited
        visited += 1
        if visited > MAX_NODES:
            raise UsageError(f"the file holds more than {MAX_NODES:,} values (each use of an alias counts)",
                             path=source, line=_line(node))
        if depth > MAX_DEPTH:
            raise UsageError(f"values nested more than {MAX_DEPTH} deep (an alias inside itself?)",
                             path=source, line=_line(node))
        if node.tag not in _STANDARD_TAGS:
            tag = node.tag.replace(_TAG, "!!")
            raise UsageError(f"tags are not allowed ({tag}); quote an answer that starts with '!'",
                             path=source, line=_line(node))
        for child in _children(node):
            visit(child, depth + 1)

    visit(root, 1)


def _children(node: Node) -> Iterator[Node]:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, SequenceNode):
        yield from node.value


# --- node helpers ---------------------------------------------------------------------------


def _line(node: Node) -> int | None:
    return node.start_mark.line + 1 if node.start_mark else None


def _at(line: int | None) -> str:
    """Prefix for a warning about a line (JSON read by the fallback has no lines)."""
    return f"line {line}: " if line else ""


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    return "a list" if isinstance(node, SequenceNode) else "a single value"


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and (node.tag == _NULL or not node.value.strip())


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
                warnings.append(f"{_at(_line(key_node))}{key} is given twice; the later one is used")
            single[key] = value
        else:
            close = difflib.get_close_matches(key, _SECTIONS, n=1)
            suggestion = f"did you mean {close[0]}?" if close else "expected " + ", ".join(_SECTIONS)
            warnings.append(f"{_at(_line(key_node))}unknown top-level key {key!r} ignored ({suggestion})")
    return single, answers


def _homework(node: Node | None, root: MappingNode, source: str) -> str:
    if node is None:
        found = ", ".join(_key(key) for key, _ in root.value)
        raise UsageError(f"homework: is missing (top-level keys found: {found})",
                         path=source, line=_line(root))
    if not isinstance(node, ScalarNode) or _is_empty(node):
        raise UsageError(f"homework must name the homework (e.g. homework: hw2-cnn), not {_describe(node)}",
                         path=source, line=_line(node))
    return _text(node).strip()


def _student(node: Node | None, default_id: str, warnings: list[str]) -> Student:
    """`student: {id, name}`; anything unusable is ignored with a warning so grading goes on."""
    fields: dict[str, str] = {}
    if node is not None and not _is_empty(node):
        if isinstance(node, MappingNode):
            for key_node, value in node.value:
                key = _key(key_node)
                where = _at(_line(key_node))
                if key not in _STUDENT_FIELDS:
                    warnings.append(f"{where}unknown key {key!r} under student ignored (expected id, name)")
                elif not isinstance(value, ScalarNode):
                    warnings.append(f"{where}student.{key} must be a single value; ignored")
                elif not _is_empty(value):
                    fields[key] = _text(value).strip()
        else:
            warnings.append(f"{_at(_line(node))}student must be a mapping with id and name; ignored")
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
            warnings.append(f"{_at(_line(node))}the answers section is empty")
        elif isinstance(node, MappingNode):
            collector.add_group(node, "")
        else:
            raise UsageError(f"answers must be a mapping of item ids to answers, not {_describe(node)}",
                             path=source, line=_line(node))
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
                self.warnings.append(f"{_at(_line(key_node))}an answer without an item id is ignored")
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
        line = _line(node)
        if self.known is not None:
            item_id = self.known.resolve(item_id, line, self.warnings)
            if item_id is None:
                return
        if item_id in self.answers:
            self.warnings.append(_given_twice(item_id, self.answers[item_id].line, line))
        self.answers[item_id] = RawAnswer(text=text, line=line)

    def _leaf_text(self, node: Node, item_id: str) -> str:
        """The answer's text; "" when it is blank or cannot be an answer (then with a warning)."""
        where = f"{_at(_line(node))}item {item_id}: "
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

"""Compose a submission's YAML (or JSON) text into a node graph, never into Python objects, within bounds."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from grader.errors import UsageError

# Aliases let a tiny file name a huge tree ("billion laughs"); every walk is bounded by these.
MAX_NODES = 100_000
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"
NULL, _STR, _BOOL, _INT, _FLOAT = (_TAG + t for t in ("null", "str", "bool", "int", "float"))
_SEQ, _MAP = _TAG + "seq", _TAG + "map"
# The YAML 1.1 types SafeLoader knows, plus `merge`/`value` that it resolves `<<` and `=` to.
# Anything else (`!!python/object/apply:...`, `!custom`) is refused: no file needs it.
_STANDARD_TAGS = frozenset(
    _TAG + t
    for t in ("null", "bool", "int", "float", "str", "binary", "timestamp",
              "seq", "map", "omap", "pairs", "set", "merge", "value")
)

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


def compose_submission(text: str, source: str) -> MappingNode:
    """The top-level mapping of the single document in `text`, composed (never constructed) and checked.

    Raises UsageError (file, line, what is wrong) when there is none, when YAML (or JSON) cannot
    read it, or when it breaks a limit: values, nesting, tags.
    """
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
    if root is None or (isinstance(root, ScalarNode) and root.tag == NULL):
        raise UsageError("the file is empty (or holds only comments); it needs homework: and answers:",
                         path=source)
    if not isinstance(root, MappingNode):
        raise UsageError(
            f"the file must be a mapping with homework:, student: and answers:, not {describe(root)}",
            path=source, line=node_line(root),
        )
    _check_tree(root, source)
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
        return ScalarNode(NULL, "null")
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
                             path=source, line=node_line(node))
        if depth > MAX_DEPTH:
            raise UsageError(f"values nested more than {MAX_DEPTH} deep (an alias inside itself?)",
                             path=source, line=node_line(node))
        if node.tag not in _STANDARD_TAGS:
            tag = node.tag.replace(_TAG, "!!")
            raise UsageError(f"tags are not allowed ({tag}); quote an answer that starts with '!'",
                             path=source, line=node_line(node))
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


def node_line(node: Node) -> int | None:
    """The 1-based line a node starts on (None for JSON read by the fallback)."""
    return node.start_mark.line + 1 if node.start_mark else None


def describe(node: Node) -> str:
    """"a mapping", "a list" or "a single value", for messages."""
    if isinstance(node, MappingNode):
        return "a mapping"
    return "a list" if isinstance(node, SequenceNode) else "a single value"

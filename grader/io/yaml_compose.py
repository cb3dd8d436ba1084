"""Compose a submission's YAML (or JSON) text into a node graph, never into Python objects, within bounds."""

from __future__ import annotations

import json
from collections.abc import Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from grader.core.errors import UsageError
from grader.io.yaml_count import value_past_limit

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


_TOO_MANY_VALUES = f"the file holds more than {MAX_NODES:,} values (each use of an alias counts)"


def _tag_refused(tag: str) -> str:
    return f"tags are not allowed ({tag.replace(_TAG, '!!')}); quote an answer that starts with '!'"


def _check_value(event: yaml.NodeEvent, number: int) -> None:
    """Refuse the `number`th value of a document, starting at `event`, if it breaks a limit.

    UsageError without a file, which `compose_submission` adds.
    """
    line = event.start_mark.line + 1
    if number > MAX_NODES:
        raise UsageError(_TOO_MANY_VALUES, line=line)
    tag = getattr(event, "tag", None)  # None or "!" leaves it to the resolver, which gives standard tags
    if tag not in (None, "!") and tag not in _STANDARD_TAGS:
        raise UsageError(_tag_refused(tag), line=line)


class _Loader(yaml.SafeLoader):
    """SafeLoader whose composer stops at the first value past MAX_NODES or MAX_DEPTH, or with a tag.

    Counting while composing matters: a megabyte of flow pairs (`[a:,a:,…]`) is a million
    nodes, which took PyYAML 17 s and 550 MB to build before a walk of the tree refused them.
    It recurses once per nesting level, so depth is bounded here too.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._composed = 0

    def compose_node(self, parent: Node | None, index: object) -> Node:
        event = self.peek_event()
        self._composed += 1  # an alias counts once here; `_check_tree` counts each use of it in full
        _check_value(event, self._composed)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                problem = f"values nested more than {MAX_DEPTH} deep"
                raise yaml.composer.ComposerError(None, None, problem, event.start_mark)
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
    except UsageError as error:  # a limit met while composing: name the file
        raise UsageError(error.message, path=source, line=error.line) from None
    except yaml.YAMLError as error:
        if not is_json:
            raise _yaml_error(error, source, text) from None
        root = _parse_json(text, source)
    if root is None or (isinstance(root, ScalarNode) and root.tag == NULL):
        raise UsageError("the file is empty (or holds only comments); it needs homework: and answers:",
                         path=source)
    _check_tree(root, source)  # before the root's kind: the Python composer refuses a tag on it first
    if not isinstance(root, MappingNode):
        raise UsageError(
            f"the file must be a mapping with homework:, student: and answers:, not {describe(root)}",
            path=source, line=node_line(root),
        )
    return root


# libyaml composes ~20× faster than PyYAML (a class of 1,000 files: 0.7 s instead of 14 s), but
# its composer recurses in C once per nesting level and builds every node, without a limit.
# Every nesting level, and every value but the root, needs one of these indicator characters,
# each bringing at most two values (a key and its value): a text with fewer than 2,000 of them
# nests less than 2,000 deep and holds at most 4,000 values. Such texts take the fast path;
# anything else, and any error, takes the Python composer, which counts as it goes (a text with
# many indicators is first counted by libyaml's parser, `_count_values`, which is faster still).
# libyaml's marks carry no buffer, which `_latex_source` needs for double-quoted LaTeX: a text
# with both a double quote and a backslash takes the Python path too (without a backslash there
# is no escape to undo), and so does one with a tab, which libyaml accepts after a colon where
# PyYAML (and our advice to students) does not.
_FAST_INDICATORS = "[{:?,-"
_FAST_MAX_INDICATORS = 2000


def _compose(text: str) -> Node | None:
    """The node graph of `text`: libyaml when that is safe and succeeds, else PyYAML (exact errors)."""
    few_indicators = sum(map(text.count, _FAST_INDICATORS)) < _FAST_MAX_INDICATORS
    if not few_indicators:
        _count_values(text)
    quoted_latex = '"' in text and "\\" in text
    if _FAST_LOADER is not None and few_indicators and not quoted_latex and "\t" not in text:
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


def _count_values(text: str) -> None:
    """Refuse, as the Python composer would, a text of more than MAX_NODES values, if libyaml can tell.

    A megabyte of flow pairs is refused so in 0.1 s, rather than the 1.4 s PyYAML takes to
    compose its first 100,000 values.
    """
    if _FAST_LOADER is not None:
        mark = value_past_limit(text, MAX_NODES, _FAST_LOADER, _STANDARD_TAGS)
        if mark is not None:
            raise UsageError(_TOO_MANY_VALUES, line=mark.line + 1)


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
    nodes = _JsonNodes(source)
    try:
        value = json.loads(
            text,
            object_pairs_hook=nodes.mapping,  # keeps duplicate keys, like the YAML path
            parse_int=lambda t: nodes.scalar(_INT, t),  # keep numbers as typed
            parse_float=lambda t: nodes.scalar(_FLOAT, t),
            parse_constant=lambda t: nodes.scalar(_FLOAT, t),
        )
        return nodes.node(value)
    except json.JSONDecodeError as error:
        raise UsageError(f"could not read the JSON at column {error.colno}: {error.msg}",
                         path=source, line=error.lineno) from None
    except RecursionError:
        raise UsageError(f"values nested more than {MAX_DEPTH} deep", path=source) from None


class _JsonNodes:
    """Makes the nodes of a JSON document as json.loads reads it, refusing value MAX_NODES + 1 at once."""

    def __init__(self, source: str):
        self.source = source
        self.made = 0

    def scalar(self, tag: str, text: str) -> ScalarNode:
        self._count()
        return ScalarNode(tag, text)

    def mapping(self, pairs: list[tuple[str, object]]) -> MappingNode:
        self._count()
        return MappingNode(_MAP, [(self.scalar(_STR, key), self.node(value)) for key, value in pairs])

    def node(self, value: object) -> Node:
        """Turn what json.loads left as Python values (strings, lists, true/false/null) into nodes."""
        if isinstance(value, Node):
            return value
        if isinstance(value, list):
            self._count()
            return SequenceNode(_SEQ, [self.node(item) for item in value])
        if isinstance(value, bool):
            return self.scalar(_BOOL, "true" if value else "false")
        if value is None:
            return self.scalar(NULL, "null")
        return self.scalar(_STR, str(value))

    def _count(self) -> None:
        self.made += 1
        if self.made > MAX_NODES:  # json.loads gives no lines
            raise UsageError(_TOO_MANY_VALUES, path=self.source)


def _check_tree(root: Node, source: str) -> None:
    """Refuse non-standard tags, alias bombs and self-containing aliases anywhere in the file.

    Later walks visit a subset of what this visits, so they are bounded too.
    """
    visited = 0

    def visit(node: Node, depth: int) -> None:
        nonlocal visited
        visited += 1
        if visited > MAX_NODES:
            raise UsageError(_TOO_MANY_VALUES, path=source, line=node_line(node))
        if depth > MAX_DEPTH:
            raise UsageError(f"values nested more than {MAX_DEPTH} deep (an alias inside itself?)",
                             path=source, line=node_line(node))
        if node.tag not in _STANDARD_TAGS:
            raise UsageError(_tag_refused(node.tag), path=source, line=node_line(node))
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

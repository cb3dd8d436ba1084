"""Tests of loading submission files: answers as typed, line numbers, warnings and usage errors."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.core.errors import UsageError
from grader.core.models import RawAnswer
from grader.io.submission import MAX_FILE_BYTES, load_submission, load_submission_text

HEADER = "homework: hw2-cnn\nanswers:\n"  # answers written after it start on line 3
KNOWN = ["p4.layer1.output", "p4.layer1.params", "p4.layer8.output", "p4.formula.conv_out", " p1.a "]


def load(text: str | bytes, source: str = "ada.yaml", **kwargs):
    return load_submission_text(text, source=source, **kwargs)


def answers_of(text: str, **kwargs) -> dict[str, tuple[str, int | None]]:
    submission = load(text, **kwargs)
    return {item_id: (answer.text, answer.line) for item_id, answer in submission.answers.items()}


def usage_error(text: str | bytes, source: str = "ada.yaml") -> UsageError:
    with pytest.raises(UsageError) as caught:
        load(text, source)
    return caught.value


CONTRACT_EXAMPLE = """\
# yaml-language-server: $schema=schemas/hw2-cnn.json
homework: hw2-cnn            # required: which homework plugin grades it
student:
  id: ada
  name: Ada Lovelace
answers:
  p4:
    layer1:
      output: 256 x 256 x 32
      params: (7*7*3 + 1) * 32      # arithmetic is allowed wherever a number is expected
    layer2.output: [126, 126, 64]
  p4.formula.conv_out: floor((H + 2p - d(k-1) - 1)/s) + 1
  p2.a.invariance: f(T(x)) = f(x)
  p1.b.i: suitable
  p1.a: |
    The same filter weights are reused at every position ...
    so one filter finds a feature anywhere.
"""


def test_mixed_nested_and_dotted_file(tmp_path, write_submission):
    """The CONTRACT example loads with every id, text and line right, and no warnings."""
    path = write_submission(tmp_path, CONTRACT_EXAMPLE)
    submission = load_submission(path)
    assert submission.homework == "hw2-cnn"
    assert (submission.student.id, submission.student.name) == ("ada", "Ada Lovelace")
    assert submission.source == str(path)
    assert submission.warnings == []
    assert submission.answers == {
        "p4.layer1.output": RawAnswer(text="256 x 256 x 32", line=9),
        "p4.layer1.params": RawAnswer(text="(7*7*3 + 1) * 32", line=10),
        "p4.layer2.output": RawAnswer(text="[126, 126, 64]", line=11),
        "p4.formula.conv_out": RawAnswer(text="floor((H + 2p - d(k-1) - 1)/s) + 1", line=12),
        "p2.a.invariance": RawAnswer(text="f(T(x)) = f(x)", line=13),
        "p1.b.i": RawAnswer(text="suitable", line=14),
        "p1.a": RawAnswer(
            text="The same filter weights are reused at every position ...\n"
            "so one filter finds a feature anywhere.",
            line=15,
        ),
    }


@pytest.mark.parametrize(
    ("written", "text"),
    [
        ("44303360", "44303360"),
        ("44,303,360", "44,303,360"),
        ("44 303 360", "44 303 360"),
        ("44_303_360", "44_303_360"),
        ("4.43e7", "4.43e7"),
        ("45.9M", "45.9M"),
        ("1:30", "1:30"),
        ("0x10", "0x10"),
        ("007", "007"),
        ("-3", "-3"),
        (".inf", ".inf"),
        ("yes", "yes"),
        ("off", "off"),
        ("true", "true"),
        ("2024-01-31", "2024-01-31"),
        ("=", "="),
        ("'a: b'", "a: b"),
        ('"2 \\u00d7 3"', "2 × 3"),
        ('"\\ud83d\\ude00"', "😀"),
        ("!!str 12", "12"),
        ("$(7 \\times 7 \\times 3 + 1) \\times 32$", "$(7 \\times 7 \\times 3 + 1) \\times 32$"),
    ],
    ids=["plain", "commas", "spaces", "underscores", "exponent", "suffix", "sexagesimal", "hex",
         "leading-zero", "negative", "inf", "yes", "off", "true", "date", "equals-sign", "quoted-colon",
         "escape", "surrogate-pair", "explicit-str", "latex"],
)
def test_answers_keep_the_text_as_typed(written, text):
    """YAML never turns an answer into a number, boolean or date: the text stays as typed."""
    assert answers_of(HEADER + f"  p1: {written}\n") == {"p1": (text, 3)}


LATEX_WARNING = (
    "line 3: item p1: backslashes read as LaTeX, as typed (in double quotes YAML reads "
    "\\f, \\t, \\n, … as escapes; write LaTeX in single quotes)"
)


@pytest.mark.parametrize(
    ("written", "text", "warnings"),
    [
        ('"\\frac{a}{b}"', "\\frac{a}{b}", [LATEX_WARNING]),
        ('"$(7 \\times 7 \\times 3 + 1) \\times 32$"', "$(7 \\times 7 \\times 3 + 1) \\times 32$",
         [LATEX_WARNING]),
        ('"\\nabla f \\neq 0"', "\\nabla f \\neq 0", [LATEX_WARNING]),
        ('"\\\\frac{a}{b}"', "\\frac{a}{b}", []),
        ("'\\frac{a}{b}'", "\\frac{a}{b}", []),
        ('"2 \\u00d7 3"', "2 × 3", []),
        ('"a\\tb"', "a\tb", []),
        ('"First.\\nSecond"', "First.\nSecond", []),
    ],
    ids=["frac", "times", "nabla-neq", "escaped-backslash", "single-quotes", "unicode-escape", "tab-escape",
         "newline-escape"],
)
def test_latex_in_double_quotes_is_read_as_typed(written, text, warnings):
    """LaTeX that YAML's double-quote escapes would silently garble (\\f, \\t) is taken as typed."""
    submission = load(HEADER + f"  p1: {written}\n")
    assert (submission.answers, submission.warnings) == ({"p1": RawAnswer(text=text, line=3)}, warnings)


@pytest.mark.parametrize(
    ("block", "text"),
    [
        ("|\n    line one\n    line two\n", "line one\nline two"),
        ("|-\n    line one\n    line two\n", "line one\nline two"),
        ("|+\n    line one\n\n\n", "line one"),
        (">\n    line one\n    line two\n", "line one line two"),
        ("|\n    x: y  # not a comment\n", "x: y  # not a comment"),
    ],
    ids=["literal", "strip", "keep", "folded", "colon-and-hash"],
)
def test_block_scalars_keep_their_text(block, text):
    """A block scalar keeps its text without the trailing newline; its line is the key's."""
    assert answers_of(HEADER + f"  p1.a: {block}") == {"p1.a": (text, 3)}


@pytest.mark.parametrize(
    ("written", "answers"),
    [
        ("  p4.shape: [256, 256, 32]\n", {"p4.shape": ("[256, 256, 32]", 3)}),
        ("  p4.shape:\n    - 256\n    - 0x100\n    - 32\n", {"p4.shape": ("[256, 0x100, 32]", 4)}),
        ("  p4.shape: ['256', 2.56e2]\n", {"p4.shape": ("[256, 2.56e2]", 3)}),
        ("  p4.shape: []\n", {}),
    ],
    ids=["flow", "block", "quoted-and-exponent", "empty"],
)
def test_yaml_lists_become_shape_text(written, answers):
    """A list of scalars is read as `[a, b, c]` with each entry as typed; an empty list is blank."""
    assert answers_of(HEADER + written) == answers


@pytest.mark.parametrize(
    ("written", "line"),
    [
        ("  p4.shape: [[1, 2], [3, 4]]\n", 3),
        ("  p4.shape: [{a: 1}]\n", 3),
        ("  p4.shape:\n    - 1\n    - - 2\n", 4),
    ],
    ids=["list-of-lists", "list-of-mappings", "block-nested"],
)
def test_nested_lists_are_skipped_with_a_warning(written, line):
    """A list holding lists or mappings is no answer: skipped with a warning naming the line."""
    submission = load(HEADER + written)
    assert submission.answers == {}
    assert submission.warnings == [
        f"line {line}: item p4.shape: a list of lists/mappings cannot be an answer"
    ]


@pytest.mark.parametrize(
    "written",
    ["  p1:\n", "  p1: ~\n", "  p1: null\n", "  p1: ''\n", "  p1: '   '\n", "  p1: |\n", "  p1: !!null x\n"],
    ids=["nothing", "tilde", "null", "empty-string", "spaces", "empty-block", "explicit-null"],
)
def test_blank_answers_are_not_answered(written):
    """A null or empty value means the item was not answered, without a warning."""
    submission = load(HEADER + written)
    assert (submission.answers, submission.warnings) == ({}, [])


@pytest.mark.parametrize(
    ("written", "item_id"),
    [
        ("  p4: {layer1: {output: 5}}\n", "p4.layer1.output"),
        ("  p4.layer1.output: 5\n", "p4.layer1.output"),
        ("  p4: {layer1.output: 5}\n", "p4.layer1.output"),
        ("  p4.layer1:\n    output: 5\n", "p4.layer1.output"),
        ("  ' p4 . layer1 ': {' output ': 5}\n", "p4.layer1.output"),
        ("  p4:\n    layer:\n      1: 5\n", "p4.layer.1"),
        ("  p4:\n    layer:\n      0x1: 5\n", "p4.layer.0x1"),
        ("  a: {b: {c.d: {e: {f.g: {h: 5}}}}}\n", "a.b.c.d.e.f.g.h"),
    ],
    ids=["nested", "dotted", "nested-then-dotted", "dotted-then-nested", "whitespace", "int-key",
         "hex-key", "deep-mix"],
)
def test_nested_and_dotted_keys_make_the_same_id(written, item_id):
    """Keys are joined with '.', whitespace stripped, non-string keys by their original text."""
    assert load(HEADER + written).answers == {item_id: RawAnswer(text="5", line=3 + written.count("\n") - 1)}


@pytest.mark.parametrize(
    ("written", "first", "second"),
    [
        ("  p1: 1\n  p1: 2\n", 3, 4),
        ("  p4:\n    layer1:\n      output: 1\n  p4.layer1.output: 2\n", 5, 6),
        ("  p4.layer1.output: 1\n  p4:\n    layer1.output: 2\n", 3, 5),
        ("  p4: {layer1: {output: 1}}\n  p4: {layer1: {output: 2}}\n", 3, 4),
    ],
    ids=["same-mapping", "nested-then-dotted", "dotted-then-nested", "duplicate-groups"],
)
def test_an_item_given_twice_warns_and_the_later_wins(written, first, second):
    """The same id twice, in any spelling, warns with both lines and grades the later answer."""
    submission = load(HEADER + written)
    item_id = next(iter(submission.answers))
    assert submission.answers[item_id] == RawAnswer(text="2", line=second)
    assert submission.warnings == [
        f"item {item_id} is given twice (lines {first} and {second}); the later answer is graded"
    ]


def test_answers_merge_from_groups_given_twice():
    """A group repeated (PyYAML keeps duplicate keys) adds its items instead of replacing them."""
    submission = load(HEADER + "  p4: {a: 1}\n  p4: {b: 2}\n")
    assert (set(submission.answers), submission.warnings) == ({"p4.a", "p4.b"}, [])


@pytest.mark.parametrize(
    ("written", "answers", "warnings"),
    [
        ("  p4.layer1.output: 5\n  p1.a: x\n", {"p4.layer1.output", "p1.a"}, []),
        ("  p4.layer9.output: 5\n", set(),
         ["line 3: unknown item p4.layer9.output (did you mean p4.layer8.output?)"]),
        ("  zzz: 5\n", set(), ["line 3: unknown item zzz"]),
        ("  p4.layer1: 256x256x32\n", set(),
         ["line 3: p4.layer1 is a group of items (p4.layer1.output, p4.layer1.params); "
          "give each item separately"]),
        ("  p4: 5\n", set(),
         ["line 3: p4 is a group of items (p4.layer1.output, p4.layer1.params, p4.layer8.output, …); "
          "give each item separately"]),
        ("  P4.Layer1.Output: 5\n", {"p4.layer1.output"},
         ["line 3: item P4.Layer1.Output read as p4.layer1.output (item ids are case-sensitive)"]),
        ("  P4.layer1.output: 5\n  p4.layer1.output: 6\n", {"p4.layer1.output"},
         ["line 3: item P4.layer1.output read as p4.layer1.output (item ids are case-sensitive)",
          "item p4.layer1.output is given twice (lines 3 and 4); the later answer is graded"]),
    ],
    ids=["known", "unknown-close", "unknown-far", "group", "large-group", "case-only", "case-then-exact"],
)
def test_known_ids_check_what_was_answered(written, answers, warnings):
    """With known ids, unknown ids and groups are dropped with a warning; case slips are accepted."""
    submission = load(HEADER + written, known_ids=KNOWN)
    assert (set(submission.answers), submission.warnings) == (answers, warnings)


@pytest.mark.parametrize(
    ("text", "kwargs", "student", "warnings"),
    [
        (CONTRACT_EXAMPLE, {}, ("ada", "Ada Lovelace"), []),
        (HEADER + "  p1: 1\n", {}, ("ada", None), []),
        (HEADER + "  p1: 1\n", {"default_student_id": "bob"}, ("bob", None), []),
        ("homework: hw\nstudent: {id: 007}\nanswers: {p1: 1}\n", {}, ("007", None), []),
        ("homework: hw\nstudent: {name: Bob}\nanswers: {p1: 1}\n", {}, ("ada", "Bob"), []),
        ("homework: hw\nstudent: Bob\nanswers: {p1: 1}\n", {}, ("ada", None),
         ["line 2: student must be a mapping with id and name; ignored"]),
        ("homework: hw\nstudent: {id: bob, email: b@x}\nanswers: {p1: 1}\n", {}, ("bob", None),
         ["line 2: unknown key 'email' under student ignored (expected id, name)"]),
        ("homework: hw\n", {}, ("ada", None), ["no answers section"]),
        ("homework: hw\nanswers:\n", {}, ("ada", None), ["line 2: the answers section is empty"]),
        ("homework: hw\nanswer:\n  p1: 1\n", {}, ("ada", None),
         ["line 2: unknown top-level key 'answer' ignored (did you mean answers?)", "no answers section"]),
        ("homework: hw\ncourse: ml\nanswers: {p1: 1}\n", {}, ("ada", None),
         ["line 2: unknown top-level key 'course' ignored (expected homework, student, answers)"]),
        ("homework: hw\nhomework: hw2\nanswers: {p1: 1}\n", {}, ("ada", None),
         ["line 2: homework is given twice; the later one is used"]),
    ],
    ids=["full", "default-stem", "default-id", "numeric-id", "name-only", "student-text", "student-extra",
         "no-answers", "empty-answers", "misspelt-section", "unknown-section", "homework-twice"],
)
def test_top_level_sections(text, kwargs, student, warnings):
    """homework/student/answers are read; a missing student id defaults; oddities only warn."""
    submission = load(text, **kwargs)
    assert (submission.student.id, submission.student.name) == student
    assert submission.warnings == warnings


def test_two_answers_sections_are_both_read():
    """A repeated answers: section adds its answers to the first one's."""
    submission = load("homework: hw\nanswers: {p1: 1}\nanswers: {p2: 2}\n")
    assert set(submission.answers) == {"p1", "p2"}


JSON_TEXT = """\
{
\t"homework": "hw2-cnn",
\t"student": {"id": "ada", "name": "Ada"},
\t"answers": {
\t\t"p4": {"layer1": {"output": [256, 256, 32], "params": 4736}},
\t\t"p4.formula.conv_out": "floor((H + 2p - k)/s) + 1",
\t\t"p1.b.i": 4.43e7,
\t\t"p1.b.ii": true,
\t\t"p1.b.iii": null
\t}
}
"""


@pytest.mark.parametrize(
    ("text", "answers"),
    [
        (JSON_TEXT, {
            "p4.layer1.output": ("[256, 256, 32]", 5),
            "p4.layer1.params": ("4736", 5),
            "p4.formula.conv_out": ("floor((H + 2p - k)/s) + 1", 6),
            "p1.b.i": ("4.43e7", 7),
            "p1.b.ii": ("true", 8),
        }),
        ('{"homework":"hw","answers":{"p1":"a\\/b","p2":-1E+3}}', {"p1": ("a/b", 1), "p2": ("-1E+3", 1)}),
        ('{"homework": "hw", "answers": {"' + "k" * 1100 + '": 1.50, "p1": [1, false]}}',
         {"k" * 1100: ("1.50", None), "p1": ("[1, false]", None)}),
    ],
    ids=["tabs-and-types", "compact", "long-key-fallback"],
)
def test_json_files(tmp_path, write_submission, text, answers):
    """JSON is read like YAML, with lines; JSON that PyYAML rejects falls back to json without lines."""
    submission = load_submission(str(write_submission(tmp_path, text, name="ada.json")))
    assert {item_id: (a.text, a.line) for item_id, a in submission.answers.items()} == answers
    assert submission.warnings == []


def test_invalid_json_reports_the_json_problem():
    """A broken .json file gets the json module's message, line and column."""
    error = usage_error('{\n  "homework": "hw",\n  "answers": {"p1": 1\n}\n', source="ada.json")
    assert (error.path, error.line) == ("ada.json", 5)
    assert "could not read the JSON at column" in error.message


def test_file_errors(tmp_path, write_submission):
    """A missing file, a folder and an oversized file are usage errors naming the file."""
    missing = tmp_path / "nobody.yaml"
    with pytest.raises(UsageError, match="file not found") as caught:
        load_submission(missing)
    assert caught.value.path == str(missing)
    with pytest.raises(UsageError, match="is a folder"):
        load_submission(tmp_path)
    big = write_submission(tmp_path, HEADER + "#" * MAX_FILE_BYTES)
    with pytest.raises(UsageError, match="larger than 1,000,000 bytes"):
        load_submission(big)
    with pytest.raises(UsageError, match="larger than 1,000,000 bytes"):
        load(HEADER + "#" * MAX_FILE_BYTES)


@pytest.mark.parametrize(
    ("text", "line", "fragments"),
    [
        (b"homework: hw\nanswers:\n  p1: caf\xe9\n", 3, ["not valid UTF-8 at column 10", "0xe9"]),
        (b"homework: hw\nanswers:\n  p1: \xe2\x9c\x93 \xff\n", 3, ["not valid UTF-8 at column 9", "0xff"]),
        ("", None, ["the file is empty"]),
        ("# only a comment\n\n", None, ["the file is empty"]),
        ("---\n", None, ["the file is empty"]),
        (HEADER + "  p1: f(x): y\n", 3,
         ["could not read the YAML at column 11: mapping values are not allowed here",
          "(an answer containing ': ' must be quoted)"]),
        (HEADER + "\tp1: 3\n", 3,
         ["found character '\\t'", "(use spaces, not tabs, to indent and after ':')"]),
        (HEADER + "  p1:\t3\n", 3, ["found character '\\t'", "(use spaces, not tabs"]),
        (HEADER + '  p1: "abc\n  p2: 4\n', 5,
         ["found unexpected end of stream while scanning a quoted scalar that starts on line 3",
          "(a quote is not closed)"]),
        (HEADER + "  p1: 'a' b\n", 3, ["(an answer that starts with a quote must end with it"]),
        (HEADER + "  p1: [1, 2\n  p2: 4\n", 4, ["that starts on line 3", "(a '[' is not closed"]),
        (HEADER + "  p1: *32\n", 3, ["found undefined alias", "'*' must be quoted"]),
        (HEADER + "  p1: @home\n", 3, ["found character '@'", "must be quoted"]),
        (HEADER + "  p1: * 3\n", 3, ["while scanning an alias", "'*' must be quoted"]),
        (HEADER + "  p1: |x|\n", 3, ["while scanning a block scalar", "'|' or '>' must be quoted"]),
        (HEADER + "  p1: - 3\n", 3, ["sequence entries are not allowed here", "'- ' must be quoted"]),
        (HEADER + "  p1: [1, 2]]\n", 3, ["but found ']'", "a ']' closes nothing"]),
        (HEADER + '  p1: "a \\cdot b"\n', 3,
         ["found unknown escape character 'c'", "use single quotes for LaTeX"]),
        (HEADER + "  p1: &x 1\n  p2: &x 2\n", 4,
         ["found duplicate anchor 'x'; first occurrence on line 3, second occurrence", "'&' must be quoted"]),
        (HEADER + "  p1.a: The same filter\nweights are reused\n  p2: 3\n", 5,
         ["could not find expected ':'", "must stay indented under its key"]),
        (HEADER + "  p1: 3\n p2: 4\n", 4, ["check the indentation"]),
        ("homework: hw\n---\nanswers: {}\n", 2, ["a second YAML document starts here"]),
        ("homework: hw\x07\n", 1, ["character YAML does not allow (U+0007)"]),
        ("- homework: hw\n", 1, ["must be a mapping with homework:, student: and answers:, not a list"]),
        ("hw2-cnn\n", 1, ["not a single value"]),
        ("student: {id: ada}\nanswers: {}\n", 1,
         ["homework: is missing (top-level keys found: student, answers)"]),
        ("homework: [hw]\nanswers: {}\n", 1, ["homework must name the homework", "not a list"]),
        ("homework:\nanswers: {}\n", 1, ["homework must name the homework"]),
        ("homework: hw\nanswers:\n  - p1: 3\n", 3,
         ["answers must be a mapping of item ids to answers, not a list"]),
        ("homework: hw\nanswers: p1\n", 2, ["answers must be a mapping", "not a single value"]),
        (HEADER + "  p1: !!python/object/apply:os.system ['true']\n", 3,
         ["tags are not allowed (!!python/object/apply:os.system)"]),
        (HEADER + "  p1: !important\n", 3,
         ["tags are not allowed (!important)", "quote an answer that starts with '!'"]),
        ("homework: hw\nstudent: !!python/name:os.system\nanswers: {}\n", 2, ["tags are not allowed"]),
        ("homework: hw\nanswers: {}\nloop: &a [*a]\n", 3, ["nested more than 64 deep"]),
        (HEADER + "  p1: " + "[" * 100 + "]" * 100 + "\n", 3, ["nested more than 64 deep"]),
    ],
    ids=["latin1", "bad-byte-after-multibyte", "empty", "only-comments", "empty-document", "unquoted-colon",
         "tab-indent", "tab-after-colon", "unclosed-quote", "text-after-quote", "unclosed-bracket", "star",
         "at-sign", "star-space", "bar", "dash", "extra-bracket", "latex-in-double-quotes", "duplicate-anchor",
         "unindented-continuation", "dedent", "two-documents", "control-character", "root-list",
         "root-text", "no-homework", "homework-list", "homework-blank", "answers-list", "answers-text",
         "python-tag", "custom-tag", "tag-outside-answers", "recursive-alias", "deep-nesting"],
)
def test_usage_errors_name_the_file_line_and_problem(text, line, fragments):
    """Each unusable file raises UsageError whose text names the file, the line and the problem."""
    error = usage_error(text)
    assert (error.path, error.line) == ("ada.yaml", line)
    assert str(error).startswith(f"ada.yaml:{line}: " if line else "ada.yaml: ")
    for fragment in fragments:
        assert fragment in error.message


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + HEADER.encode() + b"  p1: caf\xc3\xa9\n",
        (HEADER + "  p1: café\n").encode("utf-16"),
        "\ufeff".encode("utf-16-be") + (HEADER + "  p1: café\n").encode("utf-16-be"),
    ],
    ids=["utf8-bom", "utf16-le-bom", "utf16-be-bom"],
)
def test_byte_order_marks_are_read(data):
    """A UTF-8 BOM is skipped; UTF-16 with a BOM (Windows "Unicode") is decoded."""
    assert answers_of(data) == {"p1": ("café", 3)}


def test_python_tags_run_nothing(tmp_path, write_submission):
    """`!!python/object/apply:os.system` is refused by line, and the command never runs."""
    marker = tmp_path / "pwned"
    path = write_submission(tmp_path, HEADER + f"  p1: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(UsageError, match="tags are not allowed") as caught:
        load_submission(path)
    assert caught.value.line == 3
    assert not marker.exists()


def test_aliases_resolve_to_the_anchored_text():
    """An alias gives the anchored answer's original text (and the anchor's line)."""
    text = HEADER + "  p1: &n 0x10\n  p2: *n\n  p3: &g {a: 1}\n  p4: *g\n"
    assert answers_of(text) == {"p1": ("0x10", 3), "p2": ("0x10", 3), "p3.a": ("1", 5), "p4.a": ("1", 5)}


def test_billion_laughs_is_refused_quickly():
    """An alias bomb (10^9 values from a few lines) stops at the node limit within a second."""
    lines = ['  l0: &l0 "lol"']
    lines += [f"  l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]" for n in range(1, 10)]
    start = time.perf_counter()
    with pytest.raises(UsageError, match="more than 100,000 values"):
        load(HEADER + "\n".join(lines) + "\n")
    assert time.perf_counter() - start < 1


# Characters that matter to YAML, so random text often gets past the first token.
YAMLISH = st.text(alphabet=st.sampled_from([*"ab1.:-[]{}'\"#&*!|>?,%@`~ \t\n\r", "é", "\ufeff", "\x00"]))


@settings(deadline=1000, max_examples=300)
@given(data=st.one_of(st.binary(), st.text(), YAMLISH, YAMLISH.map(lambda t: HEADER + t)),
       source=st.sampled_from(["ada.yaml", "ada.json"]))
def test_anything_loads_or_raises_usage_error(data, source):
    """Arbitrary bytes or text either load or raise UsageError; no other exception escapes."""
    try:
        load(data, source)
    except UsageError:
        pass

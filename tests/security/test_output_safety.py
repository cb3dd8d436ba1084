"""Security corpus, output: student text printed by `grader check` (every format) and `grader grade`.

Hostile text is put in answers, item ids and keys, the student's id and name, the homework name
and the file name, and the real CLI runs as inside GitHub Actions. No line of stdout or stderr may
be a workflow command other than the grader's own annotations, hold `##[`, or carry a terminal
control, bidi or line-separator character; the step outputs are exactly the grader's numbers;
results.jsonl is one record per line for every line splitter; Markdown links and mentions nothing.
"""

from __future__ import annotations

import base64
import html
import json
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from grader.api import check_file
from tests.ci.conftest import KEY, make_submission
from tests.cli_runs import run_cli
from tests.security.conftest import within

# id, text. Each would do something if printed raw: run a workflow command (the runner reads one
# per line, a line ending at \n, \r or \r\n, leading blanks ignored, `##[` honoured anywhere),
# drive a terminal, reorder text or split a JSON line (links and mentions: MARKDOWN_TRIGGERS).
HOSTILE = [
    ("set-output", "x\n::set-output name=score::100"),
    ("notice-indented", "x\n    ::notice title=hw2-cnn grade::Points 100/100"),
    ("stop-commands", "x\n::stop-commands::pwned"),
    ("carriage-return", "x\r::error::forged"),
    ("zero-width-before-colons", "x\n\u200b::add-mask::0"),
    ("old-command-mid-line", "see ##[set-output name=score]100"),
    ("old-error", "##[error]forged"),
    ("osc-title", "\x1b]0;pwned\x07"),
    ("csi-colour", "\x1b[31mred\x1b[0m"),
    ("clear-screen", "\x1b[2J\x1b[H"),
    ("c1-csi", "\x9b2J"),
    ("bidi-override", "\u202eevil\u202c \u2066x\u2069"),
    ("line-separators", "a\u2028::warning::ls\u2029b\x85c\x0bd"),
]
PAYLOADS = [text for _, text in HOSTILE] + ["@octocat", "https://evil.example www.evil.example"]
# A file name cannot hold `/` (nor NUL): the payloads that can be one.
NAME_PAYLOADS = "".join(text for text in PAYLOADS if "/" not in text)
FORMATS = ["text", "json", "markdown", "junit", "gradescope", "classroom"]
# Items whose answers carry the payloads: numbers and formulas echo the answer under a caret.
ANSWER_ITEMS = ["p4.layer1.params", "p4.layer2.params", "p4.formula.conv_out", "p1.a", "p2.b"]

# The grader's own commands, on stderr: a known command, escaped properties (no `:`), then `::`.
OWN_COMMAND = re.compile(r"::(warning|notice|error)( [^:\r\n]*)?::")
# Controls (\n aside), DEL, C1, bidi controls and line/paragraph separators: nothing a terminal acts on.
UNSAFE_CHARACTER = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def visible(line: str) -> str:
    """A line as a culture-sensitive comparison may see it: format and control characters skipped."""
    return "".join(ch for ch in line if unicodedata.category(ch) not in ("Cf", "Cc"))


def assert_log_safe(text: str, *, stream: str, own_commands: bool = False) -> list[str]:
    """Every line is plain for a terminal and for the runner; returns the grader's own command lines."""
    commands = []
    for line in text.split("\n"):
        assert not UNSAFE_CHARACTER.search(line), f"{stream}: terminal-active character in {line!r}"
        shown = visible(line)
        assert "##[" not in shown, f"{stream}: old-style workflow command in {line!r}"
        if shown.lstrip().startswith("::"):
            assert own_commands and OWN_COMMAND.match(line), f"{stream}: forged workflow command {line!r}"
            commands.append(line)
    return commands


def hostile_submission(folder: Path, payloads: list[str] = PAYLOADS) -> Path:
    """The key's answers (full marks) but for hostile answers, keys, student and file name."""
    document = {
        "homework": "hw2-cnn",
        "student": {"id": "ada" + "".join(payloads), "name": " ".join(payloads)},
        "answers": {**KEY, **{item: " ".join(payloads) for item in ANSWER_ITEMS},
                    **{f"p9{payload}": "1" for payload in payloads}},
        **{f"extra{payload}": 1 for payload in payloads},
    }
    path = folder / ("ada" + "".join(text for text in payloads if "/" not in text) + ".yaml")
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=200), encoding="utf-8")
    return path


def actions_env(monkeypatch, tmp_path: Path) -> dict[str, Path]:
    """Point the variables a runner sets at fresh files; return those files."""
    files = {name: tmp_path / name.lower() for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")}
    for name, path in files.items():
        path.write_text("", encoding="utf-8")
        monkeypatch.setenv(name, str(path))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    return files


def step_outputs(path: Path) -> dict[str, str]:
    """$GITHUB_OUTPUT as the grader must write it: `name=value` lines only, each name once."""
    pairs = [line.split("=", 1) for line in path.read_text(encoding="utf-8").split("\n") if line]
    found = dict(pairs)
    assert len(found) == len(pairs), f"an output is set twice: {pairs}"
    return found


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    hostile_submission(folder)
    return folder


@pytest.mark.parametrize("format", FORMATS)
def test_check_prints_hostile_text_safely(format, hostile_folder, tmp_path, monkeypatch, capsys):
    """Every format on stdout, the annotations on stderr, and the step outputs are safe."""
    [path] = hostile_folder.glob("*.yaml")
    assert_check_prints_safely(path, format, tmp_path, monkeypatch, capsys)


@pytest.mark.parametrize("payload", PAYLOADS[:len(HOSTILE)], ids=[case[0] for case in HOSTILE])
def test_each_hostile_text_prints_safely_in_every_format(payload, tmp_path, monkeypatch, capsys):
    """One payload at a time (in answers, keys, student and file name), through every format."""
    path = hostile_submission(tmp_path, [payload])
    for format in FORMATS:
        assert_check_prints_safely(path, format, tmp_path / format, monkeypatch, capsys)


def assert_check_prints_safely(path: Path, format: str, tmp_path: Path, monkeypatch, capsys) -> None:
    tmp_path.mkdir(exist_ok=True)
    files = actions_env(monkeypatch, tmp_path)
    code, out, err = run_cli(capsys, "check", str(path), "--format", format)
    assert code == 0, err
    assert_log_safe(out, stream="stdout")
    own = assert_log_safe(err, stream="stderr", own_commands=True)
    result = check_file(path)
    assert 0 < result.score < 100
    assert own[-1] == f"::notice title=hw2-cnn grade::Points {result.score:g}/100"
    outputs = step_outputs(files["GITHUB_OUTPUT"])
    assert set(outputs) == ({"score", "max-score", "result"} if format == "classroom" else {"score", "max-score"})
    assert (outputs["score"], outputs["max-score"]) == (f"{result.score:g}", "100")
    if format == "classroom":  # the grading reporter prints each test's name and message to its log
        payload = json.loads(base64.b64decode(outputs["result"]))
        for test in payload["tests"]:
            for field in ("name", "message", "test_code", "filename"):
                assert_log_safe(test[field], stream=f"result {test['name']}.{field}")


# id, file content, the step output max-score (the homework's when the file names an installed one)
UNUSABLE = [
    ("keys-without-homework", {f"key{payload}": 1 for payload in PAYLOADS}, "0"),
    ("hostile-homework-name", {"homework": "hw9" + "".join(PAYLOADS), "answers": {}}, "0"),
    ("hostile-tag", "homework: hw2-cnn\nanswers:\n  p1.a: !<tag:%0A::set-output%20name=score::100%0D%23%23[error]x%1B[2J> 1\n",
     "100"),
]


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("content, max_score", [case[1:] for case in UNUSABLE], ids=[case[0] for case in UNUSABLE])
def test_unusable_submission_quotes_hostile_text_safely(content, max_score, format, tmp_path, monkeypatch, capsys):
    """A usage error quoting hostile keys, homework names or tags prints safely; outputs say 0 points."""
    path = tmp_path / f"sub{NAME_PAYLOADS}.yaml"
    text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True, width=200)
    path.write_text(text, encoding="utf-8")
    files = actions_env(monkeypatch, tmp_path)
    code, out, err = run_cli(capsys, "check", str(path), "--format", format)
    assert code == 2
    assert_log_safe(out, stream="stdout")
    [own] = assert_log_safe(err, stream="stderr", own_commands=True)
    assert own.startswith("::error ")
    outputs = step_outputs(files["GITHUB_OUTPUT"])
    assert set(outputs) == ({"score", "max-score", "result"} if format == "classroom" else {"score", "max-score"})
    assert (outputs["score"], outputs["max-score"]) == ("0", max_score)


def test_grade_summary_prints_hostile_names_and_errors_safely(tmp_path, capsys):
    """`grader grade`: hostile file and folder names, student ids and errors reach the terminal escaped."""
    folder = tmp_path / "class"
    folder.mkdir()
    hostile_submission(folder)
    (folder / f"bob{NAME_PAYLOADS}.yaml").write_text(
        yaml.safe_dump({f"key{payload}": 1 for payload in PAYLOADS}, allow_unicode=True, width=200), encoding="utf-8")
    (folder / f"eve{NAME_PAYLOADS}").mkdir()  # a student folder without a submission
    code, out, err = run_cli(capsys, "grade", str(folder), "-o", str(tmp_path / "out"), "--jobs", "1")
    assert code == 0, err
    assert_log_safe(out, stream="stdout")
    assert_log_safe(err, stream="stderr")
    assert "Graded 1 of 3 submissions" in out and out.count("not graded (") == 2


def test_results_jsonl_is_one_record_per_line_for_every_splitter(tmp_path, capsys):
    """Answers, names and file names holding every character str.splitlines() breaks at: one line per submission."""
    breaks = "a\u2028b\u2029c\x85d\x0be\x0cf\x1cg\x1dh\x1ei\r\nj"
    folder = tmp_path / "class"
    folder.mkdir()
    make_submission(folder, {"p1.a": breaks, "p4.layer1.params": breaks}, name="ada",
                    student={"id": "ada", "name": breaks})
    (folder / f"bob{breaks}.yaml").write_text(yaml.safe_dump({"key": 1}), encoding="utf-8")  # not graded
    code, _, err = run_cli(capsys, "grade", str(folder), "-o", str(tmp_path / "out"), "--jobs", "1")
    assert code == 0, err
    lines = (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    ada, bob = map(json.loads, lines)
    assert ada["student"]["name"] == breaks
    assert [item["given"] for item in ada["items"] if item["id"] == "p1.a"] == [breaks]
    assert bob["source"].endswith(f"bob{breaks}.yaml") and "homework: is missing" in bob["error"]


MARKDOWN_TRIGGERS = [
    ("mention", "@octocat", re.compile(r"@[A-Za-z0-9]")),
    ("team-mention", "@github/security", re.compile(r"@[A-Za-z0-9]")),
    ("email", "mail ada@evil.example", re.compile(r"@[A-Za-z0-9]")),
    ("url", "https://evil.example/x", re.compile(r"://")),
    ("www", "www.evil.example", re.compile(r"(?i)www\.")),
    ("issue", "see #12", re.compile(r"#\d")),
    ("cross-repo-issue", "octo/repo#3", re.compile(r"#\d")),
]


@pytest.mark.parametrize("text, trigger", [case[1:] for case in MARKDOWN_TRIGGERS], ids=[case[0] for case in MARKDOWN_TRIGGERS])
def test_markdown_does_not_link_or_mention(text, trigger, tmp_path, monkeypatch, capsys):
    """GitHub links URLs, mentions and references even after escapes and entities are decoded: none survives."""
    path = make_submission(tmp_path, {"p1.a": text, "p4.layer1.params": text}, student={"id": "ada", "name": text})
    files = actions_env(monkeypatch, tmp_path)
    code, out, _ = run_cli(capsys, "check", str(path), "--format", "markdown")
    assert code == 0
    for shown in (out, files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8")):
        decoded = html.unescape(shown.replace("\\", ""))  # what GitHub's HTML holds: no escapes, no entities
        assert not trigger.search(decoded), trigger.search(decoded)


def test_a_long_run_of_blank_lines_is_neutralised_in_linear_time(tmp_path, monkeypatch, capsys):
    """60,000 blank lines, a word, then a command: printed in seconds in the formats that keep its lines."""
    path = make_submission(tmp_path, {"p1.a": "\n" * 60_000 + "x\n::set-output name=score::100"})
    for format in ("junit", "classroom", "json"):
        with within(5.0):
            assert_check_prints_safely(path, format, tmp_path / format, monkeypatch, capsys)

"""Security corpus, files: YAML dangers, markup in answers and names, filesystem oddities, a hostile class folder.

Each case asserts a clear outcome — exit 0 with a result, or exit 2 with a message naming the
file — within a bounded time and with no side effect (no marker file, nothing imported or run).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest

from grader.api import check_file
from grader.core.errors import UsageError
from grader.core.models import Status
from grader.io.discovery import discover_submissions, safe_stem
from grader.io.submission import load_submission, load_submission_text
from grader.plugins.homeworks import load_homework
from tests.cli_runs import run_cli
from tests.security.conftest import HOMEWORK, KEY, watch_side_effects, within

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "submissions" / "hw2-cnn"
HEADER = "homework: hw2-cnn\nstudent: {id: ada}\nanswers:\n"


def billion_laughs() -> str:
    lines = ['  l0: &l0 "lol"']
    lines += [f"  l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]" for n in range(1, 10)]
    return HEADER + "\n".join(lines) + "\n"


# id, file content (str or bytes; MARKER is replaced by a watched path), a fragment of the error
YAML_DANGERS = [
    ("python-object-apply", HEADER + "  p4.layer1.rf: !!python/object/apply:os.system ['touch MARKER']\n", "tags are not allowed"),
    ("python-object-new", HEADER + "  p4.layer1.rf: !!python/object/new:subprocess.Popen [[touch, MARKER]]\n", "tags are not allowed"),
    ("python-name", HEADER + "  p4.layer1.rf: !!python/name:os.system\n", "tags are not allowed"),
    ("python-module", HEADER + "  p4.layer1.rf: !!python/module:os\n", "tags are not allowed"),
    ("python-tag-on-root", "!!python/object/apply:os.system ['touch MARKER']\n", "tags are not allowed"),
    ("python-tag-as-key", HEADER + "  ? !!python/object/apply:os.system ['touch MARKER']\n  : 7\n", "tags are not allowed"),
    ("custom-tag", HEADER + "  p4.layer1.rf: !shell 'touch MARKER'\n", "tags are not allowed"),
    ("billion-laughs", billion_laughs(), "more than 100,000 values"),
    ("deep-flow-nesting", HEADER + "  p4.layer1.rf: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than"),
    ("deep-block-nesting", HEADER + "".join("  " * (n + 1) + f"k{n}:\n" for n in range(100)) + "  " * 101 + "v\n", "nested more than"),
    ("deep-json-nesting", '{"homework": "hw2-cnn", "answers": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested more than"),
    ("huge-document", HEADER + "  p4.layer1.rf: '" + "7" * 1_100_000 + "'\n", "larger than 1,000,000 bytes"),
    ("binary-garbage", bytes(range(256)) * 4, "not valid UTF-8"),
    ("invalid-utf8", (HEADER + "  p4.layer1.rf: 7\xff\n").encode("latin-1"), "not valid UTF-8"),
    ("nul-bytes", HEADER + "  p4.layer1.rf: 7\x00\n", "character YAML does not allow"),
    ("list-root", "- homework: hw2-cnn\n", "must be a mapping"),
    ("scalar-root", "hw2-cnn\n", "must be a mapping"),
    ("empty-file", "", "the file is empty"),
    ("two-documents", HEADER + "  p4.layer1.rf: 7\n---\nhomework: hw2-cnn\n", "second YAML document"),
    ("answers-not-mapping", "homework: hw2-cnn\nanswers: [1, 2]\n", "answers must be a mapping"),
    ("homework-not-scalar", "homework: {os: system}\nanswers: {}\n", "homework must name"),
    ("unknown-homework-path", "homework: ../../etc/passwd\nanswers: {}\n", "unknown homework"),
]


@pytest.mark.parametrize("content, fragment", [c[1:] for c in YAML_DANGERS], ids=[c[0] for c in YAML_DANGERS])
def test_yaml_danger_is_a_usage_error(content, fragment, tmp_path, marker, capsys):
    """A dangerous or broken file exits 2 with a message naming the file, fast, and constructs or runs nothing."""
    if isinstance(content, str):
        content = content.replace("MARKER", str(marker)).encode("utf-8")
    path = tmp_path / ("ada.json" if content.startswith(b'{"') else "ada.yaml")
    path.write_bytes(content)
    with within(5.0):
        code, out, err = run_cli(capsys, "check", str(path), "--format", "json")
    assert code == 2 and out == ""
    assert str(path) in err and fragment in err
    with within(5.0), watch_side_effects() as events, pytest.raises(UsageError):
        load_submission(path, known_ids=lambda name: load_homework(name).item_ids)
    assert events == []


def test_thirty_thousand_unknown_ids_load_quickly():
    """An 0.8 MB file of 30,000 unknown ids loads within seconds, with a bounded list of warnings.

    Did-you-mean stops after 100 ids (it took 18 s for 10,000); the rest of the time is the
    pure-Python YAML parser's (about 4 s per MB on a 2-core machine), bounded by the file limit.
    """
    text = HEADER + "".join(f"  p4.layer{n}.outputs: 1\n" for n in range(30_000))
    # About 4 s here; a did-you-mean for every id would take minutes, so a loaded machine's slack is fine.
    with within(60.0):
        submission = load_submission_text(text, source="ada.yaml", known_ids=KEY.answers)
    assert submission.answers == {} and len(submission.warnings) == 101
    assert "did you mean" in submission.warnings[0] and submission.warnings[-1] == "… and 29,900 more warnings"


MARKUP = [
    ("script-tag", "<script>alert(1)</script>"),
    ("event-attribute", '<img src=x onerror="alert(1)">'),
    ("javascript-url", "javascript:alert(document.cookie)"),
    ("attribute-breakout", '"><svg onload=alert(1)>'),
    ("jinja-expression", "{{ 7*7 }}{% import os %}"),
    ("format-string", "{0.__class__.__init__.__globals__} %s%n ${7*7}"),
    ("ansi-escape", "\x1b[2J\x1b]0;owned\x07"),
    ("bidi-override", "\u202eevil\u202c 7"),
    ("carriage-return", "7\rTotal: 100 / 100"),
    ("markdown-link", "[click](javascript:alert(1)) | table | ![x](http://evil/x.png)"),
]


@pytest.mark.parametrize("text", [m[1] for m in MARKUP], ids=[m[0] for m in MARKUP])
def test_markup_in_answers_and_names_is_kept_raw_and_harmless(text, tmp_path, capsys):
    """Markup as name, id and answers: JSON keeps the raw text, nothing is interpreted, every format prints
    (text and Markdown without raw control characters, JUnit as well-formed XML)."""
    free_text = next(item.id for item in HOMEWORK.items if item.kind == "text")
    document = {"homework": "hw2-cnn", "student": {"id": text, "name": text},
                "answers": {"p4.layer1.rf": text, "p4.layer1.output": text, free_text: f"Weights are shared. {text}",
                            text: "7"}}
    path = tmp_path / "ada.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with within(10.0):
        code, out, _ = run_cli(capsys, "check", str(path), "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["student"] == {"id": text, "name": text, "declared_id": None}
    given = {item["id"]: item["given"] for item in result["items"]}
    assert given["p4.layer1.rf"] == text and given["p4.layer1.output"] == text
    assert given[free_text] == f"Weights are shared. {text}"
    assert "49" not in json.dumps([result["student"], given])  # no template was evaluated
    assert any(text in warning for warning in result["warnings"])  # the unknown id, reported as typed
    for format in ("text", "markdown"):
        code, out, _ = run_cli(capsys, "check", str(path), "--format", format)
        assert code == 0
        assert not any(ch in out for ch in "\x1b\r\x07\u202e\u202c")
    code, out, _ = run_cli(capsys, "check", str(path), "--format", "junit")
    assert code == 0 and ElementTree.fromstring(out.encode("utf-8")) is not None
    for format in ("gradescope", "classroom"):
        assert run_cli(capsys, "check", str(path), "--format", format)[0] == 0


# --- filesystem oddities -------------------------------------------------------------------


def good(path: Path, sample: str = "lin.yaml") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLES / sample, path)
    return path


def make_class(root: Path, outside: Path) -> None:
    """A class folder with good submissions and every oddity a set of student repos can hold."""
    good(root / "alice" / "submission.yaml")
    good(root / "carol.yaml", "okafor.yaml")
    good(root / "with space é.yaml")
    good(root / "-rf.yaml")
    good(root / "<script>alert(1)<script>.yaml")
    good(root / os.fsdecode(b"latin\xe9.yaml"))
    (outside / "secret.yaml").write_text("homework: hw2-cnn\nanswers: {p4.layer1.rf: 7}\n")
    (root / "mallory.yaml").symlink_to(outside / "secret.yaml")  # outside the class folder
    (root / "passwd.yaml").symlink_to("/etc/passwd")
    (root / "bob").mkdir()
    (root / "bob" / "submission.yaml").symlink_to("../alice/submission.yaml")  # a classmate's file
    (root / "aaron").symlink_to("alice")  # a classmate's whole folder
    (root / "ghost.yaml").symlink_to(root / "nowhere.yaml")
    (root / "loop.yaml").symlink_to(root / "loop.yaml")
    os.mkfifo(root / "pipe.yaml")
    (root / "zero.yaml").symlink_to("/dev/zero")
    (root / "empty").mkdir()
    (root / "folder.yaml").mkdir()
    (root / "notes.txt").write_text("not a submission")
    (root / ".git").mkdir()
    (root / "broken.yaml").write_text("homework: hw2-cnn\nanswers: [unclosed\n")
    (root / "bomb.yaml").write_text(billion_laughs())
    (root / "hostile.yaml").write_text(
        HEADER + "  p4.layer1.rf: __import__('os').system('true')\n"
        "  p4.formula.conv_out: floor(floor(floor(floor(H^16)^16)^16)^16)^16\n"
        "  p4.layer1.output: 256x256x32\n")


FS_ODDITIES = [
    ("symlink-outside-folder", "mallory.yaml", "symlink leading outside the class folder"),
    ("symlink-to-etc-passwd", "passwd.yaml", "symlink leading outside the class folder"),
    ("symlink-to-classmate-file", "bob", "symlink leading out of the student's folder"),
    ("symlink-to-classmate-folder", "aaron", "is a link to alice's submission"),
    ("broken-symlink", "ghost.yaml", "broken symlink"),
    ("symlink-loop", "loop.yaml", "cannot be read (Too many levels of symbolic links)"),
    ("fifo", "pipe.yaml", "not a regular file"),
    ("device", "zero.yaml", "symlink leading outside the class folder"),
    ("folder-without-submission", "empty", "has no submission.yaml"),
    ("folder-named-yaml", "folder.yaml", "has no submission.yaml"),
    ("other-file-type", "notes.txt", "is not a submission file"),
]


@pytest.fixture
def class_folder(tmp_path):
    root, outside = tmp_path / "class", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    make_class(root, outside)
    return root


@pytest.mark.parametrize("name, reason", [c[1:] for c in FS_ODDITIES], ids=[c[0] for c in FS_ODDITIES])
def test_filesystem_oddity_is_skipped_with_a_reason(class_folder, name, reason):
    """Discovery skips the entry with a reason and never follows it out of its owner's area."""
    with within(5.0):
        found = discover_submissions(class_folder)
    skipped = {entry.name: entry.reason for entry in found.skipped}
    assert reason in skipped[name]
    assert name not in {f.path.name for f in found.submissions}


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file without read permission")
def test_unreadable_file_is_skipped(tmp_path):
    """A file without read permission is skipped with the OS's reason."""
    path = good(tmp_path / "eve.yaml")
    path.chmod(0)
    assert "cannot be read (Permission denied)" in discover_submissions(tmp_path).skipped[0].reason


def test_unreadable_file_is_skipped_even_as_root(tmp_path, monkeypatch):
    """An open() refused by the OS (simulated, since root may read anything) is skipped with the reason."""
    good(tmp_path / "eve.yaml")
    real_open = os.open

    def refuse(path, *args, **kwargs):
        if str(path).endswith("eve.yaml"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    found = discover_submissions(tmp_path)
    assert found.submissions == [] and found.skipped[0].reason == "cannot be read (Permission denied)"


@pytest.mark.parametrize("name", ["with space é", "-rf", "<script>alert(1)<script>", "latin\ufffd"],
                         ids=["spaces-unicode", "leading-dash", "markup-name", "not-utf8-name"])
def test_odd_names_are_found_and_graded(class_folder, name, capsys):
    """Submissions with odd file names are found, graded, and print as valid JSON."""
    found = {f.name: f.path for f in discover_submissions(class_folder).submissions}
    code, out, _ = run_cli(capsys, "check", str(found[name]), "--format", "json")
    assert code == 0 and json.loads(out)["score"] == check_file(SAMPLES / "lin.yaml").score


@pytest.mark.parametrize("raw, stem", [("ada", "ada"), ("../../etc/passwd", "_etc_passwd"), (".hidden", "_hidden"),
                                       ("-rf", "rf"), ("<script>", "_script_"), ("", "_"), ("é" * 100, "_"), ("a.b", "a_b")],
                         ids=["plain", "traversal", "hidden", "dash", "markup", "empty", "unicode", "dot"])
def test_safe_stem(raw, stem):
    """Report file names made from student names cannot escape the output folder or hide."""
    assert safe_stem(raw) == stem


def test_hostile_class_folder_grades_every_other_submission_correctly(class_folder, tmp_path):
    """A class folder mixing broken and hostile files: every good submission gets the same result as alone."""
    alone = {name: check_file(good(tmp_path / "alone" / f"{name}.yaml", sample)).model_dump(exclude={"source", "student"})
             for name, sample in (("lin", "lin.yaml"), ("okafor", "okafor.yaml"))}
    outcomes = {}
    with within(30.0):
        found = discover_submissions(class_folder)
        for submission in found.submissions:
            try:
                outcomes[submission.name] = check_file(submission.path)
            except UsageError as error:
                outcomes[submission.name] = error
    assert isinstance(outcomes["broken"], UsageError) and isinstance(outcomes["bomb"], UsageError)
    hostile = {item.id: item for item in outcomes["hostile"].items}
    assert hostile["p4.layer1.rf"].status is Status.INVALID
    assert hostile["p4.formula.conv_out"].status is Status.INVALID
    assert hostile["p4.layer1.output"].status is Status.CORRECT
    for name in ("alice", "with space é", "-rf", "<script>alert(1)<script>", "latin\ufffd"):
        assert outcomes[name].model_dump(exclude={"source", "student"}) == alone["lin"]
    assert outcomes["carol"].model_dump(exclude={"source", "student"}) == alone["okafor"]
    assert len(found.skipped) == len(FS_ODDITIES)


def test_hostile_class_folder_through_grader_grade(class_folder, tmp_path):
    """`grader grade` on the hostile folder: good submissions graded as alone, the rest listed; same bytes for 1 or 2 workers."""
    from grader.batch import grade_folder

    alone = {name: check_file(good(tmp_path / "alone" / f"{name}.yaml", sample), mathml=True)
             .model_dump(exclude={"source", "student"})
             for name, sample in (("lin", "lin.yaml"), ("okafor", "okafor.yaml"))}
    runs = {}
    with within(120.0):
        for jobs in (1, 2):
            grade_folder(class_folder, tmp_path / f"out{jobs}", jobs=jobs)
            runs[jobs] = (tmp_path / f"out{jobs}" / "results.jsonl").read_bytes()
    assert runs[1] == runs[2]
    lines = [json.loads(line) for line in runs[1].decode("utf-8").splitlines()]
    by_stem = {Path(line["source"]).name if Path(line["source"]).name != "submission.yaml"
               else Path(line["source"]).parent.name: line for line in lines}
    for name in ("alice", "with space é.yaml", "-rf.yaml", "<script>alert(1)<script>.yaml"):
        graded = {k: v for k, v in by_stem[name].items() if k not in ("source", "student")}
        assert graded == json.loads(json.dumps(alone["lin"], default=str)), name
    assert {k: v for k, v in by_stem["carol.yaml"].items() if k not in ("source", "student")} == \
        json.loads(json.dumps(alone["okafor"], default=str))
    assert "error" in by_stem["broken.yaml"] and "error" in by_stem["bomb.yaml"]
    hostile = {item["id"]: item["status"] for item in by_stem["hostile.yaml"]["items"]}
    assert hostile["p4.layer1.rf"] == hostile["p4.formula.conv_out"] == "invalid"
    assert hostile["p4.layer1.output"] == "correct"

"""Batch grading of a class folder: discovery, outputs, determinism, robustness, memoisation."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.batch import grade_folder, outputs, worker
from grader.batch.discover import discover
from grader.batch.worker import Options
from grader.core.errors import UsageError
from grader.io.files import write_atomic
from grader.plugins.homeworks import load_homework

HOMEWORK = load_homework("hw2-cnn")

DATA = Path(__file__).resolve().parent / "data"
CLASS = DATA / "class"
ADA = (CLASS / "ada.yaml").read_text(encoding="utf-8")
SAMPLES = Path(__file__).resolve().parents[1] / "submissions" / "hw2-cnn"


def make_class(root: Path, layout: dict[str, str | None]) -> Path:
    """Builder: a class folder from {relative path: text}; None makes an empty folder."""
    for relative, text in layout.items():
        path = root / relative
        if text is None:
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    "layout, expected",
    [
        ({"ada.yaml": "", "bob.yml": "", "cy.json": ""}, [("ada", "ada.yaml"), ("bob", "bob.yml"), ("cy", "cy.json")]),
        ({"ada/submission.yaml": "", "bob/submission.json": ""},
         [("ada", "ada/submission.yaml"), ("bob", "bob/submission.json")]),
        ({"dan/README.md": ""}, [("dan", "dan")]),
        ({"ada.yaml": "", "ada/submission.yaml": ""}, [("ada", "ada/submission.yaml"), ("ada-2", "ada.yaml")]),
        ({".hidden.yaml": "", "template.yaml": "", "notes.txt": "", "z.yaml": ""}, [("z", "z.yaml")]),
        ({"a b&c.yaml": ""}, [("a_b_c", "a b&c.yaml")]),
        ({"Template.yaml": "", "template/submission.yaml": "", "template.json": ""},
         [("Template", "Template.yaml"), ("template-2", "template/submission.yaml"), ("template-3", "template.json")]),
    ],
    ids=["files", "folders", "folder-without-submission", "name-clash", "skipped", "unsafe-name",
         "students-named-template"],
)
def test_discover_finds_files_and_student_folders(tmp_path, layout, expected):
    """NAME.yaml and NAME/submission.yaml are found in name order, with unique file-safe report names."""
    make_class(tmp_path, layout)
    entries, _ = discover(tmp_path)
    found = [(e.name, e.path.relative_to(tmp_path).as_posix()) for e in entries]
    assert found == expected


def test_discover_refuses_a_file(tmp_path):
    """A path that is not a folder is a usage error naming it."""
    with pytest.raises(UsageError, match="not a folder"):
        discover(make_class(tmp_path, {"a.yaml": ""}) / "a.yaml")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample class graded with one worker."""
    out = tmp_path_factory.mktemp("out")
    return out, grade_folder(CLASS, out, jobs=1)


def test_every_output_is_written(sample):
    """index.html, grades.csv, results.jsonl and one report per submission (even unreadable ones)."""
    out, summary = sample
    assert {p.name for p in out.iterdir()} == {"index.html", "grades.csv", "results.jsonl", "reports"}
    assert sorted(p.name for p in (out / "reports").iterdir()) == [
        "ada.html", "bob.html", "broken.html", "dan.html", "eve.html"]
    assert [o.report for o in summary.outcomes] == [f"reports/{n}.html" for n in ("ada", "bob", "broken", "dan", "eve")]
    assert not list(out.rglob("*.tmp"))


def test_grades_csv_is_a_gradebook(sample):
    """One row per submission: id, name, per-problem points, total, max, percent; not graded: empty total, error;
    then the file it came from and the student id the file declares when that differs."""
    rows = list(csv.DictReader(io.StringIO((sample[0] / "grades.csv").read_text(encoding="utf-8"))))
    problems = [p.id for p in HOMEWORK.problems]
    assert list(rows[0]) == ["student_id", "name", "homework", *problems, "total", "max_score", "percent", "error",
                             "source", "declared_id"]
    by_id = {row["student_id"]: row for row in rows}
    max_score = HOMEWORK.max_score
    # ada's one P4 slip, bn5's running statistics counted, is an anticipated mistake: half of its 0.5 points
    assert by_id["ada"] == {**by_id["ada"], "name": "Ada Lovelace", "p4": "39.75", "total": "39.75",
                            "max_score": f"{max_score:g}", "percent": f"{100 * 39.75 / max_score:.2f}", "error": ""}
    assert "could not read the YAML" in by_id["broken"]["error"] and by_id["broken"]["total"] == ""
    assert "no submission.yaml" in by_id["dan"]["error"]
    assert by_id["bob"]["source"] == str(CLASS / "bob" / "submission.yaml") and by_id["bob"]["declared_id"] == ""
    # eve.yaml declares a hostile id: the row is eve's (the file's name), the declaration only a flag
    assert by_id["eve"]["declared_id"] == "eve<script>alert('id')</script>"


def test_csv_cells_cannot_run_as_spreadsheet_formulas():
    """A name or id starting with = + - @ is prefixed with a quote (CSV injection)."""
    assert [outputs._cell(t) for t in ("=1+1", "+x", "-y", "@z", "ada")] == ["'=1+1", "'+x", "'-y", "'@z", "ada"]


def test_results_jsonl_has_one_line_per_submission(sample):
    """Each line is a CONTRACT §2 result, or {student, source, error} for a submission not graded."""
    lines = [json.loads(line) for line in (sample[0] / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["student"]["id"] for line in lines][:4] == ["ada", "bob", "broken", "dan"]
    assert lines[0]["score"] == 39.75 and len(lines[0]["items"]) == len(HOMEWORK.items)
    assert set(lines[2]) == {"student", "source", "error"}


def test_summary_counts_mistakes_and_item_success(sample):
    """Per-item status counts cover every graded student; mistakes need two students giving them."""
    _, summary = sample
    (homework,) = summary.homeworks
    assert homework.graded == 3 and len(homework.items) == len(HOMEWORK.items)
    assert all(sum(stats.counts.values()) == 3 for stats in homework.items)
    assert sum(homework.histogram) == 3
    assert all(m.count >= 2 for m in homework.mistakes)


def test_summary_counts_misconceptions(sample):
    """Each mistake rule: the answers that matched it, the students who made it, the items most affected."""
    _, summary = sample
    (homework,) = summary.homeworks
    by_rule = {m.rule: (m.answers, m.students) for m in homework.misconceptions}
    # bob: padding "same" as 0, bias, FLOPs, 4C twice (layer and formula), dilation twice, the jump; ada: 4C once
    assert by_rule == {"bn_running_stats": (3, 2), "no_bias": (2, 1), "no_dilation": (2, 1), "flops": (1, 1),
                       "no_jump": (1, 1), "same_padding_zero": (1, 1)}
    assert homework.carried == 0  # neither carries a wrong answer on (bob's later answers are right or unrelated)


def test_summary_counts_answers_carried_forward(tmp_path):
    """Answers that earn credit by following a wrong earlier answer are counted, with their students."""
    answers = "\n".join(f"  {k}: {v}" for k, v in {
        "p4.layer1.output": "250 x 250 x 32", "p4.bn1.output": "250 x 250 x 32", "p4.layer2.output": "123 x 123 x 64",
    }.items())
    folder = make_class(tmp_path / "class", {
        name: f"homework: hw2-cnn\nstudent: {{id: {name[:-5]}}}\nanswers:\n{answers}\n" for name in ("a.yaml", "b.yaml")
    })
    (homework,) = grade_folder(folder, tmp_path / "out", jobs=1).homeworks
    assert (homework.carried, homework.carried_students) == (4, 2)  # bn1 and layer2 outputs, per student
    assert [(m.rule, m.answers, m.students) for m in homework.misconceptions] == [("same_padding_zero", 2, 2)]


def _normalised_outputs(out: Path) -> dict[str, str]:
    files = {}
    for path in sorted(out.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8").replace(str(out), "<out>")
            if path.name == "index.html":
                text = text.split('<span class="generated">')[0] + text.split("</span>", 1)[-1]
            files[path.relative_to(out).as_posix()] = text
    return files


def test_output_is_the_same_whatever_the_number_of_workers(tmp_path):
    """Outputs with 1 and with 3 worker processes are identical (order fixed by discovery)."""
    folder = make_class(tmp_path / "class", {f"s{i:02}.yaml": ADA.replace("id: ada", f"id: s{i:02}") for i in range(12)})
    shutil.copy(CLASS / "broken.yaml", folder / "s05.yaml")
    grade_folder(folder, tmp_path / "one", jobs=1)
    grade_folder(folder, tmp_path / "three", jobs=3)
    assert _normalised_outputs(tmp_path / "one") == _normalised_outputs(tmp_path / "three")


def test_a_crashing_submission_is_listed_and_the_batch_goes_on(tmp_path, monkeypatch):
    """An exception inside grading becomes an error row with a traceback for the instructor only."""
    folder = make_class(tmp_path / "class", {"a.yaml": ADA, "boom.yaml": ADA, "c.yaml": ADA})
    real = worker.read_submission

    def flaky(path, **kwargs):
        if Path(path).stem == "boom":
            raise RuntimeError("checker exploded")
        return real(path, **kwargs)

    monkeypatch.setattr(worker, "read_submission", flaky)
    summary = grade_folder(folder, tmp_path / "out", jobs=1)
    assert [o.error is None for o in summary.outcomes] == [True, False, True]
    crashed = summary.outcomes[1]
    assert "RuntimeError: checker exploded" in crashed.error and "Traceback" in crashed.details
    report = (tmp_path / "out" / "reports" / "boom.html").read_text(encoding="utf-8")
    assert worker.CRASH_MESSAGE in report and "Traceback" not in report and "exploded" not in report
    assert "Traceback" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork")
def test_a_worker_that_dies_costs_only_its_own_submission(tmp_path, monkeypatch):
    """A worker process killed mid-batch (os._exit) fails only the submission that killed it."""
    folder = make_class(tmp_path / "class", {f"s{i}.yaml": ADA for i in range(6)})
    real = worker.grade_entry

    def deadly(entry, options, runtime=None):
        if entry.name == "s3":
            os._exit(7)
        return real(entry, options, runtime)

    monkeypatch.setattr(worker, "grade_entry", deadly)  # inherited by forked workers
    summary = grade_folder(folder, tmp_path / "out", jobs=2)
    assert [o.error for o in summary.outcomes] == [None, None, None, worker.WORKER_DIED, None, None]
    assert (tmp_path / "out" / "reports" / "s3.html").exists()


def test_write_atomic_leaves_no_partial_file(tmp_path, monkeypatch):
    """If writing fails midway, neither the target nor a temporary file is left behind."""
    target = tmp_path / "index.html"
    write_atomic(target, "old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, "new")
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]


def test_one_name_twice_in_the_layout_is_warned_about(tmp_path):
    """Ada.yaml beside ada/submission.yaml: both graded under their own report names, and the summary says so."""
    folder = make_class(tmp_path / "class", {"Ada.yaml": ADA, "ada/submission.yaml": ADA})
    summary = grade_folder(folder, tmp_path / "out", jobs=1)
    assert [o.report for o in summary.outcomes] == ["reports/Ada.html", "reports/ada-2.html"]
    assert any("student 'Ada' has 2 submissions" in w for w in summary.warnings)


def test_identical_formula_answers_are_decided_once():
    """In a checking process, a formula is decided once per normalised form and read once per text."""
    from grader.checks import expression
    from grader.core.key import load_key
    from grader.grading import checking

    item = HOMEWORK.item("p4.formula.conv_out")
    key = load_key(HOMEWORK).answers[item.id]
    expression._decide.cache_clear()
    checking._read.cache_clear()
    for text in ("ceil((H+2p-d(k-1))/s)", "ceil((H + 2*p - d*(k-1))/s)", "ceil((H+2p-d(k-1))/s)"):
        checking.check(checking.Request(item, text, key, mathml=True))  # what a checking process runs
    assert (expression._decide.cache_info().misses, expression._decide.cache_info().hits) == (1, 2)
    assert checking._read.cache_info().misses == 2  # two distinct texts, each read once


@pytest.mark.slow
@pytest.mark.parametrize(("students", "imported"), [(["ada.yaml"], False), (["ada.yaml", "bob"], True)],
                         ids=["no-error-to-carry", "bob-carries-an-error"])
def test_batch_imports_torch_only_to_carry_an_error_forward(tmp_path, students, imported):
    """Grading needs only the committed key; torch is imported only when a wrong earlier answer must be followed.

    bob's layer1 output is wrong and his later answers are checked against what follows from it
    (recomputed by torch); ada's earlier answers are all right. Checked in a fresh process.
    """
    (tmp_path / "class").mkdir()
    for name in students:
        copy = shutil.copytree if (CLASS / name).is_dir() else shutil.copy
        copy(CLASS / name, tmp_path / "class" / name)
    code = (
        "import sys; from grader.batch import grade_folder; "
        f"grade_folder({str(tmp_path / 'class')!r}, {str(tmp_path / 'out')!r}, jobs=1); "
        "print('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == str(imported)


def test_grade_entry_reports_a_missing_folder_submission(tmp_path):
    """A student folder without submission.yaml is an error that says so, with a report page."""
    (tmp_path / "class" / "dan").mkdir(parents=True)
    (entry,), _ = discover(tmp_path / "class")
    outcome = worker.grade_entry(entry, Options(out=tmp_path / "out"))
    assert "has no submission.yaml" in outcome.error and not outcome.graded
    assert (tmp_path / "out" / "reports" / "dan.html").exists()


def test_a_symlink_out_of_the_class_is_listed_not_graded(tmp_path):
    """A submission that links outside the class folder is listed with the reason and never read."""
    secret = tmp_path / "secret.yaml"
    secret.write_text(ADA, encoding="utf-8")
    folder = make_class(tmp_path / "class", {"ada.yaml": ADA})
    (folder / "mallory.yaml").symlink_to(secret)
    summary = grade_folder(folder, tmp_path / "out", jobs=1)
    mallory = next(o for o in summary.outcomes if o.name == "mallory")
    assert "outside the class folder" in mallory.error and not mallory.graded


def test_most_frequent_mistakes_show_the_feedback_most_students_got():
    """An answer's shown feedback is the one most of its students got, counted exactly, whether its
    feedback always agreed or differed between students (error carried forward says different things)."""
    from grader.batch.stats import Tally
    from grader.core.summary import Outcome
    from grader.plugins.homeworks import load_homework

    homework = load_homework("hw2-cnn")
    index = homework.item_ids.index("p4.layer1.params")
    tally = Tally(homework)
    answers = [("4704", "Forgot the bias.")] * 3 + [("4704", "Follows from your p4.bn1.output.")] * 2
    answers += [("5000", "Off by 296."), ("5000", "Follows from your p4.bn1.output."),
                ("5000", "Follows from your p4.bn1.output.")]
    answers += [("9999", "Off by far.")] * 2 + [("1234", "Once only.")]
    for n, (wrong, feedback) in enumerate(answers):
        digest = [("correct", 1.0, False, None, None, None, None, None)] * len(homework.items)
        digest[index] = ("incorrect", 0.0, False, wrong, feedback, None, None, None)
        tally.add(Outcome(f"s{n}", f"s{n}.yaml", student_id=f"s{n}", score=1.0, digest=digest))
    shown = {mistake.answer: (mistake.count, mistake.feedback) for mistake in tally.summary().mistakes}
    assert shown == {"4704": (5, "Forgot the bias."), "5000": (3, "Follows from your p4.bn1.output."),
                     "9999": (2, "Off by far.")}  # an answer given once is not a frequent mistake


def test_class_statistics_keep_one_copy_of_each_feedback_text():
    """Outcomes arrive unpickled, each with its own copy of the same feedback: the statistics keep one
    (a large class's wrong answers share a few thousand feedback texts among hundreds of thousands)."""
    import pickle

    from grader.batch.stats import Tally
    from grader.core.summary import Outcome
    from grader.plugins.homeworks import load_homework

    homework = load_homework("hw2-cnn")
    index = homework.item_ids.index("p4.layer1.params")
    tally = Tally(homework)
    for n in range(3):
        digest = [("correct", 1.0, False, None, None, None, None, None)] * len(homework.items)
        digest[index] = ("incorrect", 0.0, False, str(5000 + n), "Hint: this count is too large.", None, None, None)
        outcome = Outcome(f"s{n}", f"s{n}.yaml", student_id=f"s{n}", score=1.0, digest=digest)
        tally.add(pickle.loads(pickle.dumps(outcome)))  # as a worker's outcome reaches the parent
    feedback = [tally.feedback[(index, None, str(5000 + n))] for n in range(3)]  # None: no variant
    status = [tally.status_of[(index, None, str(5000 + n))] for n in range(3)]
    assert feedback[0] == "Hint: this count is too large." and feedback[0] is feedback[1] is feedback[2]
    assert status[0] == "incorrect" and status[0] is status[1] is status[2]

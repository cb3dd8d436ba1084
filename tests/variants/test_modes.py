"""Variants in every mode that runs in this process: grader check, key, template, schema, statement, secret,
grader grade and its class statistics, and a plugin of another author."""

from __future__ import annotations

import csv
import json
import re
import stat

import pytest

from grader.api import homework_for
from grader.batch import grade_folder
from grader.batch.stats import Tally
from grader.cli import main
from grader.core.summary import Outcome
from grader.core.variant import Assignment, draw_variant
from grader.plugins.homeworks import homework_variant
from grader.render.statement import render_statement_html, render_statement_markdown
from problems.hw2_cnn.variants import net_of

from ..deployments import REPO
from .conftest import HOMEWORK, SECRET
from .tiny_varied import BOARDS

SAMPLES = ["ada", "ben", "chen"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def students_variant(identity: str):
    return homework_for(HOMEWORK.id, Assignment(secret=SECRET.encode()), identity)


@pytest.fixture
def sample_class(tmp_path):
    """Three of the sample class's submissions in a class folder."""
    folder = tmp_path / "class"
    folder.mkdir()
    for name in SAMPLES:
        (folder / f"{name}.yaml").write_bytes((REPO / "submissions" / "hw2-cnn" / f"{name}.yaml").read_bytes())
    return folder


def test_check_grades_the_variant_of_a_seed_or_of_a_student(capsys, secret_file, tmp_path, sample_class):
    """`--variant SEED` and `--student ID --secret-file F` grade that variant, recorded in the result JSON; the
    student's own seed (what their statement shows) names the same variant as their id and the secret."""
    file, cache = str(sample_class / "ada.yaml"), str(tmp_path / "keys")
    code, out, _ = run(capsys, "check", file, "-f", "json", "--student", "ada", "--secret-file", str(secret_file),
                       "--key-cache", cache)
    by_student = json.loads(out)
    ada = students_variant("ada").variant
    assert code == 0 and by_student["variant"] == {"digest": ada.digest, "seed": ada.seed,
                                                   "parameters": ada.as_dict()}
    code, out, _ = run(capsys, "check", file, "-f", "json", "--variant", ada.seed, "--key-cache", cache)
    assert json.loads(out)["variant"]["digest"] == ada.digest and json.loads(out)["score"] == by_student["score"]
    code, out, _ = run(capsys, "check", file, "--variant", ada.seed, "--key-cache", cache)
    assert f"Variant {ada.digest[:12]} (seed {ada.seed})" in out


@pytest.mark.parametrize("args, message", [
    (["--student", "ada"], "--student needs the course secret"),
    (["--variant", "1", "--student", "ada"], "not both"),
    (["--secret-file", "course.secret"], "--secret-file needs --student"),
])
def test_check_says_what_is_missing_for_a_variant(capsys, tmp_path, monkeypatch, sample_class, args, message):
    monkeypatch.delenv("GRADER_SECRET", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "course.secret").write_text(SECRET, encoding="utf-8")
    code, _, err = run(capsys, "check", str(sample_class / "ada.yaml"), *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_a_short_secret_is_refused(capsys, tmp_path, sample_class, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET", "too short")
    code, _, err = run(capsys, "check", str(sample_class / "ada.yaml"), "--student", "ada")
    assert code == 2 and "at least 16 characters" in err and "too short" not in err


def test_grader_secret_writes_a_private_file_once(capsys, tmp_path):
    path = tmp_path / "course.secret"
    assert run(capsys, "secret", str(path))[0] == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(path.read_text().strip()) == 64
    before = path.read_text()
    code, _, err = run(capsys, "secret", str(path))
    assert code == 2 and "exists already" in err and path.read_text() == before


def test_template_and_schema_show_the_students_numbers(capsys, secret_file, tmp_path):
    """A student's template has their network in its prompts, says how to check against their variant, and still
    grades as every item missing; the schema's descriptions hold the same prompts."""
    from grader.api import check_file

    ada = students_variant("ada")
    code, out, _ = run(capsys, "template", "hw2-cnn", "--student", "ada", "--secret-file", str(secret_file))
    layer1 = ada.item("p4.layer1.output").prompt
    assert code == 0 and layer1 in out and f"--variant {ada.variant.seed}" in out
    assert HOMEWORK.item("p4.layer1.output").prompt != layer1
    path = tmp_path / "template.yaml"
    path.write_text(out, encoding="utf-8")
    assert {item.status.value for item in check_file(path).items} == {"missing"}
    code, out, _ = run(capsys, "schema", "hw2-cnn", "--student", "ada", "--secret-file", str(secret_file))
    assert code == 0 and layer1 in json.loads(out)["definitions"]["item:p4.layer1.output"]["description"]


def test_the_statement_holds_the_students_network(capsys, secret_file):
    """`grader statement --student` (Markdown) has the title with the input and one table row per layer with its
    variant's configuration; the HTML page has the same rows."""
    ada = students_variant("ada")
    values = ada.variant.as_dict()
    net = net_of(values)
    code, out, _ = run(capsys, "statement", "hw2-cnn", "--student", "ada", "--secret-file", str(secret_file))
    size, channels = values["p4_input_size"], values["p4_input_channels"]
    assert code == 0 and f"CNN on a {size}×{size}×{channels} input" in out
    k1 = values["p4_layer1_kernel"]
    assert f"| layer1 | Conv2d | {values['p4_layer1_width']} filters {k1}×{k1}, stride 1, padding \"same\" " in out
    assert f"| fc3 | Linear | {values['p4_hidden_width']} → {values['p4_classes']} |" in out
    rows = [line.split(" | ")[0].removeprefix("| ") for line in out.splitlines()
            if re.match(r"\| (layer|bn|fc)\d+ \|", line)]
    assert rows == [layer.name for layer in net.layers]
    assert ada.variant.seed in out and SECRET not in out
    code, html, _ = run(capsys, "statement", "hw2-cnn", "--student", "ada", "--secret-file", str(secret_file),
                        "--format", "html")
    assert code == 0 and html.count("<td>Conv2d</td>") == 5 and "<script" not in html


def test_statements_for_a_roster(capsys, secret_file, tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("# the class\nada\nben\n\nada\n", encoding="utf-8")
    out = tmp_path / "statements"
    code, printed, _ = run(capsys, "statement", "hw2-cnn", "--roster", str(roster), "--secret-file",
                           str(secret_file), "-o", str(out))
    assert code == 0 and sorted(p.name for p in out.iterdir()) == ["ada.md", "ben.md"]
    assert (out / "ada.md").read_text(encoding="utf-8") != (out / "ben.md").read_text(encoding="utf-8")
    assert students_variant("ben").variant.seed in (out / "ben.md").read_text(encoding="utf-8")


def test_statements_escape_and_any_plugin_can_vary(register_homework):
    """Another author's homework with a parameter: drawn within its constraint, its statement holds the variant's
    numbers, and the HTML escapes every text it shows (prompts, paragraphs and table cells)."""
    register_homework("boards", "tests.variants.tiny_varied:BOARDS")
    sides = {draw_variant("boards", BOARDS.parameters, BOARDS.constraint, f"s{n}")["side"] for n in range(60)}
    assert sides == {2, 4, 6}
    homework = homework_variant("boards", BOARDS.variant_from_seed("s1"))
    side = homework.variant["side"]
    markdown, html = render_statement_markdown(homework), render_statement_html(homework)
    # Markdown renderers pass HTML through: the Markdown escapes it too.
    assert f"Boards of side {side}" in markdown and f"| &lt;{side}&gt; | {side} |" in markdown
    assert f"&lt;b&gt;{side} × {side}&lt;/b&gt;" in html and f"&lt;{side}&gt;" in html and "A board &amp; its" in html
    assert "<b>" not in html


def test_key_for_a_roster_computes_each_variant_once(capsys, secret_file, tmp_path):
    roster = tmp_path / "course.yaml"
    roster.write_text("homeworks: {hw2-cnn: {}}\nstudents: [{id: ada}, {id: ben}]\n", encoding="utf-8")
    cache = tmp_path / "keys"
    args = ("key", "hw2-cnn", "--roster", str(roster), "--secret-file", str(secret_file), "--key-cache", str(cache),
            "-j", "2")
    code, out, _ = run(capsys, *args)
    assert code == 0 and "2 students, 2 distinct variants" in out and "2 keys computed" in out
    kept = sorted(p.stem for p in cache.rglob("*.yaml"))
    assert kept == sorted(students_variant(i).variant.digest for i in ("ada", "ben"))
    assert "0 keys computed, 2 already kept" in run(capsys, *args)[1]


def test_grade_gives_each_student_the_variant_of_their_layout_name(secret_file, sample_class, tmp_path):
    """`grader grade` with the secret: each result, CSV row and class summary names the variant of the layout's
    name (the file's own student.id is not asked), and the summary counts the variants."""
    from grader.authoring.key_cache import KeyCache

    (sample_class / "ada.yaml").write_text((sample_class / "ada.yaml").read_text().replace("id: ada", "id: ben"))
    out = tmp_path / "out"
    summary = grade_folder(sample_class, out, jobs=1, assignment=Assignment(secret=SECRET.encode()),
                           keys=KeyCache(tmp_path / "keys"))
    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [r["variant"]["digest"] for r in results] == [students_variant(n).variant.digest for n in SAMPLES]
    rows = list(csv.DictReader((out / "grades.csv").open(encoding="utf-8")))
    assert [row["variant"] for row in rows] == [r["variant"]["digest"] for r in results]
    assert summary.homeworks[0].variants == 3
    assert "3 variants of the homework" in (out / "index.html").read_text(encoding="utf-8")


def test_grade_without_the_secret_is_unchanged(sample_class, tmp_path):
    grade_folder(sample_class, tmp_path / "out", jobs=1)
    header = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8").splitlines()[0]
    assert not header.endswith(",variant")
    assert all(json.loads(line)["variant"] is None
               for line in (tmp_path / "out" / "results.jsonl").read_text().splitlines())


def _outcome(n: int, variant: str | None, answers: dict[int, tuple[str, str | None]]) -> Outcome:
    digest = [("correct", 1.0, False, None, None, None, None, None)] * len(HOMEWORK.items)
    for index, (answer, item_variant) in answers.items():
        digest[index] = ("incorrect", 0.0, False, answer, "Not so.", None, None, item_variant)
    return Outcome(f"s{n}", f"s{n}.yaml", student_id=f"s{n}", score=1.0, digest=digest, variant=variant)


def test_wrong_answers_count_together_only_within_their_variant():
    """The same wrong number to an item whose numbers differ between variants is two mistakes when two variants
    gave it, one when one variant did (shown with it); to an item every variant asks alike it is one mistake."""
    varied, alike = HOMEWORK.item_ids.index("p4.layer1.params"), HOMEWORK.item_ids.index("p2.b")
    tally = Tally(HOMEWORK)
    for n, variant in enumerate(("v-one", "v-one", "v-two", "v-two", "v-three")):
        tally.add(_outcome(n, variant, {varied: ("4704", variant), alike: ("convolution", None)}))
    summary = tally.summary()
    shown = {(m.item, m.answer, m.variant): m.count for m in summary.mistakes}
    assert shown == {("p4.layer1.params", "4704", "v-one"): 2, ("p4.layer1.params", "4704", "v-two"): 2,
                     ("p2.b", "convolution", None): 5}
    assert summary.variants == 3
    assert summary.items[varied].counts["incorrect"] == 5  # per-item success counts every variant

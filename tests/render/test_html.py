"""HTML reports: golden files, escaping of everything a student wrote, MathML vetting, self-containment."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import grader.render
from grader.api import check_file
from grader.batch import grade_folder
from grader.core.models import ItemResult, ProblemResult, Result, Status, Student
from grader.io.overrides import load_overrides
from grader.plugins.homeworks import load_homework
from grader.render.html import feedback_blocks, render_error_report, render_report, safe_mathml

DATA = Path(__file__).resolve().parent.parent / "data"
CLASS = DATA / "class"
MATH = 'xmlns="http://www.w3.org/1998/Math/MathML"'


STYLESHEET = (Path(grader.render.__file__).parent / "templates" / "style.css").read_text(encoding="utf-8")


def normalise(html: str) -> str:
    """Strip volatile fields (grader version, generation time, absolute paths of the test data) and the shared
    stylesheet, which every page includes whole: a change of style is not a change of four pages."""
    assert STYLESHEET in html, "the page should include the stylesheet"
    html = html.replace(STYLESHEET, "/* style.css */\n")
    html = html.replace(str(DATA), "<data>")
    html = re.sub(r"grader \d+\.\d+\.\d+[^\s\"<]*", "grader <version>", html)
    return re.sub(r'(<span class="generated">)[^<]*(</span>)', r"\1<time>\2", html)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The sample class graded once (with the instructor's overrides) for all tests of this module."""
    out = tmp_path_factory.mktemp("class-out")
    overrides = load_overrides(DATA / "overrides.yaml", [load_homework("hw2-cnn")])
    summary = grade_folder(CLASS, out, jobs=1, overrides=overrides)
    return out, summary


@pytest.mark.parametrize("page", ["reports/ada.html", "reports/bob.html", "reports/broken.html", "index.html"],
                         ids=["strong-student", "overridden-student", "unreadable-file", "class-summary"])
def test_rendered_html_matches_golden(graded_class, golden, page):
    """Reports and the class summary render exactly as their golden files (volatile fields stripped)."""
    out, _ = graded_class
    golden("html/" + page.replace("/", "-"), normalise((out / page).read_text(encoding="utf-8")))


class _Collector(HTMLParser):
    """Every element, attribute and text node of a page, as a browser's tokenizer sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


# Raw tag openings a hostile string would inject; escaped they read `&lt;script`.
HOSTILE = ["<script", "<img", "<b ", "</td><b"]


@pytest.mark.parametrize("page", ["reports/eve.html", "index.html"], ids=["student-report", "class-summary"])
def test_student_strings_never_reach_the_html_unescaped(graded_class, page):
    """Hostile answers, names and ids appear only as text: no script, img or event-handler markup."""
    out, _ = graded_class
    html = (out / page).read_text(encoding="utf-8")
    parsed = _Collector()
    parsed.feed(html)
    assert "script" not in parsed.tags and "img" not in parsed.tags and "b" not in parsed.tags
    assert not [name for name, _ in parsed.attributes if name.startswith("on")]
    for needle in HOSTILE:
        assert needle not in html.lower(), needle
    text = "".join(parsed.text)
    assert "<img src=x onerror=alert('name')>" in text  # shown to the reader, as text
    if page.startswith("reports"):
        assert "<script>alert('answer')</script>" in text
        assert "<math><mi>x</mi></math>" in text  # a student's own MathML is text, not markup


def test_hostile_student_id_in_a_single_report_is_escaped(tmp_path):
    """`grader check --html` path: a hostile id and name from the file are escaped in the page."""
    result = check_file(CLASS / "eve.yaml")
    html = render_report(result)
    assert "eve&lt;script&gt;" in html and "<script" not in html


@pytest.mark.parametrize(
    "markup, allowed",
    [
        (f'<math {MATH}><mrow><mi>H</mi><mo>+</mo><mn>1</mn></mrow></math>', True),
        (f'<math {MATH}><msub><mi>C</mi><mi>in</mi></msub></math>', True),
        (f'<math {MATH}><mi>x</mi><script>alert(1)</script></math>', False),
        (f'<math {MATH}><mi onclick="alert(1)">x</mi></math>', False),
        (f'<math {MATH}><maction actiontype="toggle"><mi>x</mi></maction></math>', False),
        ('<math><mi>x</mi></math>', False),
        (f'<math {MATH}><mi>x</mi>', False),
        (f'<svg {MATH}></svg>', False),
        ("", False),
    ],
    ids=["sum", "subscript", "script-inside", "event-attribute", "maction", "no-namespace", "malformed",
         "not-math-root", "empty"],
)
def test_safe_mathml_keeps_only_vetted_presentation_markup(markup, allowed):
    """MathML passes only if every element and attribute is on the allow-list; else it falls back to text."""
    vetted = safe_mathml(markup)
    assert (vetted is not None) is allowed
    if vetted is not None:
        assert vetted.startswith("<math") and "script" not in vetted


def test_safe_mathml_escapes_text_and_alttext():
    """Text inside vetted MathML and the alt text are re-serialised escaped."""
    vetted = safe_mathml(f'<math {MATH}><mi>&lt;b&gt;</mi></math>', 'a"<b>')
    assert "<b>" not in vetted and "&lt;b&gt;" in vetted and 'alttext="a&quot;&lt;b&gt;"' in vetted


@pytest.mark.parametrize(
    "feedback, blocks",
    [
        ("", []),
        ("Not equivalent.", [("p", "Not equivalent.")]),
        ("unexpected ')'\n  (H+1))\n       ^\nRemove it.",
         [("p", "unexpected ')'"), ("pre", "(H+1))\n     ^"), ("p", "Remove it.")]),
    ],
    ids=["empty", "prose", "caret-diagram"],
)
def test_feedback_blocks_keep_caret_diagrams_aligned(feedback, blocks):
    """Indented feedback lines (caret diagrams) become one preformatted block; prose lines paragraphs."""
    assert feedback_blocks(feedback) == blocks


def _result(**item_overrides) -> Result:
    item = ItemResult(id="p9.x", problem="p9", kind="expression", status=Status.INCORRECT, score=0.0, max_score=1.0,
                      given="2p", read_as="2*p", expected="3*p", feedback="Not equivalent.",
                      read_as_mathml=f'<math {MATH}><mn>2</mn><mi>p</mi></math>',
                      expected_mathml=f'<math {MATH}><mn>3</mn><mi>p</mi></math>')
    item = item.model_copy(update=item_overrides)
    return Result(homework="hw9", student=Student(id="ada"), score=item.score, max_score=1.0,
                  problems=[ProblemResult(id="p9", title="Nine", score=item.score, max_score=1.0)],
                  items=[item], grader_version="0")


def test_report_shows_formulas_as_mathml_and_hides_expected_when_withheld():
    """Formulas render as <math>; with expected withheld the page says 'not shown' and has no expected MathML."""
    shown = render_report(_result())
    assert shown.count("<math") == 2 and 'alttext="3*p"' in shown
    hidden = render_report(_result(expected=None, expected_mathml=None))
    assert "not shown" in hidden and "3*p" not in hidden and hidden.count("<math") == 1


def test_report_names_the_misconception_and_links_the_item_followed():
    """A matched mistake rule is a badge; an answer carried forward links to the row of the item it follows."""
    html = render_report(_result(misconception="no_bias", follows_from="p9.w"))
    assert '<span class="badge mistake">known mistake: no_bias</span>' in html
    assert '<span class="badge carried">follows from <a href="#item-p9.w">p9.w</a></span>' in html
    assert "badge mistake" not in render_report(_result()) and "badge carried" not in render_report(_result())


@pytest.mark.parametrize("status", list(Status), ids=[s.value for s in Status])
def test_status_is_shown_by_colour_icon_and_word(status):
    """Each status has a colour class, an icon hidden from screen readers, and a word."""
    html = render_report(_result(status=status))
    assert f'class="status s-{status.value}"' in html
    assert re.search(rf'<span class="status s-{status.value}"><span class="icon" aria-hidden="true">.</span> \w+</span>', html)


@pytest.mark.parametrize("page", ["reports/ada.html", "index.html"], ids=["report", "summary"])
def test_pages_are_self_contained(graded_class, page):
    """No script, no external stylesheet, image or font: the page works offline and prints."""
    html = (graded_class[0] / page).read_text(encoding="utf-8")
    parsed = _Collector()
    parsed.feed(html)
    assert "script" not in parsed.tags and "link" not in parsed.tags and "iframe" not in parsed.tags
    urls = [value for name, value in parsed.attributes if name in ("src", "href") and value]
    assert all(not re.match(r"[a-z]+:", url) for url in urls), urls
    assert "@media print" in html and 'lang="en"' in html


def test_error_report_escapes_the_message():
    """The page of an ungradable file escapes the loader's message (it quotes the student's text)."""
    html = render_error_report("x<y", "a.yaml", "bad value '<script>'")
    assert "<script>" not in html and "&lt;script&gt;" in html and "x&lt;y" in html

"""HTML: a student's feedback report and the class summary, from jinja2 templates with autoescaping.

Self-contained pages (inline CSS and SVG, no script, no external resource), so a report can
be mailed, opened offline or printed. Everything a student wrote reaches the page through
autoescaping; the only markup not escaped is MathML that the grader printed and that
`safe_mathml` has re-parsed and vetted element by element.

jinja2 is imported here only, and this module only when HTML is asked for, so `grader check`
without `--html` does not pay for it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from functools import cache, lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from grader.core.identity import identity_flag
from grader.core.models import ItemResult, Result, Status
from grader.core.summary import ClassSummary, HomeworkSummary

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
# Presentation MathML elements and attributes that sympy's printer uses; anything else is refused.
_MATHML_TAGS = frozenset(
    "math mrow mi mn mo ms mtext mspace msub msup msubsup mfrac msqrt mroot mfenced mstyle mpadded "
    "mphantom munder mover munderover mtable mtr mtd".split()
)
_MATHML_ATTRIBUTES = frozenset(
    "mathvariant stretchy fence separator separators open close form linethickness displaystyle "
    "lspace rspace display scriptlevel accent accentunder columnalign".split()
)

# (icon, word) per status: never colour alone.
STATUS_LABELS: dict[str, tuple[str, str]] = {
    Status.CORRECT.value: ("✔", "correct"),
    Status.PARTIAL.value: ("◐", "partial"),
    Status.INCORRECT.value: ("✘", "incorrect"),
    Status.MISSING.value: ("∅", "missing"),
    Status.INVALID.value: ("?", "unreadable"),
}
STATUS_COLOURS: dict[str, str] = {
    Status.CORRECT.value: "#1a7f37",
    Status.PARTIAL.value: "#9a6700",
    Status.INCORRECT.value: "#cf222e",
    Status.MISSING.value: "#6e7781",
    Status.INVALID.value: "#8250df",
}


@cache
def _environment() -> Environment:
    ET.register_namespace("", MATHML_NS)
    env = Environment(
        loader=PackageLoader("grader.render", "templates"),
        autoescape=True,  # every template, whatever its name: student text is never trusted
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(pts=points, pct=percent, mathml=safe_mathml, blocks=feedback_blocks,
                       status_badge=status_badge, formula=formula, feedback=feedback_html, item_row=item_row)
    env.globals.update(STATUS_LABELS=STATUS_LABELS, STATUS_COLOURS=STATUS_COLOURS, statuses=[s.value for s in Status])
    return env


def render_report(result: Result, *, back_link: str | None = None) -> str:
    """One student's feedback report as a self-contained HTML page."""
    items_of = {p.id: [i for i in result.items if i.problem == p.id] for p in result.problems}
    counts = Counter(item.status.value for item in result.items)
    tally = {status: counts[status] for status in STATUS_LABELS}
    return _environment().get_template("report.html.j2").render(
        result=result, items_of=items_of, tally=tally, back_link=back_link,
        overridden=any(i.override for i in result.items),
        reviewed=any(i.override is not None and i.override.reviewer is not None for i in result.items),
        percent_of=_percent_of(result.score, result.max_score),
        identity_flag=identity_flag(result.student.id, result.student.declared_id),
    )


def render_error_report(student_id: str, source: str, message: str, *, back_link: str | None = None) -> str:
    """The page a student gets when their submission could not be graded at all."""
    return _environment().get_template("error.html.j2").render(
        student_id=student_id, source=source, message=message, back_link=back_link,
    )


def render_index(summary: ClassSummary) -> str:
    """The class summary: statistics, charts, frequent mistakes and the table of students."""
    columns = [(h.id, p) for h in summary.homeworks for p, _, _ in h.problems]
    return _environment().get_template("index.html.j2").render(
        summary=summary, columns=columns, several=len(summary.homeworks) > 1,
        histograms={h.id: histogram_chart(h) for h in summary.homeworks},
        item_charts={h.id: item_chart(h) for h in summary.homeworks},
    )


# --- filters ----------------------------------------------------------------------------------


def points(value: float | None) -> str:
    """Points without trailing zeros (38.5, 40, 0.75)."""
    return "–" if value is None else f"{value:g}"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _percent_of(score: float, max_score: float) -> float:
    return 100 * score / max_score if max_score else 0.0


@lru_cache(maxsize=4096)
def safe_mathml(markup: str | None, alttext: str | None = None) -> Markup | None:
    """Grader-printed MathML, re-parsed and re-serialised if it uses only vetted elements; else None.

    Formulas are printed by sympy from expressions our parser built from allowed names, but
    the page must not depend on that: the markup is parsed as XML, every element and
    attribute checked against an allow-list, and serialised again (which escapes all text).
    `alttext` (the formula as plain text) is what assistive technology without MathML reads.
    """
    if not markup:
        return None
    try:
        root = ET.fromstring(markup)
    except ET.ParseError:
        return None
    for element in root.iter():
        namespace, _, tag = element.tag.rpartition("}")
        if namespace.lstrip("{") != MATHML_NS or tag not in _MATHML_TAGS:
            return None
        if any(name not in _MATHML_ATTRIBUTES for name in element.attrib):
            return None
    if root.tag != f"{{{MATHML_NS}}}math":
        return None
    root.set("displaystyle", "true")  # full-size fractions inside a table cell
    if alttext:
        root.set("alttext", alttext)
    ET.register_namespace("", MATHML_NS)
    return Markup(ET.tostring(root, encoding="unicode", short_empty_elements=False))


# Small fragments built in Python rather than jinja macros: a report has hundreds of them, and a
# macro call costs ~20 µs. Every piece of text goes through markupsafe's escape.


@cache
def status_badge(value: str) -> Markup:
    """A status as colour (class), icon (hidden from screen readers) and word."""
    icon, word = STATUS_LABELS[value]
    return Markup('<span class="status s-{0}"><span class="icon" aria-hidden="true">{1}</span> {2}</span>').format(
        value, icon, word)


def formula(mathml: str | None, text: str) -> Markup:
    """Vetted MathML of a formula (its plain text as alttext), else the text as code."""
    markup = safe_mathml(mathml, text)
    return markup if markup is not None else Markup(f"<code>{escape(text)}</code>")


def feedback_html(text: str) -> Markup:
    """Feedback as paragraphs, caret diagrams preformatted (escape() and join: Markup.format is
    slow, and this runs for every item of every report)."""
    return Markup("".join(f"<{kind}>{escape(block)}</{kind}>" for kind, block in feedback_blocks(text)))


# Distinct rows a process remembers (about a kilobyte each): a class repeats the same rows (the
# same right answer, the same common mistake), so a batch worker builds each one once.
MAX_REMEMBERED_ROWS = 4096


def item_row(item: ItemResult) -> Markup:
    """The table row of one graded item: status and badges, points, the answer as written and as
    read, the expected answer and the feedback (a jinja loop body here took a third of a report's time)."""
    override = item.override
    return _row(
        item.id, item.kind, item.status, item.line, item.score, item.max_score, item.given, item.read_as,
        item.read_as_mathml, item.expected, item.expected_mathml, item.feedback, item.needs_review,
        item.misconception, item.follows_from, item.confidence, item.confidence_note,
        None if override is None else (override.score, override.comment, override.original_score,
                                       override.original_status, override.reviewer is not None),
    )


@lru_cache(maxsize=MAX_REMEMBERED_ROWS)
def _row(
    id: str, kind: str, status: Status, line: int | None, score: float, max_score: float, given: str | None,
    read_as: str | None, read_as_mathml: str | None, expected: str | None, expected_mathml: str | None,
    feedback: str, needs_review: bool, misconception: str | None, follows_from: str | None,
    confidence: str | None, confidence_note: str | None, override: tuple[float, str, float, Status, bool] | None,
) -> Markup:
    item_id = escape(id)
    line_no = f'<span class="line-no">line {line}</span>' if line else ""
    badges = [status_badge(status.value)]
    if override is not None:
        badges.append('<span class="badge adjusted">{}</span>'.format(
            "reviewed by your instructor" if override[4] else "adjusted by instructor"))
    if needs_review:
        badges.append('<span class="badge">flagged for review</span>')
    if confidence is not None:
        badges.append(Markup('<span class="badge confidence {}" title="{}">confidence: {}</span>').format(
            confidence, confidence_note or "every concept asserted plainly", confidence))
    if misconception:
        badges.append(f'<span class="badge mistake">known mistake: {escape(misconception)}</span>')
    if follows_from:
        target = escape(follows_from)
        badges.append(f'<span class="badge carried">follows from <a href="#item-{target}">{target}</a></span>')
    notes = feedback_html(feedback)
    if override is not None and override[4]:
        new_score, comment, old_score, _, _ = override
        notes += Markup(
            '<p class="override"><strong>Reviewed by your instructor:</strong> {} points (the grader gave {}).{}</p>'
        ).format(points(new_score), points(old_score), f" {comment}" if comment else "")
    elif override is not None:
        new_score, comment, old_score, old_status, _ = override
        notes += Markup(
            '<p class="override"><strong>Adjusted by your instructor:</strong> {} → {} points '
            '(the grader said {}).{}</p>'
        ).format(points(old_score), points(new_score), STATUS_LABELS[old_status.value][1],
                 f" {comment}" if comment else "")
    return Markup("".join((
        f'      <tr class="row-{status.value}" id="item-{item_id}">\n',
        f'        <th scope="row"><code>{item_id}</code>{line_no}</th>\n',
        f'        <td data-label="Result">{"<br>".join(badges)}</td>\n',
        f'        <td class="num" data-label="Points">{points(score)} / {points(max_score)}</td>\n',
        f'        <td data-label="Your answer">{_given_cell(kind, status, given, read_as, read_as_mathml)}</td>\n',
        f'        <td class="expected" data-label="Expected">{_expected_cell(kind, expected, expected_mathml)}</td>\n',
        f'        <td class="feedback" data-label="Feedback">{notes}</td>\n',
        "      </tr>",
    )))


def _given_cell(kind: str, status: Status, given: str | None, read_as: str | None, read_as_mathml: str | None
                ) -> str:
    """The student's answer as written and, when it differs, as the grader read it."""
    if given is None:
        return '<span class="hidden-answer">no answer</span>'
    shown = f'<span class="given prose">{escape(given)}</span>' if kind == "text" else \
        f'<code class="given">{escape(given)}</code>'
    if read_as_mathml:
        return f'{shown}<div class="read-as">read as {formula(read_as_mathml, read_as)}</div>'
    if read_as is not None and read_as != given and status is not Status.CORRECT:
        return f'{shown}<div class="read-as">read as <code>{escape(read_as)}</code></div>'
    return shown


def _expected_cell(kind: str, expected: str | None, expected_mathml: str | None) -> str:
    if expected is None:
        return '<span class="hidden-answer">not shown</span>'
    if kind == "text":
        return f'<span class="prose">{escape(expected)}</span>'
    return formula(expected_mathml, expected)


def feedback_blocks(text: str) -> list[tuple[str, str]]:
    """Feedback split into ("p", prose) and ("pre", caret diagram) blocks; spacing of diagrams kept."""
    blocks: list[tuple[str, str]] = []
    for line in text.splitlines():
        kind = "pre" if line.startswith("  ") else "p"
        if not line.strip():
            continue
        if blocks and blocks[-1][0] == kind == "pre":
            blocks[-1] = ("pre", blocks[-1][1] + "\n" + line[2:])
        else:
            blocks.append((kind, line[2:] if kind == "pre" else line))
    return blocks


# --- chart geometry (layout only: the numbers come from the class summary) ---------------------


def histogram_chart(homework: HomeworkSummary, *, width: int = 560, height: int = 220) -> dict:
    """Bars of the score histogram, in SVG user units."""
    left, bottom, top = 36, 36, 16
    plot_w, plot_h = width - left - 8, height - bottom - top
    highest = max(homework.histogram, default=0) or 1
    bins = len(homework.histogram)
    step = plot_w / bins
    bars = []
    for i, count in enumerate(homework.histogram):
        h = plot_h * count / highest
        low, high = 100 * i // bins, 100 * (i + 1) // bins
        bars.append({
            "x": round(left + i * step + 2, 1), "y": round(top + plot_h - h, 1), "w": round(step - 4, 1),
            "h": round(h, 1), "count": count, "label": f"{low}–{high} %",
            "tick": f"{low}", "cx": round(left + i * step + step / 2, 1),
        })
    ticks = sorted({0, highest // 2, highest}) if highest > 1 else [0, 1]
    return {
        "width": width, "height": height, "left": left, "top": top, "bottom": top + plot_h, "right": left + plot_w,
        "bars": bars,
        "yticks": [{"y": round(top + plot_h - plot_h * t / highest, 1), "value": t} for t in ticks],
    }


def item_chart(homework: HomeworkSummary, *, width: int = 720, row: int = 18) -> dict:
    """One stacked bar per item: the share of students per status, and the mean score."""
    # Labels are monospace item ids at 11px (about 7 units a character): room for the longest.
    label_w, value_w = 14 + 7 * max((len(stats.id) for stats in homework.items), default=10), 64
    width = max(width, label_w + value_w + 240)
    bar_w = width - label_w - value_w
    rows = []
    for i, stats in enumerate(homework.items):
        total = sum(stats.counts.values()) or 1
        x, parts = float(label_w), []
        for status in STATUS_LABELS:
            share = stats.counts.get(status, 0) / total
            if share:
                parts.append({"x": round(x, 1), "w": round(bar_w * share, 1), "status": status,
                              "count": stats.counts[status]})
                x += bar_w * share
        rows.append({"y": i * row, "id": stats.id, "parts": parts, "mean": 100 * stats.mean_fraction,
                     "text_y": i * row + row * 0.7})
    return {"width": width, "height": max(row, row * len(rows)) + 4, "row": row, "label_w": label_w,
            "bar_w": bar_w, "value_x": label_w + bar_w + 6, "rows": rows, "bar_h": row - 4}


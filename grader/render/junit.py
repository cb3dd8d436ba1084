"""JUnit XML: one <testcase> per item, one <testsuite> per problem, for CI test-report viewers.

A fully correct item passes; any other item (partial, incorrect, missing, invalid) is a
<failure> whose `type` is the status and whose `message` is the item's points and feedback
(the body repeats it in full). Points travel as <properties> of suites and cases, since JUnit
has no notion of partial credit. Built with xml.etree, so every text is escaped; the document is
printed to CI logs, so what a terminal or the Actions runner would act on is a character reference.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from grader.core.models import ItemResult, Result, Status
from grader.render._common import item_notes, item_summary, points
from grader.render.safe_text import xml_safe


def render_junit(result: Result) -> str:
    """The result as a JUnit XML document (UTF-8 declaration, indented)."""
    failures = sum(item.status is not Status.CORRECT for item in result.items)
    root = ET.Element("testsuites", {
        "name": _xml_safe(f"{result.homework} · {result.student.id}"),
        "tests": str(len(result.items)),
        "failures": str(failures),
        "errors": "0",
        "skipped": "0",
        "time": "0",
    })
    for problem in result.problems:
        items = [item for item in result.items if item.problem == problem.id]
        suite = ET.SubElement(root, "testsuite", {
            "name": f"{result.homework}.{problem.id}",
            "tests": str(len(items)),
            "failures": str(sum(item.status is not Status.CORRECT for item in items)),
            "errors": "0",
            "skipped": "0",
            "time": "0",
        })
        _properties(suite, {
            "title": problem.title,
            "score": points(problem.score),
            "max_score": points(problem.max_score),
            "student": result.student.id,
            "grader_version": result.grader_version,
        })
        for item in items:
            _testcase(suite, item, result)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml_safe(ET.tostring(root, encoding="unicode")) + "\n"


def _testcase(suite: ET.Element, item: ItemResult, result: Result) -> None:
    attributes = {"classname": f"{result.homework}.{item.problem}", "name": _xml_safe(item.id), "time": "0"}
    if result.source:
        attributes["file"] = _xml_safe(result.source)
    if item.line is not None:
        attributes["line"] = str(item.line)
    case = ET.SubElement(suite, "testcase", attributes)
    _properties(case, {"score": points(item.score), "max_score": points(item.max_score), "status": item.status.value})
    if item.status is Status.CORRECT:
        return
    notes = item_notes(item)
    failure = ET.SubElement(case, "failure", {
        "type": item.status.value,
        "message": _xml_safe("; ".join([item_summary(item), *notes])),
    })
    body = [item_summary(item)]
    if item.given is not None:
        body.append(f"your answer: {item.given}")
    failure.text = _xml_safe("\n".join(body + notes))


def _properties(parent: ET.Element, values: dict[str, str]) -> None:
    properties = ET.SubElement(parent, "properties")
    for name, value in values.items():
        ET.SubElement(properties, "property", {"name": name, "value": _xml_safe(value)})


# Characters XML 1.0 forbids even escaped (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF):
# a student's YAML can smuggle them in through "\x01"-style escapes.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)

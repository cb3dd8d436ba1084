"""The composite action and the Classroom workflow template: wired the way the grading reporter reads them."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def test_action_and_workflow_template_fit_the_reporter():
    """The template wires the action's `result` to the reporter as <STEP-ID>_RESULTS, in the shape Classroom needs."""
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite" and "result" in action["outputs"]
    assert {"submission", "hide-expected"} <= set(action["inputs"])
    assert "--format" in action["runs"]["steps"][-1]["run"]
    workflow = yaml.safe_load((REPO / "templates/classroom/.github/workflows/classroom.yml").read_text(encoding="utf-8"))
    assert workflow["name"] == "Autograding Tests" and list(workflow["jobs"]) == ["run-autograding-tests"]
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    grader = next(step for step in steps if step.get("id") == "grader")
    reporter = next(step for step in steps if "autograding-grading-reporter" in step.get("uses", ""))
    assert reporter["with"]["runners"] == grader["id"]
    assert reporter["env"] == {f"{grader['id'].upper()}_RESULTS": "${{ steps.grader.outputs.result }}"}

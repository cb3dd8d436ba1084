"""Test helpers that grade the way each deployment does: `grader check`, the GitHub action's step, Gradescope's script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GRADER = shutil.which("grader", path=str(BIN)) or "grader"


def run_check(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess:
    """`grader check ARGS` as a process, outside GitHub Actions unless `env` says otherwise."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return subprocess.run([GRADER, "check", *map(str, args)], cwd=cwd, env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=120)


def action_inputs() -> dict[str, dict]:
    """The inputs action.yml declares."""
    return yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))["inputs"]


def run_action(workspace: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """Run action.yml's grading step (its own bash script) in `workspace` as a runner would.

    Inputs not given take the action's defaults; the step's environment maps them as the action
    does (`${{ inputs.x }}`). Returns the process and the step outputs written to $GITHUB_OUTPUT.
    """
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    step = next(step for step in action["runs"]["steps"] if step.get("id") == "grade")
    values = {name: spec.get("default", "") for name, spec in action["inputs"].items()} | inputs
    env = {name: _expand(text, values) for name, text in step["env"].items()}
    output, summary = workspace / ".github_output", workspace / ".github_summary"
    output.write_text("", encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    completed = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=workspace, capture_output=True, text=True, timeout=120,
        env={**base, **env, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "GITHUB_ACTIONS": "true",
             "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(workspace)},
    )
    return completed, _outputs(output.read_text(encoding="utf-8"))


def _expand(text: str, inputs: dict[str, str]) -> str:
    """`${{ inputs.NAME }}` replaced by the input's value (the only expression the step's env uses)."""
    for name, value in inputs.items():
        text = text.replace(f"${{{{ inputs.{name} }}}}", str(value))
    assert "${{" not in text, f"unexpanded expression in the action's env: {text}"
    return text


def _outputs(text: str) -> dict[str, str]:
    """Step outputs from a $GITHUB_OUTPUT file (`name=value` and `name<<DELIMITER` blocks)."""
    outputs, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for inner in lines:
                if inner == delimiter:
                    break
                value.append(inner)
            outputs[name] = "\n".join(value)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def run_autograder(root: Path, **env: str) -> tuple[subprocess.CompletedProcess, dict]:
    """Run gradescope/run_autograder against a fake /autograder; the process and its results.json."""
    (root / "results").mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        ["bash", str(REPO / "gradescope" / "run_autograder")],
        env={**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER": GRADER, "HOMEWORK": "hw2-cnn", **env},
        capture_output=True, text=True, timeout=120,
    )
    return completed, json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))

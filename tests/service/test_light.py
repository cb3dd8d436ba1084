"""`grader check` and `grader submit` stay light: neither imports the service's web or database stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "anyio", "torch")
PROBE = """
import sys
from grader.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


def loaded_by(*args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "GRADER_TOKEN": "grd_" + "A" * 43}, timeout=120)
    return json.loads(done.stderr.strip().splitlines()[-1].replace("'", '"'))


def test_check_imports_no_service_dependency():
    assert loaded_by("check", str(ROOT / "submissions" / "hw2-cnn" / "ada.yaml"), "--format", "json") == []


def test_submit_imports_no_service_dependency():
    """`grader submit` (the action's server mode) uses the standard library's HTTP client only."""
    assert loaded_by("submit", str(ROOT / "submissions" / "hw2-cnn" / "ada.yaml"), "--server",
                     "http://127.0.0.1:9") == []

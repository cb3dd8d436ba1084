"""Shared test helpers."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest


def _write_submission(tmp_path: Path, text: str | bytes, name: str = "ada.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def write_submission():
    """The builder `write_submission(tmp_path, text, name="ada.yaml") -> Path` (text or bytes)."""
    return _write_submission


@pytest.fixture
def register_homework(monkeypatch):
    """Register a homework `name` at the entry point `value` ("module:attribute") beside the installed ones."""
    from importlib.metadata import EntryPoint

    from grader.plugins import homeworks as plugins

    registered = plugins.available_homeworks()

    def register(name: str, value: str) -> None:
        registered[name] = EntryPoint(name, value, plugins.ENTRY_POINT_GROUP)
        monkeypatch.setattr(plugins, "available_homeworks", lambda: dict(registered))
        plugins.load_homework.cache_clear()

    yield register
    plugins.load_homework.cache_clear()


def pytest_addoption(parser):
    parser.addoption(
        "--update-goldens", action="store_true", default=False,
        help="Rewrite the golden files under tests/golden from the current output instead of comparing.",
    )


GOLDEN_DIR = Path(__file__).parent / "golden"


@pytest.fixture
def golden(request):
    """`golden(name, text)`: compare text with tests/golden/NAME, or rewrite it with --update-goldens."""
    update = request.config.getoption("--update-goldens")

    def check(name: str, text: str) -> None:
        path = GOLDEN_DIR / name
        if update or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if not update:
                pytest.fail(f"golden file {path} did not exist; written now, check it and commit it")
            return
        expected = path.read_text(encoding="utf-8")
        if text != expected:
            diff = difflib.unified_diff(expected.splitlines(), text.splitlines(), "golden", "now", lineterm="", n=1)
            shown = "\n".join(list(diff)[:60])
            pytest.fail(f"{name} differs from its golden file (run pytest --update-goldens if intended):\n{shown}")

    return check

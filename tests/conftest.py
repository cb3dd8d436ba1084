"""Shared test helpers."""

from __future__ import annotations

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
def monkeypatch(monkeypatch):
    """pytest's monkeypatch, restarting the bounded workers so they see the patched code (and the restored code after)."""
    from grader.bounded import shutdown_workers

    shutdown_workers()
    yield monkeypatch
    shutdown_workers()

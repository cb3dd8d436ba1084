"""Headless-Chromium screenshots of a report and the class summary (skipped where chromium is absent)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshots.py"
spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
screenshots = importlib.util.module_from_spec(spec)
spec.loader.exec_module(screenshots)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
@pytest.mark.skipif(screenshots.find_chromium() is None, reason="chromium is not installed (apt-get install chromium)")
def test_screenshots_are_rendered(tmp_path):
    """scripts/screenshots.py renders every page to a non-trivial PNG, and the print view to a PDF."""
    assert screenshots.main(tmp_path) == 0
    for _, png, (width, height) in screenshots.SHOTS:
        data = (tmp_path / png).read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 20_000, png
        assert int.from_bytes(data[16:20], "big") == width and int.from_bytes(data[20:24], "big") == height
    assert (tmp_path / "report-bob-print.pdf").read_bytes().startswith(b"%PDF")

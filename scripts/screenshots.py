"""Screenshots of a student report and the class summary, rendered by headless Chromium.

Grades the small sample class of the tests (tests/data/class) into OUT/class and writes
PNGs into OUT: index.png (class summary), report-ada.png and report-bob.png (student
reports), report-bob-print.pdf (the print rendering). Needs Debian's `chromium` package;
exits 3 when it is absent.

Usage: python scripts/screenshots.py [OUT]       (default: out/screenshots)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLASS = ROOT / "tests" / "data" / "class"
# Flags that keep a headless run quiet and offline (no updates, no sync, no first-run UI).
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--force-device-scale-factor=1",
]
SHOTS = [("index.html", "index.png", (1280, 2600)),
         ("reports/ada.html", "report-ada.png", (1280, 2200)),
         ("reports/bob.html", "report-bob.png", (1280, 1800)),
         ("reports/bob.html", "report-bob-narrow.png", (420, 1400))]


def find_chromium() -> str | None:
    """The Chromium executable, if installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot(chromium: str, page: Path, png: Path, size: tuple[int, int]) -> None:
    """Render one local page to a PNG of the given window size."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}",
             f"--screenshot={png}", page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )


def print_pdf(chromium: str, page: Path, pdf: Path) -> None:
    """Print one local page to PDF (checks the print stylesheet)."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
                        f"--print-to-pdf={pdf}", page.as_uri()], check=True, capture_output=True, timeout=120)


def main(out: Path) -> int:
    chromium = find_chromium()
    if chromium is None:
        print("chromium not found (apt-get install chromium); no screenshots taken", file=sys.stderr)
        return 3
    from grader.batch import grade_folder
    from grader.io.overrides import load_overrides
    from grader.plugins.homeworks import load_homework

    out = out.resolve()  # file:// URIs need absolute paths (`make screenshots` passes out/screenshots)
    out.mkdir(parents=True, exist_ok=True)
    overrides = load_overrides(CLASS.parent / "overrides.yaml", [load_homework("hw2-cnn")])
    grade_folder(CLASS, out / "class", jobs=1, overrides=overrides)
    for page, png, size in SHOTS:
        screenshot(chromium, out / "class" / page, out / png, size)
        print(out / png)
    print_pdf(chromium, out / "class" / "reports" / "bob.html", out / "report-bob-print.pdf")
    print(out / "report-bob-print.pdf")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out" / "screenshots"))

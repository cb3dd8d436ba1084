"""Build the Gradescope autograder zip: setup.sh and run_autograder at its root, plus the grader.

Gradescope unpacks the zip into /autograder/source and runs setup.sh once to build the image;
setup.sh installs the grader from there (`pip install /autograder/source`), so the zip carries
what that needs: pyproject.toml, README.md and the packages (engine, homework plugins and their
committed answer keys). Usage: python gradescope/build_zip.py [OUT.zip]
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ("setup.sh", "run_autograder")
PROJECT_FILES = ("pyproject.toml", "README.md")
PACKAGES = ("grader", "problems", "reference")


def package_files(root: Path = ROOT) -> list[Path]:
    """The project files the installer needs, relative to `root`, without caches."""
    files = [Path(name) for name in PROJECT_FILES]
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files.append(path.relative_to(root))
    return files


def build(out: Path, root: Path = ROOT) -> Path:
    """Write the zip to `out` and return it; the two scripts are stored executable."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in SCRIPTS:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o100755 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (root / "gradescope" / name).read_bytes())
        for relative in package_files(root):
            archive.write(root / relative, relative.as_posix())
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist" / "gradescope-autograder.zip"
    print(f"Wrote {build(target)}")

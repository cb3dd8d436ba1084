"""Build the Gradescope autograder zip: setup.sh and run_autograder at its root, plus the grader.

Gradescope unpacks the zip into /autograder/source and runs setup.sh once to build the image;
setup.sh installs the grader from there (`pip install /autograder/source`), so the zip carries
what that needs: pyproject.toml, README.md and the packages (engine, homework plugins and their
committed answer keys), and `autograder.env`, which names the homework that run_autograder grades
(a submission naming another one is refused).
Usage: python gradescope/build_zip.py [OUT.zip] [--homework ID] [--with PACKAGE_FOLDER ...]
[--secret-file FILE [--identity sid|email|id]] (ID may be left out when one homework is installed;
--with adds a homework package of your own; --secret-file grades each student on their own variant).
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ("setup.sh", "run_autograder")
PROJECT_FILES = ("pyproject.toml", "README.md")
PACKAGES = ("grader", "problems", "reference")
# The fields of Gradescope's submission_metadata.json users that can name a student.
IDENTITIES = ("sid", "email", "id")


def package_files(root: Path = ROOT) -> list[Path]:
    """The project files the installer needs, relative to `root`, without caches."""
    files = [Path(name) for name in PROJECT_FILES]
    for package in PACKAGES:
        files.extend(_source_files(root / package, root))
    return files


def _source_files(folder: Path, root: Path) -> list[Path]:
    return [path.relative_to(root) for path in sorted(folder.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
            and not any(part.startswith(".") for part in path.relative_to(root).parts)]


def build(out: Path, homework: str, root: Path = ROOT, extra: list[Path] | None = None,
          secret_file: Path | None = None, identity: str = "sid") -> Path:
    """Write the zip to `out` and return it; the two scripts are stored executable.

    Each folder of `extra` (a homework package of your own, with its pyproject.toml) goes into
    `extra/NAME/`, which setup.sh installs after the grader. With `secret_file` (the course secret),
    each student is graded on their own variant, named by the `identity` field of their Gradescope
    account (sid, email or id): the secret goes into the zip as `variant.secret`.
    """
    if identity not in IDENTITIES:
        raise SystemExit(f"--identity must be one of {', '.join(IDENTITIES)}, not {identity!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("autograder.env", f"HOMEWORK={homework}\n" + (f"IDENTITY={identity}\n" if secret_file else ""))
        if secret_file is not None:
            archive.writestr("variant.secret", secret_file.read_text(encoding="utf-8"))
        for name in SCRIPTS:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o100755 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (root / "gradescope" / name).read_bytes())
        for relative in package_files(root):
            archive.write(root / relative, relative.as_posix())
        for project in extra or ():
            if not (project / "pyproject.toml").is_file():
                raise SystemExit(f"{project}: not a package folder (no pyproject.toml)")
            for relative in _source_files(project, project):
                archive.write(project / relative, f"extra/{project.resolve().name}/{relative.as_posix()}")
    return out


def _homework(asked: str | None) -> str:
    """The homework to pin: the one asked for (it must be installed), else the only one installed."""
    from grader.plugins.homeworks import available_homeworks

    installed = list(available_homeworks())
    if asked is not None:
        if asked not in installed:
            raise SystemExit(f"unknown homework {asked!r} (installed homeworks: {', '.join(installed) or 'none'})")
        return asked
    if len(installed) != 1:
        raise SystemExit(f"name the homework with --homework (installed: {', '.join(installed) or 'none'})")
    return installed[0]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Build the Gradescope autograder zip.")
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "dist" / "gradescope-autograder.zip")
    parser.add_argument("--homework", help="The homework it grades (default: the only one installed).")
    parser.add_argument("--with", dest="extra", type=Path, action="append", default=[],
                        help="A homework package folder of your own to install beside the grader (repeatable).")
    parser.add_argument("--secret-file", type=Path,
                        help="The course secret: each student is graded on their own variant (the zip carries it).")
    parser.add_argument("--identity", default="sid", choices=IDENTITIES,
                        help="Which field of a Gradescope account is the student's roster id (default: sid).")
    arguments = parser.parse_args()
    built = build(arguments.out, _homework(arguments.homework), extra=arguments.extra,
                  secret_file=arguments.secret_file, identity=arguments.identity)
    print(f"Wrote {built}")

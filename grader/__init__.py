"""grader: auto-grading and answer checking for homework with computed answer keys."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("grader")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

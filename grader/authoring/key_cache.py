"""Answer keys of variants, computed by torch on first use and kept on disk by variant digest; grading reads them."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from grader import __version__
from grader.authoring.keys import build_key, render_key
from grader.core.errors import UsageError
from grader.core.homework import Homework
from grader.core.key import Key, key_path, load_key
from grader.io.files import write_atomic
from grader.plugins.homeworks import load_homework

log = logging.getLogger(__name__)

# Where keys of variants are kept unless a command is told otherwise.
CACHE_ENVIRONMENT = "GRADER_KEY_CACHE"


def default_cache_folder(env: Mapping[str, str] = os.environ) -> Path:
    """$GRADER_KEY_CACHE, else the user's cache folder ($XDG_CACHE_HOME or ~/.cache) / grader / keys."""
    if env.get(CACHE_ENVIRONMENT):
        return Path(env[CACHE_ENVIRONMENT])
    return Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "grader" / "keys"


@cache
def _fingerprint(homework_id: str) -> str:
    """What a cached key was computed by: the grader's version and the homework's committed key.

    A plugin change that changes the homework's own key (recomputed and committed) moves every
    variant's key to a new folder, so a stale key is never read.
    """
    digest = hashlib.sha256(__version__.encode() + b"\0")
    try:
        digest.update(key_path(load_homework(homework_id)).read_bytes())
    except OSError:
        pass  # no committed key: grading will say so for the default variant
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class KeyCache:
    """FOLDER/HOMEWORK/FINGERPRINT/DIGEST.yaml: one key per variant, written atomically, never edited."""

    folder: Path

    def path(self, homework: Homework) -> Path:
        """Where the key of `homework` (a variant's, `Homework.at`) is kept."""
        if homework.variant is None:
            raise UsageError(f"{homework.id} as registered has its committed key, not a cached one")
        return self.folder / homework.id / _fingerprint(homework.id) / f"{homework.variant.digest}.yaml"

    def load(self, homework: Homework) -> Key | None:
        """The kept key of the variant, or None when there is none yet (or it cannot be used: it is then recomputed)."""
        path = self.path(homework)
        if not path.is_file():
            return None
        try:
            return load_key(homework, path)
        except UsageError as error:
            log.warning("recomputing the key of %s variant %s: %s", homework.id, homework.variant.short
                        if homework.variant else "", error)
            return None

    def get(self, homework: Homework) -> Key:
        """The key of the variant: kept, or computed by the plugin now (torch) and kept."""
        found = self.load(homework)
        if found is not None:
            return found
        return self.compute(homework)

    def compute(self, homework: Homework) -> Key:
        """Compute the variant's key and keep it (a reader never sees half a file)."""
        key = build_key(homework)
        path = self.path(homework)
        write_atomic(path, render_key(key, homework.variant))
        return Key(key.homework, key.answers, str(path), key.mistakes, key.variant)


Progress = Callable[[int, int], None]


def precompute(homeworks: Sequence[Homework], keys: KeyCache, *, jobs: int = 1,
               progress: Progress | None = None) -> int:
    """Make sure every variant's key is kept, computing the missing ones in `jobs` processes; how many were computed.

    torch is imported once here, before the processes are forked, so each starts with it loaded.
    """
    missing = list({keys.path(h): h for h in homeworks if not keys.path(h).is_file()}.values())
    total = len(missing)
    if progress is not None:
        progress(0, total)
    if not missing:
        return 0
    jobs = max(1, min(jobs, total))
    if jobs == 1 or "fork" not in multiprocessing.get_all_start_methods():
        for done, homework in enumerate(missing, 1):
            keys.compute(homework)
            if progress is not None:
                progress(done, total)
        return total
    keys.compute(missing[0])  # imports torch and sympy, and warms the analyses, before forking
    global _PENDING
    _PENDING = (missing, keys)
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for done, _ in enumerate(pool.imap_unordered(_compute_one, range(1, total), chunksize=4), 2):
            if progress is not None:
                progress(done, total)
    _PENDING = None
    return total


# What the forked processes compute: set before the fork, so the homeworks are inherited, not pickled.
_PENDING: tuple[list[Homework], KeyCache] | None = None


def _compute_one(index: int) -> None:
    assert _PENDING is not None
    homeworks, keys = _PENDING
    keys.compute(homeworks[index])

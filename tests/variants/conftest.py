"""Per-student variants: a course secret, the sample homework's variants and a key cache of the test session."""

from __future__ import annotations

import pytest

from grader.authoring.key_cache import KeyCache
from grader.plugins.homeworks import homework_variant, load_homework

# A course secret as `grader secret` writes it (any 16 characters or more would do).
SECRET = "5d0f3c1e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d"
HOMEWORK = load_homework("hw2-cnn")


def variant_of(seed: str):
    """The homework of the variant `seed` draws."""
    return homework_variant(HOMEWORK.id, HOMEWORK.variant_from_seed(seed))


@pytest.fixture(scope="session")
def keys(tmp_path_factory) -> KeyCache:
    """One key cache for the session: a variant's key is computed once, whichever test asks first."""
    return KeyCache(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "course.secret"
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path

"""Checks shared by the tests that drive the command line."""

from __future__ import annotations

import math
from collections.abc import Callable

from click.testing import Result


def refused(run: Callable[..., Result], *args: str) -> str:
    """Run a command that must be refused: exit code 1, nothing on stdout; return its stderr."""
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""  # no partial output
    assert "nothing was changed" in result.stderr or "error:" in result.stderr
    return result.stderr


def assert_no_nan(document: object) -> None:
    """Assert that a JSON document holds no NaN or infinity anywhere."""
    if isinstance(document, float):
        assert math.isfinite(document)
    elif isinstance(document, dict):
        for value in document.values():
            assert_no_nan(value)
    elif isinstance(document, list):
        for value in document:
            assert_no_nan(value)

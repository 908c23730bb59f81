"""Bad settings on the command line (--weights, --wgi-years) are refused with what was expected."""

from __future__ import annotations

import pytest

from tests.helpers.cli import refused


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["countries", "--weights", "wgi"], "is not NAME=NUMBER"),
        (["countries", "--weights", "gdp=1"], "unknown country-risk indicator"),
        (["countries", "--weights", "wgi=0"], "must not all be zero"),
        (["materials", "--wgi-years", "1990-2000"], "years must lie in 1996..2023"),
        (["materials", "--wgi-years", "last year"], "is not a year"),
    ],
)
def test_f02_bad_settings_on_the_command_line(run, args: list[str], fragment: str) -> None:
    assert fragment in refused(run, *args)

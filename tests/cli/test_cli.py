"""The root command group: ketenradar's errors become one line, --debug shows the traceback."""

from __future__ import annotations

import pytest

from ketenradar.errors import InputFileError


def test_f01_debug_shows_the_traceback(run, write) -> None:
    path = write("bad.csv", "iso3,atradius_star\nZZZ,5\n")
    with pytest.raises(InputFileError):
        run("--debug", "countries", "--indicators", str(path))

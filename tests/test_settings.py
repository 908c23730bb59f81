"""A bad settings file (--config) is refused with its path and the setting that is wrong."""

from __future__ import annotations

import pytest

from tests.helpers.cli import refused


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (
            "[country_risk]\nwieghts = {wgi = 1}\n",
            "country_risk.wieghts: Extra inputs are not permitted",
        ),
        ("[outlook]\ncrma_limit = 1.5\n", "outlook.crma_limit"),
        ("[country_risk.weights\n", "not valid TOML"),
    ],
)
def test_f02_bad_config_file_is_refused_with_its_path(run, write, content: str, fragment: str) -> None:
    path = write("bad.toml", content)
    message = refused(run, "--config", str(path), "countries")
    assert str(path) in message and fragment in message


def test_f02_non_finite_settings_are_refused(run, write) -> None:
    path = write("nan.toml", "[outlook]\ncrma_limit = nan\n")
    result = run("--config", str(path), "countries", "--top", "1")
    assert result.exit_code == 1
    assert "outlook.crma_limit" in result.stderr and "finite" in result.stderr

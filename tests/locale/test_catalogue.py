"""One translation catalogue: complete, current with the code, and used by the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ketenradar.cli import cli
from ketenradar.cli.i18n import help_text
from ketenradar.errors import ChainNotFound, InputFileError, Problem
from ketenradar.locale import format_number, format_percent, translate, use_language
from ketenradar.model.vocabulary import LABELS, label

ROOT = Path(__file__).resolve().parent.parent.parent
NNBSP = "\u202f"


def test_f20_catalogue_is_complete_and_current_with_the_code() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "i18n.py"), "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("value", "digits", "english", "dutch"),
    [
        (1234567.891, 2, "1,234,567.89", f"1{NNBSP}234{NNBSP}567,89"),
        (0.5, 1, "0.5", "0,5"),
        (-3.25, 0, "-3", "-3"),
        (2.675, 2, "2.67", "2,67"),  # rounds as Python does (2.675 is 2.67499... in binary)
        (None, 1, "—", "—"),
        (float("nan"), 1, "—", "—"),
    ],
)
def test_f20_numbers_in_each_language(value: float | None, digits: int, english: str, dutch: str) -> None:
    assert format_number(value, digits, "en") == english
    assert format_number(value, digits, "nl") == dutch
    if value is not None and value == value:
        assert english == f"{value:,.{digits}f}"  # the English tables keep Python's own format


def test_f20_percentages_in_each_language() -> None:
    assert format_percent(0.8133, 0, "en") == "81%" == f"{0.8133:.0%}"
    assert format_percent(0.8133, 1, "nl") == "81,3%"
    assert format_percent(0.285, 0, "nl") == "28%" == f"{0.285:.0%}"


def test_f20_vocabulary_has_words_in_both_languages() -> None:
    for vocabulary, words in LABELS.items():
        for code in words:
            with use_language("nl"):
                dutch = label(vocabulary, code)
            with use_language("en"):
                assert label(vocabulary, code) == words[code]
            assert dutch, (vocabulary, code)
    with use_language("nl"):
        assert label("stage", "mining") == "winning"
        assert label("stage", "processing") == "verwerking"


def test_f20_errors_follow_the_language() -> None:
    problem = Problem(file="f.csv", row=3, column="share", message="x", value="1,5", expected="y")
    with use_language("nl"):
        dutch = str(problem)
        assert str(ChainNotFound("frigate")) == translate("no stored chain {name!r}").format(name="frigate")
    assert str(problem) == "f.csv, row 3, column 'share': x (found '1,5'); expected y"
    assert dutch != str(problem) and "f.csv" in dutch and "'share'" in dutch
    assert "nothing was changed" in str(InputFileError([problem]))


def _paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = [(prefix, group)]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _paths(command, (*prefix, name))
        else:
            found.append(((*prefix, name), command))
    return found


@pytest.mark.parametrize(
    ("path", "command"), _paths(cli), ids=lambda p: " ".join(p) if isinstance(p, tuple) else ""
)
def test_f20_help_is_dutch_with_lang_nl(path: tuple[str, ...], command: click.Command) -> None:
    result = CliRunner().invoke(cli, ["--lang", "nl", *path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    output = " ".join(result.stdout.split())
    assert output.startswith("Gebruik:")
    with use_language("nl"):
        dutch_help = help_text(command.help) or ""
    english_help = " ".join((help_text(command.help) or "").split())
    first_dutch = " ".join(dutch_help.split("\n\n")[0].split())
    assert first_dutch and first_dutch in output
    if first_dutch != english_help:
        assert english_help not in output
    for param in command.params:
        if isinstance(param, click.Option) and param.help and not param.hidden:
            with use_language("nl"):
                assert " ".join(help_text(param.help).split())[:40] in output, param.name
    assert "Show this message and exit." not in output and "Options" not in output


def test_f20_language_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = str(tmp_path / "absent.csv")
    monkeypatch.setenv("KETENRADAR_LANG", "nl")
    result = CliRunner().invoke(cli, ["materials", "--eu-sourcing", missing])
    assert result.exit_code == 1
    with use_language("nl"):
        assert translate("file not found") in result.stderr
    assert "file not found" not in result.stderr
    monkeypatch.setenv("KETENRADAR_LANG", "en")
    assert "file not found" in CliRunner().invoke(cli, ["materials", "--eu-sourcing", missing]).stderr
    monkeypatch.setenv("KETENRADAR_LANG", "fr")
    result = CliRunner().invoke(cli, ["materials"])
    assert result.exit_code == 2 and "KETENRADAR_LANG" in result.stderr


def test_f20_dutch_tables_on_the_terminal() -> None:
    result = CliRunner().invoke(cli, ["--lang", "nl", "materials"], terminal_width=200)
    assert result.exit_code == 0
    assert "grondstof" in result.stdout.lower()
    assert "5,1" in result.stdout and "5.1" not in result.stdout  # heavy rare earths: SR 5.1

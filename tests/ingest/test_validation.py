"""Structured documents: pydantic's wording never reaches people; deep or repeated keys are refused."""

from __future__ import annotations

import typing

import pytest
from pydantic import ValidationError
from pydantic_core.core_schema import ErrorType

from ketenradar.errors import InputFileError
from ketenradar.ingest.scenario_file import _ScenarioModel
from ketenradar.ingest.validation import (
    _MESSAGES,
    MAX_NESTING,
    describe_error,
    load_json_text,
    load_yaml_text,
)
from ketenradar.settings import Settings

BAD_SCENARIOS = [
    [],
    {"shocks": []},
    {"name": "", "shocks": [{"countries": [], "severity": 2}]},
    {"name": "x", "shocks": "all", "extra": 1},
    {"name": "x", "shocks": [{"countries": "CHN", "severity": "0.5", "stage": "smelting"}]},
    {"name": "x", "shocks": [{"countries": [1], "severity": True, "probability": -1}]},
    {
        "name": "x",
        "shocks": [{"countries": ["CHN"], "severity": float("inf"), "duration_days": float("nan")}],
    },
    {"name": 5, "description": [], "shocks": [{"countries": ["ZZZ"], "severity": 0.5, "materials": "x"}]},
    {"name": "x", "shocks": [{"countries": ["CHN"], "severity": 0.5, "materials": ["a"], "items": ["b"]}]},
    {"name": "x", "shocks": [5, None]},
]
BAD_SETTINGS = [
    {"country_risk": {"wieghts": {}}},
    {"outlook": {"crma_limit": 1.5}},
    {"outlook": {"crma_limit": "high"}},
    {"criticality": {"wgi_years": "2020"}},
    {"criticality": {"wgi_years": [1800]}},
    {"criticality": {"wgi_years": [2020.5]}},
    {"country_risk": 5},
]


def _errors(model: type, documents: list) -> list[dict]:
    found = []
    for document in documents:
        with pytest.raises(ValidationError) as caught:
            model.model_validate(document)
        found += caught.value.errors()
    return found


def test_f12_every_error_our_models_raise_has_our_own_words() -> None:
    errors = _errors(_ScenarioModel, BAD_SCENARIOS) + _errors(Settings, BAD_SETTINGS)
    assert len({e["type"] for e in errors}) >= 10
    for error in errors:
        assert error["type"] in _MESSAGES or error["type"] in ("value_error", "assertion_error"), error[
            "type"
        ]
        text = describe_error(error)
        assert text and "_ScenarioModel" not in text and "Input should" not in text, text
        if error["type"] not in ("value_error", "assertion_error"):
            assert text != error["msg"], error


@pytest.mark.parametrize("kind", typing.get_args(ErrorType))
def test_f12_no_pydantic_message_ever_reaches_the_user(kind: str) -> None:
    text = describe_error({"type": kind, "msg": "PYDANTIC WORDING", "ctx": {}, "input": 1})
    assert "PYDANTIC WORDING" not in text and text


def test_f12_choices_are_listed_without_pydantics_english_or() -> None:
    error = {"type": "literal_error", "msg": "", "ctx": {"expected": "'a', 'b' or 'c'"}}
    assert describe_error(error) == "not an accepted value: one of a, b, c"


def test_f12_deep_yaml_is_refused_without_recursion() -> None:
    text = "name: x\nshocks: " + "[" * 100_000 + "]" * 100_000 + "\n"
    with pytest.raises(InputFileError) as caught:
        load_yaml_text(text, file="s.yaml")
    (problem,) = caught.value.problems
    assert f"nested deeper than {MAX_NESTING} levels" in problem.message and problem.row == 2


def test_f12_deep_json_is_refused_with_its_line() -> None:
    text = '{"name": "x",\n "shocks": ' + "[" * 2000 + "]" * 2000 + "}"
    with pytest.raises(InputFileError) as caught:
        load_json_text(text, file="s.json", expected="")
    (problem,) = caught.value.problems
    assert "nested deeper" in problem.message and problem.row == 2


def test_f12_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = '{"name": "' + "[" * 500 + '\\"{", "shocks": []}'
    assert load_json_text(text, file="s.json", expected="")["shocks"] == []


def test_f12_repeated_yaml_keys_are_located() -> None:
    with pytest.raises(InputFileError) as caught:
        load_yaml_text("name: x\nshocks:\n  - severity: 1\n    severity: 0.5\nname: y\n", file="s.yaml")
    assert [(p.row, p.column) for p in caught.value.problems] == [(4, "severity"), (5, "name")]


def test_f08_a_date_that_cannot_exist_is_refused_with_its_line_with_the_other_problems() -> None:
    from ketenradar.ingest.validation import load_yaml_text

    text = "a: 2027-02-30\nb: 1\nb: 2\nc: [2027-01-31, 2027-13-01]\n"
    with pytest.raises(InputFileError) as caught:
        load_yaml_text(text, file="x.yaml")
    rows = [(p.row, p.message) for p in caught.value.problems]
    assert rows[0] == (1, "'2027-02-30' is not a date that exists")
    assert rows[1][0] == 3 and "twice" in rows[1][1]
    assert rows[2] == (4, "'2027-13-01' is not a date that exists")


@pytest.mark.parametrize(
    "text",
    [
        "&a [*a]",  # a loop
        "&a {x: *a}",
        "a: &x [1, 2]\nb: [*x, *x]\nc: [*x, *x]\n",  # the start of a "billion laughs"
    ],
)
def test_f12_yaml_aliases_are_refused_with_their_line(text: str) -> None:
    with pytest.raises(InputFileError) as caught:
        load_yaml_text(text, file="doc.yaml")
    problem = caught.value.problems[0]
    assert "anchors and aliases are not accepted" in problem.message and problem.row is not None

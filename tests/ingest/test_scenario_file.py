"""F12: a bad scenario file is refused with the shock and the field that is wrong."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.chains import SHARED, write_chain


def test_f12_bad_scenario_file_is_refused_precisely(run, write, tmp_path: Path) -> None:
    chain = write_chain(tmp_path / "c", SHARED)
    path = write(
        "s.yaml",
        "name: x\nshocks:\n  - countries: [CHN, ZZZ]\n    severity: 1.5\n"
        "  - countries: [CHN]\n    severity: 0.5\n    materials: [unobtainium]\n",
    )
    result = run("scenario", "run", str(path), "--chain", str(chain))
    assert result.exit_code == 1
    assert "shock 1, countries" in result.stderr and "ZZZ" in result.stderr
    assert "shock 1, severity" in result.stderr
    path = write(
        "s2.yaml",
        "name: x\nshocks:\n  - countries: [CHN]\n    severity: 0.5\n    materials: [galium]\n",
    )
    result = run("scenario", "run", str(path), "--chain", str(chain))
    assert "shock 1, materials" in result.stderr and "unknown material id" in result.stderr
    path = write(
        "s3.yaml",
        "name: x\nshocks:\n  - countries: [CHN]\n    severity: 0.5\n    items: [nothing]\n",
    )
    result = run("scenario", "run", str(path), "--chain", str(chain))
    assert result.exit_code == 1 and "unknown item id(s) nothing" in result.stderr


def _problems(write, name: str, text: str) -> list:
    import pytest

    from ketenradar.errors import InputFileError
    from ketenradar.ingest.scenario_file import read_scenario
    from tests.helpers.chains import CATALOGUE

    with pytest.raises(InputFileError) as caught:
        read_scenario(write(name, text), list(CATALOGUE))
    return caught.value.problems


def test_f12_booleans_and_quoted_numbers_are_not_numbers(write) -> None:
    problems = _problems(
        write,
        "s.yaml",
        'name: x\nshocks:\n  - countries: [CHN]\n    severity: true\n    probability: "0.3"\n',
    )
    by_field = {p.column: (p.message, p.value) for p in problems}
    assert by_field["shock 1, severity"] == ("true/false where a number is expected", "true")
    assert by_field["shock 1, probability"][0].startswith("text where a number is expected")


def test_f12_infinite_and_nan_numbers_are_refused(write) -> None:
    problems = _problems(
        write,
        "s.yaml",
        "name: x\nshocks:\n  - countries: [CHN]\n    severity: .nan\n    duration_days: .inf\n",
    )
    assert {p.column for p in problems} == {"shock 1, severity", "shock 1, duration_days"}
    assert all("not a finite number" in p.message for p in problems)
    (problem,) = _problems(
        write, "s.json", '{"name": "x", "shocks": [{"countries": ["CHN"], "severity": NaN}]}'
    )
    assert problem.column == "shock 1, severity" and "not a finite number" in problem.message


def test_f12_repeated_keys_are_refused(write) -> None:
    problems = _problems(
        write, "s.yaml", "name: x\nshocks:\n  - countries: [CHN]\n    severity: 1\n    severity: 0.1\n"
    )
    assert [(p.row, p.column) for p in problems] == [(5, "severity")]
    problems = _problems(
        write, "s.json", '{"name": "x", "name": "y", "shocks": [{"countries": ["CHN"], "severity": 1}]}'
    )
    assert [p.column for p in problems] == ["name"] and "appears twice" in problems[0].message


def test_f12_pydantic_wording_never_reaches_the_user(write) -> None:
    problems = _problems(write, "s.yaml", "- just\n- a list\n")
    assert problems[0].message == "a mapping of keys to values is expected"
    problems = _problems(write, "s.yaml", "shocks:\n  - severity: 0.5\n")
    text = "\n".join(str(p) for p in problems)
    assert "Field required" not in text and "Input should" not in text and "_ScenarioModel" not in text
    assert {p.column for p in problems} == {"name", "shock 1, countries"}
    assert all(p.message == "required key is missing" for p in problems)


def test_f12_all_problems_at_once_with_a_hint_for_near_misses(write) -> None:
    problems = _problems(
        write,
        "s.yaml",
        "name: x\nshocks:\n  - countries: [CHN]\n    severity: 0.5\n    stage: smelting\n"
        "    materials: [neodymum, galium]\n",
    )
    messages = [p.message for p in problems]
    assert any(m.startswith("not an accepted value: one of manufacturing, processing") for m in messages)
    assert "unknown material id; did you mean 'gallium'?" in messages


def test_f12_deep_scenario_is_refused(write) -> None:
    (problem,) = _problems(write, "s.yaml", "name: x\nshocks: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert "nested deeper than" in problem.message


def test_f12_start_day_is_read_and_defaults_to_zero(write) -> None:
    from ketenradar.ingest.scenario_file import read_scenario
    from tests.helpers.chains import CATALOGUE

    text = (
        "name: x\nshocks:\n  - countries: [CHN]\n    severity: 1.0\n    start_day: 30\n"
        "    duration_days: 60\n"
        "  - countries: [COD]\n    severity: 0.5\n"
    )
    scenario = read_scenario(write("s.yaml", text), list(CATALOGUE))
    assert [s.start_day for s in scenario.shocks] == [30, 0]
    assert scenario.shocks[0].duration_days == 60.0
    document = '{"name": "x", "shocks": [{"countries": ["CHN"], "severity": 1.0, "start_day": 7}]}'
    assert read_scenario(write("s.json", document), list(CATALOGUE)).shocks[0].start_day == 7


def test_f12_start_day_must_be_a_whole_number_of_days_from_zero(write) -> None:
    values = {"-1": "≥ 0", "1.5": "whole number", "2.0": "whole number", '"3"': "text", "true": "true/false"}
    shocks = "".join(f"  - countries: [CHN]\n    severity: 1.0\n    start_day: {v}\n" for v in values)
    problems = _problems(write, "s.yaml", "name: x\nshocks:\n" + shocks)
    by_field = {p.column: (p.message, p.value) for p in problems}
    assert set(by_field) == {f"shock {n}, start_day" for n in range(1, len(values) + 1)}
    for number, (value, said) in enumerate(values.items(), start=1):
        message, shown = by_field[f"shock {number}, start_day"]
        assert said in message, (value, message)
        assert shown == value.strip('"'), (value, shown)

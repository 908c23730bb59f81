"""One error tree: every error ketenradar raises on purpose is a KetenradarError, raised by the
layer that knows the situation, with details as attributes and no command-line flag in it."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest
from click.testing import CliRunner

from ketenradar import errors
from ketenradar.cli import cli
from ketenradar.errors import (
    ChainNotFound,
    CyclicChain,
    KetenradarError,
    NotFound,
    SnapshotExists,
    SnapshotNotFound,
    SurveyNotFound,
    UnknownCountry,
    UnknownItem,
)
from ketenradar.model.chain import Chain
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.network.build import build_chain_matrix
from ketenradar.scenarios.availability import run_scenario
from ketenradar.services.sector import ownership_from_seed
from ketenradar.storage import SqliteStore


def test_every_error_class_is_in_the_tree_and_drawn_in_the_docstring() -> None:
    classes = [c for _name, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, Exception)]
    for kind in classes:
        assert issubclass(kind, KetenradarError), kind
        assert kind.__name__ in errors.__doc__, kind
    assert issubclass(ChainNotFound, NotFound) and issubclass(SurveyNotFound, NotFound)


def _chain(bom: list[tuple[str, str]]) -> Chain:
    ids = sorted({x for edge in bom for x in edge})
    return Chain(
        name="loop",
        items=pd.DataFrame(
            {
                "id": ids,
                "name": ids,
                "kind": "component",
                "domain": "",
                "dis_area": "",
                "material": "",
                "unit": "",
            }
        ),
        bom=pd.DataFrame({"parent": [p for p, _c in bom], "child": [c for _p, c in bom], "quantity": 1.0}),
        sourcing=pd.DataFrame(
            columns=["item", "country", "share", "stage", "supplier", "tier", "lead_time_days", "stock_days"]
        ),
    )


def test_f04_core_names_the_cycle_of_a_cyclic_chain() -> None:
    with pytest.raises(CyclicChain) as caught:
        build_chain_matrix(_chain([("a", "b"), ("b", "c"), ("c", "a"), ("a", "d")]))
    cycle = caught.value.cycle
    assert cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"} and len(cycle) == 4
    assert " → ".join(cycle) in str(caught.value)


def test_f12_core_refuses_unknown_items_as_a_domain_error() -> None:
    chain = _chain([("a", "b")])
    scenario = Scenario(
        "s", (Shock(countries=("CHN",), severity=1.0, items=("b", "zz", "yy", "zz")),), source="s.yaml"
    )
    with pytest.raises(UnknownItem) as caught:
        run_scenario(
            chain,
            build_chain_matrix(chain),
            scenario,
            pd.DataFrame(columns=["material", "stage", "country", "share"]),
        )
    assert caught.value.item_ids == ["zz", "yy"] and caught.value.chain == "loop"
    assert not isinstance(caught.value, errors.InputFileError)  # the core raises no file errors


def test_f09_unknown_country_codes_are_refused_with_each_code() -> None:
    with pytest.raises(UnknownCountry) as caught:
        ownership_from_seed(high_risk=["chn", "QQQ", "ZZZ"])
    assert caught.value.codes == ["QQQ", "ZZZ"]
    result = CliRunner().invoke(cli, ["ownership", "--high-risk", "CHN,QQQ"])
    assert result.exit_code == 1
    assert "'QQQ'" in result.stderr and "`ketenradar countries` lists the codes" in result.stderr


def test_f06_stored_survey_not_found_is_its_own_error(tmp_path) -> None:
    with pytest.raises(SurveyNotFound) as caught:
        SqliteStore(tmp_path / "w.sqlite").load_survey("nl2025")
    assert caught.value.name == "nl2025"
    result = CliRunner().invoke(
        cli, ["survey", "summary", "nl2025", "--workspace", str(tmp_path / "w.sqlite")]
    )
    assert result.exit_code == 1 and "survey import" in result.stderr


def test_library_messages_name_no_command_line_flag() -> None:
    messages = [
        str(ChainNotFound("x", 2)),
        str(SurveyNotFound("x")),
        str(UnknownCountry("XX")),
        str(errors.UnknownMaterial("x", ["a", "b"])),
        str(UnknownItem(["x"], "c")),
        str(CyclicChain(["a", "b", "a"])),
        str(SnapshotNotFound("x")),
        str(SnapshotExists("x")),
    ]
    assert not [m for m in messages if "--" in m]


def test_f19_snapshot_errors_are_in_the_tree_and_still_importable_from_the_store() -> None:
    from ketenradar.storage import base

    assert issubclass(SnapshotNotFound, NotFound) and issubclass(SnapshotExists, KetenradarError)
    assert base.SnapshotNotFound is SnapshotNotFound and base.SnapshotExists is SnapshotExists
    missing = SnapshotNotFound("jan")
    assert missing.name == "jan" and str(missing) == "no stored snapshot 'jan'"
    assert SnapshotExists("jan").name == "jan"


def test_f19_snapshot_errors_get_command_line_hints() -> None:
    from ketenradar.cli.hints import hint_for

    assert "`ketenradar monitor list`" in hint_for(SnapshotNotFound("jan"))
    assert "--name" in hint_for(SnapshotExists("jan"))

"""F15: the shipped alternatives table is the script's derivation of the shipped USGS files."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import ModuleType

import pytest

from ketenradar import refdata
from ketenradar.refdata import LIKE_MINDED_GROUPS, load_alternatives, read_dataset
from ketenradar.refdata.provenance import data_dir

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "derive_alternatives.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derive_alternatives", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_f15_shipped_table_equals_a_recomputation_from_the_shipped_usgs_files(script: ModuleType) -> None:
    derived = script.derive_alternatives(
        read_dataset("usgs_capacity"), read_dataset("usgs_production"), read_dataset("country_groups")
    )
    shipped = (data_dir() / script.OUTPUT).read_text(encoding="utf-8")
    # Byte for byte: the script writes the file exactly so.
    assert derived.to_csv(index=False, lineterminator="\n") == shipped
    assert list(read_dataset("alternatives_usgs").columns) == script.COLUMNS


def test_f15_hand_checked_rows() -> None:
    frame = load_alternatives().frame.set_index(["material", "country"])
    # USGS MCS 2025, 2024: gallium JPN capacity 10 000 kg, production 3 000 kg; world 760 000 kg.
    gallium = frame.loc[("gallium", "JPN")]
    assert gallium["spare_capacity_t"] == pytest.approx(7.0)
    assert gallium["max_share"] == pytest.approx(7000 / 760000)
    # Titanium sponge JPN: 65 200 − 55 000 = 10 200 t of 320 000 t (world total without the USA).
    titanium = frame.loc[("titanium_metal", "JPN")]
    assert titanium["max_share"] == pytest.approx(10200 / 320000)
    assert "Excludes U.S." in titanium["note"]
    # Turkey's magnesium smelters run at capacity: no spare capacity, share 0.
    assert frame.loc[("magnesium", "TUR"), "max_share"] == 0.0


def test_f15_only_like_minded_partners_and_no_invented_numbers() -> None:
    frame = load_alternatives().frame
    groups = read_dataset("country_groups")
    partners = set(groups.loc[groups["group"].isin(LIKE_MINDED_GROUPS), "iso3"])
    assert set(frame["country"]) <= partners
    assert {"CHN", "RUS", "IND", "KAZ"}.isdisjoint(frame["country"])
    # No source gives a ramp-up time: every lead time is missing, none is filled in.
    assert frame["lead_time_days"].isna().all()
    assert frame["source"].str.startswith("USGS MCS 2025 data release, series '").all()
    assert ((frame["max_share"] >= 0) & (frame["max_share"] <= 1)).all()
    assert not frame.duplicated(["material", "stage", "country"]).any()
    # Withheld production (USA magnesium, titanium) and production above capacity (CAN aluminium
    # 2024) give no row; an older year is not used instead.
    keys = set(zip(frame["material"], frame["country"], strict=True))
    assert {("magnesium", "USA"), ("titanium_metal", "USA"), ("aluminium", "CAN")}.isdisjoint(keys)


def test_f15_every_row_recomputes_from_its_own_figures() -> None:
    frame = load_alternatives().frame
    factor = frame["unit"].map({"metric tons": 1.0, "thousand metric tons": 1000.0, "kilograms": 0.001})
    spare = (frame["capacity"] - frame["production"]) * factor
    assert (spare == frame["spare_capacity_t"]).all()
    for row in frame.itertuples():
        assert math.isclose(row.max_share, row.spare_capacity_t / row.world_production_t, rel_tol=1e-12)
        assert str(row.year) in row.source and row.series in row.source


def test_f15_alternatives_carry_the_provenance_of_their_sources() -> None:
    datasets = {p.dataset for p in load_alternatives().provenance}
    assert datasets == {"alternatives_usgs", "usgs_capacity", "usgs_production", "country_groups"}
    assert "alternatives_usgs" in refdata.dataset_names()

"""F9/F10: ownership and materiel origin from the seed tables reproduce the source report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ketenradar import refdata
from ketenradar.services.sector import (
    materiel_from_records,
    materiel_from_seed,
    ownership_from_register,
    ownership_from_seed,
)
from tests.risk.lp_attack import attack_table


def test_f09_report_owner_shares_and_28_percent_foreign_are_reproduced() -> None:
    picture = ownership_from_seed()
    table = picture.by_country
    assert round(picture.foreign_share_count * 100) == 28  # report: 28 % foreign UBO
    # By hand from the report's table: 1080 companies, 782 of them with a Dutch owner.
    assert picture.foreign_share_count == pytest.approx((1080 - 782) / 1080)
    # Every printed percentage is the rounded share computed from the printed counts.
    assert ((table["count_share"] * 100).round() == table["published_count_pct"]).all()
    assert ((table["weight_share"] * 100).round() == table["published_weight_pct"]).all()
    assert table["count"].sum() == 1080


def test_f10_seed_materiel_object_keeps_provenance() -> None:
    origin = materiel_from_seed()
    assert origin.provenance.datasets[0].dataset == "seed_arms_imports"


def _register(rows: list[tuple[str, float | None, str]]) -> pd.DataFrame:
    """Return a company register as `read_company_register` gives it (ultimate owners only)."""
    return pd.DataFrame(
        {
            "company": [r[0] for r in rows],
            "fte": [np.nan if r[1] is None else r[1] for r in rows],
            "legal_owner_country": "NLD",
            "ultimate_owner_country": [r[2] for r in rows],
            "owner_chain": "",
            "ownership_depth": 0,
        }
    )


def test_f09_register_owner_country_with_one_company_is_suppressed() -> None:
    # Issue 8, point 3: a register with one US-owned company published that company's FTE as
    # the US row. 30 Dutch-owned companies, 4 German (none dominant), 1 American, 2 French.
    rows = [(f"n{i}", 100.0 + i, "NLD") for i in range(30)]
    rows += [(f"d{i}", 50.0, "DEU") for i in range(4)] + [("u", 400.0, "USA")]
    rows += [("f1", 30.0, "FRA"), ("f2", 20.0, "FRA")]
    picture = ownership_from_register(_register(rows), high_risk=["CHN"])
    document = picture.to_json()
    by_country = {c["country"]: c for c in document["by_country"]}
    assert by_country["USA"]["suppressed"] and by_country["FRA"]["suppressed"]
    for country in ("USA", "FRA"):
        assert all(
            by_country[country][k] is None
            for k in ("companies", "companies_share", "fte", "fte_share", "fte_missing")
        )
    # DEU is published: its 4 companies are shown as counted and share the FTE evenly.
    assert by_country["DEU"]["companies"] == 4 and by_country["DEU"]["fte"] == 200.0
    assert document["suppressed_countries"] == ["FRA", "USA"]
    assert document["disclosure_control"]["applied"] and document["disclosure_control"]["min_companies"] == 3
    # Suppressed rows come last, in code order: a place in the FTE ranking would bound the US FTE.
    assert [c["country"] for c in document["by_country"]] == ["NLD", "DEU", "FRA", "USA"]
    # The published counts and the total (which follows from any share) leave the two hidden
    # counts free (each country listed has at least one company).
    counts = np.array([30, 4, 2, 1, 37])
    hidden = np.array([False, False, True, True, False])
    assert attack_table(counts, hidden, True, False, lower=1.0) == []


def test_f09_register_partner_keeps_the_hidden_pair_apart() -> None:
    # Two countries with one company each: hiding both would still tell each has exactly one
    # (2 hidden companies, each at least 1), so a third country is hidden too.
    rows = [(f"n{i}", 10.0, "NLD") for i in range(20)] + [(f"g{i}", 10.0, "GBR") for i in range(5)]
    rows += [("u", 10.0, "USA"), ("j", 10.0, "JPN")]
    by_country = ownership_from_register(_register(rows), high_risk=["CHN"]).by_country
    hidden = by_country.set_index("country")["suppressed"]
    assert hidden[["USA", "JPN", "GBR"]].all() and not hidden["NLD"]
    assert by_country["count"].isna().sum() == 3


def test_f09_dutch_row_suppressed_hides_the_foreign_share_too() -> None:
    # The foreign share is one minus the Dutch share: it must not give a hidden Dutch row away.
    rows = [("a", 100.0, "NLD"), ("b", 50.0, "USA"), ("c", 30.0, "CHN"), ("d", None, "DEU")]
    picture = ownership_from_register(_register(rows), high_risk=["CHN"])
    assert picture.by_country["suppressed"].all()
    document = picture.to_json()
    assert document["foreign_owned_share_companies"] is None and document["foreign_owned_share_fte"] is None
    unsuppressed = ownership_from_register(_register(rows), high_risk=["CHN"], controlled=False).to_json()
    assert unsuppressed["foreign_owned_share_companies"] == pytest.approx(0.75)
    assert any("UNSUPPRESSED" in n for n in unsuppressed["notes"])


def test_f09_seed_table_is_kept_as_published_and_marked_so() -> None:
    document = ownership_from_seed().to_json()
    assert document["disclosure_control"]["applied"] is False
    assert document["disclosure_control"]["published_by_source"] is True
    assert document["suppressed_countries"] == []
    assert all(c["companies"] is not None for c in document["by_country"])


def test_f10_nato_membership_counts_in_the_year_of_the_orders() -> None:
    # Orders of 2018-2022: Finland (joined 2023) and Sweden (2024) were not NATO members yet.
    raw = refdata.read_dataset("seed_arms_imports")
    rows = raw[raw["country_iso3"].notna()]
    total = float(raw.loc[raw["country_iso3"].isna(), "total_units"].iloc[0])
    members_2022 = set(refdata.load_nato_accessions().frame.query("accession_year <= 2022").index)
    outside = rows.loc[~rows["country_iso3"].isin(members_2022), "total_units"].sum() / total
    indicators = materiel_from_seed().indicators
    assert indicators["share_from_outside_nato"] == pytest.approx(outside)
    assert {"SWE", "FIN"} <= set(rows["country_iso3"]) - members_2022
    assert round(indicators["share_from_outside_nato"] * 100, 2) == 4.27


def test_f10_records_use_the_year_of_each_record() -> None:
    records = pd.DataFrame(
        {
            "supplier": ["SWE", "SWE", "USA"],
            "recipient": "NLD",
            "domain": "land",
            "units": [1.0, 1.0, 2.0],
            "year": [2022.0, 2024.0, 2022.0],
        }
    )
    origin = materiel_from_records(records)
    assert origin.indicators["share_from_outside_nato"] == pytest.approx(0.25)  # only the 2022 Swedish unit

"""F16: matching rules turn findings on a chain into applicable catalogue measures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ketenradar.errors import InputFileError
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.mitigation.matching import MatchingRule, applicable_measures, find_findings
from ketenradar.model.chain import Chain
from ketenradar.services.measures import load_matching_rules, match_measures, measure_catalogue
from tests.helpers.chains import CATALOGUE, write_chain

# a: gallium, CHN 95 % of processing (single country); b: cobalt on world shares; c: copper;
# comp2 has no sourcing rows (unknown upstream).
FILES = {
    "items.csv": """id,name,kind,domain,dis_area,material,unit
p,Platform,platform,land,,,unit
comp,Component,component,land,,,unit
comp2,Other component,component,land,,,unit
a,Gallium,material,,,gallium,kg
b,Cobalt,material,,,cobalt,kg
""",
    "bom.csv": """parent,child,quantity
p,comp,1
p,comp2,1
comp,a,2
comp2,b,1
""",
    "sourcing.csv": """item,country,share,stage,supplier,tier,lead_time_days
p,NLD,1,,OEM,0,
comp,DEU,1,,Maker,1,30
a,AUS,1,mining,,2,200
a,CHN,0.95,processing,,2,20
a,JPN,0.05,processing,,2,20
""",
}

WORLD = pd.DataFrame(
    {
        "material": ["cobalt", "cobalt", "cobalt", "gallium"],
        "stage": ["mining", "mining", "processing", "processing"],
        "country": ["COD", "AUS", "CHN", "USA"],
        "share": [0.92, 0.08, 0.6, 1.0],
    }
)
RULES = {
    "single_country": MatchingRule("single_country", ("broaden_supplier_base",), threshold=0.9),
    "shortfall": MatchingRule("shortfall", ("stockpiling",), threshold=0.5, max_lead_time_days=90),
    "substitutable": MatchingRule("substitutable", ("rnd_redesign",), threshold=0.9),
    "unknown_upstream": MatchingRule("unknown_upstream", ("C03",)),
    "ownership": MatchingRule("ownership", ("G08",)),
}


@pytest.fixture
def chain(tmp_path: Path) -> Chain:
    return read_chain_workbook(write_chain(tmp_path / "c", FILES), list(CATALOGUE))


def test_f16_findings_of_each_rule_by_hand(chain: Chain) -> None:
    si_sr = pd.Series({"gallium": 0.95, "cobalt": 0.8})
    own = pd.Series({"p": 1.0, "comp": 1.0, "comp2": 1.0, "a": 0.05, "b": 0.4})
    findings = find_findings(chain, WORLD, si_sr, RULES, own)
    single = findings[findings["rule"] == "single_country"]
    # a from its own rows (CHN 0.95, not the world's USA 1.0); b mining from world shares (COD 0.92).
    assert {
        (i, s, c): v
        for i, s, c, v in zip(
            single["item"], single["stage"], single["country"], single["value"], strict=True
        )
    } == {
        ("a", "processing", "CHN"): pytest.approx(0.95),
        ("a", "mining", "AUS"): pytest.approx(1.0),
        ("b", "mining", "COD"): pytest.approx(0.92),
    }
    short = findings[findings["rule"] == "shortfall"].set_index("item")
    # a: lead time 200 days (the longest of its rows) is too long; b has none: not evaluated.
    assert list(short.index) == ["b"]
    assert not short.loc["b", "evaluated"]
    substitutable = findings[findings["rule"] == "substitutable"]
    assert list(substitutable["item"]) == ["b"]
    assert list(findings.loc[findings["rule"] == "unknown_upstream", "item"]) == ["comp2"]
    ownership = findings[findings["rule"] == "ownership"]
    assert len(ownership) == 1 and not ownership["evaluated"].item()


def test_f16_shortfall_without_a_scenario_is_not_evaluated(chain: Chain) -> None:
    findings = find_findings(chain, WORLD, pd.Series(dtype=np.float64), RULES)
    short = findings[findings["rule"] == "shortfall"]
    assert len(short) == 1 and not short["evaluated"].item()


def test_f16_applicable_measures_follow_types_and_ids(chain: Chain) -> None:
    catalogue = measure_catalogue().measures
    findings = find_findings(chain, WORLD, pd.Series({"cobalt": 0.5}), RULES)
    applicable = applicable_measures(findings, RULES, catalogue)
    single = set(applicable.loc[applicable["rule"] == "single_country", "measure_id"])
    assert single == set(catalogue.loc[catalogue["type"] == "broaden_supplier_base", "measure_id"])
    assert {"O05", "C03", "C04"} <= single
    assert set(applicable.loc[applicable["rule"] == "unknown_upstream", "measure_id"]) == {"C03"}


def test_f16_shipped_rules_load_and_match_on_the_demo_chain() -> None:
    from ketenradar.services.chains import open_chain
    from ketenradar.services.materials import defence_catalogue
    from ketenradar.services.scenarios import load_scenario

    catalogue = defence_catalogue()
    path = Path(__file__).resolve().parents[2] / "src/ketenradar/demo_data/chains/defence_demo"
    matched = match_measures(
        open_chain(path, None, catalogue),
        catalogue,
        scenario=load_scenario("china-gallium-germanium-2023", catalogue),
    )
    document = matched.to_json()
    gallium = [f for f in document["findings"] if f["rule"] == "single_country" and f["item"] == "m_gallium"]
    assert gallium and gallium[0]["country"] == "CHN" and gallium[0]["value"] == pytest.approx(0.9)
    assert "C04" in gallium[0]["measures"]
    assert document["provenance"]["inputs"][-1]["role"] == "matching_rules"


def test_f16_rules_file_takes_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text('rules:\n  substitutable: {threshold: "0,75", measures: [C05]}\n', encoding="utf-8")
    rules, record = load_matching_rules(path)
    assert rules["substitutable"].threshold == 0.75 and rules["substitutable"].measures == ("C05",)
    assert record.role == "matching_rules" and record.sha256 is not None


def test_f16_bad_rules_file_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n  nonsense: {measures: [x]}\n  shortfall: {threshold: high, measures: []}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as caught:
        load_matching_rules(path)
    text = str(caught.value)
    assert "nonsense" in text and "threshold" in text and "measures" in text
    assert len(caught.value.problems) == 3

"""The CLI contract of `procure evaluate`: JSON keys, hand-checked figures, weights options, bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ketenradar.cli import cli
from ketenradar.services.countries import country_risk
from tests.helpers.chains import SHARED, write_chain
from tests.helpers.cli import assert_no_nan, refused

DEMO_BIDS = Path(str(resources.files("ketenradar.demo_data"))) / "procurement" / "bids"
CONTRACT = {
    "bid",
    "price",
    "delivery_days",
    "origin_risk",
    "nl_eu_content",
    "score",
    "rank",
    "premium_pct",
    "risk_reduction",
}


@pytest.fixture
def run(tmp_path: Path) -> Callable[..., Result]:
    workspace = tmp_path / "w.sqlite"

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["procure", "evaluate", *args, "--workspace", str(workspace)])

    return invoke


def _json(run: Callable[..., Result], *args: str) -> dict[str, Any]:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    assert_no_nan(document)
    return document


def _two_bids(tmp_path: Path, content: str = "0.6") -> Path:
    folder = tmp_path / "two"
    folder.mkdir()
    (folder / "bids.csv").write_text(
        f"bid,price,delivery_days,nl_eu_content\nhome,120,300,{content}\nfar,100,200,0.1\n", encoding="utf-8"
    )
    (folder / "origin.csv").write_text(
        "bid,level,country,share\nhome,product,NLD,1\nfar,product,CHN,1\n", encoding="utf-8"
    )
    return folder


def test_f18_demo_json_keeps_the_contract(run: Callable[..., Result]) -> None:
    document = _json(run, str(DEMO_BIDS))
    assert {"weights", "bids"} <= set(document)
    assert document["weights"] == pytest.approx(
        {"price": 0.4, "delivery_days": 0.2, "origin_risk": 0.3, "nl_eu_content": 0.1}
    )
    bids = document["bids"]
    assert all(set(b) >= CONTRACT for b in bids)
    assert sorted(b["rank"] for b in bids) == [1, 2, 3]
    assert [b["rank"] for b in bids] == [1, 2, 3]  # listed in rank order
    cheapest = next(b for b in bids if b["bid"] == document["cheapest_bid"])
    assert cheapest["premium_pct"] == 0.0 and cheapest["risk_reduction"] == 0.0
    nl_yard = next(b for b in bids if b["bid"] == "nl_yard")
    assert nl_yard["origin"]["basis"] == "chain" and nl_yard["origin"]["platform"] == "frigate"
    assert set(nl_yard["origin"]["levels"]) == {"product", "component", "material"}
    # The frigate is built at an NLD yard (demo chain): its product level is NLD's composite risk.
    assert nl_yard["origin"]["levels"]["product"]["risk"] == pytest.approx(float(country_risk()["NLD"]))
    roles = [i["role"] for i in document["provenance"]["inputs"]]
    assert roles == ["bids", "chain"]
    assert document["sweep"]["criterion"] == "origin_risk" and len(document["sweep"]["grid"]) == 21


def test_f18_two_bids_by_hand(run: Callable[..., Result], tmp_path: Path) -> None:
    risk = country_risk()
    home, far = float(risk["NLD"]), float(risk["CHN"])
    document = _json(run, str(_two_bids(tmp_path)))
    by_bid = {b["bid"]: b for b in document["bids"]}
    # One level each, share 1: the origin risk is the country's composite risk.
    assert by_bid["home"]["origin_risk"] == pytest.approx(home)
    assert by_bid["far"]["origin_risk"] == pytest.approx(far)
    # premium = 100 × (120 − 100) / 100 = 20 % for a reduction of risk(CHN) − risk(NLD).
    assert by_bid["home"]["premium_pct"] == pytest.approx(20.0)
    assert by_bid["home"]["risk_reduction"] == pytest.approx(far - home)
    # Two bids: each criterion scales to 1 for the better and 0 for the other. home is better on
    # risk (0.3) and content (0.1): 0.4; far on price (0.4) and delivery (0.2): 0.6.
    assert by_bid["home"]["score"] == pytest.approx(0.4) and by_bid["far"]["score"] == pytest.approx(0.6)
    assert (by_bid["far"]["rank"], by_bid["home"]["rank"]) == (1, 2)
    # Sweep: home(t) = t + (1 − t)·(0.1/0.7), far(t) = (1 − t)·(0.6/0.7); equal where
    # t + (1 − t)/7 = 6(1 − t)/7 ⇔ 7t + 1 − t = 6 − 6t ⇔ 12t = 5 ⇔ t = 5/12.
    assert document["sweep"]["flips"] == pytest.approx([5 / 12])
    assert by_bid["home"]["sweep"]["origin_weight_to_win"] == pytest.approx(5 / 12)
    assert by_bid["home"]["sweep"]["premium_to_win_pct"] == pytest.approx(20.0)


def test_f18_weights_are_normalised_and_reported(run: Callable[..., Result], tmp_path: Path) -> None:
    document = _json(
        run, str(_two_bids(tmp_path)), "--weights", "price=2,origin_risk=2", "--level-weights", "product=3"
    )
    assert document["weights"] == {
        "price": 0.5,
        "delivery_days": 0.0,
        "origin_risk": 0.5,
        "nl_eu_content": 0.0,
    }
    assert document["level_weights"] == {"product": 1.0, "component": 0.0, "material": 0.0}
    assert document["provenance"]["parameters"]["weights"] == document["weights"]
    by_bid = {b["bid"]: b for b in document["bids"]}
    # Price 0.5 for far, risk 0.5 for home: a tie, which goes to the lower price (far).
    assert by_bid["far"]["score"] == pytest.approx(0.5) and by_bid["home"]["score"] == pytest.approx(0.5)
    assert by_bid["far"]["rank"] == 1


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--weights", "price", "'price' is not NAME=NUMBER"),
        ("--weights", "price=abc", "'price=abc' is not NAME=NUMBER"),
        ("--weights", "colour=1", "unknown name(s) colour"),
        ("--weights", "price=-1,origin_risk=1", "must be finite and ≥ 0: price"),
        ("--weights", "price=0,origin_risk=0", "must not all be zero"),
        ("--weights", "price=1,price=2", "'price' is given twice"),
        ("--level-weights", "raw=1", "unknown name(s) raw"),
        ("--level-weights", "product=inf", "must be finite and ≥ 0: product"),
    ],
)
def test_f18_weights_options_are_checked(
    run: Callable[..., Result], tmp_path: Path, option: str, value: str, words: str
) -> None:
    stderr = refused(run, str(_two_bids(tmp_path)), option, value)
    assert option in stderr and words in stderr


def test_f18_missing_content_stays_missing_and_scores_zero(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    document = _json(run, str(_two_bids(tmp_path, content="")))
    home = next(b for b in document["bids"] if b["bid"] == "home")
    assert home["nl_eu_content"] is None and home["scaled"]["nl_eu_content"] is None
    assert home["missing"] == ["nl_eu_content"]
    # far alone has content: it scales to 1 there; home gets only its risk (0.3).
    assert home["score"] == pytest.approx(0.3)
    assert any("home" in note and "NL/EU content" in note for note in document["notes"])
    assert "missing_value" in document["scoring"]


def test_f18_a_country_without_composite_risk_leaves_origin_risk_missing(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    assert country_risk().isna()["GIB"]  # Gibraltar has no indicators in the shipped data
    folder = _two_bids(tmp_path)
    (folder / "origin.csv").write_text(
        "bid,level,country,share\nhome,product,NLD,1\nfar,product,GIB,1\n", encoding="utf-8"
    )
    document = _json(run, str(folder))
    far = next(b for b in document["bids"] if b["bid"] == "far")
    assert far["origin_risk"] is None and far["risk_reduction"] is None
    assert far["origin"]["levels"]["product"]["unrated_countries"] == ["GIB"]
    assert any("GIB" in note for note in document["notes"])


def test_f18_a_chain_with_two_platforms_needs_one_named(run: Callable[..., Result], tmp_path: Path) -> None:
    write_chain(tmp_path / "two_platforms", SHARED)
    folder = tmp_path / "bids"
    folder.mkdir()
    (folder / "bids.csv").write_text(
        "bid,price,delivery_days,chain,platform\nx,100,10,../two_platforms,\ny,100,10,../two_platforms,boat\n"
        "z,100,10,no_such_chain,\n",
        encoding="utf-8",
    )
    stderr = refused(run, str(folder))
    assert "row 2, column 'platform': chain 'two_platforms' has 2 platforms" in stderr
    assert "row 3, column 'platform': no platform 'boat'" in stderr
    assert "row 4, column 'chain'" in stderr and "no stored chain of this name" in stderr
    (folder / "bids.csv").write_text(
        "bid,price,delivery_days,chain,platform\nx,100,10,../two_platforms,tank\ny,90,10,../two_platforms,ifv\n",
        encoding="utf-8",
    )
    document = _json(run, str(folder))
    tank = next(b for b in document["bids"] if b["bid"] == "x")
    risk = country_risk()
    # The tank is built in NLD; the ifv in DEU (the SHARED chain's platform sourcing).
    assert tank["origin"]["levels"]["product"]["risk"] == pytest.approx(float(risk["NLD"]))
    ifv = next(b for b in document["bids"] if b["bid"] == "y")
    assert ifv["origin"]["levels"]["product"]["risk"] == pytest.approx(float(risk["DEU"]))


def test_f18_a_stored_chain_by_name(run: Callable[..., Result], tmp_path: Path) -> None:
    workspace = tmp_path / "w.sqlite"
    imported = CliRunner().invoke(
        cli,
        [
            "chain",
            "import",
            str(write_chain(tmp_path / "c", SHARED)),
            "--name",
            "armour",
            "--workspace",
            str(workspace),
        ],
    )
    assert imported.exit_code == 0, imported.output
    folder = tmp_path / "bids"
    folder.mkdir()
    (folder / "bids.csv").write_text("bid,price,delivery_days,chain,platform\nx,100,10,armour,tank\n")
    document = _json(run, str(folder))
    (record,) = [i for i in document["provenance"]["inputs"] if i["role"] == "chain"]
    assert (record["name"], record["version"]) == ("armour", 1)
    # A single bid scales to 1 on every criterion it has; its NL/EU content is not known (0.1 × 0).
    assert document["bids"][0]["rank"] == 1 and document["bids"][0]["score"] == pytest.approx(0.9)


def test_f18_table_and_csv(run: Callable[..., Result], tmp_path: Path) -> None:
    bids = str(_two_bids(tmp_path))
    table = run(bids)
    assert table.exit_code == 0, table.output
    assert "Bids ranked by score" in table.stdout and "Weight sweep" in table.stdout
    csv = run(bids, "--format", "csv")
    assert csv.exit_code == 0, csv.output
    header = csv.stdout.splitlines()[0].split(",")
    assert header[:3] == ["rank", "bid", "price"] and "premium_pct" in header
    dutch = CliRunner().invoke(
        cli, ["--lang", "nl", "procure", "evaluate", bids, "--workspace", str(tmp_path / "w.sqlite")]
    )
    assert dutch.exit_code == 0, dutch.output

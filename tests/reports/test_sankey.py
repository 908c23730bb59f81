"""The chain Sankey: link values are quantity × share, worked out by hand, and they conserve."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ketenradar.reports.context import demo_chain_path
from ketenradar.reports.sankey import OTHER, UNKNOWN, sankey_figure, sankey_flows, sankey_svg
from ketenradar.services.chains import chain_exposure, open_chain
from ketenradar.services.materials import defence_catalogue

# Two platforms, two materials. P1 holds 10 kg of m1 and 4 kg of m2, P2 2 kg of m1.
CONTENT = pd.DataFrame(
    {"platform": ["P1", "P1", "P2"], "material": ["m1", "m2", "m1"], "quantity": [10.0, 4.0, 2.0]}
)
# Processing shares: P1's m1 60 % A, 30 % B (10 % unknown); P2's m1 50 % A, 50 % C; m2 all B.
# The mining row must not count.
SHARES = pd.DataFrame(
    {
        "platform": ["P1", "P1", "P2", "P2", "P1", "P1"],
        "material": ["m1", "m1", "m1", "m1", "m2", "m1"],
        "stage": ["processing"] * 5 + ["mining"],
        "country": ["A", "B", "A", "C", "B", "A"],
        "share": [0.6, 0.3, 0.5, 0.5, 1.0, 1.0],
    }
)
COVERAGE = pd.DataFrame(
    {
        "platform": ["P1", "P2", "P1"],
        "material": ["m1", "m1", "m2"],
        "stage": ["processing"] * 3,
        "unknown_share": [0.1, 0.0, 0.0],
    }
)


def _links(flows: object) -> dict[tuple[str, str], float]:
    nodes = flows.nodes  # type: ignore[attr-defined]
    links = flows.links  # type: ignore[attr-defined]
    code = nodes["code"].to_numpy()
    return {
        (str(code[s]), str(code[t])): float(v)
        for s, t, v in zip(links["source"], links["target"], links["value"], strict=True)
    }


def test_link_values_are_quantity_times_share_by_hand() -> None:
    flows = sankey_flows(CONTENT, SHARES, COVERAGE, stage="processing", top_countries=2)
    links = _links(flows)
    # Platform to material: every kilogram, placed or not (10 × (0.6 + 0.3 + 0.1), 4 × 1, 2 × (0.5 + 0.5)).
    assert links[("P1", "m1")] == 10.0
    assert links[("P1", "m2")] == 4.0
    assert links[("P2", "m1")] == 2.0
    # m1 to countries: A = 10 × 0.6 + 2 × 0.5 = 7, B = 10 × 0.3 = 3, unknown = 10 × 0.1 = 1; C (2 × 0.5
    # = 1 kg) is the third country by kilograms (A 7, B 7, C 1) and is pooled into "other".
    assert links[("m1", "A")] == 7.0
    assert links[("m1", "B")] == 3.0
    assert links[("m1", UNKNOWN)] == 1.0
    assert links[("m1", OTHER)] == 1.0
    assert links[("m2", "B")] == 4.0
    assert len(links) == 8
    assert flows.platform_totals().to_dict() == {"P1": 14.0, "P2": 2.0}


def test_flows_keep_every_country_when_few() -> None:
    flows = sankey_flows(CONTENT, SHARES, COVERAGE, stage="processing", top_countries=8)
    links = _links(flows)
    assert links[("m1", "C")] == 1.0 and ("m1", OTHER) not in links
    assert list(flows.nodes["column"]) == [0, 0, 1, 1, 2, 2, 2, 2]


def test_demo_chain_flows_conserve_and_match_each_platforms_quantity_times_share() -> None:
    catalogue = defence_catalogue()
    result = chain_exposure(open_chain(demo_chain_path(), None, catalogue, name="demo"), catalogue).result
    flows = sankey_flows(result.content, result.shares, result.coverage, stage="processing")
    processing = result.shares[result.shares["stage"] == "processing"]
    expected = {}
    for platform in result.platforms:
        total = 0.0
        for row in result.content[result.content["platform"] == platform].itertuples():
            mine = processing[(processing["platform"] == platform) & (processing["material"] == row.material)]
            cover = result.coverage[
                (result.coverage["platform"] == platform)
                & (result.coverage["material"] == row.material)
                & (result.coverage["stage"] == "processing")
            ]
            total += row.quantity * (mine["share"].sum() + cover["unknown_share"].sum())
        expected[platform] = total
    totals = flows.platform_totals()
    for platform, value in expected.items():
        assert np.isclose(totals[platform], value), platform
    # What enters a material leaves it to the countries.
    links = flows.links
    materials = flows.nodes.index[flows.nodes["column"] == 1]
    into = links.groupby("target")["value"].sum().reindex(materials)
    out = links.groupby("source")["value"].sum().reindex(materials)
    assert np.allclose(into.to_numpy(), out.to_numpy())


def test_plotly_and_static_sankey_show_the_same_flows() -> None:
    flows = sankey_flows(
        CONTENT,
        SHARES,
        COVERAGE,
        stage="processing",
        platform_names={"P1": "Frigate <A>"},
        material_names={"m1": "Gallium"},
        country_names={"A": "China"},
    )
    figure = sankey_figure(flows, title="Processing")
    trace = figure["data"][0]
    assert trace["type"] == "sankey"
    assert trace["link"]["value"] == [float(v) for v in flows.links["value"]]
    assert "Frigate &lt;A&gt;" in trace["node"]["label"]  # escaped: shown as written
    json.dumps(figure)
    svg = sankey_svg(flows, title="Processing")
    assert "Gallium: 12 kg" in svg  # 10 + 2 kg of m1
    assert "China: 7.0 kg" in svg
    assert "Frigate &lt;A&gt;: 14 kg" in svg

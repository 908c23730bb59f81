"""F2: the country overview on the shipped data: composite risk by hand, gaps flagged."""

from __future__ import annotations

import numpy as np
import pytest


def test_f02_china_composite_by_hand(country_overview) -> None:
    china = country_overview.countries.loc["CHN"]
    wgi = (2.5 - china["wgi_mean"]) / 5
    oecd = 2 / 7
    fsi = 65.1 / 120
    assert china["component_wgi"] == pytest.approx(wgi)
    assert china["component_oecd_crc"] == pytest.approx(oecd)
    assert china["component_fsi"] == pytest.approx(fsi)
    # Atradius STAR is not public: its weight is spread over the three available indicators.
    assert china["composite_risk"] == pytest.approx((wgi + oecd + fsi) / 3)
    assert china["weight_coverage"] == pytest.approx(0.75)
    assert china["missing_indicators"] == ["atradius_star"]


def test_f02_unclassified_oecd_country_is_flagged_not_scored_zero(country_overview) -> None:
    nld = country_overview.countries.loc["NLD"]
    assert np.isnan(nld["component_oecd_crc"])
    assert "oecd_crc" in nld["missing_indicators"]
    assert nld["composite_risk"] == pytest.approx((nld["component_wgi"] + nld["component_fsi"]) / 2)

"""EC supply risk for a user's own inputs: intermediates, or country shares plus parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.inputs import read_criticality_inputs, read_parameters
from ketenradar.jsonable import json_value
from ketenradar.overview import DEFAULT_WGI_YEARS, provenance_records
from ketenradar.risk.assessment import CriticalityResult, assess_supply_risk, scaled_wgi_for_years
from ketenradar.risk.criticality import round_half_up

__all__ = ["compute_user_criticality", "criticality_records"]

_PARAMETER_FIELDS = ["material", "stage", "supply_data_used", "import_reliance", "eol_rir", "si_sr"]


def compute_user_criticality(
    inputs: str | Path,
    parameters: str | Path | None = None,
    *,
    fill_from_reference: bool = False,
    wgi_years: tuple[int, ...] = DEFAULT_WGI_YEARS,
) -> tuple[CriticalityResult, dict[str, Any]]:
    """Compute SR per material and stage from a user file; return the result and its settings.

    With country shares, per-material parameters come from ``parameters``; with
    ``fill_from_reference`` the EC 2023 parameters and shares fill what the files leave out
    (e.g. only Dutch sourcing is given, the rest stays as the EC assessed it).
    """
    kind, frame = read_criticality_inputs(inputs)
    settings: dict[str, Any] = {"input_kind": kind, "inputs_file": str(inputs)}
    if kind == "intermediates":
        result = assess_supply_risk(frame[[*_PARAMETER_FIELDS, "hhi_gs", "hhi_eu"]])
        result.stages["inputs"] = "user"
        return result, settings

    shares = frame.assign(group=frame["material"], inputs="user")
    if parameters is None and not fill_from_reference:
        raise InputFileError.single(
            str(inputs),
            "country shares need per-material parameters (variant, IR, EOL-RIR, SI_SR)",
            expected="--parameters FILE, or --fill-from-reference to use the EC 2023 values",
        )
    params = read_parameters(parameters)[_PARAMETER_FIELDS] if parameters is not None else None
    materials = set(shares["material"])
    if fill_from_reference:
        ec_params = refdata.load_ec_parameters().frame
        ec_params = ec_params[ec_params["material"].isin(materials)][_PARAMETER_FIELDS]
        params = ec_params if params is None else _prefer(params, ec_params, ["material", "stage"])
        ec_shares = refdata.load_supply_shares().frame
        ec_shares = ec_shares[ec_shares["material"].isin(materials)].assign(inputs="reference")
        shares = _prefer(shares, ec_shares, ["material", "stage", "scope"])
        settings["filled_from_reference"] = True
    assert params is not None
    params = params.assign(inputs="user")
    needed = shares[["material", "stage"]].drop_duplicates()
    known = params.set_index(["material", "stage"]).index
    lacking = needed[~needed.set_index(["material", "stage"]).index.isin(known)]
    if not lacking.empty:
        raise InputFileError(
            [
                Problem(
                    file=str(parameters or inputs),
                    message=f"no parameters for {m} / {s}",
                    expected="a parameter row for every material and stage with shares",
                )
                for m, s in lacking.itertuples(index=False)
            ]
        )
    wgi = scaled_wgi_for_years(refdata.load_wgi_long().frame, wgi_years)
    result = assess_supply_risk(params[_PARAMETER_FIELDS], shares, wgi)
    settings["wgi_years"] = list(wgi_years)
    if parameters is not None:
        settings["parameters_file"] = str(parameters)
    scope_source = shares.groupby(["material", "stage"])["inputs"].agg(lambda s: "+".join(sorted(set(s))))
    result.stages["inputs"] = (
        result.stages.set_index(["material", "stage"]).index.map(scope_source).fillna("user")
    )
    return result, settings


def _prefer(user: pd.DataFrame, reference: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    covered = reference.set_index(keys).index.isin(user.set_index(keys).index)
    return pd.concat([user, reference[~covered]], ignore_index=True)


def criticality_records(result: CriticalityResult, settings: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON document of ``criticality compute``."""
    materials = []
    stages = result.stages.groupby("material", sort=False)
    for material, row in result.materials.iterrows():
        sr = json_value(row["supply_risk"])
        materials.append(
            {
                "material": material,
                "supply_risk": sr,
                "supply_risk_rounded": None if sr is None else float(round_half_up(np.array([sr]))[0]),
                "bottleneck_stage": json_value(row["bottleneck_stage"]),
                "unavailable_reason": row["reason"] or None,
                "stages": {
                    s.stage: {
                        "supply_risk": json_value(s.supply_risk),
                        "supply_data_used": s.supply_data_used,
                        "hhi_gs": json_value(s.hhi_gs),
                        "hhi_eu": json_value(s.hhi_eu),
                        "import_reliance": json_value(s.import_reliance),
                        "eol_rir": json_value(s.eol_rir),
                        "si_sr": json_value(s.si_sr),
                        "inputs": getattr(s, "inputs", "user"),
                        "unavailable_reason": s.reason or None,
                    }
                    for s in stages.get_group(material).itertuples()
                },
            }
        )
    sources = []
    if settings["input_kind"] == "shares":
        sources = provenance_records((refdata.provenance_of("wgi_long"),))
        if settings.get("filled_from_reference"):
            sources += provenance_records(
                tuple(
                    refdata.provenance_of(n) for n in ("ec_global_supply", "ec_eu_sourcing", "ec_parameters")
                )
            )
    return {
        "method": "EC criticality methodology (2017 guidelines as applied in 2023)",
        "settings": settings,
        "materials": materials,
        "sources": [
            {"dataset": "user", "title": "user input", "citation": settings["inputs_file"]},
            *sources,
        ],
    }

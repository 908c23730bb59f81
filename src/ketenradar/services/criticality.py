"""EC supply risk for a user's own inputs: intermediates, or country shares plus parameters."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.errors import InputFileError, ParametersNeeded, Problem
from ketenradar.ingest.inputs import read_criticality_inputs, read_parameters
from ketenradar.locale import _
from ketenradar.risk.assessment import CriticalityResult, assess_supply_risk, scaled_wgi_for_years
from ketenradar.risk.criticality import round_half_up
from ketenradar.services.jsonable import json_value
from ketenradar.services.materials import DEFAULT_WGI_YEARS, mark_withdrawn
from ketenradar.services.provenance import ResultProvenance, input_file, provenance, sources_json

__all__ = ["UserCriticality", "compute_user_criticality"]

_PARAMETER_FIELDS = ["material", "stage", "supply_data_used", "import_reliance", "eol_rir", "si_sr"]
METHOD = "EC criticality methodology (2017 guidelines as applied in 2023)"


@dataclass(frozen=True, slots=True)
class UserCriticality:
    """SR per material and stage from a user's inputs, with the settings of the run."""

    result: CriticalityResult
    settings: dict[str, Any]
    provenance: ResultProvenance

    def to_json(self) -> dict[str, Any]:
        """Return the ``criticality compute --format json`` document."""
        materials = []
        stages = self.result.stages.groupby("material", sort=False)
        for material, row in self.result.materials.iterrows():
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
        return {
            "method": METHOD,
            "settings": self.settings,
            "materials": materials,
            "sources": [
                {"dataset": "user", "title": "user input", "citation": self.settings["inputs_file"]},
                *sources_json(self.provenance.datasets),
            ],
            "provenance": self.provenance.to_json(),
        }


def compute_user_criticality(
    inputs: str | Path,
    parameters: str | Path | None = None,
    *,
    fill_from_reference: bool = False,
    wgi_years: tuple[int, ...] = DEFAULT_WGI_YEARS,
) -> UserCriticality:
    """Compute SR per material and stage from a user file.

    With country shares, per-material parameters come from ``parameters``; with
    ``fill_from_reference`` the EC 2023 parameters and shares fill what the files leave out
    (e.g. only Dutch sourcing is given, the rest stays as the EC assessed it).
    """
    kind, frame = read_criticality_inputs(inputs)
    settings: dict[str, Any] = {"input_kind": kind, "inputs_file": str(inputs)}
    records = [input_file("criticality inputs", inputs)]
    if kind == "intermediates":
        result = assess_supply_risk(frame[[*_PARAMETER_FIELDS, "hhi_gs", "hhi_eu"]])
        result.stages["inputs"] = "user"
        return _done(result, settings, [], records)

    shares = frame.assign(group=frame["material"], inputs="user")
    if parameters is None and not fill_from_reference:
        raise ParametersNeeded(
            [
                Problem(
                    file=str(inputs),
                    message=_("country shares need per-material parameters (variant, IR, EOL-RIR, SI_SR)"),
                    expected=_("a parameters file, or the EC 2023 values filled in from the reference data"),
                )
            ]
        )
    used: list[str] = ["wgi_long"]
    if parameters is not None:
        params: pd.DataFrame = read_parameters(parameters)[_PARAMETER_FIELDS]
        records.append(input_file("parameters", parameters))
        settings["parameters_file"] = str(parameters)
    materials = set(shares["material"])
    if fill_from_reference:
        ec_params = refdata.load_ec_parameters().frame
        ec_params = ec_params[ec_params["material"].isin(materials)][_PARAMETER_FIELDS]
        params = ec_params if parameters is None else _prefer(params, ec_params, ["material", "stage"])
        ec_shares = refdata.load_supply_shares().frame
        ec_shares = ec_shares[ec_shares["material"].isin(materials)].assign(inputs="reference")
        shares = _prefer(shares, ec_shares, ["material", "stage", "scope"])
        settings["filled_from_reference"] = True
        used += ["ec_global_supply", "ec_eu_sourcing", "ec_parameters"]
    params = params.assign(inputs="user")
    needed = shares[["material", "stage"]].drop_duplicates()
    known = params.set_index(["material", "stage"]).index
    lacking = needed[~needed.set_index(["material", "stage"]).index.isin(known)]
    if not lacking.empty:
        raise InputFileError(
            [
                Problem(
                    file=str(parameters or inputs),
                    message=_("no parameters for {material} / {stage}").format(material=m, stage=s),
                    expected=_("a parameter row for every material and stage with shares"),
                )
                for m, s in lacking.itertuples(index=False)
            ]
        )
    wgi = scaled_wgi_for_years(refdata.load_wgi_long().frame, wgi_years)
    result = assess_supply_risk(params[_PARAMETER_FIELDS], shares, wgi)
    if fill_from_reference:
        # A stage whose EU sourcing the reference withdrew says so, unless the user's file gives it.
        user_eu = frame.loc[frame["scope"] == "eu", ["material", "stage"]].drop_duplicates()
        result = mark_withdrawn(result, user_eu)
    settings["wgi_years"] = list(wgi_years)
    scope_source = shares.groupby(["material", "stage"])["inputs"].agg(lambda s: "+".join(sorted(set(s))))
    result.stages["inputs"] = (
        result.stages.set_index(["material", "stage"]).index.map(scope_source).fillna("user")
    )
    return _done(result, settings, used, records)


def _done(
    result: CriticalityResult, settings: dict[str, Any], used: list[str], records: list[Any]
) -> UserCriticality:
    parameters = {k: v for k, v in settings.items() if not k.endswith("_file")}
    return UserCriticality(
        result=dataclasses.replace(result, parameters=parameters),
        settings=settings,
        provenance=provenance(used, {"method": METHOD, **parameters}, records),
    )


def _prefer(user: pd.DataFrame, reference: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    covered = reference.set_index(keys).index.isin(user.set_index(keys).index)
    return pd.concat([user, reference[~covered]], ignore_index=True)

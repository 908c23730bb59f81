"""``ketenradar criticality``: the EC method on a user's own inputs."""

from __future__ import annotations

from pathlib import Path

import click

from ketenradar.cli import cli, settings_of
from ketenradar.cli.i18n import argument, option
from ketenradar.cli.options import FILE, parse_years
from ketenradar.cli.output import emit_csv, emit_json, emit_table, format_option
from ketenradar.locale import N_, _


@cli.group()
def criticality() -> None:
    """EC supply risk (SR) from your own inputs."""


@criticality.command()
@argument("inputs", type=FILE)
@option(
    "--parameters",
    "parameters_file",
    type=FILE,
    help="With country shares: CSV of material, stage, supply_data_used, import_reliance, eol_rir, si_sr.",
)
@option(
    "--fill-from-reference",
    is_flag=True,
    help="Use the EC 2023 parameters and shares for whatever the files leave out.",
)
@option("--wgi-years", help="WGI years to average, e.g. 2016-2020 (default from settings).")
@format_option
@click.pass_context
def compute(
    ctx: click.Context,
    inputs: Path,
    parameters_file: Path | None,
    fill_from_reference: bool,
    wgi_years: str | None,
    fmt: str,
) -> None:
    """Compute SR per material (maximum over stages, and each stage) from INPUTS.

    INPUTS is a CSV of either intermediates (material, stage, supply_data_used, hhi_gs, hhi_eu,
    import_reliance, eol_rir, si_sr) or country shares (material, stage, scope gs|eu, country,
    share[, trade_factor]); WGI comes from the reference data.
    """
    import pandas as pd

    from ketenradar.services.criticality import compute_user_criticality

    years = parse_years(wgi_years) if wgi_years else settings_of(ctx).criticality.wgi_years
    result = compute_user_criticality(
        inputs, parameters_file, fill_from_reference=fill_from_reference, wgi_years=years
    )
    document = result.to_json()
    if fmt == "json":
        emit_json(document)
        return
    rows = pd.DataFrame(
        [
            {
                "material": m["material"],
                "stage": stage,
                "stage_sr": s["supply_risk"],
                "hhi_gs": s["hhi_gs"],
                "hhi_eu": s["hhi_eu"],
                "variant": s["supply_data_used"],
                "sr": m["supply_risk"],
                "sr_rounded": m["supply_risk_rounded"],
                "bottleneck": m["bottleneck_stage"],
                "note": s["unavailable_reason"] or "",
            }
            for m in document["materials"]
            for stage, s in m["stages"].items()
        ]
    )
    if fmt == "csv":
        emit_csv(rows)
        return
    emit_table(
        rows,
        [
            ("material", N_("material"), -1),
            ("stage", N_("stage"), -1, "stage"),
            ("variant", N_("data"), -1),
            ("hhi_gs", N_("HHI GS"), 2),
            ("hhi_eu", N_("HHI EU"), 2),
            ("stage_sr", N_("SR stage"), 2),
            ("sr", N_("SR"), 2),
            ("sr_rounded", N_("SR (1 dp)"), 1),
            ("bottleneck", N_("bottleneck"), -1, "stage"),
            ("note", N_("note"), -1),
        ],
        title=_("EC supply risk from your inputs"),
        caption=_(
            "SR = max over stages of [HHI_GS·IR/2 + HHI_EU·(1−IR/2)]·(1−EOL_RIR)·SI_SR "
            "(EC 2017 method). WGI: World Bank WGI 2024 update, years {years}"
        ).format(years=", ".join(map(str, years))),
    )

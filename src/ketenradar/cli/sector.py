"""``ketenradar ownership`` and ``ketenradar materiel``: the sector picture."""

from __future__ import annotations

from pathlib import Path

import click

from ketenradar.cli import cli
from ketenradar.cli.i18n import argument, option
from ketenradar.cli.options import FILE, disclosure_options
from ketenradar.cli.output import emit_csv, emit_json, emit_table, format_option
from ketenradar.locale import N_, _, country_name, format_number, format_percent

# Everything heavy is imported by the commands that use it; defaults come from a light module.
from ketenradar.model.defaults import HIGH_RISK_OWNERSHIP_THRESHOLD


@cli.command()
@argument("register", type=FILE, required=False)
@option("--high-risk", help="Comma-separated ISO3 codes to flag instead of the risk threshold.")
@option(
    "--risk-threshold",
    type=click.FloatRange(0, 1),
    default=HIGH_RISK_OWNERSHIP_THRESHOLD,
    show_default=True,
    help="Composite country risk above which an owner country is flagged.",
)
@disclosure_options
@format_option
def ownership(
    register: Path | None,
    high_risk: str | None,
    risk_threshold: float,
    unsuppressed: bool,
    min_companies: int,
    max_dominance: float,
    fmt: str,
) -> None:
    """Shares of companies and FTE by owner country; flags control from high-risk countries.

    REGISTER is a CSV (company, fte, legal_owner_country[, ultimate_owner_country, owner_chain]);
    its owner countries are published with disclosure control. Without it, the source report's
    table of legal-owner countries is used as published.
    """
    from ketenradar.ingest.sector_files import read_company_register
    from ketenradar.reports.formatting import sentences
    from ketenradar.services.provenance import input_file
    from ketenradar.services.sector import ownership_from_register, ownership_from_seed
    from ketenradar.services.survey import DisclosureRules

    listed = [c for c in high_risk.split(",") if c.strip()] if high_risk else None
    picture = (
        ownership_from_register(
            read_company_register(register),
            threshold=risk_threshold,
            high_risk=listed,
            inputs=[input_file("company register", register)],
            rules=DisclosureRules(min_companies, max_dominance),
            controlled=not unsuppressed,
        )
        if register
        else ownership_from_seed(threshold=risk_threshold, high_risk=listed)
    )
    if fmt == "json":
        emit_json(picture.to_json())
        return
    if fmt == "csv":
        emit_csv(picture.by_country)
        return
    emit_table(
        picture.by_country.assign(
            name=[
                country_name(c, n)
                for c, n in zip(picture.by_country["country"], picture.by_country["name"], strict=True)
            ]
        ),
        [
            ("country", N_("ISO3"), -1),
            ("name", N_("owner country"), -1),
            ("count", N_("companies"), 0),
            ("count_share", N_("share"), 3),
            ("weight", N_("FTE"), 0),
            ("weight_share", N_("FTE share"), 3),
            ("high_risk", N_("high-risk"), -1),
        ],
        title=_("Owner countries of the defence and security industry"),
        caption=sentences(
            _("Basis: {basis}. Foreign-owned: {companies} of companies, {fte} of FTE.").format(
                basis=picture.basis,
                companies=format_percent(picture.foreign_share_count, 1),
                fte=format_percent(picture.foreign_share_fte, 1),
            ),
            *picture.notes,
        ),
    )


@cli.command()
@argument("imports", type=FILE, required=False)
@format_option
def materiel(imports: Path | None, fmt: str) -> None:
    """Where the armed forces' weapon systems come from: shares by supplier and domain.

    IMPORTS is a CSV of SIPRI-style records (supplier, recipient, domain, units[, year]);
    without it, the source report's SIPRI table for the Netherlands (2018-2022) is used.
    """
    import pandas as pd

    from ketenradar.ingest.sector_files import read_arms_imports
    from ketenradar.model.vocabulary import label
    from ketenradar.reports.formatting import sentences
    from ketenradar.services.provenance import input_file
    from ketenradar.services.sector import materiel_from_records, materiel_from_seed

    origin = (
        materiel_from_records(read_arms_imports(imports), inputs=[input_file("arms imports", imports)])
        if imports
        else materiel_from_seed()
    )
    if fmt == "json":
        emit_json(origin.to_json())
        return
    if fmt == "csv":
        emit_csv(origin.by_supplier)
        return
    emit_table(
        origin.by_supplier.assign(
            name=[
                country_name(c, n)
                for c, n in zip(origin.by_supplier["supplier"], origin.by_supplier["name"], strict=True)
            ]
        ),
        [
            ("supplier", N_("ISO3"), -1),
            ("name", N_("supplier"), -1),
            ("units", N_("units"), 0),
            ("share", N_("share"), 3),
        ],
        title=_("Weapon-system imports by supplier"),
        caption=sentences(_("Basis: {basis}.").format(basis=origin.basis), *origin.notes),
    )
    indicators = pd.DataFrame(
        [
            {
                "indicator": label("dependence", k),
                "value": format_number(v, 3) if isinstance(v, float) else str(v),
            }
            for k, v in origin.indicators.items()
        ]
    )
    emit_table(
        indicators,
        [("indicator", N_("dependence indicator"), -1), ("value", N_("value"), -1)],
        title=_("Dependence"),
    )

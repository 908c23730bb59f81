"""``ketenradar survey`` and ``ketenradar matrix``: the questionnaire picture (F6, F7)."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from ketenradar import refdata
from ketenradar.cli import cli
from ketenradar.cli.chains import workspace_option
from ketenradar.cli.output import emit_csv, emit_json, emit_table, format_option
from ketenradar.ingest.questionnaire import (
    CHAIN_POSITIONS,
    MEASURES,
    SURVEY_DOMAINS,
    VISIBILITY_LEVELS,
    dis_areas,
    read_survey,
    survey_schema,
)
from ketenradar.ingest.workbook_writer import write_sheets, write_workbook_template
from ketenradar.jsonable import json_records, json_value
from ketenradar.model.survey import SURVEY_SHEETS, Survey
from ketenradar.overview import build_material_overview
from ketenradar.risk.disclosure import DisclosureRules
from ketenradar.storage import SqliteStore, default_workspace_path
from ketenradar.survey import (
    SYNTHETIC_NOTE,
    respondents_by_domain,
    risk_impact_matrix,
    summarise_survey,
    synthetic_survey,
    table_document,
    usage_weighted_exposure,
)

_any = click.Path(path_type=Path)


def _materials() -> list[str]:
    return list(refdata.load_materials().with_materials(refdata.load_defence_materials_extra()))


def open_survey(reference: str | None, workspace: Path | None) -> Survey:
    """Return the survey at a path, the stored survey of that name, or the synthetic demo set."""
    if reference is None:
        return synthetic_survey(286, seed=2024)
    path = Path(reference)
    if path.exists() or path.suffix.lower() in (".xlsx", ".json"):
        return read_survey(path, _materials())
    return SqliteStore(workspace or default_workspace_path()).load_survey(reference)


@cli.group()
def survey() -> None:
    """Company questionnaires: template, import, summary with disclosure control, synth."""


def _average(value: float) -> str:
    return "—" if value != value else f"{value:.2f}"  # NaN when every count is suppressed


@survey.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def template(out: Path) -> None:
    """Write an empty questionnaire workbook OUT.xlsx with instructions and drop-downs."""
    areas = dis_areas()
    lists = {
        "domain": list(SURVEY_DOMAINS),
        "chain_position": list(CHAIN_POSITIONS),
        "visibility": list(VISIBILITY_LEVELS),
        "material": sorted(_materials()),
        "category": sorted(areas["category"].unique()),
        "area": [a.lower() for a in areas["area"]],
        "measure": list(MEASURES),
        "few_suppliers": ["true", "false"],
        "bought_directly": ["true", "false"],
    }
    instructions = [
        "ketenradar company questionnaire (v1)",
        "",
        "companies: one row per company (pseudonymous id, FTE, dominant domain, chain position, "
        "insight into the chain, dependence on a limited number of suppliers, ultimate-owner country).",
        "materials: one row per material used in products or components (bought_directly: true/false).",
        "areas: one row per DIS technology, knowledge area or industrial capability of the company.",
        "measures: one row per measure taken against supply risks.",
        "Visibility levels: " + "; ".join(f"{k} = {v}" for k, v in VISIBILITY_LEVELS.items()),
        "Measures: " + "; ".join(f"{k} = {v}" for k, v in MEASURES.items()),
        "Import with: ketenradar survey import THIS_FILE.xlsx --name NAME",
    ]
    path = write_workbook_template(out, survey_schema(_materials()), lists, instructions)
    click.echo(f"questionnaire template written to {path}")


@survey.command(name="import")
@click.argument("answers", type=_any)
@click.option("--name", help="Name to store it under [default: the file name].")
@workspace_option
def import_(answers: Path, name: str | None, workspace: Path | None) -> None:
    """Validate questionnaire ANSWERS (.xlsx, CSV folder or .json) and store them as a new version."""
    data = read_survey(answers, _materials(), name=name)
    version = SqliteStore(workspace or default_workspace_path()).save_survey(data)
    click.echo(f"stored survey {data.name!r} version {version}: {len(data.companies)} companies")


@survey.command()
@click.argument("survey_ref", metavar="[ANSWERS|NAME]", required=False)
@click.option(
    "--unsuppressed", is_flag=True, help="Show every cell without disclosure control (not for publication)."
)
@click.option(
    "--min-companies",
    type=click.IntRange(1),
    default=3,
    show_default=True,
    help="Suppress cells with fewer companies than this.",
)
@click.option(
    "--max-dominance",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Suppress cells where one company holds more than this share of the FTE.",
)
@workspace_option
@format_option
def summary(
    survey_ref: str | None,
    unsuppressed: bool,
    min_companies: int,
    max_dominance: float,
    workspace: Path | None,
    fmt: str,
) -> None:
    """Show counts and shares of companies per domain, chain position, DIS area and material.

    Without ANSWERS|NAME the synthetic demo questionnaire set is used (labelled synthetic).
    """
    data = open_survey(survey_ref, workspace)
    result = summarise_survey(
        data, DisclosureRules(min_companies, max_dominance), controlled=not unsuppressed
    )
    respondents = respondents_by_domain(result)
    if fmt == "json":
        emit_json(
            {
                "survey": data.name,
                "synthetic": data.synthetic,
                "respondents": len(data.companies),
                "disclosure_control": None
                if unsuppressed
                else {
                    "min_companies": min_companies,
                    "max_dominance": max_dominance,
                    "secondary_suppression": "every published margin has 0 or at least 2 suppressed cells",
                },
                "tables": [
                    table_document(t, respondents if t.name.endswith("by_domain") else None)
                    for t in result.tables.values()
                ],
                "notes": result.notes,
            }
        )
        return
    frames = []
    for table in result.tables.values():
        published = (
            table.published()
            .reset_index(names="row")
            .melt(id_vars="row", var_name="col", value_name="companies")
        )
        frames.append(published.assign(table=table.name))
    flat = pd.concat(frames, ignore_index=True)
    if fmt == "csv":
        emit_csv(flat)
        return
    for name in ("few_suppliers_by_domain", "visibility_by_position", "measures"):
        table = result.tables[name].published().reset_index()
        columns = [(c, c, -1) for c in table.columns]
        emit_table(
            table,
            columns,
            title=result.tables[name].title,
            caption=" ".join(result.notes) + " — = suppressed (fewer than "
            f"{min_companies} companies or one company > {max_dominance:.0%} of the FTE).",
        )


@survey.command()
@click.option("--companies", type=click.IntRange(min=5), default=286, show_default=True)
@click.option("--seed", type=int, default=2024, show_default=True)
@click.argument("out", type=_any)
def synth(companies: int, seed: int, out: Path) -> None:
    """Write a SYNTHETIC questionnaire set (for demos and tests; no real company) to OUT."""
    data = synthetic_survey(companies, seed)
    frames = {sheet: getattr(data, sheet) for sheet in SURVEY_SHEETS}
    path = write_sheets(frames, out)
    click.echo(f"{SYNTHETIC_NOTE}: {companies} companies written to {path}")


@cli.command()
@click.option(
    "--survey",
    "survey_ref",
    metavar="ANSWERS|NAME",
    help="Questionnaire answers or a stored survey [default: the synthetic demo set].",
)
@click.option("--domain", type=click.Choice(SURVEY_DOMAINS), help="Companies of one domain.")
@click.option("--dis-area", help="Companies active in one DIS area (see `survey template`).")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.02,
    show_default=True,
    help="Countries below this usage-weighted share are pooled as 'other'.",
)
@workspace_option
@format_option
def matrix(
    survey_ref: str | None,
    domain: str | None,
    dis_area: str | None,
    threshold: float,
    workspace: Path | None,
    fmt: str,
) -> None:
    """Risk-impact matrix: usage share against EC 2023 supply risk, and usage-weighted exposure."""
    if domain and dis_area:
        raise click.UsageError("give --domain or --dis-area, not both")
    if dis_area is not None:
        known = [a.lower() for a in dis_areas()["area"]]
        if dis_area.lower() not in known:
            raise click.BadParameter(
                f"unknown DIS area {dis_area!r}; expected one of: " + "; ".join(dis_areas()["area"]),
                param_hint="--dis-area",
            )
    data = open_survey(survey_ref, workspace)
    result = summarise_survey(data)
    overview = build_material_overview()
    points = risk_impact_matrix(result, overview.materials["sr_published"], domain=domain, dis_area=dis_area)
    exposure = usage_weighted_exposure(points, overview.catalogue, threshold)
    scope = f"domain {domain}" if domain else (f"DIS area {dis_area}" if dis_area else "all respondents")
    notes = [SYNTHETIC_NOTE] if data.synthetic else []
    if fmt == "json":
        emit_json(
            {
                "survey": data.name,
                "synthetic": data.synthetic,
                "scope": scope,
                "mean_usage_share": json_value(points.attrs["mean_usage_share"]),
                "mean_supply_risk": json_value(points.attrs["mean_supply_risk"]),
                "materials": json_records(points),
                "exposure": json_records(exposure),
                "display_threshold": threshold,
                "notes": notes,
                "sources": ["EC (2023) supply risk and global supply shares", data.source],
            }
        )
        return
    if fmt == "csv":
        emit_csv(points)
        return
    emit_table(
        points.sort_values("supply_risk", ascending=False),
        [
            ("material", "material", -1),
            ("companies", "companies", -1),
            ("usage_share", "usage", 2),
            ("supply_risk", "SR 2023", 1),
            ("quadrant", "quadrant", -1),
        ],
        title=f"Risk-impact matrix ({scope})",
        caption=" ".join(notes) + f" Averages: usage {_average(points.attrs['mean_usage_share'])}, "
        f"SR {_average(points.attrs['mean_supply_risk'])}. Suppressed counts give no point.",
    )
    emit_table(
        exposure,
        [("stage", "stage", -1), ("country", "country", -1), ("share", "share", 3)],
        title="Usage-weighted country exposure (EC 2023 global supply)",
    )

"""``ketenradar survey`` and ``ketenradar matrix``: the questionnaire picture (F6, F7)."""

from __future__ import annotations

from pathlib import Path

import click

from ketenradar.cli import cli
from ketenradar.cli.i18n import argument, option
from ketenradar.cli.options import FILE, PATH, catalogue_of, disclosure_options, store_of, workspace_option
from ketenradar.cli.output import TableSpec, emit_csv, emit_json, emit_table, format_option
from ketenradar.locale import N_, _, current_language, format_number, format_percent

# The choices of `matrix --domain` are shown in its help, so they are read when this module is
# imported, and with them (through ketenradar.model) pandas: a package that imports its modules
# on use would make `ketenradar survey --help` fast too. Everything else is imported by the
# commands that use it.
from ketenradar.model.vocabulary import SURVEY_DOMAINS


def _materials() -> list[str]:
    return list(catalogue_of(None))


@cli.group()
def survey() -> None:
    """Company questionnaires: template, import, summary with disclosure control, synth."""


@survey.command()
@argument("out", type=FILE)
def template(out: Path) -> None:
    """Write an empty questionnaire workbook OUT.xlsx with instructions and drop-downs."""
    from ketenradar.ingest.questionnaire import write_survey_template

    path = write_survey_template(out, _materials())
    click.echo(_("questionnaire template written to {path}").format(path=path))


@survey.command(name="import")
@argument("answers", type=PATH)
@option("--name", help="Name to store it under [default: the file name].")
@workspace_option
def import_(answers: Path, name: str | None, workspace: Path | None) -> None:
    """Validate questionnaire ANSWERS (.xlsx, CSV folder or .json) and store them as a new version."""
    from ketenradar.ingest.questionnaire import read_survey

    data = read_survey(answers, _materials(), name=name)
    version = store_of(workspace).save_survey(data)
    click.echo(
        _("stored survey {name!r} version {version}: {n} companies").format(
            name=data.name, version=version, n=len(data.companies)
        )
    )


@survey.command()
@argument("survey_ref", metavar="[ANSWERS|NAME]", required=False)
@disclosure_options
@option(
    "--against",
    type=click.IntRange(1),
    metavar="VERSION",
    help="Check a stored survey against the release of this earlier version "
    "[default: the version before it].",
)
@workspace_option
@format_option
def summary(
    survey_ref: str | None,
    unsuppressed: bool,
    min_companies: int,
    max_dominance: float,
    against: int | None,
    workspace: Path | None,
    fmt: str,
) -> None:
    """Show counts and shares of companies per domain, chain position, DIS area and material.

    Without ANSWERS|NAME the synthetic demo questionnaire set is used (labelled synthetic). A
    stored survey NAME is checked against the release of its previous version, so that what
    differs between the two releases gives no company away.
    """
    import pandas as pd

    from ketenradar.model.vocabulary import LABELS, label
    from ketenradar.reports.formatting import sentences
    from ketenradar.services.survey import DisclosureRules, open_survey, summarise_survey

    opened = open_survey(survey_ref, store_of(workspace), _materials(), against=against)
    if against is not None and opened.version is None:
        raise click.UsageError(_("--against compares stored versions: give the NAME of a stored survey"))
    result = summarise_survey(
        opened, DisclosureRules(min_companies, max_dominance), controlled=not unsuppressed
    )
    if fmt == "json":
        emit_json(result.to_json())
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
    # (words of the rows, words of the columns); the measures are shown one per row.
    shown = {
        "few_suppliers_by_domain": ("answer", "domain", False),
        "visibility_by_position": ("visibility", "chain_position", False),
        "measures": ("measure", "answer", True),
    }
    for name, (row_words, column_words, transpose) in shown.items():
        published = result.tables[name].published()
        table = (published.T if transpose else published).reset_index(names="row")
        table["row"] = [
            label("answer", r) if r in LABELS["answer"] else label(row_words, r) for r in table["row"]
        ]
        columns: list[TableSpec] = [("row", N_("answer"), -1)]
        columns += [
            (c, label("answer", c) if c == "total" else label(column_words, c), -1) for c in table.columns[1:]
        ]
        emit_table(
            table,
            columns,
            title=result.tables[name].heading(),
            caption=sentences(
                *result.notes,
                _("— = suppressed (fewer than {n} companies or one company > {share} of the FTE).").format(
                    n=min_companies, share=format_percent(max_dominance, 0)
                ),
            ),
        )


@survey.command()
@option(
    "--companies", type=click.IntRange(min=5), default=286, show_default=True, help="Number of companies."
)
@option("--seed", type=int, default=2024, show_default=True, help="Random seed (same seed, same answers).")
@argument("out", type=PATH)
def synth(companies: int, seed: int, out: Path) -> None:
    """Write a SYNTHETIC questionnaire set (for demos and tests; no real company) to OUT."""
    from ketenradar.ingest.workbook_writer import write_sheets
    from ketenradar.model.survey import SURVEY_SHEETS
    from ketenradar.services.synth import SYNTHETIC_NOTE, synthetic_survey

    data = synthetic_survey(companies, seed)
    path = write_sheets({sheet: getattr(data, sheet) for sheet in SURVEY_SHEETS}, out)
    click.echo(
        _("{note}: {n} companies written to {path}").format(note=_(SYNTHETIC_NOTE), n=companies, path=path)
    )


@cli.command()
@option(
    "--survey",
    "survey_ref",
    metavar="ANSWERS|NAME",
    help="Questionnaire answers or a stored survey [default: the synthetic demo set].",
)
@option("--domain", type=click.Choice(SURVEY_DOMAINS), help="Companies of one domain.")
@option("--dis-area", help="Companies active in one DIS area (see `survey template`).")
@option(
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
    from ketenradar.reports.formatting import sentences
    from ketenradar.services.matrix import risk_impact_matrix
    from ketenradar.services.survey import dis_area_names, open_survey

    if domain and dis_area:
        raise click.UsageError(_("give --domain or --dis-area, not both"))
    if dis_area is not None:
        areas = dis_area_names()
        if dis_area.lower() not in [a.lower() for a in areas]:
            raise click.BadParameter(
                _("unknown DIS area {area!r}; expected one of: {areas}").format(
                    area=dis_area, areas="; ".join(areas)
                ),
                param_hint="--dis-area",
            )
    opened = open_survey(survey_ref, store_of(workspace), _materials())
    result = risk_impact_matrix(opened, domain=domain, dis_area=dis_area, threshold=threshold)
    if fmt == "json":
        emit_json(result.to_json())
        return
    points = result.points
    if fmt == "csv":
        emit_csv(points)
        return
    catalogue = catalogue_of(None)
    points = points.assign(name=[catalogue.name(m, current_language()) for m in points["material"]])
    emit_table(
        points.sort_values("supply_risk", ascending=False),
        [
            ("name", N_("material"), -1),
            ("companies", N_("companies"), -1),
            ("usage_share", N_("usage"), 2),
            ("supply_risk", N_("SR 2023"), 1),
            ("quadrant", N_("quadrant"), -1),
        ],
        title=_("Risk-impact matrix ({scope})").format(scope=result.scope),
        caption=sentences(
            *result.notes,
            _("Averages: usage {usage}, SR {risk}. Suppressed counts give no point.").format(
                usage=format_number(points.attrs["mean_usage_share"], 2),
                risk=format_number(points.attrs["mean_supply_risk"], 2),
            ),
        ),
    )
    exposure = result.exposure.assign(
        country=result.exposure["country"].map(lambda c: _("other") if c == "other" else c)
    )
    emit_table(
        exposure,
        [("stage", N_("stage"), -1, "stage"), ("country", N_("country"), -1), ("share", N_("share"), 3)],
        title=_("Usage-weighted country exposure (EC 2023 global supply)"),
    )

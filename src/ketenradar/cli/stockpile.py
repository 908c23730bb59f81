"""``ketenradar stockpile``: plan stocks of candidate items within a budget (F14)."""

from __future__ import annotations

import math
from pathlib import Path

import click

from ketenradar.cli import cli
from ketenradar.cli.chains import chain_and_scenario_options
from ketenradar.cli.i18n import option
from ketenradar.cli.options import FILE, catalogue_of, catalogue_option, store_of, workspace_option
from ketenradar.cli.output import TABLE_ROWS, emit_csv, emit_json, emit_table, format_option, progress
from ketenradar.locale import N_, _, format_number

# The solver's status codes (JSON keeps the code) in words for the table.
SOLVER_STATUS = {
    "optimal": N_("optimal"),
    "limit_reached": N_("stopped at a limit (best plan found so far)"),
    "infeasible": N_("infeasible"),
    "unbounded": N_("unbounded"),
    "other": N_("other"),
}


def _finite(value: float) -> float:
    """Return the budget, refusing NaN and infinity (click's range lets them through)."""
    if not math.isfinite(value):
        raise click.BadParameter(_("a finite number of euros is expected"))
    return value


@cli.group()
def stockpile() -> None:
    """Stockpile planning: whole days of stock per candidate item within a budget."""


@stockpile.command()
@chain_and_scenario_options
@option(
    "--candidates",
    "candidates_file",
    type=FILE,
    required=True,
    help="CSV (or .xlsx with a sheet 'candidates', or JSON) with item, cost_per_day and optional max_days.",
)
@option(
    "--budget",
    type=click.FloatRange(min=0.0),
    required=True,
    metavar="EUROS",
    callback=lambda _ctx, _param, value: _finite(value),
    help="Budget in euros a year for holding the added stock.",
)
@option(
    "--draws",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Number of simulated years.",
)
@option("--seed", type=int, default=0, show_default=True, help="Random seed (same seed, same numbers).")
@workspace_option
@catalogue_option
@format_option
def plan(
    scenario_file: str,
    chain_ref: str,
    candidates_file: Path,
    budget: float,
    draws: int,
    seed: int,
    workspace: Path | None,
    catalogue_file: Path | None,
    fmt: str,
) -> None:
    """Days of stock per candidate that minimise the expected platform-days lost under a scenario.

    --scenario is a scenario file (.yaml, .yml or .json) or the id of a shipped scenario (see
    `ketenradar scenario list`); shocks with a probability make the Monte Carlo draws differ.
    The plan is compared with no added stock and with a naive plan, on the same draws.
    """
    import pandas as pd

    from ketenradar.reports.formatting import sentence
    from ketenradar.services.chains import open_chain
    from ketenradar.services.scenarios import load_scenario
    from ketenradar.services.stockpile import stockpile_on_chain

    catalogue = catalogue_of(catalogue_file)
    loaded = load_scenario(scenario_file, catalogue)
    opened = open_chain(chain_ref, store_of(workspace), catalogue)
    with progress(_("planning stocks")) as advance:
        report = stockpile_on_chain(opened, loaded, catalogue, candidates_file, budget, draws, seed, advance)
    if fmt == "json":
        emit_json(report.to_json())
        return
    frame = report.candidates_frame()
    if fmt == "csv":
        emit_csv(frame)
        return
    result = report.plan
    emit_table(
        frame,
        [
            ("item", N_("item"), -1),
            ("name", N_("name"), -1),
            ("existing_days", N_("stock held (days)"), 1),
            ("days", N_("days added"), 0),
            ("months", N_("months of cover"), 1),
            ("cost", N_("cost (EUR/year)"), 0),
            ("naive_days", N_("naive plan (days)"), 0),
        ],
        title=_("Stockpile plan over {draws} years (seed {seed}): {name}").format(
            draws=draws, seed=seed, name=loaded.scenario.name
        ),
        caption=_(
            "Days added minimise the expected platform-days lost within the budget (HiGHS); "
            "months of cover = days / (365/12); the naive plan spends the budget on the "
            "candidate with the largest expected shortfall first."
        ),
        limit=TABLE_ROWS,
    )
    totals = pd.DataFrame(
        {
            "measure": [
                _("budget (EUR/year)"),
                _("spent (EUR/year)"),
                _("expected platform-days lost, no added stock"),
                _("expected platform-days lost, with the plan (re-run)"),
                _("model bound (optimal use of stock)"),
                _("expected platform-days lost, naive plan (re-run)"),
                _("solver status"),
            ],
            "value": [
                format_number(result.budget, 0),
                format_number(float(result.cost.sum()), 0),
                format_number(result.expected_loss_before, 2),
                format_number(result.expected_loss_after, 2),
                format_number(result.model_bound, 2),
                format_number(result.expected_loss_naive, 2),
                _(SOLVER_STATUS.get(result.solver_status, result.solver_status)),
            ],
        }
    )
    emit_table(
        totals,
        [("measure", N_("total"), -1), ("value", N_("value"), 1)],
        title=_("Totals (platform-days a year, summed over platforms)"),
        caption=_(
            "The re-runs are Monte Carlo runs with the added stock on the same draws; the model "
            "bound assumes stock is drawn at the best time, the simulation draws it from the "
            "first short day."
        ),
        limit=None,
    )
    emit_table(
        report.platforms_frame(),
        [
            ("id", N_("platform"), -1),
            ("days_lost_before", N_("mean days lost, before"), 2),
            ("days_lost_after", N_("mean days lost, with the plan"), 2),
            ("days_lost_naive", N_("mean days lost, naive plan"), 2),
        ],
        title=_("Platforms"),
        limit=TABLE_ROWS,
    )
    for note in report.notes:
        click.secho(sentence(note.text()), err=True, fg="yellow")

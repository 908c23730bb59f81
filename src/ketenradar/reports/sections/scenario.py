"""Section: a disruption scenario on the example chain — availability and what limits it."""

from __future__ import annotations

from ketenradar.locale import _
from ketenradar.reports.context import ReportContext, demo_chain_path, demo_scenario_path
from ketenradar.reports.html import Section, TableColumn, render_table

__all__ = ["build"]


def build(ctx: ReportContext) -> Section:
    """Build the scenario section."""
    result = ctx.scenario.result
    spec = result.scenario
    names = ctx.scenario.chain.items.set_index("id")["name"]
    platforms = result.platforms.assign(
        name=lambda f: f["id"].map(names),
        limited=lambda f: f["limited_by"].map(lambda ids: ", ".join(f"{names[i]} ({i})" for i in ids)),
    )
    platform_table = render_table(
        platforms,
        [
            TableColumn("name", "platform", verbatim=True),
            TableColumn("availability", "availability", 0, percent=True),
            TableColumn("limited", "limited by", verbatim=True),
        ],
        caption=_("Platforms under the scenario"),
    )
    hit = result.items[result.items["availability"] < 1].sort_values("availability")
    # Limiting items by name, the id beside it (as for the platforms above).
    hit = hit.assign(
        name=lambda f: f["id"].map(names),
        limited=lambda f: f["limited_by"].map(lambda ids: ", ".join(f"{names.get(i, i)} ({i})" for i in ids)),
    )
    items_table = render_table(
        hit,
        [
            TableColumn("name", "item", verbatim=True),
            TableColumn("kind", "kind", vocabulary="kind"),
            TableColumn("availability", "availability", 0, percent=True),
            TableColumn("own_availability", "own supply", 0, percent=True),
            TableColumn("limited", "limited by", verbatim=True),
        ],
        caption=_("Affected items"),
    )
    return Section(
        id="scenario",
        title=_("Scenario: China stops gallium and germanium exports"),
        intro=_(
            "Availability by the baseline rule: an item keeps 1 − Σ share × loss of its own supply and "
            "takes the minimum of its own and its inputs' availability. The platforms' limiting inputs "
            "are the items whose own supply sets that minimum."
        ),
        blocks=(platform_table, items_table),
        source_note=(
            _(
                "Scenario: {source}; severity 1.0 is the stress-test assumption, not an observed figure. "
                "Reproduce: ketenradar scenario run {scenario} --chain {path}"
            ).format(source=spec.source, scenario=demo_scenario_path(), path=demo_chain_path()),
        ),
        quotes=(spec.name, spec.description.strip()),
    )

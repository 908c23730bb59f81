"""The action section's roadmap and procurement parts: tables and chart of results computed once.

:func:`roadmap_blocks` renders the military-ships roadmap drafted from the measures' ranking
(steps, risks, interventions with owners, milestones, progress); :func:`procurement_blocks` the
worked procurement example (bids, weights, and the weight sweep with its flip points).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from markupsafe import Markup

from ketenradar.locale import N_, _, format_number, format_percent
from ketenradar.reports.charts import weight_sweep_chart
from ketenradar.reports.context import ACTION_START, ACTION_TODAY, ActionResults
from ketenradar.reports.html import TableColumn, figure, render_table
from ketenradar.reports.interactive import weight_sweep_figure

__all__ = ["HORIZON_WORDS", "procurement_blocks", "roadmap_blocks", "words"]

# The roadmap's standard steps by their code, with the titles (msgids) of the roadmap service: the
# reports may use the services, not the mitigation layer that defines them.
_STEP_TITLES = {
    "scope": N_("Scope"),
    "chain_mapping": N_("Map the chain"),
    "risk_assessment": N_("Assess the risks"),
    "interventions": N_("Interventions"),
    "instruments": N_("Instruments"),
    "owners": N_("Owners"),
    "timeline": N_("Timeline and status"),
}
HORIZON_WORDS = {"short": N_("short term"), "medium": N_("medium term"), "long": N_("long term")}
_STATUS_WORDS = {
    "planned": N_("planned"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "dropped": N_("dropped"),
}
_OWNER_WORDS = {
    "government": N_("government"),
    "companies": N_("companies"),
    "knowledge_institutes": N_("knowledge institutes"),
}
_RISK_WORDS = {
    "single_point_of_failure": N_("single point of failure"),
    "unknown_upstream": N_("unknown origin upstream"),
    "crma_single_country": N_("CRMA single-country limit"),
    "iea_shortfall": N_("IEA shortfall"),
    "scenario_availability": N_("availability under the scenario"),
    "other": N_("other"),
}
_CRITERION_WORDS = {
    "price": N_("price"),
    "delivery_days": N_("delivery time"),
    "origin_risk": N_("origin risk"),
    "nl_eu_content": N_("NL/EU content"),
}
_BASIS_WORDS = {"chain": N_("the bid's chain"), "origin": N_("origin table")}


def words(codes: Sequence[object] | pd.Series, vocabulary: dict[str, str]) -> list[str | None]:
    """Return codes in words of the active language; an empty or missing code stays missing."""
    return [_(vocabulary.get(c, c)) if isinstance(c, str) and c else None for c in codes]


def _owners(owners: Sequence[tuple[str, ...]]) -> list[str | None]:
    """Return each entry's owners in words, joined; none proposed stays missing."""
    return [", ".join(w for w in words(o, _OWNER_WORDS) if w) or None for o in owners]


def roadmap_blocks(action: ActionResults, source: str) -> tuple[Markup, ...]:
    """Render the roadmap's steps, risks, interventions, milestones and progress."""
    roadmap = action.roadmap.roadmap
    drafted = {
        "group": roadmap.product_group,
        "start": ACTION_START,
        "today": ACTION_TODAY.isoformat(),
    }
    steps = pd.DataFrame(
        {
            "title": [_(_STEP_TITLES.get(s.step, s.step)) for s in roadmap.steps],
            "content": [s.content for s in roadmap.steps],
        }
    )
    steps_table = render_table(
        steps,
        [TableColumn("title", "step"), TableColumn("content", "content")],
        caption=_(
            "The roadmap (routekaart) for {group} on the example frigate, drafted by ketenradar in "
            "the standard steps of the letters to parliament; the schedule starts in {start} "
            "(fixed for this report), drafted on {today}. Source: ketenradar roadmap draft on the "
            "example chain."
        ).format(**drafted),
    )
    risks = pd.DataFrame(
        {
            "kind": words([r.kind for r in roadmap.risks], _RISK_WORDS),
            "subject": [r.subject for r in roadmap.risks],
            "detail": [r.detail for r in roadmap.risks],
        }
    )
    risks_table = render_table(
        risks,
        [
            TableColumn("kind", "risk"),
            TableColumn("subject", "subject", verbatim=True),
            TableColumn("detail", "detail"),
        ],
        caption=_(
            "The risks the roadmap found for the frigate: single points of failure and unknown "
            "origin from the chain's exposure (EC 2023 global supply where the chain names no "
            "countries), IEA shortfalls and CRMA flags from the outlook, and the availability "
            "under the scenario. Sources: EC 2023, IEA Global Critical Minerals Outlook 2024 (as "
            "printed in Berenschot 2024), Regulation (EU) 2024/1252; scenario: {source}."
        ).format(source=source),
    )
    interventions = roadmap.interventions
    frame = pd.DataFrame(
        {
            "rank": pd.array([i.rank for i in interventions], dtype="Int64"),
            "name": [i.name for i in interventions],
            "owners": _owners([i.owners for i in interventions]),
            "horizon": words([i.time_horizon for i in interventions], HORIZON_WORDS),
            "start": [i.start for i in interventions],
            "due": [i.due for i in interventions],
            "status": words([i.status for i in interventions], _STATUS_WORDS),
            "loss_avoided": np.array(
                [np.nan if i.loss_avoided is None else i.loss_avoided for i in interventions]
            ),
            "note": [i.note or None for i in interventions],
        }
    )
    interventions_table = render_table(
        frame,
        [
            TableColumn("rank", "rank", 0),
            TableColumn("name", "intervention", verbatim=True),
            TableColumn("owners", "proposed owners"),
            TableColumn("horizon", "time horizon"),
            TableColumn("start", "start"),
            TableColumn("due", "due"),
            TableColumn("status", "status"),
            TableColumn("loss_avoided", "platform-days avoided", 1),
            TableColumn("note", "note"),
        ],
        caption=_(
            "The interventions: the example measures in the order of their ranking, with owners "
            "proposed by measure type, starting {quarters} quarters after {start} and due by the "
            "catalogue's time horizon. Costs: illustrative example inputs. Source: {source}."
        ).format(quarters=format_number(4, 0), start=ACTION_START, source=source),
    )
    milestones = roadmap.milestones
    milestones_table = render_table(
        pd.DataFrame(
            {
                "what": [m.what for m in milestones],
                "due": [m.due for m in milestones],
                "owners": _owners([m.owners for m in milestones]),
                "status": words([m.status for m in milestones], _STATUS_WORDS),
            }
        ),
        [
            TableColumn("what", "milestone"),
            TableColumn("due", "due"),
            TableColumn("owners", "proposed owners"),
            TableColumn("status", "status"),
        ],
        caption=_(
            "The milestones closing each step, due on the default schedule from {start}. Source: "
            "ketenradar roadmap draft (docs/methodology/roadmap.md)."
        ).format(start=ACTION_START),
    )
    return steps_table, risks_table, interventions_table, milestones_table, _progress_table(action)


def _progress_table(action: ActionResults) -> Markup:
    """Render the roadmap's progress: status counts and the share done of each part."""
    # The roadmap service's own progress counts (its JSON document), shown as they are.
    progress = action.roadmap.to_json()["progress"]
    parts = {"interventions": _("interventions"), "milestones": _("milestones"), "overall": _("overall")}
    frame = pd.DataFrame(
        {
            "part": list(parts.values()),
            **{
                status: [progress[part][status] for part in parts]
                for status in ("planned", "in_progress", "done", "dropped")
            },
            "share": [
                np.nan if progress[p]["share_done"] is None else progress[p]["share_done"] for p in parts
            ],
        }
    )
    return render_table(
        frame,
        [
            TableColumn("part", "part"),
            TableColumn("planned", "planned", 0),
            TableColumn("in_progress", "in progress", 0),
            TableColumn("done", "done", 0),
            TableColumn("dropped", "dropped", 0),
            TableColumn("share", "share done", 0, percent=True),
        ],
        caption=_(
            "Progress of the drafted roadmap: share done = done / (all − dropped); a new draft has "
            "everything planned. Source: ketenradar roadmap draft."
        ),
    )


def procurement_blocks(action: ActionResults) -> tuple[Markup, ...]:
    """Render the bids table, the weights and the weight sweep's chart with its flip points."""
    evaluation = action.procurement
    bids = evaluation.bids
    bids_table = render_table(
        bids.assign(
            basis_text=words(bids["basis"], _BASIS_WORDS),
            premium=bids["premium_pct"] / 100.0,
        ),
        [
            TableColumn("rank", "rank", 0),
            TableColumn("bid", "bid", verbatim=True),
            TableColumn("price", "price (EUR million)", 0),
            TableColumn("delivery_days", "delivery (days)", 0),
            TableColumn("origin_risk", "origin risk", 3),
            TableColumn("nl_eu_content", "NL/EU content", 0, percent=True),
            TableColumn("score", "score", 3),
            TableColumn("premium", "premium over the cheapest bid", 1, percent=True),
            TableColumn("risk_reduction", "risk reduction", 3),
            TableColumn("basis_text", "origin from"),
        ],
        caption=_(
            "Three example bids for an air-defence frigate, ranked by score = Σ weight × criterion "
            "scaled min–max over the bids (1 = best); origin risk = the level-weighted mean over "
            "product, component and material of Σ share × composite country risk; premium = price "
            "above the cheapest bid ({cheapest}) for the risk reduction against it. Prices, "
            "delivery times, NL/EU content and origin shares: illustrative example inputs. "
            "Sources: ketenradar procure evaluate; country risk: composite of WGI, OECD CRC and FSI."
        ).format(cheapest=evaluation.cheapest_bid),
    )
    weights = pd.DataFrame(
        {
            "criterion": words(list(evaluation.weights), _CRITERION_WORDS),
            "weight": list(evaluation.weights.values()),
        }
    )
    weights_table = render_table(
        weights,
        [TableColumn("criterion", "criterion"), TableColumn("weight", "weight", 2)],
        caption=_(
            "The weights (ketenradar's defaults, a buyer's choice; the product, component and "
            "material levels weigh equally in the origin risk). Source: ketenradar procure evaluate."
        ),
    )
    blocks: list[Markup] = [bids_table, weights_table]
    sweep = evaluation.sweep
    if sweep is not None:
        order = evaluation.bids.sort_values("position")["bid"].astype(str).tolist()
        scores = {bid: sweep.grid_scores[:, b] for b, bid in enumerate(order)}
        labels = {
            "title": _("Score of each bid against the weight on origin risk"),
            "x_label": _("weight on origin risk"),
            "y_label": _("score"),
            "current_label": _("weight in use"),
        }
        blocks.append(
            figure(
                weight_sweep_chart(sweep.grid, scores, current=sweep.current, flips=sweep.flips, **labels),
                _(
                    "Each bid's score as the weight on origin risk runs from 0 to 1, the other weights "
                    "keeping their proportions; dashed: the weight in use ({current}). {flips} "
                    "Illustrative example inputs. Source: ketenradar procure evaluate."
                ).format(
                    current=format_number(sweep.current, 2),
                    flips=_flip_sentence(bids, evaluation.cheapest_bid),
                ),
                interactive=weight_sweep_figure(
                    sweep.grid, scores, current=sweep.current, flips=sweep.flips, **labels
                ),
            )
        )
    return tuple(blocks)


def _flip_sentence(bids: pd.DataFrame, cheapest: str) -> str:
    """Return in words where each bid wins the sweep and the premium a buyer accepts by choosing it there."""
    winning = bids.dropna(subset=["win_from"]).sort_values("win_from", kind="stable")
    parts = [
        _("{bid}, the cheapest bid, wins from an origin-risk weight of {start} to {end}").format(
            bid=row.bid, start=format_number(float(row.win_from), 2), end=format_number(float(row.win_to), 2)
        )
        if row.bid == cheapest
        else _(
            "{bid} wins from an origin-risk weight of {start} to {end}, at a premium of {premium} "
            "over the cheapest bid"
        ).format(
            bid=row.bid,
            start=format_number(float(row.win_from), 2),
            end=format_number(float(row.win_to), 2),
            premium=format_percent(float(row.premium_to_win_pct) / 100.0, 1),
        )
        for row in winning.itertuples(index=False)
    ]
    never = bids.loc[bids["win_from"].isna(), "bid"].astype(str).tolist()
    if never:
        parts.append(_("{bids} wins at no weight on origin risk").format(bids=", ".join(never)))
    return "; ".join(parts) + "."

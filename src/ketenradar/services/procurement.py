"""Procurement evaluation of bids (F18): origin risk, scores, ranking, geopolitical premium, weight sweep.

Reads a bids file (:mod:`ketenradar.ingest.bids`), opens the chain of each bid that names one,
derives its origin levels from the chain's sourcing and exposure, weighs every origin country
with the composite country risk (:mod:`ketenradar.services.countries`) and scores the bids with
:mod:`ketenradar.mitigation.procurement`. :meth:`ProcurementEvaluation.to_json` is the
``procure evaluate --format json`` contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.errors import InputFileError, NotFound, Problem
from ketenradar.ingest.bids import BidsInput, read_bids
from ketenradar.ingest.tables import ROW, clip
from ketenradar.locale import N_, _, format_percent
from ketenradar.mitigation.procurement import (
    CRITERIA,
    DEFAULT_LEVEL_WEIGHTS,
    DEFAULT_WEIGHTS,
    HIGHER_IS_BETTER,
    LEVELS,
    OriginWeightSweep,
    PartWeighting,
    chain_level_rows,
    geopolitical_premium,
    level_origin_risk,
    normalise_weights,
    origin_risk,
    rank_bids,
    scale_criteria,
    score_bids,
    sweep_origin_weight,
)
from ketenradar.model.material import MaterialCatalogue
from ketenradar.network.build import build_chain_matrix
from ketenradar.risk.country import DEFAULT_COUNTRY_WEIGHTS
from ketenradar.services.chains import chain_exposure, open_chain
from ketenradar.services.countries import build_country_overview
from ketenradar.services.jsonable import json_value
from ketenradar.services.provenance import InputRecord, ResultProvenance, input_file, provenance, sources_json
from ketenradar.storage.base import Store

__all__ = ["SCORING_RULES", "ProcurementEvaluation", "check_weights", "evaluate_bids"]

# How the scores treat edge cases: said in every output (catalogue msgids, translated where shown).
SCORING_RULES: dict[str, str] = {
    "scaling": N_(
        "each criterion is scaled min–max over the bids that have it, 1 = best (cheapest, fastest, "
        "lowest origin risk, most NL/EU content); where all those bids are equal each gets 1"
    ),
    "missing_value": N_(
        "a missing value stays missing and adds 0 to the score (no credit for what is not known)"
    ),
    "ties": N_("equal scores (to 12 decimals) rank the lower price first, then the bid listed first"),
    "origin_risk": N_(
        "per level Σ share × composite country risk; the bid's origin risk is the level-weighted "
        "mean over the levels it has; a level with a country without a composite risk has none, "
        "and then neither has the bid"
    ),
    "premium": N_(
        "premium_pct = 100 × (price − price of the cheapest bid) / price of the cheapest bid, "
        "for risk_reduction = origin risk of the cheapest bid − origin risk of the bid"
    ),
    "sweep": N_(
        "the weight on origin risk runs from 0 to 1, the other weights keep their proportions; a bid "
        "wins between win_from and win_to (ties included); premium_to_win_pct is the premium a buyer "
        "accepts by choosing it there"
    ),
}


@dataclass(frozen=True, slots=True)
class ProcurementEvaluation:
    """The bids scored and ranked, with their origin levels, premium and weight sweep.

    ``bids`` has one row per bid in rank order: bid, price, delivery_days, origin_risk,
    nl_eu_content, the scaled criteria (``scaled_<criterion>``), score, rank, premium_pct,
    risk_reduction, the sweep's win_from, win_to, origin_weight_to_win, premium_to_win_pct,
    basis (chain or origin), chain, platform. ``levels`` has one row per bid and level: risk,
    given, coverage, unrated (the countries without a composite risk).
    """

    bids: pd.DataFrame
    levels: pd.DataFrame
    weights: dict[str, float]
    level_weights: dict[str, float]
    country_weights: dict[str, float]
    part_weighting: PartWeighting
    cheapest_bid: str
    sweep: OriginWeightSweep | None
    source: str
    provenance: ResultProvenance
    notes: tuple[str, ...] = ()

    def table(self) -> pd.DataFrame:
        """Return the bids as the table and CSV show them (rank order)."""
        columns = [
            "rank",
            "bid",
            "price",
            "delivery_days",
            "origin_risk",
            "nl_eu_content",
            "score",
            "premium_pct",
            "risk_reduction",
            "origin_weight_to_win",
            "premium_to_win_pct",
            "basis",
        ]
        return self.bids[columns]

    def sweep_table(self) -> pd.DataFrame:
        """Return the sweep grid: per origin-risk weight the bids in rank order (empty without a sweep)."""
        sweep = self.sweep
        if sweep is None:
            return pd.DataFrame({"origin_weight": [], "first": [], "ranking": []})
        order = self._file_order()
        ranked = np.argsort(sweep.grid_ranks, axis=1)
        ids = order[ranked]
        return pd.DataFrame(
            {
                "origin_weight": sweep.grid,
                "first": ids[:, 0],
                "ranking": [" > ".join(row) for row in ids],
            }
        )

    def _file_order(self) -> np.ndarray:
        """Return the bid ids in file order (the order of the sweep's arrays)."""
        return np.asarray(self.bids.sort_values("position")["bid"].to_numpy(), dtype=object)

    def to_json(self) -> dict[str, Any]:
        """Return the ``procure evaluate --format json`` document."""
        levels = {
            bid: {
                str(row.level): {
                    "risk": json_value(row.risk),
                    "given": bool(row.given),
                    "coverage": json_value(row.coverage),
                    "unrated_countries": list(row.unrated),
                }
                for row in group.itertuples(index=False)
            }
            for bid, group in self.levels.groupby("bid", sort=False)
        }
        records = []
        for row in self.bids.itertuples(index=False):
            missing = [c for c in CRITERIA if pd.isna(getattr(row, c))]
            records.append(
                {
                    "bid": row.bid,
                    "price": float(row.price),
                    "delivery_days": float(row.delivery_days),
                    "origin_risk": json_value(row.origin_risk),
                    "nl_eu_content": json_value(row.nl_eu_content),
                    "score": float(row.score),
                    "rank": int(row.rank),
                    "premium_pct": float(row.premium_pct),
                    "risk_reduction": json_value(row.risk_reduction),
                    "scaled": {c: json_value(getattr(row, f"scaled_{c}")) for c in CRITERIA},
                    "missing": missing,
                    "origin": {
                        "basis": row.basis,
                        "chain": row.chain or None,
                        "platform": row.platform or None,
                        "levels": levels.get(row.bid, {}),
                    },
                    "sweep": {
                        "win_from": json_value(row.win_from),
                        "win_to": json_value(row.win_to),
                        "origin_weight_to_win": json_value(row.origin_weight_to_win),
                        "premium_to_win_pct": json_value(row.premium_to_win_pct),
                    },
                }
            )
        return {
            "weights": self.weights,
            "level_weights": self.level_weights,
            "country_weights": self.country_weights,
            "part_weighting": self.part_weighting,
            "cheapest_bid": self.cheapest_bid,
            "bids": records,
            "sweep": self._sweep_json(),
            "scoring": {key: _(text) for key, text in SCORING_RULES.items()},
            "notes": list(self.notes),
            "source": self.source,
            "sources": sources_json(self.provenance.datasets),
            "provenance": self.provenance.to_json(),
        }

    def _sweep_json(self) -> dict[str, Any] | None:
        sweep = self.sweep
        if sweep is None:
            return None
        order = self._file_order()
        ranked = order[np.argsort(sweep.grid_ranks, axis=1)]
        return {
            "criterion": "origin_risk",
            "current_weight": sweep.current,
            "others": sweep.others,
            "flips": [float(f) for f in sweep.flips],
            "grid": [
                {
                    "origin_weight": float(weight),
                    "ranking": [str(b) for b in ranking],
                    "scores": {str(b): float(s) for b, s in zip(order, scores, strict=True)},
                }
                for weight, ranking, scores in zip(sweep.grid, ranked, sweep.grid_scores, strict=True)
            ],
        }


def check_weights(weights: Mapping[str, float], kind: str, what: str) -> dict[str, float]:
    """Check criterion (``kind="criteria"``) or level (``"levels"``) weights and normalise them to sum 1.

    ``what`` names them in messages (e.g. the option that gave them).
    """
    return normalise_weights(weights, CRITERIA if kind == "criteria" else LEVELS, what)


def evaluate_bids(
    path: str | Path,
    catalogue: MaterialCatalogue,
    *,
    store: Store | None = None,
    weights: Mapping[str, float] | None = None,
    level_weights: Mapping[str, float] | None = None,
    country_weights: Mapping[str, float] = DEFAULT_COUNTRY_WEIGHTS,
    part_weighting: PartWeighting = "quantity",
) -> ProcurementEvaluation:
    """Score and rank the bids of a bids file; derive the origin of bids with a chain from the chain."""
    criterion_weights = normalise_weights(
        DEFAULT_WEIGHTS if weights is None else weights, CRITERIA, _("criterion weights")
    )
    levels_weights = normalise_weights(
        DEFAULT_LEVEL_WEIGHTS if level_weights is None else level_weights, LEVELS, _("level weights")
    )
    bids_input = read_bids(path)
    overview = build_country_overview(country_weights)
    risk_of = overview.countries["composite_risk"]
    frame = bids_input.bids
    n = len(frame)
    rows, coverage, chains, datasets = _origin_rows(bids_input, catalogue, store, part_weighting)
    position = pd.Index(frame["bid"]).get_indexer(rows["bid"])
    level_code = pd.Index(LEVELS).get_indexer(rows["level"])
    country_risk = rows["country"].map(risk_of).to_numpy(dtype=np.float64)
    weight = rows["weight"].to_numpy(dtype=np.float64)
    level_risk, present, _unrated = level_origin_risk(position, level_code, weight, country_risk, n)
    level_vector = np.array([levels_weights[level] for level in LEVELS])
    risk = origin_risk(level_risk, present, level_vector)
    values = np.column_stack(
        [
            frame["price"].to_numpy(dtype=np.float64),
            frame["delivery_days"].to_numpy(dtype=np.float64),
            risk,
            frame["nl_eu_content"].to_numpy(dtype=np.float64),
        ]
    )
    scaled = scale_criteria(values, HIGHER_IS_BETTER)
    score = score_bids(scaled, np.array([criterion_weights[c] for c in CRITERIA]))
    price = values[:, 0]
    rank = rank_bids(score, price)
    cheapest, premium, reduction = geopolitical_premium(price, risk)
    sweep = sweep_origin_weight(scaled, criterion_weights, price)
    unrated_names = (
        rows.assign(risk=country_risk)
        .loc[lambda f: (f["weight"] > 0) & f["risk"].isna()]
        .groupby(["bid", "level"])["country"]
        .agg(lambda c: tuple(sorted(set(c))))
    )
    table = pd.DataFrame(
        {
            "position": np.arange(n),
            "bid": frame["bid"],
            "price": price,
            "delivery_days": values[:, 1],
            "origin_risk": risk,
            "nl_eu_content": values[:, 3],
            **{f"scaled_{c}": scaled[:, i] for i, c in enumerate(CRITERIA)},
            "score": score,
            "rank": rank,
            "premium_pct": premium,
            "risk_reduction": reduction,
            "basis": np.where(frame["chain"] != "", "chain", "origin"),
            "chain": [chains.get(b, "") for b in frame["bid"]],
            "platform": frame["platform"],
        }
    )
    if sweep is not None:
        can_win = ~np.isnan(sweep.win_from)
        table = table.assign(
            win_from=sweep.win_from,
            win_to=sweep.win_to,
            origin_weight_to_win=sweep.weight_to_win,
            premium_to_win_pct=np.where(can_win, premium, np.nan),
        )
    else:
        table = table.assign(
            win_from=np.nan, win_to=np.nan, origin_weight_to_win=np.nan, premium_to_win_pct=np.nan
        )
    bid_ids = frame["bid"].to_numpy(dtype=object)
    levels = pd.DataFrame(
        {
            "bid": np.repeat(bid_ids, len(LEVELS)),
            "level": np.tile(np.array(LEVELS, dtype=object), n),
            "risk": level_risk.ravel(),
            "given": present.ravel(),
            "coverage": [coverage.get((b, level), np.nan) for b in bid_ids for level in LEVELS],
            "unrated": [unrated_names.get((b, level), ()) for b in bid_ids for level in LEVELS],
        }
    )
    notes = _notes(table, levels)
    parameters = {
        "weights": criterion_weights,
        "level_weights": levels_weights,
        "country_weights": overview.weights,
        "part_weighting": part_weighting,
    }
    inputs = [input_file("bids", bids_input.source), *datasets["inputs"]]
    used = [*overview.provenance.datasets, *datasets["used"]]
    return ProcurementEvaluation(
        bids=table.sort_values("rank", kind="stable", ignore_index=True),
        levels=levels,
        weights=criterion_weights,
        level_weights=levels_weights,
        country_weights=overview.weights,
        part_weighting=part_weighting,
        cheapest_bid=str(bid_ids[cheapest]),
        sweep=sweep,
        source=bids_input.source,
        provenance=provenance(used, parameters, inputs),
        notes=notes,
    )


def _origin_rows(
    bids_input: BidsInput, catalogue: MaterialCatalogue, store: Store | None, part_weighting: PartWeighting
) -> tuple[pd.DataFrame, dict[tuple[str, str], float], dict[str, str], dict[str, list[Any]]]:
    """Return every bid's origin rows (bid, level, country, weight), each level's coverage and the chains.

    Origin-table rows count with their share (coverage 1 for a level given); a bid with a chain
    gets its rows from :func:`chain_level_rows`. Every chain problem is collected and raised at once.
    """
    table = bids_input.origin.rename(columns={"share": "weight"})[["bid", "level", "country", "weight"]]
    frames = [table]
    coverage = {(str(b), str(level)): 1.0 for b, level in zip(table["bid"], table["level"], strict=True)}
    chains: dict[str, str] = {}
    inputs: list[InputRecord] = []
    used: list[Any] = []
    problems: list[Problem] = []
    frame = bids_input.bids
    with_chain = frame[frame["chain"] != ""]
    # One bid at a time: a bids file names a handful of chains, each opened and analysed whole.
    for bid, reference, platform, row in zip(
        with_chain["bid"], with_chain["chain"], with_chain["platform"], with_chain[ROW], strict=True
    ):
        local = bids_input.folder / reference
        try:
            opened = open_chain(local if local.exists() else reference, store, catalogue)
        except NotFound:
            problems.append(
                Problem(
                    file=bids_input.source,
                    sheet="bids",
                    row=int(row),
                    column="chain",
                    value=clip(reference),
                    message=_("no chain workbook at this path and no stored chain of this name"),
                    expected=_(
                        "a chain workbook path (relative to the bids file's folder) or a stored chain"
                    ),
                )
            )
            continue
        chain = opened.chain
        platforms = chain.platform_ids
        chosen = platform or (platforms[0] if len(platforms) == 1 else "")
        if chosen not in platforms:
            problems.append(
                Problem(
                    file=bids_input.source,
                    sheet="bids",
                    row=int(row),
                    column="platform",
                    value=clip(platform) if platform else None,
                    message=_("no platform {platform!r} in chain {chain!r}").format(
                        platform=platform, chain=chain.name
                    )
                    if platform
                    else _("chain {chain!r} has {n} platforms").format(chain=chain.name, n=len(platforms)),
                    expected=_("one of the chain's platforms: {platforms}").format(
                        platforms=", ".join(platforms[:20]) or _("none")
                    ),
                )
            )
            continue
        exposure = chain_exposure(opened, catalogue)
        result = exposure.result
        matrix = build_chain_matrix(chain)
        own = result.shares[result.shares["platform"] == chosen]
        pairs = int((result.coverage["platform"] == chosen).sum())
        rows, covered = chain_level_rows(
            matrix,
            int(matrix.index.positions([chosen])[0]),
            own[["material", "stage", "country", "share"]],
            pairs,
            part_weighting,
        )
        frames.append(rows.assign(bid=bid)[["bid", "level", "country", "weight"]])
        coverage.update({(str(bid), level): value for level, value in covered.items()})
        chains[str(bid)] = chain.name
        inputs.append(opened.record)
        used.extend(exposure.provenance.datasets)
    if problems:
        raise InputFileError(problems)
    rows = pd.concat(frames, ignore_index=True)
    return rows, coverage, chains, {"inputs": inputs, "used": used}


# The origin levels in words (the codes stay in the JSON).
LEVEL_WORDS = {"product": N_("product"), "component": N_("component"), "material": N_("material")}


def _notes(table: pd.DataFrame, levels: pd.DataFrame) -> tuple[str, ...]:
    """Return the sentences that say what is missing and how it was treated."""
    notes = []
    for bid in table.loc[table["nl_eu_content"].isna(), "bid"]:
        notes.append(_("bid {bid}: NL/EU content is not known; it adds 0 to the score").format(bid=bid))
    for row in levels[levels["unrated"].map(len) > 0].itertuples(index=False):
        notes.append(
            _(
                "bid {bid}, level {level}: no composite country risk for {countries}; the level's and "
                "the bid's origin risk are missing (scored 0)"
            ).format(bid=row.bid, level=_(LEVEL_WORDS[row.level]), countries=", ".join(row.unrated))
        )
    absent = levels[~levels["given"].astype(bool)]
    for row in absent.itertuples(index=False):
        notes.append(
            _(
                "bid {bid}: no origin for level {level}; its origin risk is the mean of the other levels"
            ).format(bid=row.bid, level=_(LEVEL_WORDS[row.level]))
        )
    partial = levels[levels["given"].astype(bool) & (levels["coverage"] < 1.0 - 1e-9)]
    for row in partial.itertuples(index=False):
        notes.append(
            _(
                "bid {bid}, level {level}: sourcing covers {coverage} of the level; "
                "the rest is not in the risk"
            ).format(bid=row.bid, level=_(LEVEL_WORDS[row.level]), coverage=format_percent(row.coverage))
        )
    return tuple(notes)

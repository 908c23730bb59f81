"""The results a report shows, computed once by the services in the report's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar.locale import N_, Language, _, use_language
from ketenradar.model.chain import Chain
from ketenradar.model.material import MaterialCatalogue
from ketenradar.services.chain_outlook import ChainOutlookResult, chain_outlook
from ketenradar.services.chains import ChainExposure, OpenedChain, Store, chain_exposure, open_chain
from ketenradar.services.countries import CountryOverview, build_country_overview
from ketenradar.services.materials import MaterialOverview, build_material_overview, defence_catalogue
from ketenradar.services.matrix import RiskImpactMatrix, risk_impact_matrix
from ketenradar.services.measures import (
    MeasureCatalogueResult,
    MeasureEffects,
    measure_catalogue,
    rank_measures_on_chain,
)
from ketenradar.services.procurement import ProcurementEvaluation, evaluate_bids
from ketenradar.services.reference import DatasetList, list_datasets
from ketenradar.services.roadmap import DraftedRoadmap, draft_roadmap
from ketenradar.services.scenarios import LoadedScenario, ScenarioRun, load_scenario, run_on_chain
from ketenradar.services.sector import (
    MaterielOrigin,
    OwnershipPicture,
    materiel_from_seed,
    ownership_from_seed,
)
from ketenradar.services.simulation import (
    ChainMonteCarlo,
    ChainSimulation,
    montecarlo_on_chain,
    simulate_on_chain,
)
from ketenradar.services.stockpile import ChainStockpile, stockpile_on_chain
from ketenradar.services.survey import SurveySummary, open_survey, summarise_survey
from ketenradar.services.trade import ProductGroups, product_groups

__all__ = [
    "ACTION_PLATFORMS",
    "ACTION_PRODUCT_GROUP",
    "ACTION_START",
    "ACTION_TODAY",
    "FORESIGHT_BUDGET_EUR",
    "FORESIGHT_DRAWS",
    "FORESIGHT_SEED",
    "MATRIX_DOMAINS",
    "ActionResults",
    "ChainRun",
    "ForesightResults",
    "ReportContext",
    "build_action",
    "build_demo_context",
    "build_foresight",
    "build_report_context",
    "demo_bids_path",
    "demo_candidates_path",
    "demo_chain_path",
    "demo_measures_path",
    "demo_scenario_path",
    "demo_stockpile_scenario_path",
    "with_plan_stock",
]

# The domains of the risk-impact matrices, in the order the source report shows them.
MATRIX_DOMAINS = ("maritime", "air_space", "land", "security")


def demo_chain_path() -> Path:
    """Return the folder of the shipped example chain (CSV workbook)."""
    return Path(str(resources.files("ketenradar.demo_data") / "chains" / "defence_demo"))


def demo_scenario_path() -> Path:
    """Return the shipped China gallium/germanium scenario file."""
    return Path(
        str(resources.files("ketenradar.demo_data") / "scenarios" / "china-gallium-germanium-2023.yaml")
    )


def demo_stockpile_scenario_path() -> Path:
    """Return the shipped illustrative scenario with probabilities (the stockpile example)."""
    return Path(str(resources.files("ketenradar.demo_data") / "stockpile" / "scenario.yaml"))


def demo_candidates_path() -> Path:
    """Return the shipped illustrative stockpile candidates (costs and bounds) of the demo chain."""
    return Path(str(resources.files("ketenradar.demo_data") / "stockpile" / "candidates.csv"))


# The foresight section's Monte Carlo: enough draws for stable means, few enough that the demo
# stays fast (the stockpile plan re-runs the draws for the plan and the naive plan).
FORESIGHT_DRAWS = 500
FORESIGHT_SEED = 0
# The budget of the stockpile example's README command (euros a year; an illustrative input).
FORESIGHT_BUDGET_EUR = 50_000.0


@dataclass(frozen=True, slots=True)
class ForesightResults:
    """The demo's foresight results: timelines without and with the plan's stock, draws, plan, flags.

    ``timeline`` and ``timeline_with_plan`` simulate the stockpile example's scenario over 365
    days on the demo chain, the second with the plan's days added to the candidates' stock;
    ``montecarlo`` draws the same scenario; ``stockpile`` is the plan and the naive plan;
    ``outlook`` the outlook and CRMA benchmark flags of the demo chain.
    """

    scenario_file: Path
    candidates_file: Path
    timeline: ChainSimulation
    timeline_with_plan: ChainSimulation
    montecarlo: ChainMonteCarlo
    stockpile: ChainStockpile
    outlook: ChainOutlookResult

    @property
    def chain_has_stock(self) -> bool:
        """Return whether the chain holds stock of its own (items or sourcing rows)."""
        chain = self.timeline.chain
        return bool(chain.items["stock_days"].notna().any() or chain.sourcing["stock_days"].notna().any())

    def to_json(self) -> dict[str, Any]:
        """Return the ``data/foresight.json`` document: each service's own JSON, side by side."""
        return {
            "timeline": self.timeline.to_json(),
            "timeline_with_plan": self.timeline_with_plan.to_json(),
            "montecarlo": self.montecarlo.to_json(),
            "stockpile": self.stockpile.to_json(),
            "outlook": self.outlook.to_json(),
        }


def with_plan_stock(chain: Chain, stockpile: ChainStockpile) -> Chain:
    """Return the chain with the plan's days added to its candidates' ``stock_days``."""
    added = pd.Series(stockpile.plan.days, index=list(stockpile.item_ids), dtype="float64")
    extra = chain.items["id"].map(added).fillna(0.0)
    current = chain.items["stock_days"]
    # An item without stock and without added days keeps NaN (no stock), not a stock of 0.
    stock = current.where(extra == 0, current.fillna(0.0) + extra)
    return chain.with_frames(items=chain.items.assign(stock_days=stock))


def build_foresight(
    opened: OpenedChain,
    catalogue: MaterialCatalogue,
    materials: MaterialOverview,
    *,
    draws: int = FORESIGHT_DRAWS,
    seed: int = FORESIGHT_SEED,
    budget: float = FORESIGHT_BUDGET_EUR,
) -> ForesightResults:
    """Compute the foresight results on a chain with the shipped stockpile example inputs."""
    scenario_file, candidates_file = demo_stockpile_scenario_path(), demo_candidates_path()
    scenario = load_scenario(scenario_file, catalogue)
    stockpile = stockpile_on_chain(opened, scenario, catalogue, candidates_file, budget, draws, seed)
    return ForesightResults(
        scenario_file=scenario_file,
        candidates_file=candidates_file,
        timeline=simulate_on_chain(opened, scenario, catalogue),
        timeline_with_plan=simulate_on_chain(with_plan_stock(opened.chain, stockpile), scenario, catalogue),
        montecarlo=montecarlo_on_chain(opened, scenario, catalogue, draws, seed),
        stockpile=stockpile,
        outlook=chain_outlook([opened], catalogue, overview=materials),
    )


def demo_measures_path() -> Path:
    """Return the shipped illustrative measures file of the demo chain."""
    return Path(str(resources.files("ketenradar.demo_data") / "measures" / "measures.yaml"))


def demo_bids_path() -> Path:
    """Return the shipped illustrative bids workbook (a folder of CSV files)."""
    return Path(str(resources.files("ketenradar.demo_data") / "procurement" / "bids"))


# The action section's roadmap: the product group of the letters to parliament (its name in the
# report's language), the example frigate, and a fixed start and drafting day so that the report
# is the same whenever it is built (the day the shipped example roadmap was drafted).
ACTION_PRODUCT_GROUP = N_("military ships")
ACTION_PLATFORMS = ("frigate",)
ACTION_START = "2027-Q1"
ACTION_TODAY = dt.date(2026, 11, 30)


@dataclass(frozen=True, slots=True)
class ActionResults:
    """The demo's action results: measures ranked, the catalogue, the roadmap, the procurement example.

    ``ranking`` re-runs the scenario with each measure of the shipped measures file alone;
    ``combined`` adds the run with all of them together (``--combine all``); ``roadmap`` is
    drafted from ``ranking`` for the military ships on the example frigate; ``procurement``
    evaluates the shipped example bids with the default weights.
    """

    measures_file: Path
    bids_file: Path
    ranking: MeasureEffects
    combined: MeasureEffects
    catalogue: MeasureCatalogueResult
    roadmap: DraftedRoadmap
    procurement: ProcurementEvaluation

    def to_json(self) -> dict[str, Any]:
        """Return the ``data/action.json`` document: each service's own JSON, side by side."""
        return {
            "ranking": self.ranking.to_json(),
            "combined": self.combined.to_json(),
            "catalogue": self.catalogue.to_json(),
            "roadmap": self.roadmap.to_json(),
            "procurement": self.procurement.to_json(),
        }


def build_action(
    opened: OpenedChain, catalogue: MaterialCatalogue, scenario: LoadedScenario
) -> ActionResults:
    """Compute the action results on a chain under a scenario with the shipped example inputs."""
    measures_file, bids_file = demo_measures_path(), demo_bids_path()
    ranking = rank_measures_on_chain(opened, scenario, catalogue, measures_file)
    return ActionResults(
        measures_file=measures_file,
        bids_file=bids_file,
        ranking=ranking,
        combined=rank_measures_on_chain(opened, scenario, catalogue, measures_file, combine=["all"]),
        catalogue=measure_catalogue(),
        roadmap=draft_roadmap(
            opened,
            catalogue,
            _(ACTION_PRODUCT_GROUP),
            ranking.to_json(),
            platforms=ACTION_PLATFORMS,
            scenario=scenario,
            start=ACTION_START,
            today=ACTION_TODAY,
        ),
        procurement=evaluate_bids(bids_file, catalogue),
    )


@dataclass(frozen=True, slots=True)
class ChainRun:
    """One user's chain in a report: its exposure, the report's scenario run on it, and its reference.

    ``reference`` is what the user passed (a workbook path or a stored chain's name), so that
    the report's reproduce commands name the same chain.
    """

    reference: str
    exposure: ChainExposure
    scenario: ScenarioRun

    @property
    def name(self) -> str:
        """Return the chain's name (a stored chain's name or the workbook's)."""
        return self.exposure.chain.name


@dataclass(frozen=True, slots=True)
class ReportContext:
    """Everything the report's sections render, each result with its provenance.

    On the demo data ``chains`` is empty and ``chain``/``scenario`` are the example chain's;
    on users' chains ``chains`` holds each of them (``chain``/``scenario`` are the first's) and
    the foresight and action results are absent: they need inputs a chain does not hold
    (stockpile candidates, measures, bids), so those sections say what they need instead.
    ``survey_reference`` names the stored survey or file the sector picture uses (None: the
    synthetic demo set).
    """

    lang: Language
    materials: MaterialOverview
    countries: CountryOverview
    chain: ChainExposure
    scenario: ScenarioRun
    survey: SurveySummary
    matrices: dict[str, RiskImpactMatrix]
    ownership: OwnershipPicture
    materiel: MaterielOrigin
    product_groups: ProductGroups
    datasets: DatasetList
    foresight_results: ForesightResults | None
    action_results: ActionResults | None
    chains: tuple[ChainRun, ...] = ()
    survey_reference: str | None = None

    @property
    def foresight(self) -> ForesightResults:
        """Return the foresight results; only a report on the demo chain has them."""
        if self.foresight_results is None:
            raise LookupError("this report has no foresight results (a report on a user's chain)")
        return self.foresight_results

    @property
    def action(self) -> ActionResults:
        """Return the action results; only a report on the demo chain has them."""
        if self.action_results is None:
            raise LookupError("this report has no action results (a report on a user's chain)")
        return self.action_results

    @property
    def on_user_chains(self) -> bool:
        """Return whether the report runs on users' chains instead of the shipped example chain."""
        return bool(self.chains)


def build_demo_context(lang: str = "en") -> ReportContext:
    """Compute the demo report's results on the shipped data, with the shipped extra materials."""
    return build_report_context(lang)


def build_report_context(
    lang: str = "en",
    chains: Sequence[str | Path] = (),
    survey: str | None = None,
    store: Store | None = None,
) -> ReportContext:
    """Compute a report's results: on the example chain, or on users' chains (workbooks or stored names).

    ``survey`` is a stored survey's name or a survey file for the sector picture (None: the
    synthetic demo set). Every chain runs the report's scenario (China gallium/germanium); the
    foresight and action results are computed on the example chain only.
    """
    with use_language(lang) as language:
        catalogue = defence_catalogue()
        materials = build_material_overview(catalogue)
        scenario = load_scenario(demo_scenario_path(), catalogue)
        opened_survey = open_survey(survey, store, list(catalogue))
        summary = summarise_survey(opened_survey)
        matrices = {
            domain: risk_impact_matrix(summary, domain=domain, overview=materials)
            for domain in (*MATRIX_DOMAINS, None)
        }
        runs: tuple[ChainRun, ...] = ()
        foresight: ForesightResults | None = None
        action: ActionResults | None = None
        if chains:
            opened = [open_chain(reference, store, catalogue) for reference in chains]
            runs = tuple(
                ChainRun(str(reference), chain_exposure(o, catalogue), run_on_chain(o, scenario, catalogue))
                for reference, o in zip(chains, opened, strict=True)
            )
            exposure, run = runs[0].exposure, runs[0].scenario
        else:
            demo = open_chain(demo_chain_path(), None, catalogue, name="defence_demo")
            exposure, run = chain_exposure(demo, catalogue), run_on_chain(demo, scenario, catalogue)
            foresight = build_foresight(demo, catalogue, materials)
            action = build_action(demo, catalogue, scenario)
        return ReportContext(
            lang=language,
            materials=materials,
            countries=build_country_overview(),
            chain=exposure,
            scenario=run,
            survey=summary,
            matrices={k or "all": v for k, v in matrices.items()},
            ownership=ownership_from_seed(),
            materiel=materiel_from_seed(),
            product_groups=product_groups(),
            datasets=list_datasets(),
            foresight_results=foresight,
            action_results=action,
            chains=runs,
            survey_reference=survey,
        )

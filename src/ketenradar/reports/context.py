"""The results a report shows, computed once by the services in the report's language."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ketenradar.locale import Language, use_language
from ketenradar.services.chains import ChainExposure, chain_exposure, open_chain
from ketenradar.services.countries import CountryOverview, build_country_overview
from ketenradar.services.materials import MaterialOverview, build_material_overview, defence_catalogue
from ketenradar.services.matrix import RiskImpactMatrix, risk_impact_matrix
from ketenradar.services.reference import DatasetList, list_datasets
from ketenradar.services.scenarios import ScenarioRun, load_scenario, run_on_chain
from ketenradar.services.sector import (
    MaterielOrigin,
    OwnershipPicture,
    materiel_from_seed,
    ownership_from_seed,
)
from ketenradar.services.survey import SurveySummary, open_survey, summarise_survey
from ketenradar.services.trade import ProductGroups, product_groups

__all__ = ["MATRIX_DOMAINS", "ReportContext", "build_demo_context", "demo_chain_path", "demo_scenario_path"]

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


@dataclass(frozen=True, slots=True)
class ReportContext:
    """Everything the report's sections render, each result with its provenance."""

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


def build_demo_context(lang: str = "en") -> ReportContext:
    """Compute the demo report's results on the shipped data, with the shipped extra materials."""
    with use_language(lang) as language:
        catalogue = defence_catalogue()
        materials = build_material_overview(catalogue)
        chain = open_chain(demo_chain_path(), None, catalogue, name="defence_demo")
        survey = summarise_survey(open_survey(None, None, list(catalogue)))
        matrices = {
            domain: risk_impact_matrix(survey, domain=domain, overview=materials)
            for domain in (*MATRIX_DOMAINS, None)
        }
        return ReportContext(
            lang=language,
            materials=materials,
            countries=build_country_overview(),
            chain=chain_exposure(chain, catalogue),
            scenario=run_on_chain(chain, load_scenario(demo_scenario_path(), catalogue), catalogue),
            survey=survey,
            matrices={k or "all": v for k, v in matrices.items()},
            ownership=ownership_from_seed(),
            materiel=materiel_from_seed(),
            product_groups=product_groups(),
            datasets=list_datasets(),
        )

"""ketenradar: critical raw materials, country risk and value-chain exposure for defence.

The public API: the services that compute results (each result carries its provenance and
gives its JSON contract with ``to_json()``), the domain objects and the errors. The command
line (``ketenradar``) and the reports are built on it. Importing ketenradar reads no file and
loads no numerical library: the members are imported, and reference data loaded, on first use.
"""

__version__ = "0.1.0"

import importlib
import typing

from ketenradar.errors import (
    ChainNotFound,
    ConfigError,
    CyclicChain,
    InputFileError,
    KetenradarError,
    MissingReferenceData,
    NotFound,
    ParametersNeeded,
    Problem,
    SnapshotExists,
    SnapshotNotFound,
    SurveyNotFound,
    UnknownCountry,
    UnknownItem,
    UnknownMaterial,
)
from ketenradar.locale import use_language

# The rest of the API is imported on first use (PEP 562): ``import ketenradar`` (and so every
# start of the command line, even ``--help``) must not pay for pandas, NumPy and SciPy.
_LAZY: dict[str, str] = {
    "Chain": "ketenradar.model",
    "Country": "ketenradar.model",
    "Material": "ketenradar.model",
    "MaterialCatalogue": "ketenradar.model",
    "Provenance": "ketenradar.refdata",
    "load_countries": "ketenradar.refdata",
    "load_materials": "ketenradar.refdata",
    "CriticalityResult": "ketenradar.risk.assessment",
    "assess_supply_risk": "ketenradar.risk.assessment",
    "assess_country_risk": "ketenradar.risk.country",
    "BenchmarkThresholds": "ketenradar.services.chain_outlook",
    "ChainOutlookResult": "ketenradar.services.chain_outlook",
    "chain_outlook": "ketenradar.services.chain_outlook",
    "ChainExposure": "ketenradar.services.chains",
    "chain_exposure": "ketenradar.services.chains",
    "open_chain": "ketenradar.services.chains",
    "CountryOverview": "ketenradar.services.countries",
    "build_country_overview": "ketenradar.services.countries",
    "UserCriticality": "ketenradar.services.criticality",
    "compute_user_criticality": "ketenradar.services.criticality",
    "AssessmentOptions": "ketenradar.services.materials",
    "MaterialOverview": "ketenradar.services.materials",
    "build_material_overview": "ketenradar.services.materials",
    "defence_catalogue": "ketenradar.services.materials",
    "ResultProvenance": "ketenradar.services.provenance",
    "LoadedRefinements": "ketenradar.services.refinements",
    "load_refinements": "ketenradar.services.refinements",
    "ScenarioRun": "ketenradar.services.scenarios",
    "load_scenario": "ketenradar.services.scenarios",
    "run_on_chain": "ketenradar.services.scenarios",
    "ChainMonteCarlo": "ketenradar.services.simulation",
    "ChainSimulation": "ketenradar.services.simulation",
    "montecarlo_on_chain": "ketenradar.services.simulation",
    "simulate_on_chain": "ketenradar.services.simulation",
    "ChainStockpile": "ketenradar.services.stockpile",
    "stockpile_on_chain": "ketenradar.services.stockpile",
}

if typing.TYPE_CHECKING:
    from ketenradar.model import Chain, Country, Material, MaterialCatalogue
    from ketenradar.refdata import Provenance, load_countries, load_materials
    from ketenradar.risk.assessment import CriticalityResult, assess_supply_risk
    from ketenradar.risk.country import assess_country_risk
    from ketenradar.services.chain_outlook import BenchmarkThresholds, ChainOutlookResult, chain_outlook
    from ketenradar.services.chains import ChainExposure, chain_exposure, open_chain
    from ketenradar.services.countries import CountryOverview, build_country_overview
    from ketenradar.services.criticality import UserCriticality, compute_user_criticality
    from ketenradar.services.materials import (
        AssessmentOptions,
        MaterialOverview,
        build_material_overview,
        defence_catalogue,
    )
    from ketenradar.services.provenance import ResultProvenance
    from ketenradar.services.refinements import LoadedRefinements, load_refinements
    from ketenradar.services.scenarios import ScenarioRun, load_scenario, run_on_chain
    from ketenradar.services.simulation import (
        ChainMonteCarlo,
        ChainSimulation,
        montecarlo_on_chain,
        simulate_on_chain,
    )
    from ketenradar.services.stockpile import ChainStockpile, stockpile_on_chain


def __getattr__(name: str) -> typing.Any:
    """Import a member of the public API from its module the first time it is asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value  # later look-ups find it without calling __getattr__
    return value


def __dir__() -> list[str]:
    """List the module's names with the members not imported yet."""
    return sorted({*globals(), *_LAZY})


__all__ = [
    "AssessmentOptions",
    "BenchmarkThresholds",
    "Chain",
    "ChainExposure",
    "ChainMonteCarlo",
    "ChainNotFound",
    "ChainOutlookResult",
    "ChainSimulation",
    "ChainStockpile",
    "ConfigError",
    "Country",
    "CountryOverview",
    "CriticalityResult",
    "CyclicChain",
    "InputFileError",
    "KetenradarError",
    "LoadedRefinements",
    "Material",
    "MaterialCatalogue",
    "MaterialOverview",
    "MissingReferenceData",
    "NotFound",
    "ParametersNeeded",
    "Problem",
    "Provenance",
    "ResultProvenance",
    "ScenarioRun",
    "SnapshotExists",
    "SnapshotNotFound",
    "SurveyNotFound",
    "UnknownCountry",
    "UnknownItem",
    "UnknownMaterial",
    "UserCriticality",
    "__version__",
    "assess_country_risk",
    "assess_supply_risk",
    "build_country_overview",
    "build_material_overview",
    "chain_exposure",
    "chain_outlook",
    "compute_user_criticality",
    "defence_catalogue",
    "load_countries",
    "load_materials",
    "load_refinements",
    "load_scenario",
    "montecarlo_on_chain",
    "open_chain",
    "run_on_chain",
    "simulate_on_chain",
    "stockpile_on_chain",
    "use_language",
]

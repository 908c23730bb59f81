"""ketenradar: critical raw materials, country risk and value-chain exposure for defence.

The public API: the services that compute results (each result carries its provenance and
gives its JSON contract with ``to_json()``), the domain objects and the errors. The command
line (``ketenradar``) and the reports are built on it. Importing ketenradar reads no file:
reference data load on first use.
"""

__version__ = "0.1.0"

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
    SurveyNotFound,
    UnknownCountry,
    UnknownItem,
    UnknownMaterial,
)
from ketenradar.locale import use_language
from ketenradar.model import Chain, Country, Material, MaterialCatalogue
from ketenradar.refdata import Provenance, load_countries, load_materials
from ketenradar.risk.assessment import CriticalityResult, assess_supply_risk
from ketenradar.risk.country import assess_country_risk
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
from ketenradar.services.scenarios import ScenarioRun, load_scenario, run_on_chain

__all__ = [
    "AssessmentOptions",
    "Chain",
    "ChainExposure",
    "ChainNotFound",
    "ConfigError",
    "Country",
    "CountryOverview",
    "CriticalityResult",
    "CyclicChain",
    "InputFileError",
    "KetenradarError",
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
    "compute_user_criticality",
    "defence_catalogue",
    "load_countries",
    "load_materials",
    "load_scenario",
    "open_chain",
    "run_on_chain",
    "use_language",
]

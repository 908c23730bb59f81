"""ketenradar: critical raw materials, country risk and value-chain exposure for defence.

The public API; the command line (``ketenradar``) and the demo report are built on it.
Importing ketenradar reads no file: reference data load on first use.
"""

from ketenradar.errors import (
    ConfigError,
    InputFileError,
    KetenradarError,
    MissingReferenceData,
    Problem,
    UnknownCountry,
    UnknownMaterial,
)
from ketenradar.model import Country, Material, MaterialCatalogue
from ketenradar.overview import (
    AssessmentOptions,
    CountryOverview,
    MaterialOverview,
    build_country_overview,
    build_material_overview,
    country_records,
    material_records,
)
from ketenradar.refdata import Provenance, load_countries, load_materials
from ketenradar.risk.assessment import CriticalityResult, assess_supply_risk
from ketenradar.risk.country import assess_country_risk

__version__ = "0.1.0"

__all__ = [
    "AssessmentOptions",
    "ConfigError",
    "Country",
    "CountryOverview",
    "CriticalityResult",
    "InputFileError",
    "KetenradarError",
    "Material",
    "MaterialCatalogue",
    "MaterialOverview",
    "MissingReferenceData",
    "Problem",
    "Provenance",
    "UnknownCountry",
    "UnknownMaterial",
    "__version__",
    "assess_country_risk",
    "assess_supply_risk",
    "build_country_overview",
    "build_material_overview",
    "country_records",
    "load_countries",
    "load_materials",
    "material_records",
]

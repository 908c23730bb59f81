"""The reference data shipped with ketenradar, with provenance for every table."""

from ketenradar.refdata.loaders import (
    WGI_DIMENSIONS,
    SourcedTable,
    known_country_codes,
    load_countries,
    load_defence_materials_extra,
    load_ec_parameters,
    load_ec_published_scores,
    load_ec_use_shares,
    load_iea_outlook,
    load_materials,
    load_nl_imports,
    load_supply_shares,
    load_usgs_shares,
    load_wgi_long,
    load_world_production_reserves,
)
from ketenradar.refdata.provenance import Provenance, dataset_names, provenance_of, snapshot_version

__all__ = [
    "WGI_DIMENSIONS",
    "Provenance",
    "SourcedTable",
    "dataset_names",
    "known_country_codes",
    "load_countries",
    "load_defence_materials_extra",
    "load_ec_parameters",
    "load_ec_published_scores",
    "load_ec_use_shares",
    "load_iea_outlook",
    "load_materials",
    "load_nl_imports",
    "load_supply_shares",
    "load_usgs_shares",
    "load_wgi_long",
    "load_world_production_reserves",
    "provenance_of",
    "snapshot_version",
]

"""Frozen domain objects shared by every layer."""

from ketenradar.model.chain import Chain
from ketenradar.model.country import Country
from ketenradar.model.material import Material, MaterialCatalogue

__all__ = ["Chain", "Country", "Material", "MaterialCatalogue"]

"""Frozen domain objects shared by every layer.

The objects are imported on first use, so that a light module of this package (the
vocabularies, the default thresholds) does not load pandas with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ketenradar.model.chain import Chain
    from ketenradar.model.country import Country
    from ketenradar.model.material import Material, MaterialCatalogue

__all__ = ["Chain", "Country", "Material", "MaterialCatalogue"]

_HOMES = {
    "Chain": "ketenradar.model.chain",
    "Country": "ketenradar.model.country",
    "Material": "ketenradar.model.material",
    "MaterialCatalogue": "ketenradar.model.material",
}


def __getattr__(name: str) -> Any:
    """Import a domain object when it is first asked for."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])

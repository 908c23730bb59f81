"""What the pages read: the API's context (store, catalogue, settings) and results computed once.

The reference picture (materials, countries, supply shares) depends only on the shipped data and
the application's settings, so each application computes it once, on first use, and keeps it.
Stored chains are read on every request (from the store of the request: see
:func:`request_store`), because an upload may change them at any time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import pandas as pd
from fastapi import Request

from ketenradar.model.material import MaterialCatalogue
from ketenradar.services.countries import CountryOverview
from ketenradar.services.materials import MaterialOverview
from ketenradar.settings import Settings
from ketenradar.storage.base import Store

__all__ = ["REQUEST_STORE_ATTRIBUTE", "DashboardContext", "ReferenceCache", "request_store"]

T = TypeVar("T")

# Where the server's authentication leaves the store scoped to the caller (see request_store).
REQUEST_STORE_ATTRIBUTE = "ketenradar_store"


class DashboardContext(Protocol):
    """The part of the API's context the dashboard uses (``app.state.ketenradar``)."""

    @property
    def store(self) -> Store:
        """The workspace the pages read chains from."""

    @property
    def catalogue(self) -> MaterialCatalogue:
        """Every material the application knows."""

    @property
    def settings(self) -> Settings:
        """The user's settings (WGI years, CRMA limit, country weights)."""


@dataclass
class ReferenceCache:
    """The reference results of one application, each computed on first use."""

    _values: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _get(self, key: str, compute: Callable[[], T]) -> T:
        # One lock for all: the first page computes each result once, later pages only read.
        with self._lock:
            if key not in self._values:
                self._values[key] = compute()
            value: T = self._values[key]
            return value

    def reference_value(self, key: str, compute: Callable[[], T]) -> T:
        """Return a value that depends only on the shipped data, settings and ``key``, made once.

        ``compute`` must not use this cache itself (its lock is held meanwhile): fetch inputs first.
        """
        return self._get("value:" + key, compute)

    def chain_exposure(self, key: tuple[str, str, int, str, str], compute: Callable[[], T]) -> T:
        """Return a stored chain version's exposure (key: workspace, name, version, created, language).

        A stored version never changes, so its exposure is computed once per application.
        """
        return self._get("exposure:" + ":".join(map(str, key)), compute)

    def eu_materials(self, context: DashboardContext) -> MaterialOverview:
        """Return the material picture of the 34 EU list entries (``GET /api/v1/materials``)."""
        from ketenradar.services.materials import build_material_overview, eu_catalogue

        return self._get("eu", lambda: build_material_overview(eu_catalogue(), _options(context)))

    def all_materials(self, context: DashboardContext) -> MaterialOverview:
        """Return the material picture of every catalogue material (``?all=true``)."""
        from ketenradar.services.materials import build_material_overview

        return self._get("all", lambda: build_material_overview(context.catalogue, _options(context)))

    def countries(self, context: DashboardContext) -> CountryOverview:
        """Return the countries with indicators and composite risk (``GET /api/v1/countries``)."""
        from ketenradar.services.countries import build_country_overview

        weights = context.settings.country_risk.weights
        return self._get("countries", lambda: build_country_overview(weights))

    def shares(self, context: DashboardContext) -> pd.DataFrame:
        """Return the EC 2023 country shares per material, stage and scope (gs, eu)."""
        from ketenradar.services.materials import supply_shares

        return self._get("shares", lambda: supply_shares(context.catalogue))


def _options(context: DashboardContext) -> Any:
    from ketenradar.services.materials import AssessmentOptions

    settings = context.settings
    return AssessmentOptions(wgi_years=settings.criticality.wgi_years, crma_limit=settings.outlook.crma_limit)


def request_store(request: Request) -> Store:
    """Return the store a request may use: the caller's scoped store in server mode, else the workspace.

    The multi-user server's authentication puts the store scoped to the caller's organisation in
    ``request.state.ketenradar_store`` before any route or page runs.
    """
    scoped: Store | None = getattr(request.state, REQUEST_STORE_ATTRIBUTE, None)
    if scoped is not None:
        return scoped
    context: DashboardContext = request.app.state.ketenradar
    return context.store

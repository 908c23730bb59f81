"""The API's routers, one module per area; ``create_app`` mounts each under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from ketenradar.api.routes import chains, jobs, measures, reference, roadmaps, scenarios

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    reference.router,
    chains.router,
    scenarios.router,
    jobs.router,
    measures.router,
    roadmaps.router,
)

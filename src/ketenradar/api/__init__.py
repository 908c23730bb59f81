"""The REST API (v1) over ketenradar's services: ``create_app(store)`` returns a FastAPI application.

Run it with ``ketenradar serve``; the routes, the error shape and the job lifecycle are described
in docs/api.md and at ``/openapi.json``.
"""

from __future__ import annotations

from ketenradar.api.app import create_app

__all__ = ["create_app"]

"""The dashboard: server-rendered pages over the same services as the REST API and the command line.

:func:`include_dashboard` adds the pages (``/``, ``/materials/{id}``, ``/countries/{iso3}``,
``/chains``, ``/chains/{id}``, ``/scenarios``) and the package's own assets under ``/static/`` to
the API application. Every script, style sheet and chart is served from this package: nothing is
loaded from another site. Pages follow the request's language (``?lang=nl`` or
``Accept-Language``), which the API's language middleware makes active.
"""

from __future__ import annotations

from ketenradar.web.pages import include_dashboard

__all__ = ["include_dashboard"]

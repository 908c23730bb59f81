"""The public API: ``ketenradar.__all__`` names exactly the public members (httpx's test_exported_members)."""

from __future__ import annotations

import ketenradar


def test_exported_members_match_all() -> None:
    import types

    public = {
        name
        for name in dir(ketenradar)
        if not name.startswith("_") and not isinstance(getattr(ketenradar, name), types.ModuleType)
    }
    assert public | {"__version__"} == set(ketenradar.__all__)

"""What the API tests share: the TestClient, the demo inputs and the check of the error shape."""

from __future__ import annotations

import warnings
from importlib import resources
from pathlib import Path
from typing import Any

# Starlette asks for httpx2 over httpx with a deprecation warning (filterwarnings = error); the
# client is the same. Imported once here, so neither the tests nor schemathesis meet it again.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r".*`httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

__all__ = ["DEMO_SCENARIO", "TestClient", "demo_folder", "demo_measures", "error_of"]

DEMO_SCENARIO = "china-gallium-germanium-2023"


def demo_folder() -> Path:
    """Return the shipped demo chain (a folder of CSV files)."""
    return Path(str(resources.files("ketenradar.demo_data") / "chains" / "defence_demo"))


def demo_measures() -> Path:
    """Return the shipped illustrative measures file of the demo chain."""
    return Path(str(resources.files("ketenradar.demo_data") / "measures" / "measures.yaml"))


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    """Assert an error response of that status and code in the one shape; return its error object."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert "Traceback" not in response.text
    error: dict[str, Any] = body["error"]
    return error

"""The OpenAPI document describes every route, and schemathesis finds no server error against it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ketenradar.api import create_app
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.services.materials import defence_catalogue
from ketenradar.storage import SqliteStore
from tests.api.support import TestClient, demo_folder

ROUTES = {
    ("get", "/api/v1/materials"),
    ("get", "/api/v1/countries"),
    ("get", "/api/v1/chains"),
    ("post", "/api/v1/chains"),
    ("get", "/api/v1/chains/{chain_id}"),
    ("get", "/api/v1/chains/{chain_id}/exposure"),
    ("get", "/api/v1/chains/{chain_id}/outlook"),
    ("get", "/api/v1/scenarios"),
    ("post", "/api/v1/scenarios/run"),
    ("post", "/api/v1/scenarios/simulate"),
    ("post", "/api/v1/scenarios/montecarlo"),
    ("get", "/api/v1/jobs/{job_id}"),
    ("get", "/api/v1/measures"),
    ("post", "/api/v1/measures/rank"),
    ("post", "/api/v1/roadmaps/show"),
    ("post", "/api/v1/roadmaps/draft"),
}


def _app(folder: Path) -> Any:
    store = SqliteStore(folder / "workspace.sqlite")
    store.save_chain(read_chain_workbook(demo_folder(), list(defence_catalogue()), name="demo"))
    return create_app(store)


def test_openapi_documents_every_route_with_tag_summary_and_error_shape(tmp_path: Path) -> None:
    spec = TestClient(_app(tmp_path)).get("/openapi.json").json()
    found = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert found == ROUTES
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            assert operation["tags"] and operation["summary"], (method, path)
            for status in ("404", "422", "500"):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (method, path, status)
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_docs_page_names_every_route() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    for method, path in ROUTES:
        assert f"{method.upper()} {path}" in text


# Built at import, as schemathesis parametrises the test from the app's own OpenAPI document; the
# workspace lives in a temporary folder that the module's last fixture removes.
_FOLDER = Path(tempfile.mkdtemp(prefix="ketenradar-schemathesis-"))
schema = schemathesis.openapi.from_asgi("/openapi.json", _app(_FOLDER))


@pytest.fixture(scope="module", autouse=True)
def _remove_workspace_folder() -> Iterator[None]:
    yield
    shutil.rmtree(_FOLDER, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)
def test_no_server_error_and_responses_match_the_schema(case: Any) -> None:
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )

"""Chain upload: .xlsx and .json are stored; a wrong type, a too large or a broken file is refused."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from ketenradar.api import create_app
from ketenradar.api.errors import UploadRefused, UploadTooLarge
from ketenradar.api.uploads import client_file_name, saved_upload
from ketenradar.cli import cli
from ketenradar.ingest.workbook_writer import write_chain
from ketenradar.model.chain import Chain
from ketenradar.storage import SqliteStore
from tests.api.support import TestClient, error_of


@pytest.fixture
def empty(tmp_path: Path) -> TestClient:
    return TestClient(create_app(SqliteStore(tmp_path / "empty.sqlite")))


def _names(client: TestClient) -> list[tuple[str, int]]:
    return [(c["name"], c["version"]) for c in client.get("/api/v1/chains").json()["chains"]]


@pytest.mark.parametrize("suffix", [".xlsx", ".json"])
def test_upload_stores_the_workbook_like_chain_import(
    empty: TestClient, demo_chain: Chain, tmp_path: Path, suffix: str
) -> None:
    path = write_chain(demo_chain, tmp_path / f"radar{suffix}")
    with path.open("rb") as handle:
        response = empty.post("/api/v1/chains", files={"file": (path.name, handle)}, data={"name": "mine"})
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["id"] == stored["name"] == "mine" and stored["version"] == 1
    assert (stored["n_items"], stored["n_bom"]) == (len(demo_chain.items), len(demo_chain.bom))
    assert stored["source"] == path.name  # the client's name, never the temporary file
    assert _names(empty) == [("mine", 1)]
    # The stored chain has the same exposure as the demo chain read from its files.
    api = empty.get("/api/v1/chains/mine/exposure").json()
    result = CliRunner().invoke(cli, ["chain", "exposure", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    cli_doc = json.loads(result.stdout)
    assert api["platforms"] == cli_doc["platforms"]


def test_upload_without_name_uses_the_file_name_and_counts_versions(
    empty: TestClient, demo_chain: Chain, tmp_path: Path
) -> None:
    path = write_chain(demo_chain, tmp_path / "radar.json")
    for expected in (1, 2):
        response = empty.post("/api/v1/chains", files={"file": ("radar.json", path.read_bytes())})
        assert response.status_code == 201, response.text
        assert (response.json()["name"], response.json()["version"]) == ("radar", expected)
    assert _names(empty) == [("radar", 2)]


def test_wrong_file_type_is_refused_and_nothing_stored(empty: TestClient) -> None:
    response = empty.post("/api/v1/chains", files={"file": ("chain.csv", b"id,name\n")})
    error = error_of(response, 400, "unsupported_file")
    assert "chain.csv" in error["message"] and ".csv" in error["message"]
    assert error["details"]["accepted"] == [".xlsx", ".json"]
    assert _names(empty) == []


@pytest.mark.parametrize(
    ("name", "content"), [("chain.xlsx", b'{"items": []}'), ("chain.json", b"PK\x03\x04 not json")]
)
def test_content_that_does_not_match_the_extension_is_refused(
    empty: TestClient, name: str, content: bytes
) -> None:
    error = error_of(empty.post("/api/v1/chains", files={"file": (name, content)}), 400, "unsupported_file")
    assert name in error["message"]
    assert _names(empty) == []


def test_too_large_upload_is_refused_with_413(tmp_path: Path) -> None:
    small = TestClient(create_app(SqliteStore(tmp_path / "w.sqlite"), max_upload_bytes=1_000))
    body = b"[" + b" " * 200_000 + b"]"
    error = error_of(small.post("/api/v1/chains", files={"file": ("big.json", body)}), 413, "too_large")
    assert error["details"]["limit_bytes"] == 1_000
    assert _names(small) == []


def test_saved_upload_stops_at_the_limit_while_copying_and_removes_its_folder() -> None:
    with pytest.raises(UploadTooLarge), saved_upload(io.BytesIO(b"{" + b" " * 5_000), "a.json", 1_000):
        pass
    with saved_upload(io.BytesIO(b'{"items": []}'), "C:\\Users\\me\\a.json", 1_000) as (path, label):
        assert label == "a.json" and path.read_bytes() == b'{"items": []}'
        folder = path.parent
    assert not folder.exists()
    with pytest.raises(UploadRefused), saved_upload(io.BytesIO(b"x"), "../../a.exe", 1_000):
        pass


def test_client_file_name_keeps_only_the_base_name() -> None:
    assert client_file_name("/etc/passwd") == "passwd"
    assert client_file_name("..\\..\\chain.xlsx") == "chain.xlsx"
    assert client_file_name(None) == "upload"


def test_broken_workbook_gives_every_problem_as_the_cli_does(empty: TestClient, tmp_path: Path) -> None:
    document = {
        "items": [
            {"id": "p", "name": "Platform", "kind": "platform"},
            {"id": "m", "name": "Gallium", "kind": "material", "material": "unobtainium"},
        ],
        "bom": [{"parent": "p", "child": "m", "quantity": -1}],
        "sourcing": [{"item": "m", "country": "XXX", "share": 1.5}],
    }
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document))
    response = empty.post("/api/v1/chains", files={"file": ("broken.json", path.read_bytes())})
    error = error_of(response, 422, "invalid_input")
    problems = error["details"]["problems"]
    assert len(problems) >= 4 and {p["file"] for p in problems} == {"broken.json"}
    assert {p["sheet"] for p in problems} >= {"items", "bom", "sourcing"}
    result = CliRunner().invoke(
        cli, ["chain", "import", str(path), "--workspace", str(tmp_path / "cli.sqlite")]
    )
    assert result.exit_code == 1
    # The same problems in the same words; the CLI names the file by its path, the API by its name.
    cli_lines = [line.strip()[2:] for line in result.stderr.splitlines() if line.strip().startswith("- ")]
    assert [p["text"] for p in problems] == [line.replace(str(path), "broken.json") for line in cli_lines]
    assert _names(empty) == []


def test_a_name_that_cannot_be_a_path_is_refused(
    empty: TestClient, demo_chain: Chain, tmp_path: Path
) -> None:
    path = write_chain(demo_chain, tmp_path / "radar.json")
    response = empty.post(
        "/api/v1/chains", files={"file": ("radar.json", path.read_bytes())}, data={"name": "a/b"}
    )
    error_of(response, 422, "invalid_name")
    assert _names(empty) == []


def test_missing_file_field_is_a_validation_error(empty: TestClient) -> None:
    error = error_of(empty.post("/api/v1/chains", data={"name": "x"}), 422, "invalid_request")
    assert [f["field"] for f in error["details"]["fields"]] == ["body.file"]


def test_a_streamed_body_without_length_is_stopped_at_the_limit(tmp_path: Path) -> None:
    small = TestClient(create_app(SqliteStore(tmp_path / "w.sqlite"), max_upload_bytes=1_000))
    boundary = "ketenradar"

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.json"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode()
        for _ in range(20):
            yield b" " * 10_000
        yield f"\r\n--{boundary}--\r\n".encode()

    response = small.post(
        "/api/v1/chains",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    error_of(response, 413, "too_large")
    assert _names(small) == []

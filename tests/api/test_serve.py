"""``ketenradar serve``: help without FastAPI, loopback only by default, and a real server that answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from ketenradar.cli import cli
from ketenradar.cli.serve import is_loopback

SCRIPT = "import sys; from ketenradar.cli import main; sys.argv[0] = 'ketenradar'; main()"


def test_serve_help_works_without_importing_fastapi() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("KETENRADAR_LANG", "KETENRADAR_CONFIG")}
    check = (
        "import sys; from ketenradar.cli import main\n"
        "sys.argv = ['ketenradar', 'serve', '--help']\n"
        "try:\n    main()\nexcept SystemExit as stop:\n    code = stop.code\n"
        "print('loaded', code, 'fastapi' in sys.modules, 'uvicorn' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, env=env, check=False)
    assert "Usage: ketenradar serve [OPTIONS]" in done.stdout
    assert "--allow-remote" in done.stdout and "--workspace" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "loaded 0 False False"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("::", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_serve_refuses_a_remote_host_without_allow_remote(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--host", "0.0.0.0", "--workspace", str(tmp_path / "w.sqlite")]
    )
    assert result.exit_code == 2
    assert "no authentication" in result.stderr and "--allow-remote" in result.stderr
    assert not (tmp_path / "w.sqlite").exists()  # refused before anything was opened


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_a_real_server_answers_materials(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("KETENRADAR_LANG", "KETENRADAR_CONFIG")}
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SCRIPT,
            "serve",
            "--port",
            str(port),
            "--workspace",
            str(tmp_path / "w.sqlite"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/materials"
        deadline = time.monotonic() + 60
        response = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                response = httpx.get(url, headers={"Accept-Language": "nl"}, timeout=30)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None, (tmp_path / "server.log").read_text()
        assert response.status_code == 200
        assert len(response.json()["materials"]) == 34
        missing = httpx.get(f"http://127.0.0.1:{port}/api/v1/chains/nope", timeout=30)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    assert server.returncode is not None

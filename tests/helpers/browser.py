"""Headless Chromium and a served app for the browser tests: one launch, one server start.

Debian's chromium is installed by ``scripts/test``; without it the tests fail, they do not skip.
The flags keep Chromium from reaching for the network on its own (this machine has none).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

__all__ = ["CHROMIUM", "chromium", "free_port", "served"]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@contextmanager
def chromium() -> Iterator[Any]:
    """Yield a launched headless Chromium (Playwright's Browser), closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=list(_FLAGS))
        try:
            yield launched
        finally:
            launched.close()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(command: Sequence[str], probe_path: str, folder: Path, port: int) -> Iterator[str]:
    """Run a server ``command`` listening on ``port``; yield its base URL once ``probe_path`` answers.

    The server's output goes to ``folder/server.log``, shown when it does not start; it is ended
    at the end, by force if it does not go.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("KETENRADAR_LANG", "KETENRADAR_CONFIG")}
    log_path = folder / "server.log"
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    httpx.get(f"{base}{probe_path}", timeout=10)
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            else:
                pytest.fail(log_path.read_text())
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

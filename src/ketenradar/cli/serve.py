"""``ketenradar serve``: the dashboard and the REST API, for one user or, with ``--database``, many.

Without ``--database`` it is the single-user local mode over a SQLite workspace, on this
machine only. With ``--database URL`` it is the observatory server (:mod:`ketenradar.server`):
accounts, roles and each caller's organisation, over PostgreSQL or SQLite. Sessions and jobs live
in the database (or, in the local mode, the workspace), so ``--workers N`` runs N processes behind
one port in either mode.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ketenradar.cli import cli
from ketenradar.cli.i18n import option
from ketenradar.cli.options import (
    catalogue_of,
    catalogue_option,
    database_option,
    store_of,
    workspace_option,
)
from ketenradar.errors import ConfigError
from ketenradar.locale import _

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ketenradar.storage.server import ServerStore

__all__ = [
    "SERVE_OPTIONS_VARIABLE",
    "ServeOptions",
    "is_loopback",
    "local_app",
    "local_app_from_environment",
    "server_app",
    "server_app_from_environment",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_MAX_UPLOAD_MB = 50
# How the server mode's options reach the worker processes uvicorn starts for --workers N.
SERVE_OPTIONS_VARIABLE = "KETENRADAR_SERVE_OPTIONS"


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """What every process of ``serve --workers N`` builds its app from (database, or local workspace)."""

    database_url: str
    catalogue_file: str | None = None
    config_file: str | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1_000_000
    workspace: str | None = None

    def to_environment(self) -> str:
        """Return the options as the JSON text of :data:`SERVE_OPTIONS_VARIABLE`."""
        return json.dumps(asdict(self))

    @classmethod
    def from_environment(cls) -> ServeOptions:
        """Read the options a ``serve --database --workers N`` process left in the environment."""
        text = os.environ.get(SERVE_OPTIONS_VARIABLE)
        if not text:
            raise ConfigError(
                _(
                    "{variable} is not set: server processes are started by `ketenradar serve --database`"
                ).format(variable=SERVE_OPTIONS_VARIABLE)
            )
        return cls(**json.loads(text))


def server_app(options: ServeOptions, store: ServerStore | None = None) -> FastAPI:
    """Return the observatory server's app over the options' database (opened unless ``store`` is given)."""
    from ketenradar.server import create_server_app
    from ketenradar.settings import load_settings
    from ketenradar.storage.server import ServerStore

    if store is None:
        store = ServerStore(options.database_url)
    catalogue_file = Path(options.catalogue_file) if options.catalogue_file else None
    config_file = Path(options.config_file) if options.config_file else None
    return create_server_app(
        store,
        catalogue_of(catalogue_file),
        load_settings(config_file),
        max_upload_bytes=options.max_upload_bytes,
    )


def server_app_from_environment() -> FastAPI:
    """Return the app of one worker process of ``serve --database URL --workers N`` (uvicorn factory)."""
    return server_app(ServeOptions.from_environment())


def local_app(options: ServeOptions, *, shared_jobs: bool) -> FastAPI:
    """Return the single-user app over the options' workspace (jobs kept in it when ``shared_jobs``)."""
    from ketenradar.api import create_app
    from ketenradar.settings import load_settings

    store = store_of(Path(options.workspace) if options.workspace else None)
    catalogue_file = Path(options.catalogue_file) if options.catalogue_file else None
    config_file = Path(options.config_file) if options.config_file else None
    return create_app(
        store,
        catalogue_of(catalogue_file),
        load_settings(config_file),
        max_upload_bytes=options.max_upload_bytes,
        job_states=store if shared_jobs else None,
    )


def local_app_from_environment() -> FastAPI:
    """Return the app of one worker process of the local mode's ``serve --workers N`` (uvicorn factory)."""
    return local_app(ServeOptions.from_environment(), shared_jobs=True)


def _server_store(database_url: str) -> ServerStore:
    """Open and upgrade the server's database; refuse to serve one where nobody can log in."""
    from ketenradar.cli.server_admin import server_store_of

    store = server_store_of(database_url)
    if not any(not user.disabled for user in store.list_users()):
        raise ConfigError(
            _(
                "no user can log in to {database} yet: add an administrator first with "
                "`ketenradar user add NAME --role admin --password-stdin --database URL`"
            ).format(database=store.url_for_display)
        )
    return store


def is_loopback(host: str) -> bool:
    """Return whether ``host`` names this machine only (127.0.0.0/8, ::1 or localhost)."""
    import ipaddress

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@cli.command()
@option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@option(
    "--port",
    type=click.IntRange(1, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on.",
)
@option(
    "--allow-remote",
    is_flag=True,
    help="Listen on an address other machines can reach, although there is no authentication "
    "(local mode only).",
)
@option(
    "--max-upload-mb",
    type=click.FloatRange(min=0.001),
    default=DEFAULT_MAX_UPLOAD_MB,
    show_default=True,
    help="Largest chain workbook an upload may be, in MB.",
)
@option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Server processes on the one port (sessions and jobs live in the database or workspace).",
)
@option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    # The login rate limit counts failures per client address: behind a proxy that is the
    # forwarded one, taken only from the proxies named here.
    help="Addresses of reverse proxies whose X-Forwarded-For/-Proto are trusted (comma-separated).",
)
@database_option
@workspace_option
@catalogue_option
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    allow_remote: bool,
    max_upload_mb: float,
    workers: int,
    forwarded_allow_ips: str,
    database_url: str | None,
    workspace: Path | None,
    catalogue_file: Path | None,
) -> None:
    """Run the dashboard and the REST API: one user on this machine, or many with --database.

    Without --database: the single-user local mode over a workspace, no authentication. With
    --database URL: the observatory server, with logins, roles and each company's data kept
    apart (docs/server.md); add its users with `ketenradar user add` first. The dashboard is
    at / (docs/dashboard.md), the API at /api/v1, documented at /openapi.json and in
    docs/api.md. Ctrl+C stops it.
    """
    max_upload_bytes = int(max_upload_mb * 1_000_000)
    if database_url:
        if workspace is not None:
            raise click.UsageError(
                _("--workspace is the local mode's file; with --database everything is in the database"),
                ctx=ctx,
            )
        config_file = ctx.find_root().obj.get("config_path")
        options = ServeOptions(
            database_url=database_url,
            catalogue_file=str(catalogue_file) if catalogue_file is not None else None,
            config_file=str(config_file) if config_file is not None else None,
            max_upload_bytes=max_upload_bytes,
        )
        _serve_database(options, host=host, port=port, workers=workers, proxies=forwarded_allow_ips)
        return
    if not is_loopback(host) and not allow_remote:
        raise click.UsageError(
            _(
                "--host {host} can be reached from other machines, and this single-user server has no "
                "authentication: anyone who reaches it can read and change the workspace. Use "
                "127.0.0.1, or give --allow-remote if that is what you want."
            ).format(host=host),
            ctx=ctx,
        )
    # FastAPI and uvicorn are imported here, so that `ketenradar --help` stays quick.
    import uvicorn

    config_file = ctx.find_root().obj.get("config_path")
    store = store_of(workspace)
    options = ServeOptions(
        database_url="",
        catalogue_file=str(catalogue_file) if catalogue_file is not None else None,
        config_file=str(config_file) if config_file is not None else None,
        max_upload_bytes=max_upload_bytes,
        workspace=str(store.path),
    )
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        _(
            "serving the dashboard on http://{host}:{port}/ and the API on http://{host}:{port}/api/v1 "
            "(workspace {path}); Ctrl+C stops"
        ).format(host=shown, port=port, path=store.path),
        err=True,
    )
    if workers == 1:
        app = local_app(options, shared_jobs=False)
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="warning",
            proxy_headers=True,
            forwarded_allow_ips=forwarded_allow_ips,
        )
        return
    # Several processes share the workspace file (WAL: readers never wait) and keep jobs in it.
    os.environ[SERVE_OPTIONS_VARIABLE] = options.to_environment()
    uvicorn.run(
        f"{__name__}:local_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
    )


def _serve_database(options: ServeOptions, *, host: str, port: int, workers: int, proxies: str) -> None:
    """Run the observatory server: check the database, then serve in one or ``workers`` processes."""
    import uvicorn

    store = _server_store(options.database_url)
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        _(
            "serving the observatory server on http://{host}:{port}/ (API on /api/v1) over {database} "
            "in {workers} process(es); Ctrl+C stops"
        ).format(host=shown, port=port, database=store.url_for_display, workers=workers),
        err=True,
    )
    if not is_loopback(host):
        click.echo(
            _(
                "note: passwords and session tokens cross the network in clear text unless an HTTPS "
                "reverse proxy is in front of this server (docs/server.md)"
            ),
            err=True,
        )
    if workers == 1:
        uvicorn.run(
            server_app(options, store),
            host=host,
            port=port,
            log_level="warning",
            proxy_headers=True,
            forwarded_allow_ips=proxies,
        )
        return
    # Several processes need the app as an import string; each builds it from the environment.
    store.dispose()
    os.environ[SERVE_OPTIONS_VARIABLE] = options.to_environment()
    uvicorn.run(
        f"{__name__}:server_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=True,
        forwarded_allow_ips=proxies,
    )

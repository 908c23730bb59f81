"""``ketenradar serve``: the dashboard and the REST API on this machine, for one user."""

from __future__ import annotations

from pathlib import Path

import click

from ketenradar.cli import cli, settings_of
from ketenradar.cli.i18n import option
from ketenradar.cli.options import catalogue_of, catalogue_option, store_of, workspace_option
from ketenradar.locale import _

__all__ = ["is_loopback"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_MAX_UPLOAD_MB = 50


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
    help="Listen on an address other machines can reach, although there is no authentication.",
)
@option(
    "--max-upload-mb",
    type=click.FloatRange(min=0.001),
    default=DEFAULT_MAX_UPLOAD_MB,
    show_default=True,
    help="Largest chain workbook an upload may be, in MB.",
)
@workspace_option
@catalogue_option
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    allow_remote: bool,
    max_upload_mb: float,
    workspace: Path | None,
    catalogue_file: Path | None,
) -> None:
    """Run the dashboard and the REST API on this machine: one user, no authentication.

    The dashboard is at / (docs/dashboard.md), the API at /api/v1, documented at /openapi.json
    and in docs/api.md. Ctrl+C stops it.
    """
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

    from ketenradar.api import create_app

    store = store_of(workspace)
    app = create_app(
        store,
        catalogue_of(catalogue_file),
        settings_of(ctx),
        max_upload_bytes=int(max_upload_mb * 1_000_000),
    )
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        _(
            "serving the dashboard on http://{host}:{port}/ and the API on http://{host}:{port}/api/v1 "
            "(workspace {path}); Ctrl+C stops"
        ).format(host=shown, port=port, path=getattr(store, "path", workspace)),
        err=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")

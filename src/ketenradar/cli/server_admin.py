"""``ketenradar user``, ``audit``, ``backup`` and ``restore``: the observatory server's administration.

Each command opens the server's database (``--database URL`` or ``$KETENRADAR_DATABASE``) and
brings its schema up to date first. A password is read from standard input only, never from
an argument or the environment, where other users of the machine could read it.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from ketenradar.cli import cli
from ketenradar.cli.i18n import argument, option
from ketenradar.cli.options import FILE, database_option
from ketenradar.cli.output import TableSpec, emit_csv, emit_json, emit_table, format_option
from ketenradar.locale import N_, _, format_number

# SQLAlchemy, Alembic and argon2 are imported by the commands that use them: `--help` stays quick.
if TYPE_CHECKING:
    from ketenradar.storage.server import AuditRecord, ServerStore, UserRecord

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "ROLE_CHOICES",
    "cli_actor",
    "parse_since",
    "read_password",
    "server_store_of",
]

# The roles of ketenradar.storage.server.ROLES, repeated here so that `user add --help` needs no
# SQLAlchemy; tests/cli/test_server_admin.py checks that the two agree.
ROLE_CHOICES = ("admin", "analyst", "company")
# NIST SP 800-63B asks for at least 8 characters; 12 leaves room against guessing offline.
MIN_PASSWORD_LENGTH = 12
_USER_COLUMNS: list[TableSpec] = [
    ("name", N_("name"), -1),
    ("role", N_("role"), -1),
    ("organisation", N_("organisation"), -1),
    ("disabled", N_("disabled"), -1),
    ("created_at", N_("created"), -1),
]
_AUDIT_COLUMNS: list[TableSpec] = [
    ("at", N_("time (UTC)"), -1),
    ("user", N_("user"), -1),
    ("organisation", N_("organisation"), -1),
    ("action", N_("action"), -1),
    ("target", N_("target"), -1),
    ("outcome", N_("outcome"), -1),
    ("detail", N_("detail"), -1),
]


def server_store_of(database_url: str | None) -> ServerStore:
    """Open the server's database (closed with the command) and bring its schema up to date."""
    if not database_url:
        raise click.UsageError(
            _(
                "give the server's database with --database URL or $KETENRADAR_DATABASE "
                "(postgresql://USER@HOST/NAME or sqlite:///FILE)"
            )
        )
    from ketenradar.storage.server import ServerStore

    store = ServerStore(database_url)
    context = click.get_current_context(silent=True)
    if context is not None:
        # The pooled connections close with the command, not whenever the store is collected.
        context.call_on_close(store.dispose)
    store.upgrade()
    return store


def read_password(stream: TextIO) -> str:
    """Return the password on the first line of ``stream``; refuse one shorter than 12 characters.

    Only the line ending is removed: spaces are part of the password. On a terminal the password
    is asked twice without being shown.
    """
    if stream.isatty():
        text: str = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True, err=True)
        password = text
    else:
        password = stream.readline().removesuffix("\n").removesuffix("\r")
    if not password:
        raise click.UsageError(_("--password-stdin: standard input holds no password (an empty first line)"))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.UsageError(
            _("--password-stdin: the password has {n} characters; at least {minimum} are needed").format(
                n=len(password), minimum=MIN_PASSWORD_LENGTH
            )
        )
    return password


def parse_since(value: str | None) -> datetime | None:
    """Parse ``--since`` (an ISO 8601 date or date and time, UTC unless an offset is given)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            _("an ISO 8601 date or date and time is expected, e.g. 2026-01-31 or 2026-01-31T08:00"),
            param_hint="--since",
        ) from None
    # The audit log keeps naive UTC times.
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def cli_actor() -> str:
    """Return who runs this command, as the audit log names an administrator at the command line."""
    import getpass

    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment nor in the password database
        return "cli"
    return f"cli:{login}"


def _documented(document: dict[str, Any], database: str, **parameters: Any) -> dict[str, Any]:
    """Return an administration document with its provenance: the database (masked) and the filters."""
    from ketenradar.services.provenance import provenance

    used = provenance([], {"database": database, **parameters})
    return {**document, "provenance": used.to_json()}


def _user_json(record: UserRecord) -> dict[str, Any]:
    """Return a user as JSON; never the password hash."""
    return {
        "name": record.name,
        "role": record.role,
        "organisation": record.organisation,
        "disabled": record.disabled,
        "created_at": record.created_at,
    }


def _audit_json(record: AuditRecord) -> dict[str, Any]:
    """Return one audit row as JSON."""
    return {
        "id": record.id,
        "at": record.at,
        "user": record.user,
        "organisation": record.organisation,
        "action": record.action,
        "target": record.target,
        "outcome": record.outcome,
        "detail": record.detail,
    }


@cli.group()
def user() -> None:
    """Users of the observatory server (ketenradar serve --database): add, list, disable."""


@user.command(name="add")
@argument("name")
@option("--role", type=click.Choice(ROLE_CHOICES), required=True, help="What the user may see and do.")
@option(
    "--org",
    "organisation",
    metavar="ORG",
    help="The user's organisation; required for --role company [default for admin and analyst: "
    "the observatory].",
)
@option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input, one line of at least 12 characters (required).",
)
@database_option
@format_option
def add(
    name: str, role: str, organisation: str | None, password_stdin: bool, database_url: str | None, fmt: str
) -> None:
    """Add a user NAME with a role and an organisation; the password comes from standard input."""
    if not name.strip() or name != name.strip():
        raise click.BadParameter(
            _("a name without leading or trailing spaces is expected"), param_hint="NAME"
        )
    if role == "company" and not organisation:
        raise click.UsageError(
            _("--role company needs --org ORG: a company user belongs to one organisation")
        )
    from ketenradar.storage.server import OBSERVATORY

    if role == "company" and organisation == OBSERVATORY:
        raise click.UsageError(
            _(
                "--org {org} is the observatory's own organisation: a company user belongs to a company"
            ).format(org=OBSERVATORY)
        )
    if role != "company" and organisation not in (None, OBSERVATORY):
        raise click.UsageError(
            _(
                "an {role} works in the observatory, not in a company: leave out --org (an analyst "
                "in a company's organisation would read its raw data)"
            ).format(role=role)
        )
    if not password_stdin:
        raise click.UsageError(
            _(
                "give --password-stdin and type the password on standard input; a password is never "
                "taken from an argument or the environment"
            )
        )
    password = read_password(sys.stdin)
    from ketenradar.server.passwords import hash_password

    store = server_store_of(database_url)
    organisation = organisation or OBSERVATORY
    # add_user creates a new organisation in the same transaction as the user.
    record = store.add_user(name, role, organisation, hash_password(password))
    store.append_audit(cli_actor(), organisation, "user.add", name, "ok", f"role={role}")
    if fmt == "json":
        emit_json(_documented({"user": _user_json(record)}, store.url_for_display))
        return
    if fmt == "csv":
        import pandas as pd

        emit_csv(pd.DataFrame([_user_json(record)]))
        return
    click.echo(
        _("added user {name!r} ({role}, organisation {organisation!r})").format(
            name=record.name, role=record.role, organisation=record.organisation
        )
    )


@user.command(name="list")
@database_option
@format_option
def list_(database_url: str | None, fmt: str) -> None:
    """List the server's users: name, role, organisation, disabled, created (never a password)."""
    import pandas as pd

    store = server_store_of(database_url)
    users = [_user_json(record) for record in store.list_users()]
    if fmt == "json":
        emit_json(_documented({"users": users}, store.url_for_display))
        return
    frame = pd.DataFrame(users, columns=[spec[0] for spec in _USER_COLUMNS])
    if fmt == "csv":
        emit_csv(frame)
    elif frame.empty:
        click.echo(_("no users yet; add one with `ketenradar user add NAME --role admin --password-stdin`"))
    else:
        emit_table(frame, _USER_COLUMNS, title=_("Users of the observatory server"))


@user.command()
@argument("name")
@database_option
@format_option
def disable(name: str, database_url: str | None, fmt: str) -> None:
    """Disable the user NAME: no more logins, and the user's open sessions end at once."""
    store = server_store_of(database_url)
    record = store.disable_user(name)
    store.append_audit(cli_actor(), record.organisation, "user.disable", name, "ok")
    if fmt == "json":
        emit_json(_documented({"user": _user_json(record)}, store.url_for_display))
        return
    if fmt == "csv":
        import pandas as pd

        emit_csv(pd.DataFrame([_user_json(record)]))
        return
    click.echo(_("disabled user {name!r}; the user's sessions have ended").format(name=record.name))


@cli.command()
@option("--user", "user_name", metavar="NAME", help="Only rows of this user.")
@option("--org", "organisation", metavar="ORG", help="Only rows of this organisation.")
@option("--action", metavar="ACTION", help="Only rows of this action, e.g. chain.read or user.add.")
@option(
    "--since",
    metavar="DATE",
    help="Only rows at or after this time: an ISO 8601 date or date and time (UTC).",
)
@option(
    "--limit",
    type=click.IntRange(min=1),
    metavar="N",
    help="Only the latest N rows (still shown oldest first).",
)
@database_option
@format_option
def audit(
    user_name: str | None,
    organisation: str | None,
    action: str | None,
    since: str | None,
    limit: int | None,
    database_url: str | None,
    fmt: str,
) -> None:
    """Show the server's audit log, oldest first: who did what, to what, when, with what outcome."""
    import pandas as pd

    moment = parse_since(since)
    store = server_store_of(database_url)
    records = store.audit(user=user_name, organisation=organisation, action=action, since=moment, limit=limit)
    rows = [_audit_json(record) for record in records]
    if fmt == "json":
        filters = {"user": user_name, "organisation": organisation, "action": action, "since": since}
        emit_json(_documented({"audit": rows}, store.url_for_display, **filters, limit=limit))
        return
    frame = pd.DataFrame(rows, columns=["id", *(spec[0] for spec in _AUDIT_COLUMNS)])
    if fmt == "csv":
        emit_csv(frame)
    elif frame.empty:
        click.echo(_("no audit rows match"))
    else:
        # To the second, without the offset: the header says UTC (JSON and CSV keep the full time).
        frame["at"] = frame["at"].str.slice(0, 19).str.replace("T", " ", regex=False)
        emit_table(frame, _AUDIT_COLUMNS, title=_("Audit log"), limit=None)


@cli.command()
@argument("file", type=FILE)
@database_option
@format_option
def backup(file: Path, database_url: str | None, fmt: str) -> None:
    """Write every table of the server's database into the portable backup FILE (a zip)."""
    from ketenradar import __version__
    from ketenradar.storage.backup import backup_database
    from ketenradar.storage.server import OBSERVATORY

    store = server_store_of(database_url)
    result = backup_database(store, file, ketenradar_version=__version__)
    store.append_audit(cli_actor(), OBSERVATORY, "backup", file.name, "ok")
    _emit_backup(_documented(result.to_json(), store.url_for_display), fmt)


@cli.command()
@argument("file", type=FILE)
@database_option
@format_option
def restore(file: Path, database_url: str | None, fmt: str) -> None:
    """Restore the backup FILE into the server's database, which must be new and empty."""
    from ketenradar.storage.backup import restore_database

    store = server_store_of(database_url)
    result = restore_database(store, file, actor=cli_actor())
    _emit_backup(_documented(result.to_json(), store.url_for_display), fmt)


def _emit_backup(document: dict[str, Any], fmt: str) -> None:
    """Print what a backup or restore did: JSON, the tables as CSV, or a sentence and a table."""
    import pandas as pd

    if fmt == "json":
        emit_json(document)
        return
    frame = pd.DataFrame(document["tables"], columns=["name", "rows"])
    if fmt == "csv":
        emit_csv(frame)
        return
    total = format_number(int(frame["rows"].sum()), 0)
    message = (
        _("wrote the backup {file} of {database}: {rows} rows in {tables} tables")
        if document["action"] == "backup"
        else _("restored the backup {file} into {database}: {rows} rows in {tables} tables")
    )
    click.echo(
        message.format(file=document["file"], database=document["database"], rows=total, tables=len(frame))
    )
    emit_table(frame, [("name", N_("table"), -1), ("rows", N_("rows"), 0)], title=_("Tables"), limit=None)

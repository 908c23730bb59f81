"""The server's own routes: login, logout and the caller (``/api/v1/auth``), and questionnaires.

``/api/v1/surveys``: a user submits its organisation's questionnaire answers and reads their
disclosure-controlled summary, through the store scoped to its organisation like every other
route. ``GET /api/v1/surveys/aggregate`` is the analysts' (and administrators') view of every
organisation's latest answers together, with the disclosure control of ``ketenradar survey
summary``; for a company user it does not exist (404, as any unknown path).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import OAuth2PasswordRequestForm
from jinja2 import Environment, PackageLoader
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ketenradar.api.app import ContextDep, StoreDep
from ketenradar.api.errors import BadName, NotAuthenticated, TooManyLogins
from ketenradar.api.routes.common import (
    ERROR_RESPONSES,
    JSON_DOCUMENT,
    bytes_response,
    checked_name,
    json_bytes,
    json_response,
)
from ketenradar.api.schemas import ErrorResponse
from ketenradar.api.uploads import saved_upload
from ketenradar.errors import NotFound, SurveyNotFound
from ketenradar.locale import LANGUAGES, N_, _, current_language, format_number
from ketenradar.model.survey import SURVEY_SHEETS, Survey
from ketenradar.server.auth import Accounts, Authenticator, caller, request_token
from ketenradar.server.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    cookie_options,
    csrf_matches,
    new_csrf_token,
    safe_next,
)

if TYPE_CHECKING:
    from ketenradar.services.survey import OpenedSurvey
    from ketenradar.storage.base import Store
    from ketenradar.storage.server import UserRecord

__all__ = [
    "AGGREGATE_INTERVAL",
    "AGGREGATE_ROLES",
    "Caller",
    "SurveyStored",
    "TokenResponse",
    "auth_router",
    "combined_survey",
    "pages_router",
    "stored_survey",
    "surveys_router",
]

AGGREGATE_ROLES = frozenset({"analyst", "admin"})
AGGREGATE_NAME = "observatory"
RESERVED_SURVEY_NAME = "aggregate"
CSRF_MESSAGE = N_(
    "The form could not be checked (it did not come from this page, or it is too old). Please try again."
)

auth_router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)
surveys_router = APIRouter(prefix="/surveys", tags=["surveys"], responses=ERROR_RESPONSES)

CallerDep = Annotated["UserRecord", Depends(caller)]


class TokenResponse(BaseModel):
    """An OAuth2 bearer token: send it as ``Authorization: Bearer <access_token>``."""

    access_token: str
    token_type: str
    expires_in: int


class Caller(BaseModel):
    """Who is logged in: name, role and organisation."""

    name: str
    role: str
    organisation: str


class SurveyStored(BaseModel):
    """Questionnaire answers stored from an upload: the name and the version it got."""

    id: str
    name: str
    version: int
    companies: int
    source: str


def authenticator_of(request: Request) -> Authenticator:
    """Return the server's authenticator (a dependency)."""
    found: Authenticator = request.app.state.ketenradar_auth
    return found


AuthenticatorDep = Annotated[Authenticator, Depends(authenticator_of)]


def client_of(request: Request) -> str:
    """Return the client address the rate limit counts (the proxy's view when uvicorn trusts it)."""
    return request.client.host if request.client is not None else ""


@auth_router.post(
    "/token",
    summary="Log in with name and password (OAuth2 password flow); returns a bearer token",
    response_model=TokenResponse,
    responses={
        401: {"model": ErrorResponse, "description": "The name or password is not valid."},
        429: {"model": ErrorResponse, "description": "Too many failed logins; see Retry-After."},
    },
)
def token(
    request: Request,
    authenticator: AuthenticatorDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> TokenResponse:
    """Return a token for the name and password of the form; it expires after the server's lifetime."""
    issued = authenticator.login(form.username, form.password, client_of(request))
    return TokenResponse.model_validate(issued.to_json())


@auth_router.post(
    "/logout", summary="Revoke the token of this request", status_code=status.HTTP_204_NO_CONTENT
)
def logout(request: Request, authenticator: AuthenticatorDep, user: CallerDep) -> Response:
    """Make the request's token invalid for every server process."""
    used = request_token(request)
    if used is not None:
        authenticator.logout(used, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@auth_router.get("/me", summary="The logged-in user: name, role, organisation", response_model=Caller)
def me(user: CallerDep) -> Caller:
    """Return who the token belongs to."""
    return Caller(name=user.name, role=user.role, organisation=user.organisation)


def stored_survey(store: Store, name: str) -> OpenedSurvey:
    """Return a stored survey with its earlier versions, as ``survey summary NAME`` opens it.

    Only the store is asked: a name is never taken for a file on the server.
    """
    from ketenradar.services.provenance import InputRecord
    from ketenradar.services.survey import OpenedSurvey

    versions = store.survey_versions(name)
    if not versions:
        raise SurveyNotFound(name)

    def opened(version: int) -> OpenedSurvey:
        survey = store.load_survey(name, version)
        record = InputRecord(role="survey", source=survey.source, name=survey.name, version=version)
        return OpenedSurvey(survey, record, version=version)

    earlier = tuple(opened(v) for v in versions[:-1])
    latest = opened(versions[-1])
    return OpenedSurvey(latest.survey, latest.record, version=latest.version, earlier=earlier)


def combined_survey(surveys: list[tuple[str, Survey]], name: str = AGGREGATE_NAME) -> Survey:
    """Return the answers of several organisations as one survey, each company id made unique.

    A company id is unique within one organisation's answers only, so each is prefixed with its
    organisation ("org/company") before the sheets are put together.
    """
    from ketenradar.ingest.questionnaire import survey_schema

    columns = {sheet: [column.name for column in found] for sheet, found in survey_schema(()).items()}
    sheets: dict[str, list[pd.DataFrame]] = {sheet: [] for sheet in SURVEY_SHEETS}
    for organisation, survey in surveys:
        for sheet in SURVEY_SHEETS:
            frame: pd.DataFrame = getattr(survey, sheet)
            if frame.empty:
                continue  # a sheet without answers (stored without its columns)
            sheets[sheet].append(frame.assign(company=organisation + "/" + frame["company"].astype(str)))
    frames = {
        sheet: pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns[sheet])
        for sheet, parts in sheets.items()
    }
    return Survey(
        name=name,
        companies=frames["companies"],
        materials=frames["materials"],
        areas=frames["areas"],
        measures=frames["measures"],
        source=_("the latest surveys of {n} organisations").format(n=len(surveys)),
        synthetic=any(survey.synthetic for _org, survey in surveys),
    )


@surveys_router.post(
    "",
    summary="Submit questionnaire answers (.xlsx or .json) as a new version",
    status_code=status.HTTP_201_CREATED,
    response_model=SurveyStored,
)
def submit_survey(
    context: ContextDep,
    store: StoreDep,
    file: Annotated[UploadFile, File(description="The questionnaire answers as .xlsx or .json.")],
    name: Annotated[
        str | None, Form(description="Name to store it under [default: the file name without extension].")
    ] = None,
) -> SurveyStored:
    """Validate the answers and store them, as ``ketenradar survey import`` does.

    Every problem is reported at once, and refused answers store nothing.
    """
    from ketenradar.ingest.questionnaire import read_survey

    with saved_upload(file.file, file.filename, context.max_upload_bytes) as (path, label):
        chosen = checked_name(name if name is not None else label.rsplit(".", 1)[0])
        if chosen == RESERVED_SURVEY_NAME:
            # GET /api/v1/surveys/aggregate is the analysts' route: a survey of that name could not be read.
            raise BadName(_("the name {name!r} is reserved").format(name=chosen), name=chosen)
        survey = read_survey(path, list(context.catalogue), name=chosen)
    survey = replace(survey, source=label)
    version = store.save_survey(survey)
    return SurveyStored(
        id=survey.name, name=survey.name, version=version, companies=len(survey.companies), source=label
    )


@surveys_router.get(
    "", summary="The organisation's stored surveys and their versions", responses=JSON_DOCUMENT
)
def list_surveys(store: StoreDep, authenticator: AuthenticatorDep, user: CallerDep) -> Response:
    """Return each stored survey of the caller's organisation with its version numbers."""
    listing = getattr(store, "list_surveys", None)
    if listing is not None:
        names: list[str] = listing()
    else:
        # A store without its own listing: the latest surveys of every organisation, this one's kept.
        names = [s.name for org, s in authenticator.accounts.latest_surveys() if org == user.organisation]
        authenticator.accounts.append_audit(user.name, user.organisation, "survey.list", "", "ok")
    surveys = [{"name": n, "versions": store.survey_versions(n)} for n in sorted(names)]
    return json_response({"surveys": surveys})


# How often the analysts' aggregate is released anew (per server process): a submission shows in
# it within this time. Releasing at a cadence, not after every submission, gives fewer releases to
# compare (disclosure) and spares the server a full summary per submission (measured: with one
# per submission, 50 clients' p95 went from 0.33 s to over 4 s).
AGGREGATE_INTERVAL = timedelta(seconds=60)


@dataclass
class _Release:
    """One published aggregate: the survey keys it was made of, when, and its document."""

    keys: tuple[int, ...]
    made_at: datetime
    body: bytes


class _Releases:
    """The last aggregate released per database and language, made anew at most every interval."""

    def __init__(self, interval: timedelta) -> None:
        self.interval = interval
        self._last: dict[tuple[str, str], _Release] = {}
        self._state = threading.Lock()  # guards _last, held only briefly
        self._making = threading.Lock()  # held by the one request making a new release

    def release(self, key: tuple[str, str], accounts: Accounts, now: datetime) -> bytes:
        """Return the current release: the last one while it is young or nothing changed, else a new one."""
        with self._state:
            last = self._last.get(key)
        if last is not None and now - last.made_at < self.interval:
            return last.body
        # One request makes the new release; meanwhile the others get the last one at once (they
        # would hold the server's route threads while waiting). Without a last one, they wait.
        if not self._making.acquire(blocking=last is None):
            assert last is not None
            return last.body
        try:
            with self._state:
                last = self._last.get(key)
            if last is not None and now - last.made_at < self.interval:
                return last.body  # made while this request waited
            keys = accounts.latest_survey_keys()
            unchanged = last is not None and last.keys == keys
            body = last.body if last is not None and unchanged else self._made(accounts, keys, last)
            with self._state:
                self._last[key] = _Release(keys, now, body)
            return body
        finally:
            self._making.release()

    @staticmethod
    def _made(accounts: Accounts, keys: tuple[int, ...], last: _Release | None) -> bytes:
        """Return a new release of every organisation's newest answers, checked against ``last``."""
        from ketenradar.services.survey import DisclosureRules, summarise_survey

        surveys = accounts.latest_surveys()
        if not surveys:
            raise NotFound(_("no organisation has submitted questionnaire answers yet"), AGGREGATE_NAME)
        # Checked against the release before (else the answers before the newest submission):
        # cells whose change concerns fewer than min_companies companies are suppressed, so two
        # releases cannot be subtracted to tell one company's answers.
        before = max(last.keys) + 1 if last is not None and last.keys else max(keys)
        earlier = accounts.latest_surveys(before=before)
        previous = combined_survey(earlier) if earlier else None
        summary = summarise_survey(combined_survey(surveys), DisclosureRules(), previous=previous)
        document: dict[str, Any] = summary.to_json()
        document["organisations"] = len({organisation for organisation, _survey in surveys})
        return json_bytes(document)


_RELEASES = _Releases(AGGREGATE_INTERVAL)


@surveys_router.get(
    "/aggregate",
    summary="Every organisation's latest answers together, disclosure-controlled (analysts)",
    responses=JSON_DOCUMENT,
)
def aggregate(request: Request, authenticator: AuthenticatorDep, user: CallerDep) -> Response:
    """Return the ``survey summary --format json`` document of all organisations' latest answers.

    Counts of companies with the default disclosure rules (they cannot be switched off here).
    A company user gets 404, as for a path that does not exist.
    """
    target = "surveys/aggregate"
    if user.role not in AGGREGATE_ROLES:
        authenticator.refused(user, target, "not_found", f"role={user.role}")
        raise StarletteHTTPException(status_code=404)
    accounts = authenticator.accounts
    database = getattr(accounts, "url_for_display", "")
    try:
        body = _RELEASES.release((database, current_language()), accounts, authenticator.clock())
    except NotFound:
        accounts.append_audit(user.name, user.organisation, "survey.aggregate", target, "not_found")
        raise
    shown = json.loads(body)
    accounts.append_audit(
        user.name,
        user.organisation,
        "survey.aggregate",
        target,
        "ok",
        f"organisations={shown['organisations']} respondents={shown['respondents']}",
    )
    return bytes_response(body)


@surveys_router.get(
    "/{name}",
    summary="A stored survey's summary, disclosure-controlled (the latest version)",
    responses=JSON_DOCUMENT,
)
def show_survey(store: StoreDep, name: str) -> Response:
    """Return the document of ``ketenradar survey summary NAME --format json`` for the caller's survey."""
    from ketenradar.services.survey import DisclosureRules, summarise_survey

    return json_response(summarise_survey(stored_survey(store, name), DisclosureRules()).to_json())


# --- The dashboard's login and logout pages (server-rendered forms with a CSRF token) ---

pages_router = APIRouter(include_in_schema=False)


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("ketenradar.server", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _page_texts() -> dict[str, str]:
    """Return the words of the login page, in the active language."""
    return {
        "title": _("ketenradar dashboard"),
        "tagline": _("Critical raw materials, countries and value chains for defence"),
        "language": _("Language"),
        "username": _("Name"),
        "password": _("Password"),
        "login": _("Log in"),
        "logout": _("Log out"),
        "note": _(
            "The session ends when you log out or after {hours} hours; programs use a token "
            "from POST /api/v1/auth/token."
        ),
    }


def _login_page(
    request: Request,
    *,
    status_code: int = 200,
    message: str = "",
    user: UserRecord | None = None,
    next_path: str = "/",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render the login page (or, for a logged-in user, the logout form) with a CSRF cookie."""
    authenticator = authenticator_of(request)
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    asked = request.query_params.get("lang", "").strip().lower()
    lang_query = f"?lang={asked}" if asked in LANGUAGES else ""
    switch = [
        {"code": code, "name": name, "href": f"/login?lang={code}", "active": code == current_language()}
        for code, name in (("en", "English"), ("nl", "Nederlands"))
    ]
    texts = _page_texts()
    hours = authenticator.token_lifetime.total_seconds() / 3600
    texts["note"] = texts["note"].format(hours=format_number(hours, 0 if hours.is_integer() else 1))
    html = (
        _environment()
        .get_template("login.html.j2")
        .render(
            lang=current_language(),
            page_title=_("Log out") if user else _("Log in"),
            t=texts,
            switch=switch,
            message=message,
            user=user,
            logged_in=_("Logged in as {name} ({role}, {organisation}).").format(
                name=user.name, role=user.role, organisation=user.organisation
            )
            if user
            else "",
            csrf=csrf,
            next=next_path,
            lang_query=lang_query,
        )
    )
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.set_cookie(CSRF_COOKIE, csrf, **_cookie(request))
    return response


def _cookie(request: Request) -> dict[str, Any]:
    return cookie_options(secure=request.url.scheme == "https")


def _session_user(request: Request) -> UserRecord | None:
    """Return the user of the request's session cookie, if it is valid."""
    token = request.cookies.get(SESSION_COOKIE)
    return authenticator_of(request).user_for(token) if token else None


@pages_router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """Show the login form (or the logout form when the session is valid)."""
    return _login_page(request, user=_session_user(request), next_path=safe_next(next))


@pages_router.post("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Log in from the form: set the session cookie and go on to ``next``; else show why not."""
    target = safe_next(next)
    if not csrf_matches(request.cookies.get(CSRF_COOKIE), csrf_token):
        return _login_page(request, status_code=403, message=_(CSRF_MESSAGE), next_path=target)
    authenticator = authenticator_of(request)
    try:
        issued = authenticator.login(username, password, client_of(request))
    except TooManyLogins as error:
        return _login_page(
            request, status_code=429, message=str(error), next_path=target, headers=error.headers
        )
    except NotAuthenticated as error:
        return _login_page(request, status_code=401, message=str(error), next_path=target)
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(SESSION_COOKIE, issued.token, max_age=issued.expires_in, **_cookie(request))
    # A new CSRF token for the new session: one seen before the login is worth nothing after it.
    response.set_cookie(CSRF_COOKIE, new_csrf_token(), **_cookie(request))
    return response


@pages_router.post("/logout", response_class=HTMLResponse)
def logout_form(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    """Log out from the form: revoke the session's token, remove the cookie, go to the login page."""
    if not csrf_matches(request.cookies.get(CSRF_COOKIE), csrf_token):
        return _login_page(request, status_code=403, message=_(CSRF_MESSAGE), user=_session_user(request))
    token = request.cookies.get(SESSION_COOKIE)
    user = _session_user(request)
    if token and user is not None:
        authenticator_of(request).logout(token, user)
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    options = _cookie(request)
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=options["secure"], httponly=True, samesite="strict"
    )
    return response

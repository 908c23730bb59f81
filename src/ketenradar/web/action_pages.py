"""The dashboard's action pages: measure catalogue and ranking (``/measures``), roadmaps (``/roadmaps``).

``/measures`` shows the shipped catalogue with the report's ratings (the document of ``GET
/api/v1/measures``) and a form whose script ranks a measures file on a stored chain under a
scenario through ``POST /api/v1/measures/rank``. ``/roadmaps`` reads a roadmap file the user
picks or pastes through ``POST /api/v1/roadmaps/show`` and shows its steps, risks,
interventions and milestones with owners, dates and status. The scenario runner (``/scenarios``)
takes a scenario file as well as a library scenario.

A YAML file cannot be sent as a JSON document from the browser without a YAML reader, so
``POST /dashboard/document`` reads a picked or pasted YAML or JSON file with the same reader as
the command line (keys given twice, bad syntax with its line) and returns its document; the
page then sends that document to the API. The words the shared header and the scenario runner
need beyond those of :mod:`ketenradar.web.pages` come from template globals registered by
:func:`include_action_pages`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import pandas as pd
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field

from ketenradar.locale import MISSING, N_, _, current_language, format_number, translate
from ketenradar.web.pages import _environment, _render
from ketenradar.web.state import request_store
from ketenradar.web.views import number, percent

__all__ = [
    "TEMPLATE_GLOBALS",
    "DocumentRequest",
    "client_name",
    "include_action_pages",
    "nav_texts",
    "plain_document",
    "router",
    "runner_config",
    "runner_texts",
]

router = APIRouter(include_in_schema=False)

RATING_WORDS = {
    "low": N_("low"),
    "medium": N_("medium"),
    "high": N_("high"),
    "short": N_("short"),
    "long": N_("long"),
}
ACTOR_WORDS = {"government": N_("government"), "companies": N_("companies")}
STATUS_WORDS = {
    "planned": N_("planned"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "dropped": N_("dropped"),
}
OWNER_WORDS = {
    "government": N_("government"),
    "companies": N_("companies"),
    "knowledge_institutes": N_("knowledge institutes"),
}
RISK_WORDS = {
    "single_point_of_failure": N_("single point of failure"),
    "unknown_upstream": N_("origin upstream unknown"),
    "crma_single_country": N_("one country above the CRMA limit"),
    "iea_shortfall": N_("shortfall in the IEA outlook"),
    "scenario_availability": N_("availability under the scenario"),
    "other": N_("other"),
}
# The standard steps of the roadmap method, with the titles of mitigation.roadmap.STEP_TITLES (the
# dashboard may not import the core; a test checks that the two agree).
STEP_WORDS = {
    "scope": N_("Scope"),
    "chain_mapping": N_("Map the chain"),
    "risk_assessment": N_("Assess the risks"),
    "interventions": N_("Interventions"),
    "instruments": N_("Instruments"),
    "owners": N_("Owners"),
    "timeline": N_("Timeline and status"),
}


def nav_texts() -> dict[str, str]:
    """Return the header's links to the action pages, in the active language."""
    return {"measures": _("Measures"), "roadmaps": _("Roadmaps")}


def _words(mapping: dict[str, str]) -> dict[str, str]:
    """Return a code → words mapping in the active language."""
    return {code: translate(words) for code, words in mapping.items()}


def _number_style() -> dict[str, str]:
    """Return how the page's scripts write numbers: decimal sign, thousands separator, missing."""
    return {
        "lang": current_language(),
        "decimal": format_number(1.5, 1)[1],
        "group": format_number(1000, 0)[1],
        "missing": MISSING,
    }


def _config(texts: dict[str, Any]) -> Markup:
    """Return a page script's configuration as JSON that is safe inside a ``<script>`` element."""
    document = {**_number_style(), "texts": texts}
    return Markup(json.dumps(document, ensure_ascii=True).replace("<", "\\u003c"))


def _document_texts() -> dict[str, str]:
    """Return the words of a picked or pasted file, shared by the scenario runner and the action pages."""
    return {
        "reading": _("Reading the file…"),
        "refused": _("The file was refused:"),
        "error": _("The API refused the request:"),
        "failed": _("The request failed; is the server still running?"),
        "empty": _("Pick a file or paste its text first."),
    }


def runner_texts() -> dict[str, str]:
    """Return the scenario runner's words for a scenario file of one's own (a template global)."""
    return {
        "from": _("Where the scenario comes from"),
        "library": _("The shipped library"),
        "own": _("A scenario file of my own (YAML or JSON)"),
        "file": _("Scenario file"),
        "text": _("…or paste its text"),
        "hint": _(
            "A scenario file v1 (docs/input-files.md): name, description, source and shocks. It is read "
            "here and sent as the scenario document of the request; nothing is stored."
        ),
    }


def runner_config() -> Markup:
    """Return the scenario runner's script words for a scenario file (a template global)."""
    return _config(_document_texts())


# The callables every template may use, beside what pages.py passes (see the module docstring).
TEMPLATE_GLOBALS: dict[str, Callable[[], Any]] = {
    "action_nav": nav_texts,
    "runner_texts": runner_texts,
    "runner_config": runner_config,
}


def include_action_pages(app: FastAPI) -> None:
    """Add the action pages and the document reader to ``app``; give the templates their words."""
    _environment().globals.update(TEMPLATE_GLOBALS)
    app.include_router(router)


class DocumentRequest(BaseModel):
    """A YAML or JSON file picked or pasted in a page: the name the user knows it by, and its text."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="document.yaml", max_length=255)
    text: str


def plain_document(value: Any) -> Any:
    """Return a loaded document with dates as ISO text and non-finite numbers as text (JSON-ready)."""
    if isinstance(value, dict):
        return {str(k): plain_document(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_document(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        # The reader of the file's kind then refuses the value by name, as from the file itself.
        return str(value)
    return value


def client_name(name: str) -> str:
    """Return the base name the user gave a file (no folders), cut to 80 characters; else "document"."""
    from ketenradar.ingest.tables import clip

    base = PureWindowsPath(PurePosixPath(name).name).name.strip()
    return clip(base) if base else "document"


@router.post("/dashboard/document")
def read_document(body: DocumentRequest) -> Response:
    """Return ``{"document": ...}`` for a YAML or JSON file's text, read as the command line reads files."""
    from ketenradar.errors import InputFileError
    from ketenradar.ingest.validation import load_document
    from ketenradar.services.jsonable import dumps

    label = client_name(body.name)
    suffix = ".json" if label.lower().endswith(".json") else ".yaml"
    folder = Path(tempfile.mkdtemp(prefix="ketenradar-request-"))
    try:
        path = folder / f"document{suffix}"
        # Text that is not valid UTF-8 (a lone surrogate) is kept as it is, so the reader says so.
        path.write_bytes(body.text.encode("utf-8", "surrogatepass"))
        try:
            document = load_document(path, expected=_("a YAML or JSON document"))
        except InputFileError as error:
            # Problems name the file as the user knows it, never the temporary path.
            wrong = str(path)
            problems = [replace(p, file=label) if p.file == wrong else p for p in error.problems]
            raise type(error)(problems) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    answer = dumps({"document": plain_document(document)}, ensure_ascii=False)
    return Response(answer.encode("utf-8"), media_type="application/json")


def _word(words: dict[str, str], value: Any) -> str:
    """Return a code's words in the active language, the code itself if unknown, ``—`` if missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return MISSING
    text = str(value)
    return translate(words[text]) if text in words else text


def catalogue_view(
    measures: pd.DataFrame, taken: pd.DataFrame, type_labels: dict[str, str]
) -> dict[str, Any]:
    """Return the catalogue's rows and the shares of companies taking measures, formatted for the page.

    ``type_labels`` are the measure types' words in the active language (the catalogue document's).
    """
    types = type_labels
    dutch = current_language() == "nl"
    rows = [
        {
            "id": row["measure_id"],
            "actor": _word(ACTOR_WORDS, row["actor"]),
            "type": types.get(row["type"], row["type"]) if row["type"] else MISSING,
            "measure": row["measure_nl"] if dutch and row["measure_nl"] else row["measure"],
            "impact": _word(RATING_WORDS, row["impact"]),
            "time_horizon": _word(RATING_WORDS, row["time_horizon"]),
            "investment": _word(RATING_WORDS, row["investment"]),
            "complexity": _word(RATING_WORDS, row["complexity"]),
            "effort": number(row["effort"], 0),
            "origin": row["origin"],
        }
        for row in measures.to_dict("records")
    ]
    shares = [
        {
            "rank": format_number(int(row["rank"]), 0),
            "measure": row["measure_nl"] if dutch and row["measure_nl"] else row["measure"],
            # The report gives % of respondents; shown as a percentage like every other share.
            "pct": percent(None if pd.isna(row["pct_companies"]) else row["pct_companies"] / 100, 0),
        }
        for row in taken.to_dict("records")
    ]
    return {"measures": rows, "taken": shares}


def _sources(provenance: dict[str, Any]) -> list[str]:
    """Return one line per dataset a result used: title and year."""
    lines = []
    for dataset in provenance.get("datasets", []):
        title = dataset.get("title") or dataset.get("id")
        year = dataset.get("year") or dataset.get("edition")
        lines.append(f"{title} ({year})" if year else str(title))
    return lines


def _choices(request: Request) -> tuple[list[dict[str, str]], list[str]]:
    """Return the shipped scenarios (id, name) and the names of the stored chains."""
    from ketenradar.services.chains import list_chains
    from ketenradar.services.scenarios import scenario_library

    library = [{"id": s.id, "name": s.name} for s in scenario_library()]
    return library, [v.name for v in list_chains(request_store(request)).versions]


@router.get("/measures", response_class=HTMLResponse)
def measures(request: Request) -> HTMLResponse:
    """Show the measure catalogue with its ratings, and a form to rank measures on a stored chain."""
    from ketenradar.services.measures import measure_catalogue

    result = measure_catalogue()
    document = result.to_json()
    labels = {entry["type"]: entry["label"] for entry in document["measure_types"]}
    view = catalogue_view(result.measures, result.taken, labels)
    library, chain_names = _choices(request)
    texts = {
        "rank_heading": _("Rank measures on a chain"),
        "rank_intro": _(
            "Pick a stored chain, a scenario and a measures file (YAML or JSON: add_supplier, add_stock, "
            "substitute, remove_country; see docs/input-files.md). Each measure changes a copy of the chain "
            "and the scenario is re-run through the REST API (POST /api/v1/measures/rank); the stored "
            "chain is never changed and the numbers shown are the API's."
        ),
        "chain": _("Chain"),
        "scenario": _("Scenario"),
        "measures_file": _("Measures file"),
        "measures_text": _("…or paste its text"),
        "draws": _("Monte Carlo draws (empty: the 365-day simulation)"),
        "seed": _("Seed"),
        "run": _("Rank"),
        "no_chains": _(
            "No chain is stored yet: import one with `ketenradar chain import` or POST /api/v1/chains."
        ),
        "catalogue": _("Measure catalogue (Berenschot 2024)"),
        "catalogue_note": _(
            "The report's priority measures with its ratings; effort = investment + complexity (low 1, "
            "medium 2, high 3). — is a rating the report does not give. The same document as GET "
            "/api/v1/measures."
        ),
        "id": _("id"),
        "actor": _("actor"),
        "type": _("type"),
        "measure": _("measure"),
        "impact": _("impact"),
        "time_horizon": _("time horizon"),
        "investment": _("investment"),
        "complexity": _("complexity"),
        "effort": _("effort"),
        "taken": _("Measures taken by NLDTIB companies (% of respondents, several answers possible)"),
        "rank": _("rank"),
        "pct": _("% of companies"),
        "sources": _("Sources"),
    }
    script_texts = {
        **_document_texts(),
        "running": _("Ranking the measures…"),
        "done": _("Done."),
        "rank": _("rank"),
        "measure": _("measure"),
        "name": _("name"),
        "kind": _("kind"),
        "item": _("item"),
        "loss_avoided": _("platform-days avoided"),
        "cost": _("cost (EUR)"),
        "per_million": _("avoided per million EUR"),
        "impact": _("impact"),
        "effort": _("effort"),
        "platform": _("platform"),
        "availability_before": _("availability, before"),
        "availability_after": _("availability, after"),
        "days_lost_before": _("days lost, before"),
        "days_lost_after": _("days lost, after"),
        "chart": _("Platform-days avoided per measure"),
        "platforms": _("Platforms before and after each measure"),
        "ranking_note": _(
            "Ranked by platform-days avoided per euro where a cost is given, then by platform-days "
            "avoided; ties by impact, effort and id. Impact and effort are the report's ratings of "
            "the catalogue entry named by measure_type."
        ),
        "rule": _("Rule"),
        "notes": _("Notes"),
        "sources": _("Sources"),
    }
    return _render(
        request,
        "measures.html.j2",
        _("Measures"),
        view=view,
        library=library,
        chain_names=chain_names,
        chosen=request.query_params.get("chain", ""),
        sources_list=_sources(document["provenance"]),
        config=_config(script_texts),
        runner=runner_texts(),
        x=texts,
    )


@router.get("/roadmaps", response_class=HTMLResponse)
def roadmaps(request: Request) -> HTMLResponse:
    """Offer to draft a roadmap from a stored chain or to pick or paste a roadmap file, shown by the API."""
    library, chain_names = _choices(request)
    texts = {
        "intro": _(
            "A roadmap (routekaart) is a YAML file you keep, drafted by `ketenradar roadmap draft` and "
            "edited by hand. Pick or paste it: it is read by the REST API (POST /api/v1/roadmaps/show) "
            "with the same checks as `ketenradar roadmap show`, and nothing is stored."
        ),
        "draft_heading": _("Draft a roadmap from a stored chain"),
        "draft_intro": _(
            "The risks come from the chain's exposure, its outlook and CRMA flags and, with a scenario, the "
            "platforms' availability (POST /api/v1/roadmaps/draft). The drafted YAML appears below: save "
            "it, edit it, and show it again."
        ),
        "show_heading": _("Show a roadmap file"),
        "chain": _("Chain"),
        "product_group": _("Product group"),
        "scenario": _("Scenario"),
        "no_scenario": _("none"),
        "start": _("Start quarter (YYYY-Qn; empty: the next quarter)"),
        "draft": _("Draft"),
        "file": _("Roadmap file"),
        "text": _("…or paste its text"),
        "show": _("Show"),
        "download": _("Save the YAML"),
    }
    script_texts = {
        **_document_texts(),
        "running": _("Reading the roadmap…"),
        "drafting": _("Drafting the roadmap…"),
        "done": _("Done."),
        "heading": _("Roadmap {group} (chain {chain})"),
        "drafted": _("Drafted on {date}"),
        "progress": _("Progress"),
        "progress_line": _("{what}: {done} of {counted} done, {dropped} dropped"),
        "interventions_word": _("interventions"),
        "milestones_word": _("milestones"),
        "overall_word": _("overall"),
        "share_done": _("share done"),
        "steps": _("Steps"),
        "step": _("step"),
        "content": _("content"),
        "risks": _("Risks"),
        "kind": _("kind"),
        "subject": _("subject"),
        "detail": _("detail"),
        "interventions": _("Interventions"),
        "milestones": _("Milestones"),
        "id": _("id"),
        "name": _("name"),
        "owners": _("owners"),
        "instrument": _("instrument"),
        "start": _("start"),
        "due": _("due"),
        "status": _("status"),
        "status_date": _("status date"),
        "rank": _("rank"),
        "loss_avoided": _("loss avoided"),
        "loss_note": _(
            "Loss avoided in platform-days, from the ranking of measures; — where it was not measured."
        ),
        "none": _("none"),
        "notes": _("Notes"),
        "statuses": _words(STATUS_WORDS),
        "owner_types": _words(OWNER_WORDS),
        "risk_kinds": _words(RISK_WORDS),
        "step_titles": _words(STEP_WORDS),
    }
    return _render(
        request,
        "roadmap.html.j2",
        _("Roadmaps"),
        library=library,
        chain_names=chain_names,
        chosen=request.query_params.get("chain", ""),
        config=_config(script_texts),
        x=texts,
    )

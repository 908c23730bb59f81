"""The dashboard's pages: each reads the services' results and renders one Jinja template.

Every text a person reads comes from :func:`ketenradar.locale._` in this package (templates hold
no sentences), so the one catalogue translates the pages. Links keep ``?lang=`` when the request
gave it. Pages forbid loading anything from another site (Content-Security-Policy).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from ketenradar.errors import NotFound
from ketenradar.locale import LANGUAGES, MISSING, _, current_language, format_number
from ketenradar.services.chains import stored_chain
from ketenradar.services.maps import GEOJSON_KEY, geojson, topology_json
from ketenradar.web.state import DashboardContext, ReferenceCache, request_store
from ketenradar.web.views import (
    MAX_TREE_NODES,
    chain_sankey,
    chain_tree,
    country_map,
    country_view,
    figure_json,
    map_legend,
    material_maps,
    material_view,
    overview_view,
)

__all__ = ["CONTENT_SECURITY_POLICY", "include_dashboard", "router"]

STATIC = Path(__file__).parent / "static"
# Everything from this server only; no inline script runs, and no other site is ever asked.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DEFAULT_HORIZON_DAYS = 365

router = APIRouter(include_in_schema=False)


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("ketenradar.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _context(request: Request) -> DashboardContext:
    context: DashboardContext = request.app.state.ketenradar
    return context


def _cache(request: Request) -> ReferenceCache:
    cached: ReferenceCache = request.app.state.ketenradar_web
    return cached


def _asked_language(request: Request) -> str | None:
    """Return the ``?lang=`` of the request when it names a supported language."""
    asked = request.query_params.get("lang", "").strip().lower()
    return asked if asked in LANGUAGES else None


def _texts() -> dict[str, str]:
    """Return the words every page shares, in the active language."""
    return {
        "title": _("ketenradar dashboard"),
        "tagline": _("Critical raw materials, countries and value chains for defence"),
        "overview": _("Overview"),
        "chains": _("Chains"),
        "scenarios": _("Scenario runner"),
        "language": _("Language"),
        "sources": _("Sources"),
        "missing_note": _("— means the figure is not available; nothing is estimated in its place."),
        "api_note": _("The same figures as JSON: the REST API under /api/v1 (docs/api.md)."),
        "material": _("Material"),
        "country": _("Country"),
        "stage": _("Stage"),
        "share": _("Share"),
    }


def _render(
    request: Request,
    template: str,
    title: str,
    status_code: int = 200,
    *,
    charts: bool = False,
    **values: Any,
) -> HTMLResponse:
    """Render a page with the shared header, navigation and language links.

    ``charts``: the page draws Plotly charts; the template gets ``plotly_css``, the id of the
    element that tells plotly.js its map stylesheet is present (see :func:`_plotly_style_ids`).
    """
    asked = _asked_language(request)

    def link(path: str, **params: str) -> str:
        query = {**params, **({"lang": asked} if asked else {})}
        return f"{path}?{urlencode(query)}" if query else path

    switch = [
        {
            "code": code,
            "name": name,
            "href": f"{request.url.path}?lang={code}",
            "active": code == current_language(),
        }
        for code, name in (("en", "English"), ("nl", "Nederlands"))
    ]
    html = (
        _environment()
        .get_template(template)
        .render(
            lang=current_language(),
            page_title=title,
            t=_texts(),
            link=link,
            switch=switch,
            missing=MISSING,
            plotly_css=_plotly_style_ids() if charts else None,
            **values,
        )
    )
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
    )


def _not_found(request: Request, message: str) -> HTMLResponse:
    return _render(request, "missing.html.j2", _("Not found"), status_code=404, message=message)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    """Show the key numbers, the EU list and the most concentrated supplies, and the stored chains."""
    from ketenradar.services.chains import list_chains

    context = _context(request)
    cached = _cache(request)
    chains = list(list_chains(request_store(request)).versions)
    view = overview_view(cached.eu_materials(context), cached.countries(context), chains)
    texts = {
        "key_numbers": _("Key numbers"),
        "eu_list": _("The EU list of critical raw materials (2023)"),
        "eu_list_note": _(
            "SR and EI are the European Commission's published supply risk and economic importance; "
            "SR computed is ketenradar's recomputation with the EC method, at its bottleneck stage."
        ),
        "strategic": _("Strategic"),
        "sr": _("SR (EC)"),
        "sr_computed": _("SR computed"),
        "ei": _("EI (EC)"),
        "bottleneck": _("Bottleneck stage"),
        "concentrated": _("Most concentrated supplies"),
        "concentrated_note": _(
            "The material stages with the largest share of global supply from one country (EC 2023)."
        ),
        "largest": _("Largest supplier"),
        "stored": _("Stored chains"),
        "no_chains": _(
            "No chain is stored yet: import one with `ketenradar chain import` or POST /api/v1/chains."
        ),
    }
    return _render(request, "overview.html.j2", _("Overview"), view=view, chains=chains, x=texts)


@router.get("/materials/{material_id}", response_class=HTMLResponse)
def material(request: Request, material_id: str) -> HTMLResponse:
    """Show one material: supply risk, economic importance, flags and country shares per stage."""
    context = _context(request)
    cached = _cache(request)
    view = material_view(
        cached.all_materials(context), material_id, cached.shares(context), cached.countries(context)
    )
    if view is None:
        return _not_found(request, _("no material with the id {id!r}").format(id=material_id))
    maps = material_maps(
        cached.shares(context),
        material_id,
        [str(s["code"]) for s in view["stages"]],
        cached.countries(context),
    )
    for stage in view["stages"]:
        figure, small = maps.get(str(stage["code"]), (None, []))
        stage["map"] = None if figure is None else Markup(figure_json(figure))
        stage["not_drawn"] = (
            _("Not drawn (too small for a world map at 1:110m): {countries}.").format(
                countries=", ".join(small)
            )
            if small
            else ""
        )
    texts = {
        "scores": _("Scores"),
        "published": _("published (EC 2023)"),
        "computed": _("computed by ketenradar"),
        "supply_risk": _("Supply risk (SR)"),
        "economic_importance": _("Economic importance (EI)"),
        "bottleneck": _("Bottleneck stage"),
        "flags": _("Lists"),
        "stage_heading": _("Stage: {stage}"),
        "stage_sr_published": _("Supply risk at this stage, published (EC 2023)"),
        "stage_sr_computed": _("Supply risk at this stage, computed by ketenradar"),
        "largest": _("Largest supplier"),
        "hhi_gs": _("HHI of global supply (governance-weighted)"),
        "hhi_eu": _("HHI of EU sourcing (governance-weighted)"),
        "import_reliance": _("EU import reliance"),
        "crma": _("A third country above the CRMA limit"),
        "gs": _("Share of global supply"),
        "eu": _("Share of EU sourcing"),
        "no_shares": _("No country shares are known for this stage."),
        "basis": _("Shares from: {basis}"),
        "no_stages": _("No stage data are available for this material."),
        "map": _("World map: share of global supply per country at this stage (EC 2023)"),
        "map_note": _(
            "Grey: no figure in the EC data (not listed, or listed below 0.1%). Small states are not "
            "drawn at this scale; the table lists every country."
        ),
    }
    return _render(
        request,
        "material.html.j2",
        view["name"],
        charts=True,
        view=view,
        x=texts,
        geo=GEOJSON_KEY,
        legend=map_legend(),
    )


@router.get("/countries/{iso3}", response_class=HTMLResponse)
def country(request: Request, iso3: str) -> HTMLResponse:
    """Show one country: groups, risk indicators, composite risk and the materials it supplies."""
    context = _context(request)
    cached = _cache(request)
    code = iso3.strip().upper()
    view = country_view(
        cached.countries(context), code, cached.shares(context), cached.all_materials(context)
    )
    if view is None:
        return _not_found(request, _("no country with the ISO 3166 alpha-3 code {code!r}").format(code=iso3))
    # The map depends only on the shipped shares: built once per country and language (0.25 s each).
    # Its inputs are fetched first: the cache's lock is held while the map is built.
    shares, materials, countries = (
        cached.shares(context),
        cached.all_materials(context),
        cached.countries(context),
    )
    view["map"] = cached.reference_value(
        f"country-map:{code}:{current_language()}",
        lambda: Markup(figure_json(country_map(shares, code, materials, countries))),
    )
    texts = {
        "groups": _("Groups"),
        "split": _("NL / EU+EEA / third country"),
        "composite": _("Composite country risk (0 to 1, higher is riskier)"),
        "coverage": _("Weight covered by available indicators"),
        "missing": _("Indicators missing"),
        "indicators": _("Indicators"),
        "indicator": _("Indicator"),
        "value": _("Value"),
        "components": _("Components of the composite risk (scaled 0 to 1)"),
        "component": _("Component"),
        "weight": _("Weight"),
        "supplies": _("Materials it supplies (share of global supply, EC 2023)"),
        "supplies_none": _("The EC 2023 data show no share of global supply of a catalogue material."),
        "map": _("On the world map"),
        "map_note": _(
            "Outlined in red: this country. Pick one of the materials it supplies to see every country's "
            "share of global supply of it at that stage (EC 2023); grey: no figure in the data."
        ),
    }
    return _render(
        request,
        "country.html.j2",
        view["name"],
        charts=True,
        view=view,
        x=texts,
        geo=GEOJSON_KEY,
        legend=map_legend(),
    )


@router.get("/chains", response_class=HTMLResponse)
def chains(request: Request) -> HTMLResponse:
    """List the stored chains with their sizes."""
    from ketenradar.services.chains import list_chains

    listing = list(list_chains(request_store(request)).versions)
    rows = [
        {
            "name": v.name,
            "href": "/chains/" + quote(v.name, safe=""),
            "version": format_number(v.version, 0),
            "created_at": v.created_at,
            "items": format_number(v.n_items, 0),
            "bom": format_number(v.n_bom, 0),
            "sourcing": format_number(v.n_sourcing, 0),
        }
        for v in listing
    ]
    texts = {
        "name": _("Chain"),
        "version": _("Version"),
        "created": _("Stored at"),
        "items": _("Items"),
        "bom": _("Bill-of-materials rows"),
        "sourcing": _("Sourcing rows"),
        "none": _(
            "No chain is stored yet: import one with `ketenradar chain import` or POST /api/v1/chains."
        ),
    }
    return _render(request, "chains.html.j2", _("Chains"), rows=rows, x=texts)


@router.get("/chains/{chain_id}", response_class=HTMLResponse)
def chain(request: Request, chain_id: str) -> HTMLResponse:
    """Show a stored chain as a tree from each platform down to its materials, with country shares."""
    from ketenradar.model.defaults import SPOF_SHARE_THRESHOLD
    from ketenradar.model.vocabulary import label
    from ketenradar.services.chains import chain_details, chain_exposure

    context = _context(request)
    try:
        details = chain_details(request_store(request), chain_id)
        loaded, catalogue = stored_chain(request_store(request), context.catalogue, chain_id)
    except NotFound:
        return _not_found(request, _("no stored chain {name!r}").format(name=chain_id))
    latest = details.versions[-1]
    workspace = getattr(request_store(request), "cache_key", None)
    if workspace is None:
        # A store that cannot say which workspace it is is not cached (see the API's exposure).
        exposure = chain_exposure(loaded, catalogue, SPOF_SHARE_THRESHOLD).to_json()
    else:
        exposure = _cache(request).chain_exposure(
            (str(workspace), chain_id, latest.version, latest.created_at, current_language()),
            lambda: chain_exposure(loaded, catalogue, SPOF_SHARE_THRESHOLD).to_json(),
        )
    trees, cut = chain_tree(loaded, exposure, _cache(request).all_materials(context).materials)
    sankey = chain_sankey(
        exposure, _cache(request).all_materials(context).materials, _cache(request).countries(context)
    )
    kinds = [
        {"kind": label("kind", kind), "count": format_number(count, 0)}
        for kind, count in details.items_per_kind.items()
    ]
    texts = {
        "version": _("Version {version}, stored at {created}").format(
            version=details.versions[-1].version if details.versions else MISSING,
            created=details.versions[-1].created_at if details.versions else MISSING,
        ),
        "kinds": _("Items per kind"),
        "kind": _("Kind"),
        "count": _("Number"),
        "tree": _("From platform to materials"),
        "tree_note": _(
            "Open a part to see what it is made of. The number is the quantity per unit of the part "
            "above; a material shows its largest supplying countries per stage, from the chain's own "
            "sourcing where it has any, else from world shares."
        ),
        "cut": _(
            "The tree stops after {n} parts; the JSON of GET /api/v1/chains/{{id}}/exposure has everything."
        ).format(n=format_number(MAX_TREE_NODES, 0)),
        "run": _("Run a scenario on this chain"),
        "views": _("Show the chain as"),
        "as_tree": _("Tree"),
        "as_sankey": _("Sankey"),
        "sankey": _("From platform to material to country"),
        "sankey_note": _(
            "Width: kilograms of the material in the platform times each country's share at the processing "
            "stage (the chain's own sourcing where it has any, else world shares). Grey: countries outside "
            "the eight largest, and the quantity no source places (unknown)."
        ),
        "no_sankey": _("The chain gives no material quantities, so there is nothing to draw."),
    }
    return _render(
        request,
        "chain.html.j2",
        _("Chain {name}").format(name=details.name),
        charts=True,
        name=details.name,
        kinds=kinds,
        trees=trees,
        cut=cut,
        sankey=None if sankey is None else Markup(figure_json(sankey)),
        x=texts,
    )


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios(request: Request) -> HTMLResponse:
    """Offer the shipped scenarios and the stored chains; the page's script runs them through the API."""
    from ketenradar.services.chains import list_chains
    from ketenradar.services.scenarios import scenario_library

    library = [{"id": s.id, "name": s.name} for s in scenario_library()]
    chain_names = [v.name for v in list_chains(request_store(request)).versions]
    chosen = request.query_params.get("chain", "")
    script_texts = {
        "running": _("Running the scenario…"),
        "done": _("Done."),
        "platform": _("Platform"),
        "availability": _("Availability"),
        "limited_by": _("Limited by"),
        "days_lost": _("Platform-days lost"),
        "min_output": _("Lowest output"),
        "stockout_day": _("First day short"),
        "day": _("Day"),
        "output": _("Output (share of normal)"),
        "rule": _("Rule"),
        "notes": _("Notes"),
        "sources": _("Sources"),
        "chart": _("Daily output per platform"),
        "error": _("The API refused the request:"),
        "failed": _("The request failed; is the server still running?"),
    }
    texts = {
        "intro": _(
            "Pick a scenario from the shipped library and a stored chain. The run goes through the REST API "
            "(POST /api/v1/scenarios/run, and /simulate over time); the numbers shown are the API's."
        ),
        "scenario": _("Scenario"),
        "chain": _("Chain"),
        "over_time": _("Over time (day by day)"),
        "horizon": _("Horizon in days"),
        "run": _("Run"),
        "no_chains": _(
            "No chain is stored yet: import one with `ketenradar chain import` or POST /api/v1/chains."
        ),
    }
    config = {
        "lang": current_language(),
        "decimal": format_number(1.5, 1)[1],
        "group": format_number(1000, 0)[1],
        "missing": MISSING,
        "texts": script_texts,
    }
    return _render(
        request,
        "scenarios.html.j2",
        _("Scenario runner"),
        library=library,
        chain_names=chain_names,
        chosen=chosen,
        horizon=DEFAULT_HORIZON_DAYS,
        config=Markup(json.dumps(config, ensure_ascii=True).replace("<", "\\u003c")),
        x=texts,
    )


# The vendored assets never change while a server runs: browsers may keep them for a day.
_VENDOR_CACHE = {"Cache-Control": "public, max-age=86400"}


@cache
def _plotly_js() -> bytes:
    """Return plotly.js as shipped in the installed ``plotly`` package."""
    return (files("plotly") / "package_data" / "plotly.min.js").read_bytes()


# plotly.js adds its CSS as <style> elements, which the pages' policy (style-src 'self') refuses.
# It skips its own rules where an element with the id "plotly.js-style-global" and the class
# "no-inline-styles" is present (the page links static/vendor/plotly.css under that id), and its
# map library's rules where an element with that library's id is present (maps of tiles only;
# ketenradar's maps are geo maps and need none of them). That id is read from the served file.
_MAPLIBRE_STYLE = re.compile(
    rb'getElementById\("([0-9a-f]{32,64})"\)\)\{var \w+=document\.createElement\("style"\)'
)


@cache
def _plotly_style_ids() -> dict[str, str]:
    """Return the ids plotly.js checks before writing its <style> elements (global rules, map library)."""
    found = _MAPLIBRE_STYLE.search(_plotly_js())
    return {"global": "plotly.js-style-global", "maplibre": found.group(1).decode() if found else ""}


@router.get("/static/vendor/plotly.min.js")
def plotly_js() -> Response:
    """Serve plotly.js from the installed ``plotly`` package (no CDN)."""
    return Response(_plotly_js(), media_type="text/javascript", headers=_VENDOR_CACHE)


@router.get("/static/vendor/world-110m.json")
def world_topology() -> Response:
    """Serve the shipped Natural Earth 1:110m country topology (TopoJSON), for Plotly's base map."""
    return Response(topology_json(), media_type="application/json", headers=_VENDOR_CACHE)


@router.get("/static/vendor/countries.geojson")
def country_geojson() -> Response:
    """Serve the country shapes as GeoJSON with ISO3 ids, which the dashboard's maps colour."""
    return Response(_geojson_text(), media_type="application/geo+json", headers=_VENDOR_CACHE)


@cache
def _geojson_text() -> str:
    return json.dumps(geojson(1), separators=(",", ":"))


def include_dashboard(app: FastAPI) -> None:
    """Add the dashboard's pages and its assets (``/static/``) to the API application ``app``."""
    app.state.ketenradar_web = ReferenceCache()
    app.include_router(router)
    from ketenradar.web.action_pages import include_action_pages  # measures, roadmaps (no cycle)

    include_action_pages(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

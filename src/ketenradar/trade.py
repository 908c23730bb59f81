"""Trade-flow concentration for defence-relevant product groups (F8), on DuckDB.

Comtrade-style (reporter, partner, hs, year, flow, value) and BACI-style (t, i, j, k, v, q)
files are read by DuckDB, checked at the edge, and normalised to one table
``flows(year, exporter, importer, hs, value)``. Shares, HHI, regions, Dutch import dependence
and changes between years are SQL aggregations over it: files of tens of millions of rows
stay out of Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd
import pycountry

from ketenradar import refdata
from ketenradar.errors import InputFileError, Problem
from ketenradar.jsonable import json_records
from ketenradar.refdata import known_country_codes
from ketenradar.refdata.loaders import read_dataset

__all__ = ["BACI_SPECIAL_CODES", "TradeConcentration", "analyse_trade", "load_flows", "product_groups"]

TradeStyle = Literal["comtrade", "baci"]
COMTRADE_COLUMNS = ("reporter", "partner", "hs", "year", "flow", "value")
BACI_COLUMNS = ("t", "i", "j", "k", "v")
# CEPII BACI uses UN numeric codes, with a few of its own for territories it merges.
BACI_SPECIAL_CODES = {251: "FRA", 579: "NOR", 699: "IND", 757: "CHE", 842: "USA", 490: "TWN", 58: "BEL"}
MAX_LISTED = 20


def _style(columns: list[str]) -> TradeStyle:
    lowered = {c.lower() for c in columns}
    if set(BACI_COLUMNS) <= lowered:
        return "baci"
    return "comtrade"


def _problems_from(
    connection: duckdb.DuckDBPyConnection, sql: str, file: str, column: str, message: str, expected: str
) -> list[Problem]:
    rows = connection.execute(sql + f" LIMIT {MAX_LISTED}").fetchall()
    return [
        Problem(file=file, row=int(r), column=column, value=str(v), message=message, expected=expected)
        for r, v in rows
    ]


def load_flows(
    path: str | Path, connection: duckdb.DuckDBPyConnection | None = None
) -> duckdb.DuckDBPyConnection:
    """Read a trade file into table ``flows(year, exporter, importer, hs, value)``, or refuse it.

    Problems (missing columns, non-numeric values, negative values, unknown country codes) are
    listed with their row (header = row 1), at most 20 per kind. A clean file costs one scan
    for the checks; rows are numbered only when something has to be reported.
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputFileError.single(file, "file not found", expected="a Comtrade- or BACI-style CSV file")
    con = connection or duckdb.connect()
    source = "read_csv(?, all_varchar = true, header = true)"
    try:
        columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}", [file]).fetchall()]
    except duckdb.Error as error:
        raise InputFileError.single(
            file,
            f"not a readable CSV file ({str(error).splitlines()[0]})",
            expected="comma-separated values with one header row",
        ) from None
    style = _style(columns)
    wanted = BACI_COLUMNS if style == "baci" else COMTRADE_COLUMNS
    lower = {c.lower(): c for c in columns}
    missing = [c for c in wanted if c not in lower]
    if missing:
        raise InputFileError(
            [
                Problem(
                    file=file,
                    row=1,
                    column=c,
                    message="required column is missing",
                    expected=f"Comtrade style ({', '.join(COMTRADE_COLUMNS)}) or BACI style "
                    f"({', '.join(BACI_COLUMNS)}, q); found {', '.join(columns)}",
                )
                for c in missing
            ]
        )
    col = {c: f'"{lower[c]}"' for c in wanted}
    fixed_types = (
        {"v": "DOUBLE", "t": "INTEGER", "i": "INTEGER", "j": "INTEGER", "k": "VARCHAR"}
        if style == "baci"
        else {
            "value": "DOUBLE",
            "year": "INTEGER",
            "hs": "VARCHAR",
            "reporter": "VARCHAR",
            "partner": "VARCHAR",
            "flow": "VARCHAR",
        }
    )
    # Only our own column names (a header equal to one of them up to case) reach the SQL text;
    # other headers of the user's file never do.
    type_spec = ", ".join(f"'{lower[c]}': '{kind}'" for c, kind in fixed_types.items() if c in lower)
    try:
        # A clean file reads typed in one pass; a conversion error sends it down the text path,
        # which finds and reports every bad cell.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE raw AS SELECT * FROM "
            f"read_csv(?, header = true, types = {{{type_spec}}})",
            [file],
        )
    except duckdb.Error:
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw AS SELECT * FROM {source}", [file])
    value_name, year_name = ("v", "t") if style == "baci" else ("value", "year")
    value, year = col[value_name], col[year_name]
    checks = {
        (
            value_name,
            "not a number",
            "a trade value with a dot as decimal separator",
        ): f"TRY_CAST({value} AS DOUBLE) IS NULL",
        (value_name, "negative trade value", "a value ≥ 0"): f"TRY_CAST({value} AS DOUBLE) < 0",
        (year_name, "not a year", "a year such as 2022"): f"TRY_CAST({year} AS INTEGER) IS NULL",
    }
    if style == "comtrade":
        checks[("flow", "unknown flow", "export or import (X or M)")] = (
            f"lower(trim({col['flow']})) NOT IN ('x', 'm', 'export', 'import', 'exports', 'imports')"
        )
    counts = con.execute(
        "SELECT " + ", ".join(f"count_if({c})" for c in checks.values()) + " FROM raw"
    ).fetchone()
    failing = [
        (key, condition) for (key, condition), n in zip(checks.items(), counts or (), strict=True) if n
    ]

    if style == "baci":
        numeric = {int(c.numeric): c.alpha_3 for c in pycountry.countries}
        numeric.update(BACI_SPECIAL_CODES)
        mapping = pd.DataFrame({"num": list(numeric), "iso3": list(numeric.values())})
        sides = ("i", "j")
        known_codes = {str(k) for k in numeric}
        expected_code = "a UN numeric country code as BACI uses"
        normalise = "CAST(TRY_CAST({c} AS INTEGER) AS VARCHAR)"
    else:
        mapping = pd.DataFrame({"code": list(known_country_codes())})
        sides = ("reporter", "partner")
        known_codes = set(known_country_codes())
        expected_code = "an ISO 3166 alpha-3 code such as NLD"
        normalise = "upper(trim({c}))"
    codes = con.execute(
        " UNION ".join(
            f"SELECT DISTINCT {normalise.format(c=col[s])} AS code, '{s}' AS side FROM raw" for s in sides
        )
    ).fetchall()
    bad_codes = {(side, code) for code, side in codes if code not in known_codes}
    if failing or bad_codes:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE numbered AS SELECT *, row_number() OVER () + 1 AS _row "
            f"FROM {source}",
            [file],
        )
        problems: list[Problem] = []
        for (name, message, expected), condition in failing:
            problems += _problems_from(
                con,
                f"SELECT _row, {col[name]} FROM numbered WHERE {condition}",
                file,
                lower[name],
                message,
                expected,
            )
        for side in sides:
            bad = sorted(code for s, code in bad_codes if s == side and code is not None)
            if bad or (side, None) in bad_codes:
                # The bad codes are data from the file: they go in as a table, never as SQL text.
                con.register("bad_codes", pd.DataFrame({"code": bad or [""]}))
                problems += _problems_from(
                    con,
                    f"SELECT _row, {col[side]} FROM numbered "
                    f"WHERE coalesce({normalise.format(c=col[side])}, '') IN (SELECT code FROM bad_codes) "
                    f"OR {normalise.format(c=col[side])} IS NULL",
                    file,
                    lower[side],
                    "unknown country code",
                    expected_code,
                )
        raise InputFileError(problems)

    con.register("country_codes", mapping)
    if style == "baci":
        select = (
            f"SELECT CAST({col['t']} AS INTEGER) AS year, e.iso3 AS exporter, m.iso3 AS importer, "
            f"lpad({col['k']}, 6, '0') AS hs, CAST({col['v']} AS DOUBLE) AS value FROM raw "
            f"JOIN country_codes e ON CAST(raw.{col['i']} AS INTEGER) = e.num "
            f"JOIN country_codes m ON CAST(raw.{col['j']} AS INTEGER) = m.num"
        )
    else:
        exports = f"(lower(trim({col['flow']})) LIKE 'x%' OR lower(trim({col['flow']})) LIKE 'e%')"
        select = (
            f"SELECT CAST({col['year']} AS INTEGER) AS year, "
            f"CASE WHEN {exports} THEN upper(trim({col['reporter']})) ELSE upper(trim({col['partner']})) END "
            f"AS exporter, "
            f"CASE WHEN {exports} THEN upper(trim({col['partner']})) ELSE upper(trim({col['reporter']})) END "
            f"AS importer, trim({col['hs']}) AS hs, CAST({col['value']} AS DOUBLE) AS value FROM raw"
        )
    con.execute(f"CREATE OR REPLACE TEMP TABLE flows AS {select}")
    con.execute("DROP TABLE raw")
    return con


@dataclass(frozen=True, slots=True)
class TradeConcentration:
    """Exporter concentration per product code and year, by region, and Dutch import dependence."""

    concentration: pd.DataFrame
    exporter_shares: pd.DataFrame
    regions: pd.DataFrame
    nl_dependence: pd.DataFrame
    change: pd.DataFrame
    hs_digits: int


def analyse_trade(
    connection: duckdb.DuckDBPyConnection, hs_digits: int = 6, top: int = 5
) -> TradeConcentration:
    """Compute shares, HHI, regional shares, NL dependence and changes from table ``flows``."""
    if hs_digits not in (2, 4, 6):
        raise ValueError("hs_digits must be 2, 4 or 6")
    con = connection
    regions = read_dataset("country_regions")[["iso3", "continent"]]
    groups = refdata.load_countries().frame["nl_split"].reset_index()
    con.register("regions", regions)
    con.register("splits", groups)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE by_exporter AS
        SELECT year, left(hs, {hs_digits}) AS hs, exporter, sum(value) AS value
        FROM flows GROUP BY ALL
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE shares AS
        SELECT *, value / sum(value) OVER (PARTITION BY year, hs) AS share FROM by_exporter
    """)
    concentration = con.execute("""
        SELECT year, hs, sum(value) AS total_value, count(*) AS exporters, sum(share * share) AS hhi,
               arg_max(exporter, share) AS top_exporter, max(share) AS top_share
        FROM shares GROUP BY year, hs ORDER BY hs, year
    """).df()
    exporter_shares = con.execute(f"""
        SELECT year, hs, exporter, value, share FROM (
            SELECT *, row_number() OVER (PARTITION BY year, hs ORDER BY share DESC) AS rank FROM shares)
        WHERE rank <= {int(top)} ORDER BY hs, year, share DESC
    """).df()
    region_shares = con.execute("""
        SELECT year, hs, CASE WHEN exporter = 'CHN' THEN 'China'
                              ELSE coalesce(nullif(r.continent, ''), 'unknown') END AS region,
               sum(share) AS share
        FROM shares LEFT JOIN regions r ON shares.exporter = r.iso3
        GROUP BY ALL ORDER BY hs, year, share DESC
    """).df()
    nl = con.execute(f"""
        WITH imports AS (
            SELECT year, left(hs, {hs_digits}) AS hs, exporter AS partner, sum(value) AS value
            FROM flows WHERE importer = 'NLD' GROUP BY ALL),
        partner_shares AS (
            SELECT *, value / sum(value) OVER (PARTITION BY year, hs) AS share FROM imports)
        SELECT year, hs, sum(value) AS nl_imports, arg_max(partner, share) AS top_partner,
               max(share) AS top_partner_share, sum(share * share) AS partner_hhi,
               sum(CASE WHEN coalesce(s.nl_split, 'third') = 'third' THEN share ELSE 0 END)
                   AS third_country_share
        FROM partner_shares p LEFT JOIN splits s ON p.partner = s.iso3
        GROUP BY year, hs ORDER BY hs, year
    """).df()
    change = con.execute("""
        WITH bounds AS (SELECT hs, min(year) AS first, max(year) AS last FROM shares
                        GROUP BY hs HAVING min(year) < max(year)),
        c AS (SELECT year, hs, sum(share * share) AS hhi, max(share) AS top_share
              FROM shares GROUP BY year, hs)
        SELECT b.hs, b.first AS year_from, b.last AS year_to, f.hhi AS hhi_from, l.hhi AS hhi_to,
               l.hhi - f.hhi AS hhi_change, l.top_share - f.top_share AS top_share_change
        FROM bounds b JOIN c f ON f.hs = b.hs AND f.year = b.first JOIN c l ON l.hs = b.hs AND l.year = b.last
        ORDER BY hs
    """).df()
    return TradeConcentration(
        concentration=concentration,
        exporter_shares=exporter_shares,
        regions=region_shares,
        nl_dependence=nl,
        change=change,
        hs_digits=hs_digits,
    )


def product_groups() -> pd.DataFrame:
    """Return the source report's world production-value shares for its eleven HS product groups."""
    raw = read_dataset("seed_product_groups").dropna(subset=["hs_code"])
    return raw.assign(hs_code=raw["hs_code"].astype("int64").astype(str).str.zfill(6)).reset_index(drop=True)


def trade_document(result: TradeConcentration, file: str) -> dict[str, Any]:
    """Return the JSON document of ``trade concentration``."""
    return {
        "file": file,
        "hs_digits": result.hs_digits,
        "concentration": json_records(result.concentration),
        "top_exporters": json_records(result.exporter_shares),
        "regions": json_records(result.regions),
        "nl_import_dependence": json_records(result.nl_dependence),
        "change": json_records(result.change),
        "regions_source": refdata.provenance_of("country_regions").cite(),
    }

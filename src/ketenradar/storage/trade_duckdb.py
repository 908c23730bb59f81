"""Trade flows in DuckDB: read and check Comtrade- or BACI-style files, aggregate to shares.

Comtrade-style (reporter, partner, hs, year, flow, value) and BACI-style (t, i, j, k, v, q)
files are read by DuckDB, checked at the edge, and normalised to one table
``flows(year, exporter, importer, hs, value)``. Aggregation to supplier shares per product code
and year happens here, in SQL, so files of tens of millions of rows stay out of Python; the
indicators over those shares (HHI, largest supplier) are computed by the service with the core's
one HHI. The only SQL text is ours: user values enter as parameters or registered tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import pandas as pd
import pycountry

from ketenradar._types import FloatArray, IntArray
from ketenradar.errors import InputFileError, Problem
from ketenradar.locale import _
from ketenradar.refdata import known_country_codes

__all__ = ["BACI_SPECIAL_CODES", "MAX_TRADE_VALUE", "SupplierShares", "load_flows", "supplier_shares"]

TradeStyle = Literal["comtrade", "baci"]
COMTRADE_COLUMNS = ("reporter", "partner", "hs", "year", "flow", "value")
BACI_COLUMNS = ("t", "i", "j", "k", "v")
# CEPII BACI uses UN numeric codes, with a few of its own for territories it merges.
BACI_SPECIAL_CODES = {251: "FRA", 579: "NOR", 699: "IND", 757: "CHE", 842: "USA", 490: "TWN", 58: "BEL"}
MAX_LISTED = 20
# One flow above this (in the file's currency unit) exceeds a year of world trade; refusing it
# also keeps sums over tens of millions of rows far from overflowing.
MAX_TRADE_VALUE = 1e15


def _clip(value: object) -> str:
    """Return a value as at most 80 characters of text, as messages quote it (storage may not use ingest)."""
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


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
        Problem(
            file=file,
            row=int(r),
            column=column,
            value=None if v is None else _clip(v),
            message=message,
            expected=expected,
        )
        for r, v in rows
    ]


def load_flows(
    path: str | Path, connection: duckdb.DuckDBPyConnection | None = None
) -> duckdb.DuckDBPyConnection:
    """Read a trade file into table ``flows(year, exporter, importer, hs, value)``, or refuse it.

    Problems (missing columns, non-numeric, non-finite, negative or implausibly large values,
    unknown country codes) are listed with their row (header = row 1), at most 20 per kind. A
    clean file costs one scan for the checks; rows are numbered only when something has to be
    reported.
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputFileError.single(
            file, _("file not found"), expected=_("a Comtrade- or BACI-style CSV file")
        )
    con = connection or duckdb.connect()
    source = "read_csv(?, all_varchar = true, header = true)"
    try:
        columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}", [file]).fetchall()]
    except duckdb.Error as error:
        raise InputFileError.single(
            file,
            _("not a readable CSV file ({error})").format(error=str(error).splitlines()[0]),
            expected=_("comma-separated values with one header row"),
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
                    message=_("required column is missing"),
                    expected=_("Comtrade style ({comtrade}) or BACI style ({baci}, q); found {found}").format(
                        comtrade=", ".join(COMTRADE_COLUMNS),
                        baci=", ".join(BACI_COLUMNS),
                        found=", ".join(columns),
                    ),
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
            _("not a number"),
            _("a trade value with a dot as decimal separator"),
        ): f"TRY_CAST({value} AS DOUBLE) IS NULL",
        (
            value_name,
            _("not a finite number (NaN or infinity cannot be computed with)"),
            _("a trade value ≥ 0"),
        ): f"NOT isfinite(TRY_CAST({value} AS DOUBLE))",
        (value_name, _("negative trade value"), _("a value ≥ 0")): (
            f"isfinite(TRY_CAST({value} AS DOUBLE)) AND TRY_CAST({value} AS DOUBLE) < 0"
        ),
        (
            value_name,
            _("trade value too large"),
            _("a value ≤ {limit:g} (more is above a year of world trade)").format(limit=MAX_TRADE_VALUE),
        ): f"isfinite(TRY_CAST({value} AS DOUBLE)) AND TRY_CAST({value} AS DOUBLE) > {MAX_TRADE_VALUE:g}",
        (year_name, _("not a year"), _("a year such as 2022")): f"TRY_CAST({year} AS INTEGER) IS NULL",
    }
    if style == "comtrade":
        checks[("flow", _("unknown flow"), _("export or import (X or M)"))] = (
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
        expected_code = _("a UN numeric country code as BACI uses")
        normalise = "CAST(TRY_CAST({c} AS INTEGER) AS VARCHAR)"
    else:
        mapping = pd.DataFrame({"code": list(known_country_codes())})
        sides = ("reporter", "partner")
        known_codes = set(known_country_codes())
        expected_code = _("an ISO 3166 alpha-3 code such as NLD")
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
                    _("unknown country code"),
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
class SupplierShares:
    """Supplier shares per product code and year, as arrays and small frames.

    ``groups`` has one row per (year, hs) in (hs, year) order with ``total_value`` and
    ``suppliers``; ``share`` and ``group`` give every supplier's share and its row in
    ``groups`` (for the HHI); ``top`` lists the ``k`` largest suppliers per group, largest
    first (ties in the order of the file); ``categories`` sums the shares per category of
    supplier (e.g. world region), largest first.
    """

    groups: pd.DataFrame
    share: FloatArray
    group: IntArray
    top: pd.DataFrame
    categories: pd.DataFrame


def supplier_shares(
    connection: duckdb.DuckDBPyConnection,
    hs_digits: int,
    *,
    top: int,
    importer: str | None = None,
    categories: pd.DataFrame | None = None,
    uncategorised: str = "unknown",
) -> SupplierShares:
    """Aggregate table ``flows`` to supplier shares per product code (cut to ``hs_digits``) and year.

    Suppliers are the exporters of world trade, or with ``importer`` (an ISO3 code) the partners
    that country imports from. ``categories`` (iso3, category) sums the shares per category;
    a supplier it does not list counts as ``uncategorised``.
    """
    if hs_digits not in (2, 4, 6):
        raise ValueError("hs_digits must be 2, 4 or 6")
    digits, k = int(hs_digits), int(top)
    con = connection
    # One ordered table: groups (hs, year) in order, suppliers largest first (ties in the order of
    # the file), so the group of every row follows from the group sizes. The importer is a value
    # of the user's choosing: it goes in as a parameter.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE supplier_shares AS
        WITH by_supplier AS (
            SELECT year, left(hs, {digits}) AS hs, exporter AS supplier, sum(value) AS value,
                   min(rowid) AS first
            FROM flows WHERE ? IS NULL OR importer = ? GROUP BY ALL)
        SELECT *, value / sum(value) OVER (PARTITION BY year, hs) AS share,
               row_number() OVER (PARTITION BY year, hs ORDER BY value DESC, first) AS rank
        FROM by_supplier ORDER BY hs, year, rank
        """,
        [importer, importer],
    )
    groups = con.execute(
        "SELECT year, hs, sum(value) AS total_value, count(*) AS suppliers FROM supplier_shares "
        "GROUP BY year, hs ORDER BY hs, year"
    ).df()
    share = con.execute("SELECT share FROM supplier_shares").fetchnumpy()["share"]
    ranked = con.execute(
        "SELECT year, hs, supplier, value, share FROM supplier_shares "
        f"WHERE rank <= {k} ORDER BY hs, year, rank"
    ).df()
    category_shares = pd.DataFrame(columns=["year", "hs", "category", "share"])
    if categories is not None:
        con.register("supplier_categories", categories[["iso3", "category"]])
        category_shares = con.execute(
            """
            SELECT year, hs, coalesce(nullif(c.category, ''), ?) AS category, sum(share) AS share
            FROM supplier_shares LEFT JOIN supplier_categories c ON supplier_shares.supplier = c.iso3
            GROUP BY ALL ORDER BY hs, year, share DESC, category
            """,
            [uncategorised],
        ).df()
    return SupplierShares(
        groups=groups,
        share=np.asarray(share, dtype=np.float64),
        group=np.repeat(np.arange(len(groups)), groups["suppliers"].to_numpy()).astype(np.intp),
        top=ranked,
        categories=category_shares,
    )

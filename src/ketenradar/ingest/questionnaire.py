"""The company questionnaire (F6): format, lists of answers, reading and validation.

Four sheets, as the chain workbook: ``companies`` (one row per responding company),
``materials``, ``areas`` and ``measures`` (one row per company and answer, since a company may
give several). Read from Excel, a CSV folder or JSON; every problem is reported at once: the
cell checks and, on the cells that passed, the checks across sheets (unknown companies, areas
outside their category).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.sheets import read_sheets
from ketenradar.ingest.tables import MAX_PROBLEMS, ROW, Column, clip
from ketenradar.ingest.workbook import check_sheets
from ketenradar.ingest.workbook_writer import write_workbook_template
from ketenradar.locale import N_, _
from ketenradar.model.survey import SURVEY_SHEETS, Survey
from ketenradar.model.vocabulary import CHAIN_POSITIONS, MEASURES, SURVEY_DOMAINS, VISIBILITY_LEVELS, label
from ketenradar.refdata import load_dis_areas

__all__ = ["read_survey", "survey_from_frames", "survey_schema", "write_survey_template"]


def survey_schema(materials: Collection[str]) -> dict[str, list[Column]]:
    """Return the columns of each questionnaire sheet."""
    areas = load_dis_areas()
    return {
        "companies": [
            Column("company"),
            Column("fte", "number", minimum=0.0),
            Column("domain", "choice", choices=SURVEY_DOMAINS),
            Column("chain_position", "choice", choices=CHAIN_POSITIONS),
            Column("visibility", "choice", choices=tuple(VISIBILITY_LEVELS)),
            Column("few_suppliers", "bool"),
            Column("owner_country", "iso3", required=False, allow_empty=True),
        ],
        "materials": [
            Column("company"),
            Column("material", "choice", choices=tuple(materials)),
            Column("bought_directly", "bool", required=False, allow_empty=True),
        ],
        "areas": [
            Column("company"),
            Column("category", "choice", choices=tuple(areas["category"].unique())),
            Column("area", "choice", choices=tuple(a.lower() for a in areas["area"])),
        ],
        "measures": [Column("company"), Column("measure", "choice", choices=tuple(MEASURES))],
    }


def read_survey(path: str | Path, materials: Collection[str], name: str | None = None) -> Survey:
    """Read and validate questionnaire answers from ``.xlsx``, a CSV folder or ``.json``."""
    path = Path(path)
    sheets, first_row = read_sheets(path, list(SURVEY_SHEETS), what=N_("questionnaire answers"))
    return survey_from_frames(
        sheets, file=str(path), materials=materials, name=name or path.stem, first_row=first_row
    )


def survey_from_frames(
    sheets: dict[str, pd.DataFrame | None],
    *,
    file: str,
    materials: Collection[str],
    name: str,
    first_row: int = 2,
    synthetic: bool = False,
) -> Survey:
    """Validate the four sheets, or raise InputFileError with every problem."""
    areas_sheet = sheets.get("areas")
    if areas_sheet is not None and "area" in areas_sheet.columns:
        # Area names are matched case-insensitively.
        lowered = areas_sheet["area"].astype(str).str.strip().str.lower()
        sheets = {**sheets, "areas": areas_sheet.assign(area=lowered)}
    unique = {
        "companies": ("company",),
        "materials": ("company", "material"),
        "areas": ("company", "category", "area"),
        "measures": ("company", "measure"),
    }
    tables, problems = check_sheets(
        sheets,
        survey_schema(materials),
        file=file,
        unique=unique,
        required_rows={"companies"},
        first_row=first_row,
    )
    # One pass: the checks across sheets run on the cells that passed, reported with the rest.
    companies = tables.get("companies")
    if companies is not None and companies.header_ok:
        known = set(companies.frame["company"][companies.ok("company")])
        for sheet in ("materials", "areas", "measures"):
            table = tables.get(sheet)
            if table is None or not table.header_ok or table.frame.empty:
                continue
            frame = table.frame
            unknown = table.ok("company") & ~frame["company"].isin(known).to_numpy()
            problems += [
                Problem(
                    file=file,
                    sheet=sheet,
                    row=int(r),
                    column="company",
                    value=clip(v),
                    message=_("unknown company"),
                    expected=_("a company of the companies sheet"),
                )
                for r, v in zip(frame[ROW].to_numpy()[unknown], frame["company"][unknown], strict=True)
            ]
    areas_table = tables.get("areas")
    if areas_table is not None and areas_table.header_ok and not areas_table.frame.empty:
        areas = load_dis_areas().assign(area=lambda f: f["area"].str.lower())
        checked_pairs = areas_table.frame[areas_table.ok("category", "area")]
        pairs = checked_pairs.merge(areas, on=["category", "area"], how="left", indicator=True)
        wrong = (pairs["_merge"] == "left_only").to_numpy()
        problems += [
            Problem(
                file=file,
                sheet="areas",
                row=int(r),
                column="area",
                value=clip(v),
                message=_("area does not belong to this category"),
                expected=_("an area listed under its category (see the template)"),
            )
            for r, v in zip(pairs[ROW].to_numpy()[wrong], pairs["area"][wrong], strict=True)
        ]
    if problems:
        order = {sheet: i for i, sheet in enumerate(SURVEY_SHEETS)}
        problems.sort(key=lambda p: (order.get(p.sheet or "", -1), p.row or 0))
        raise InputFileError(problems[:MAX_PROBLEMS])
    typed = {sheet: table.frame for sheet, table in tables.items()}
    clean = {sheet: frame.drop(columns=[ROW]) for sheet, frame in typed.items()}
    clean["companies"]["fte"] = clean["companies"]["fte"].astype(np.float64)
    return Survey(
        name=name,
        companies=clean["companies"],
        materials=clean["materials"],
        areas=clean["areas"],
        measures=clean["measures"],
        source=file,
        synthetic=synthetic,
    )


def write_survey_template(path: str | Path, materials: Collection[str]) -> Path:
    """Write an empty questionnaire workbook with instructions and drop-downs, in the active language.

    Every DIS area belongs to one category, and an answer gives the pair: the instructions list
    the areas of each category, a ``dis_areas`` sheet shows category and area side by side, the
    area drop-down lists the areas category by category, and an area outside its row's
    category turns red.
    """
    areas = load_dis_areas()
    categories = list(dict.fromkeys(areas["category"]))
    by_category = {c: [a.lower() for a in areas.loc[areas["category"] == c, "area"]] for c in categories}
    lists = {
        "domain": list(SURVEY_DOMAINS),
        "chain_position": list(CHAIN_POSITIONS),
        "visibility": list(VISIBILITY_LEVELS),
        "material": sorted(materials),
        "category": categories,
        "area": [a for c in categories for a in by_category[c]],
        "measure": list(MEASURES),
        "few_suppliers": ["true", "false"],
        "bought_directly": ["true", "false"],
    }
    instructions = [
        _("ketenradar company questionnaire (v1)"),
        "",
        _(
            "companies: one row per company (pseudonymous id, FTE, dominant domain, chain position, "
            "insight into the chain, dependence on a limited number of suppliers, ultimate-owner country)."
        ),
        _("materials: one row per material used in products or components (bought_directly: true/false)."),
        _("areas: one row per DIS technology, knowledge area or industrial capability of the company."),
        _(
            "Each area belongs to one category: give the category and an area of that category (the "
            "sheet dis_areas lists them side by side; an area outside its category turns red)."
        ),
        *(
            _("Areas of {category}: {areas}").format(category=c, areas="; ".join(by_category[c]))
            for c in categories
        ),
        _("measures: one row per measure taken against supply risks."),
        _("Visibility levels: {levels}").format(
            levels="; ".join(f"{k} = {label('visibility', k)}" for k in VISIBILITY_LEVELS)
        ),
        _("Measures: {measures}").format(
            measures="; ".join(f"{k} = {label('measure', k)}" for k in MEASURES)
        ),
        _("Import with: ketenradar survey import THIS_FILE.xlsx --name NAME"),
    ]
    reference = pd.DataFrame(
        {"category": areas["category"], "area": areas["area"].str.lower(), "area_nl": areas["area_nl"]}
    )
    last = len(reference) + 1
    # Red where the area is not one of the row's category (COUNTIFS ignores case, as the import does).
    outside = (
        f'AND(${{area}}2<>"",COUNTIFS(dis_areas!$A$2:$A${last},${{category}}2,'
        f"dis_areas!$B$2:$B${last},${{area}}2)=0)"
    )
    return write_workbook_template(
        path,
        survey_schema(materials),
        lists,
        instructions,
        reference={"dis_areas": reference},
        prompts={("areas", "area"): _("an area of the row's category; the sheet dis_areas lists them")},
        highlights={"areas": outside},
    )

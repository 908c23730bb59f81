"""Tiny hand-checkable chains written as CSV folders (the workbook v1 format)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ketenradar import refdata
from ketenradar.model.chain import Chain

# The hand-computed radar example, copied into the tests (see tests/data/README.md).
RADAR = Path(__file__).resolve().parent.parent / "data" / "radar_chain"

# The 34 EU materials and the shipped defence-critical extras (aramid, UHMWPE ...).
CATALOGUE = refdata.load_materials().with_materials(refdata.load_defence_materials_extra())

# Two platforms share one component: the shared component's material counts for both.
SHARED = {
    "items.csv": """id,name,kind,domain,dis_area,material,unit
tank,Tank,platform,land,,,unit
ifv,Infantry fighting vehicle,platform,land,,,unit
engine,Engine,subsystem,land,,,unit
turret,Turret,subsystem,land,,,unit
magnet,Magnet,component,land,,,unit
w,Tungsten,material,,,tungsten,kg
ndpr,NdPr,material,,,light_rare_earths,kg
ga,Gallium,material,,,gallium,kg
""",
    "bom.csv": """parent,child,quantity
tank,engine,1
tank,turret,1
ifv,engine,2
engine,magnet,4
turret,w,10
magnet,ndpr,0.5
turret,ga,0.01
""",
    "sourcing.csv": """item,country,share,stage,supplier,tier
tank,NLD,1,,OEM,0
ifv,DEU,1,,OEM2,0
engine,DEU,0.6,,E1,1
engine,FRA,0.4,,E2,1
turret,NLD,1,,T1,1
magnet,CHN,1,,M1,2
w,CHN,0.8,processing,,3
w,AUT,0.2,processing,,3
w,CHN,1,mining,,4
""",
}


def write_chain(folder: Path, files: dict[str, str]) -> Path:
    """Write the CSV files of a chain into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def as_sheets(chain: Chain) -> dict[str, pd.DataFrame]:
    """Return a chain's three sheets as text frames, as a workbook would hold them."""
    return {
        name: getattr(chain, name).astype(str).replace("nan", "") for name in ("items", "bom", "sourcing")
    }

"""Synthetic national-scale chains for benchmarks and tests (labelled synthetic everywhere).

A tiered DAG: platforms → subsystems → components → semi-finished goods → raw materials, each
item with one to five parents in the tier above (about three on average, so components are
shared), and sourcing drawn from the reference data's world shares for raw materials.
Everything is drawn with NumPy in bulk; a seed fixes the chain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ketenradar.model.chain import CHAIN_COLUMNS, Chain

__all__ = ["MANUFACTURING_COUNTRIES", "synthetic_chain"]

# Manufacturing countries for parts with rough weights: a plausible spread, not data.
MANUFACTURING_COUNTRIES = {
    "NLD": 0.14,
    "DEU": 0.16,
    "FRA": 0.10,
    "USA": 0.16,
    "GBR": 0.07,
    "ITA": 0.06,
    "SWE": 0.04,
    "POL": 0.03,
    "CHN": 0.10,
    "JPN": 0.05,
    "KOR": 0.04,
    "ISR": 0.03,
    "TWN": 0.02,
}


def _tier_sizes(n: int, platforms: int) -> list[int]:
    rest = n - platforms
    subsystems = max(1, min(platforms * 20, rest // 10))
    rest -= subsystems
    components = int(rest * 0.35)
    semi = int(rest * 0.35)
    return [platforms, subsystems, components, semi, rest - components - semi]


def _parents(
    rng: np.random.Generator,
    n_children: int,
    first_parent: int,
    n_parents: int,
    first_child: int,
    locality: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw 1-5 parents per child (3 on average before duplicates) in the tier above.

    Most parents lie near the child's relative position in the tier (a window of
    ``locality`` of the tier), as parts are shared within a family of platforms; one in
    twenty is drawn from anywhere, sharing across families.
    """
    counts = 1 + rng.binomial(4, 0.5, n_children)
    child = np.repeat(np.arange(n_children), counts)
    home = (child + 0.5) / n_children * n_parents
    window = max(1.0, locality * n_parents)
    near = np.clip(home + rng.uniform(-window / 2, window / 2, len(child)), 0, n_parents - 1)
    far = rng.uniform(0, n_parents, len(child))
    parent = np.where(rng.random(len(child)) < 0.05, far, near).astype(np.int64)
    pairs = np.unique(np.stack([first_parent + parent, first_child + child], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


def _draw_shares(rng: np.random.Generator, owner: np.ndarray) -> np.ndarray:
    weight = rng.gamma(1.0, 1.0, len(owner))
    total = np.bincount(owner, weights=weight)
    shares: np.ndarray = weight / total[owner]
    return shares


def synthetic_chain(
    n_items: int,
    *,
    seed: int = 0,
    platforms: int | None = None,
    world_shares: pd.DataFrame | None = None,
    known_fraction: float = 0.8,
) -> Chain:
    """Return a random valid chain of about ``n_items`` items, labelled synthetic.

    A share ``known_fraction`` of the raw-material items carries its own sourcing; the rest
    relies on world shares, as the chains companies know.
    """
    if n_items < 10:
        raise ValueError("a synthetic chain needs at least 10 items")
    rng = np.random.default_rng(seed)
    if world_shares is None:
        from ketenradar import refdata
        from ketenradar.chains import world_supply_shares

        world_shares = world_supply_shares(refdata.load_materials())
    p = platforms if platforms is not None else int(np.clip(n_items // 10_000, 1, 100))
    sizes = _tier_sizes(n_items, p)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    n = int(starts[-1])
    kinds = np.repeat(np.array(["platform", "subsystem", "component", "semi_finished", "material"]), sizes)
    ids = np.char.add(
        np.char.add(np.array(["P", "S", "C", "F", "M"])[np.repeat(np.arange(5), sizes)], "-"),
        np.arange(n).astype(str),
    )
    material_ids = np.array(sorted(world_shares["material"].unique()))
    material = np.full(n, "", dtype=object)
    material[starts[4] :] = material_ids[rng.integers(0, len(material_ids), sizes[4])]

    parents, children = [], []
    for tier in range(1, 5):
        # Raw materials hang under components and semi-finished goods alike.
        first = starts[2] if tier == 4 else starts[tier - 1]
        count = (starts[4] - starts[2]) if tier == 4 else sizes[tier - 1]
        parent, child = _parents(rng, sizes[tier], first, count, starts[tier], locality=0.02)
        parents.append(parent)
        children.append(child)
    parent = np.concatenate(parents)
    child = np.concatenate(children)
    quantity = np.where(
        kinds[child] == "material",
        np.round(rng.gamma(2.0, 0.5, len(child)), 3) + 0.001,
        rng.integers(1, 9, len(child)).astype(float),
    )
    domain = np.array(["land", "air_space", "maritime", "security"])[rng.integers(0, 4, n)]

    items = pd.DataFrame(
        {
            "id": ids,
            "name": np.char.add("synthetic ", ids),
            "kind": kinds,
            "domain": domain,
            "dis_area": "",
            "material": material,
            "unit": np.where(kinds == "material", "kg", "unit"),
        }
    )
    bom = pd.DataFrame({"parent": ids[parent], "child": ids[child], "quantity": quantity})
    sourcing = pd.concat(
        [
            _part_sourcing(rng, ids[: starts[4]], kinds[: starts[4]], starts),
            _material_sourcing(rng, ids[starts[4] :], material[starts[4] :], world_shares, known_fraction),
        ],
        ignore_index=True,
    )
    return Chain(
        name=f"synthetic-{n}-seed{seed}",
        items=items,
        bom=bom,
        sourcing=sourcing,
        source=f"ketenradar.synth.synthetic_chain(n_items={n_items}, seed={seed}) — synthetic",
    )


def _part_sourcing(
    rng: np.random.Generator, ids: np.ndarray, kinds: np.ndarray, starts: np.ndarray
) -> pd.DataFrame:
    tier = np.searchsorted(starts, np.arange(len(ids)), side="right") - 1
    per_item = 1 + rng.binomial(2, 0.4, len(ids))
    owner = np.repeat(np.arange(len(ids)), per_item)
    countries = np.array(list(MANUFACTURING_COUNTRIES))
    weights = np.array(list(MANUFACTURING_COUNTRIES.values()))
    country = countries[rng.choice(len(countries), len(owner), p=weights / weights.sum())]
    frame = pd.DataFrame({"owner": owner, "country": country})
    frame = frame.drop_duplicates(["owner", "country"])
    frame["share"] = _draw_shares(rng, frame["owner"].to_numpy())
    owners = frame["owner"].to_numpy()
    return pd.DataFrame(
        {
            "item": ids[owners],
            "country": frame["country"].to_numpy(),
            "share": frame["share"].to_numpy(),
            "stage": "manufacturing",
            "supplier": np.char.add("supplier-", np.arange(len(frame)).astype(str)),
            "tier": tier[owners].astype(float),
            "lead_time_days": np.nan,
            "stock_days": np.nan,
        }
    )


def _material_sourcing(
    rng: np.random.Generator,
    ids: np.ndarray,
    material: np.ndarray,
    world: pd.DataFrame,
    known_fraction: float,
) -> pd.DataFrame:
    known = rng.random(len(ids)) < known_fraction
    frames = []
    for (name, stage), shares in world.groupby(["material", "stage"]):
        rows = np.flatnonzero(known & (material == name))
        if not rows.size:
            continue
        p = shares["share"].to_numpy()
        draws = 1 + rng.binomial(2, 0.5, rows.size)
        owner = np.repeat(rows, draws)
        country = shares["country"].to_numpy()[rng.choice(len(p), len(owner), p=p / p.sum())]
        frame = pd.DataFrame({"owner": owner, "country": country}).drop_duplicates()
        frame["share"] = _draw_shares(rng, frame["owner"].to_numpy())
        frame["stage"] = stage
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=CHAIN_COLUMNS["sourcing"])
    frame = pd.concat(frames, ignore_index=True)
    owners = frame["owner"].to_numpy()
    return pd.DataFrame(
        {
            "item": ids[owners],
            "country": frame["country"].to_numpy(),
            "share": frame["share"].to_numpy(),
            "stage": frame["stage"].to_numpy(),
            "supplier": "",
            "tier": 4.0,
            "lead_time_days": np.nan,
            "stock_days": np.nan,
        }
    )

"""Value chains as callers use them: open a chain, compute its exposure, list what is stored.

Joins the chain with the reference data (world shares, country groups) and turns the network
results into the JSON documents of the CLI contract (``ChainExposure.to_json``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.errors import ChainNotFound
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.model.chain import Chain
from ketenradar.model.material import MaterialCatalogue
from ketenradar.model.vocabulary import NL_SPLITS, RAW_MATERIAL_STAGES
from ketenradar.network.build import build_chain_matrix
from ketenradar.network.exposure import SPOF_SHARE_THRESHOLD, ExposureResult, compute_exposure
from ketenradar.risk.concentration import hhi_by_key
from ketenradar.services.jsonable import dumps_checked, json_columns, json_infinite, json_records, json_value
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.provenance import InputRecord, ResultProvenance, input_file, provenance, sources_json
from ketenradar.storage.base import ChainVersion, Store

__all__ = [
    "SPOF_SHARE_THRESHOLD",
    "ChainDetails",
    "ChainExposure",
    "ChainListing",
    "OpenedChain",
    "Store",
    "chain_details",
    "chain_exposure",
    "chain_records",
    "list_chains",
    "open_chain",
]

WORLD_SHARES = "EC 2023 global supply"
_EXPOSURE_DATASETS = ("ec_global_supply", "country_groups")


@dataclass(frozen=True, slots=True)
class OpenedChain:
    """A chain with the record of where it came from (a file with its checksum, or a stored version)."""

    chain: Chain
    record: InputRecord


def open_chain(
    reference: str | Path, store: Store | None, catalogue: MaterialCatalogue, *, name: str | None = None
) -> OpenedChain:
    """Return the chain at a workbook path, or the stored chain of that name."""
    path = Path(reference)
    if path.exists() or path.suffix.lower() in (".xlsx", ".json", ".csv"):
        chain = read_chain_workbook(path, list(catalogue), name=name)
        return OpenedChain(chain, input_file("chain", path, name=chain.name))
    if store is None:
        raise ChainNotFound(str(reference))
    chain = store.load_chain(str(reference))
    record = InputRecord(role="chain", source=chain.source, name=chain.name, version=chain.version)
    return OpenedChain(chain, record)


def stored_chain(store: Store, catalogue: MaterialCatalogue, name: str) -> tuple[Chain, MaterialCatalogue]:
    """Return a stored chain (latest version) and the catalogue with the materials stored with it."""
    chain = store.load_chain(name)
    extra = [m for m in store.chain_materials(name) if m.id not in catalogue]
    return chain, catalogue.with_materials(extra) if extra else catalogue


def nl_split_of(countries: pd.Series) -> pd.Series:
    """Return NL, EU+EEA or third for each ISO3 code (unknown codes count as third)."""
    groups = refdata.load_countries().frame["nl_split"]
    return countries.map(groups).fillna("third")


@dataclass(frozen=True, slots=True)
class ChainExposure:
    """The exposure of every platform of a chain, with its provenance."""

    chain: Chain
    result: ExposureResult
    provenance: ResultProvenance

    def split_table(self) -> pd.DataFrame:
        """Return per platform, material and stage: quantity, coverage, NL/EU+EEA/third, HHI, top country."""
        exposure = self.result
        keys = ["platform", "material", "stage"]
        shares = exposure.shares.assign(split=lambda f: nl_split_of(f["country"]))
        table = exposure.coverage.set_index(keys)
        if len(shares):
            split = shares.pivot_table(
                index=keys, columns="split", values="share", aggfunc="sum", fill_value=0.0
            )
            # A stage without any shares keeps a missing split, not zeros.
            table = table.join(split.reindex(columns=list(NL_SPLITS), fill_value=0.0))
            table = table.join(hhi_by_key(shares, keys))
            top = shares.loc[shares.groupby(keys)["share"].idxmax()].set_index(keys)
            table = table.join(
                top[["country", "share"]].rename(columns={"country": "top_country", "share": "top_share"})
            )
        else:
            table = table.assign(
                **dict.fromkeys(NL_SPLITS, np.nan), hhi=np.nan, top_country=None, top_share=np.nan
            )
        table = table.reset_index().merge(exposure.content, on=["platform", "material"], how="left")
        return table.sort_values(keys, ignore_index=True)

    def to_json(self, detail: bool = False) -> dict[str, Any]:
        """Return the ``chain exposure --format json`` document (see the CLI contract).

        ``detail`` adds the per-item tables (why each single point fails, the visibility of
        every branch, every item's own concentration), which for a national chain run to
        millions of rows: :meth:`write_json` streams them instead of holding them.
        """
        head, tail = self._head_and_tail(detail)
        document = {**head, "platforms": list(self._platform_entries(detail))}
        if detail:
            document["node_concentration"] = [r for chunk in self._concentration_chunks() for r in chunk]
        return {**document, **tail}

    def write_json(self, stream: BinaryIO, detail: bool = False) -> None:
        """Write the :meth:`to_json` document to a binary stream, a platform or a chunk of rows at a time."""
        import orjson

        head, tail = self._head_and_tail(detail)
        stream.write(b"{\n")
        for key, value in head.items():
            stream.write(b"  " + orjson.dumps(key) + b": " + dumps_checked(value, newline=False) + b",\n")
        stream.write(b'  "platforms": [')
        separator = b"\n"
        for entry in self._platform_entries(detail, as_json=True):
            stream.write(separator + dumps_checked(entry, newline=False))
            separator = b",\n"
        stream.write(b"\n  ]" if separator == b",\n" else b"]")
        if detail:
            stream.write(b',\n  "node_concentration": [')
            separator = b"\n"
            for chunk in self._concentration_chunks():
                for record in chunk:
                    stream.write(separator + orjson.dumps(record))
                    separator = b",\n"
            stream.write(b"\n  ]" if separator == b",\n" else b"]")
        for key, value in tail.items():
            stream.write(b",\n  " + orjson.dumps(key) + b": " + dumps_checked(value, newline=False))
        stream.write(b"\n}\n")

    def _head_and_tail(self, detail: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return the document's small keys before and after the per-platform and per-item lists."""
        _refuse_infinite(self.result)
        head = {"chain": self.chain.name}
        tail = {
            "detail": "items" if detail else "none",
            "settings": {
                "spof_share_threshold": self.result.spof_threshold,
                "world_shares": WORLD_SHARES,
            },
            "sources": [
                {"dataset": "chain", "title": f"chain {self.chain.name}", "citation": self.chain.source},
                *sources_json(self.provenance.datasets),
            ],
            "provenance": self.provenance.to_json(),
        }
        return head, tail

    def _platform_entries(self, detail: bool, *, as_json: bool = False) -> Iterator[dict[str, Any]]:
        """Yield each platform's entry of the document, in the chain's platform order.

        ``as_json``: long id lists come as ready JSON text (for :meth:`write_json`).
        """
        import orjson

        result = self.result
        items = self.chain.items
        platform_rows = (items["kind"] == "platform").to_numpy()
        # Only the platforms' names: an index of a million ids would be built for a hundred.
        names = dict(zip(items["id"][platform_rows], items["name"][platform_rows], strict=True))
        materials = _materials_json(result)
        spof = _single_point_ids(result, as_json=as_json)
        visibility = result.visibility.set_index("platform")
        tables = self.detail_tables() if detail else {}
        points = _rows_by_platform(tables["single_points"]) if detail else {}
        branches = _rows_by_platform(tables["branches"], keep_platform=False) if detail else {}
        for platform in result.platforms:
            vis = visibility.loc[platform]
            entry: dict[str, Any] = {
                "id": platform,
                "name": names.get(platform, platform),
                "materials": materials.get(platform, []),
                "single_points_of_failure": spof.get(platform, orjson.Fragment(b"[]") if as_json else []),
            }
            if detail:
                entry["single_point_details"] = points.get(platform, [])
            entry["visibility"] = {
                "deepest_known_tier": json_value(vis["deepest_known_tier"]),
                "levels": int(vis["levels"]),
                "material_quantity_known_fraction": json_value(vis["material_quantity_known_fraction"]),
            }
            if detail:
                entry["visibility"]["branches"] = branches.get(platform, [])
            yield entry

    def _concentration_chunks(self, rows: int = 100_000) -> Iterator[list[dict[str, Any]]]:
        """Yield the item concentration table as JSON-ready records, ``rows`` at a time."""
        table = self.result.node_hhi
        for start in range(0, len(table), rows):
            yield json_records(table.iloc[start : start + rows])

    def detail_tables(self) -> dict[str, pd.DataFrame]:
        """Return the per-item tables: single points with their reason, branches, item concentration."""
        result = self.result
        return {
            "single_points": result.single_points[
                ["platform", "item", "stage", "country", "share", "reason", "reason_code"]
            ],
            "branches": result.branches[["platform", "branch", "deepest_known_tier", "levels_below"]],
            "concentration": result.node_hhi,
        }


def _refuse_infinite(result: ExposureResult) -> None:
    """Raise NonFiniteResult if a computed number of the result is infinite (see services.jsonable)."""
    frames = {
        "content": result.content,
        "shares": result.shares,
        "coverage": result.coverage,
        "visibility": result.visibility,
    }
    for name, frame in frames.items():
        numbers = frame.select_dtypes("number")
        if len(numbers.columns) and np.isinf(numbers.to_numpy(dtype=np.float64)).any():
            column = next(c for c in numbers.columns if np.isinf(numbers[c].to_numpy(dtype=np.float64)).any())
            raise json_infinite(f"/{name}/{column}")


def _materials_json(result: ExposureResult) -> dict[str, list[dict[str, Any]]]:
    """Return per platform its materials with their stages, as the contract shapes them.

    One sort, one group-by and one pass over the share rows (a few per platform and material,
    however large the chain).
    """
    keys = ["platform", "material", "stage"]
    shares = result.shares.assign(split=lambda f: nl_split_of(f["country"]))
    # Largest share first within each (platform, material, stage); the split sums follow that order.
    shares = shares.sort_values([*keys, "share"], ascending=[True, True, True, False], kind="stable")
    by_key = hhi_by_key(result.shares, keys)
    # A dict: thousands of single lookups in a MultiIndex cost a third of a second.
    hhi = dict(zip(by_key.index, by_key.to_numpy(dtype=np.float64), strict=True))
    split_sums = shares.groupby([*keys, "split"], sort=False)["share"].sum()
    splits: dict[tuple[str, str, str], dict[str, float]] = {}
    for (platform, material, stage, split), total in split_sums.items():
        splits.setdefault((platform, material, stage), {})[split] = float(total)
    share_maps: dict[tuple[str, str, str], dict[str, float]] = {}
    key_columns = [shares[k].to_numpy(dtype=object) for k in keys]
    countries = shares["country"].to_numpy(dtype=object)
    values = shares["share"].to_numpy(dtype=np.float64)
    for platform, material, stage, country, share in zip(*key_columns, countries, values, strict=True):
        share_maps.setdefault((platform, material, stage), {})[country] = float(share)
    coverage = result.coverage.set_index(keys)
    cover_rows = {
        key: (basis, known, unknown)
        for key, basis, known, unknown in zip(
            coverage.index,
            coverage["basis"].to_numpy(dtype=object),
            coverage["known_fraction"].to_numpy(dtype=np.float64),
            coverage["unknown_share"].to_numpy(dtype=np.float64),
            strict=True,
        )
    }
    content = result.content.sort_values(["platform", "material"], kind="stable")
    out: dict[str, list[dict[str, Any]]] = {}
    for platform, material, quantity in zip(
        content["platform"].to_numpy(dtype=object),
        content["material"].to_numpy(dtype=object),
        content["quantity"].to_numpy(dtype=np.float64),
        strict=True,
    ):
        stages = {}
        for stage in RAW_MATERIAL_STAGES:
            key = (platform, material, stage)
            basis, known, unknown = cover_rows[key]
            split = splits.get(key, {})
            stages[stage] = {
                "shares": share_maps.get(key, {}),
                "basis": basis,
                "known_fraction": json_value(known),
                "unknown_share": json_value(unknown),
                "split": {k: split.get(k, 0.0) for k in NL_SPLITS} if split else {},
                "hhi": json_value(hhi.get(key, np.nan)),
            }
        out.setdefault(platform, []).append(
            {"material": material, "quantity": float(quantity), "stages": stages}
        )
    return out


def _single_point_ids(result: ExposureResult, *, as_json: bool = False) -> dict[str, Any]:
    """Return per platform the sorted ids of its single points of failure, each id once.

    A national chain has millions of them: with ``as_json`` each platform's list comes back
    as ready JSON text (an ``orjson.Fragment``) made by Arrow, so no Python string is made
    per id.
    """
    import orjson
    import pyarrow as pa
    import pyarrow.compute as pc

    platforms, ids = result.single_point_ids()
    if not as_json:
        return {platform: items.to_pylist() for platform, items in zip(platforms, ids, strict=True)}
    lists: dict[str, Any] = {}
    for platform, items in zip(platforms, ids, strict=True):
        if pc.any(pc.match_substring_regex(items, "[\\x00-\\x1f]")).as_py():
            # Control characters need JSON's \u escapes: leave those lists to orjson.
            lists[platform] = orjson.Fragment(orjson.dumps(items.to_pylist()))
            continue
        # JSON strings without control characters need only their backslashes and quotes escaped.
        text = items.cast(pa.large_string())
        escaped = pc.replace_substring(pc.replace_substring(text, "\\", "\\\\"), '"', '\\"')
        quote = pa.scalar('"', type=pa.large_string())
        quoted = pc.binary_join_element_wise(quote, escaped, quote, pa.scalar("", type=pa.large_string()))
        joined = pc.binary_join(
            pa.LargeListArray.from_arrays(pa.array([0, len(quoted)], type=pa.int64()), quoted),
            pa.scalar(", ", type=pa.large_string()),
        )
        lists[platform] = orjson.Fragment(b"[" + joined[0].as_py().encode() + b"]")
    return lists


def _rows_by_platform(frame: pd.DataFrame, *, keep_platform: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Return a frame's rows as JSON-ready records per platform, in row order."""
    columns = json_columns(frame)
    names = [str(c) for c in frame.columns]
    at = names.index("platform")
    kept = [i for i in range(len(names)) if keep_platform or i != at]
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in zip(*columns, strict=True):
        grouped.setdefault(row[at], []).append({names[i]: row[i] for i in kept})
    return grouped


def chain_exposure(
    opened: OpenedChain | Chain,
    catalogue: MaterialCatalogue,
    spof_threshold: float = SPOF_SHARE_THRESHOLD,
) -> ChainExposure:
    """Compute the exposure of every platform of the chain."""
    chain, records = chain_records(opened)
    result = compute_exposure(
        chain, build_chain_matrix(chain), world_supply_shares(catalogue), spof_threshold
    )
    parameters = {"spof_share_threshold": spof_threshold, "world_shares": WORLD_SHARES}
    return ChainExposure(chain, result, provenance(_EXPOSURE_DATASETS, parameters, records))


def chain_records(opened: OpenedChain | Chain) -> tuple[Chain, tuple[InputRecord, ...]]:
    """Return the chain and the records of where it came from."""
    if isinstance(opened, OpenedChain):
        return opened.chain, (opened.record,)
    record = InputRecord(role="chain", source=opened.source, name=opened.name, version=opened.version)
    return opened, (record,)


@dataclass(frozen=True, slots=True)
class ChainListing:
    """The latest version of every stored chain."""

    versions: tuple[ChainVersion, ...]
    provenance: ResultProvenance

    def frame(self) -> pd.DataFrame:
        """Return one row per chain."""
        return pd.DataFrame(
            [asdict(v) for v in self.versions], columns=[f.name for f in fields(ChainVersion)]
        )

    def to_json(self) -> dict[str, Any]:
        """Return the ``chain list --format json`` document."""
        return {"chains": [asdict(v) for v in self.versions], "provenance": self.provenance.to_json()}


def list_chains(store: Store) -> ChainListing:
    """Return the latest version of every stored chain."""
    return ChainListing(tuple(store.list_chains()), provenance())


@dataclass(frozen=True, slots=True)
class ChainDetails:
    """A stored chain's versions, items per kind, platforms and materials."""

    name: str
    versions: tuple[ChainVersion, ...]
    items_per_kind: dict[str, int]
    platforms: list[str]
    materials: list[str]
    provenance: ResultProvenance

    def to_frame(self) -> pd.DataFrame:
        """Return one row per stored version."""
        return pd.DataFrame([asdict(v) for v in self.versions])

    def to_json(self) -> dict[str, Any]:
        """Return the ``chain show --format json`` document."""
        return {
            "name": self.name,
            "versions": [asdict(v) for v in self.versions],
            "items_per_kind": self.items_per_kind,
            "platforms": self.platforms,
            "materials": self.materials,
            "provenance": self.provenance.to_json(),
        }


def chain_details(store: Store, name: str) -> ChainDetails:
    """Return what is stored under ``name``."""
    versions = tuple(store.versions(name))
    chain = store.load_chain(name)
    kinds = {str(k): int(v) for k, v in chain.items["kind"].value_counts().items()}
    materials = sorted(set(chain.items.loc[chain.items["kind"] == "material", "material"]))
    record = InputRecord(role="chain", source=chain.source, name=name, version=chain.version)
    return ChainDetails(name, versions, kinds, chain.platform_ids, materials, provenance(inputs=[record]))

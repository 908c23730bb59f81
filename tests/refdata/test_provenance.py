"""F1: every shipped reference file is in the manifest, sourced and checksummed."""

from __future__ import annotations

import hashlib
import tomllib
from importlib import resources

import pytest

from ketenradar import refdata
from ketenradar.errors import MissingReferenceData
from ketenradar.refdata.provenance import data_dir


def test_f01_every_shipped_file_is_in_the_manifest_and_in_sources_md() -> None:
    manifest = tomllib.loads((data_dir() / "datasets.toml").read_text())
    listed = {entry["file"] for entry in manifest["datasets"].values()}
    root = resources.files("ketenradar.refdata") / "data"
    shipped = {f.name for f in root.iterdir() if f.name.endswith((".csv", ".json"))}
    shipped |= {f"seed_report/{f.name}" for f in (root / "seed_report").iterdir() if f.name.endswith(".csv")}
    assert shipped == listed
    sources = (root / "SOURCES.md").read_text() + (root / "seed_report" / "README.md").read_text()
    for file in listed - {"defence_materials_extra.csv"}:
        assert file.split("/")[-1] in sources, file


def test_f01_provenance_carries_source_year_licence_and_checksum() -> None:
    for name in refdata.dataset_names():
        p = refdata.provenance_of(name)
        assert p.publisher and p.edition and p.url.startswith("http") and p.licence
        assert 1990 < p.year < 2100
        assert len(p.sha256) == 64
        # The checksum is the file's, computed here from the shipped bytes.
        assert p.sha256 == hashlib.sha256((data_dir() / p.file).read_bytes()).hexdigest(), name
        assert p.snapshot == refdata.snapshot_version()


def test_f01_unknown_dataset_is_a_reference_data_error() -> None:
    with pytest.raises(MissingReferenceData):
        refdata.provenance_of("no_such_dataset")

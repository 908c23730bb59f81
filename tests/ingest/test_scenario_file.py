"""F12: a bad scenario file is refused with the shock and the field that is wrong."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.chains import SHARED, write_chain


def test_f12_bad_scenario_file_is_refused_precisely(run, write, tmp_path: Path) -> None:
    chain = write_chain(tmp_path / "c", SHARED)
    path = write(
        "s.yaml",
        "name: x\nshocks:\n  - countries: [CHN, ZZZ]\n    severity: 1.5\n"
        "  - countries: [CHN]\n    severity: 0.5\n    materials: [unobtainium]\n",
    )
    result = run("scenario", "run", str(path), "--chain", str(chain))
    assert result.exit_code == 1
    assert "shock 1, countries" in result.stderr and "ZZZ" in result.stderr
    assert "shock 1, severity" in result.stderr
    path = write(
        "s2.yaml",
        "name: x\nshocks:\n  - countries: [CHN]\n    severity: 0.5\n    materials: [galium]\n",
    )
    result = run("scenario", "run", str(path), "--chain", str(chain))
    assert "shock 1, materials" in result.stderr and "unknown material id" in result.stderr
    path = write(
        "s3.yaml",
        "name: x\nshocks:\n  - countries: [CHN]\n    severity: 0.5\n    items: [nothing]\n",
    )
    result = run("scenario", "run", str(path), "--chain", str(chain))
    assert result.exit_code == 1 and "unknown item id(s) nothing" in result.stderr

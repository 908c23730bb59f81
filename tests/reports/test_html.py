"""F1: a report folder is written at once and never costs the user a file ketenradar did not write."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from ketenradar.errors import OutputRefused
from ketenradar.reports.html import REPORT_MARKER, check_report_dir, write_report_dir

FILES = {"index.html": "<html>new</html>", "data/a.json": "{}", "data/b.json": "[]"}


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_f01_report_goes_into_a_new_folder_with_its_marker(tmp_path: Path) -> None:
    index = write_report_dir(tmp_path / "report", FILES)
    assert index == tmp_path / "report" / "index.html"
    tree = _tree(tmp_path / "report")
    assert json.loads(tree.pop(REPORT_MARKER))["files"] == sorted(FILES)
    assert tree == FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no staging folder left


def test_f01_folder_with_the_users_files_is_refused_untouched(tmp_path: Path, monkeypatch, run) -> None:
    # The tester's case: `ketenradar demo --out .` in a folder holding the user's own work.
    mine = {"thesis.docx": "years of work", "data/survey.csv": "a,b\n"}
    for name, text in mine.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    with pytest.raises(OutputRefused) as caught:
        write_report_dir(tmp_path, FILES)
    message = str(caught.value)
    assert str(tmp_path) in message and "not a ketenradar report" in message
    assert "choose a new or empty folder" in message and "data/survey.csv" in message
    assert _tree(tmp_path) == mine
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    monkeypatch.chdir(tmp_path)
    result = run("demo", "--out", ".")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "is not empty and is not a ketenradar report" in result.stderr
    assert _tree(tmp_path) == mine


def test_f01_a_file_as_report_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "report").write_text("mine")
    with pytest.raises(OutputRefused, match="is a file, not a folder"):
        write_report_dir(tmp_path / "report", FILES)
    assert (tmp_path / "report").read_text() == "mine"


def test_f01_earlier_report_is_replaced_and_only_its_own_files_go(tmp_path: Path) -> None:
    out = tmp_path / "report"
    write_report_dir(out, {**FILES, "data/old.json": "stale"})
    write_report_dir(out, FILES)
    tree = _tree(out)
    assert json.loads(tree.pop(REPORT_MARKER))["files"] == sorted(FILES)
    assert tree == FILES  # data/old.json, written by the earlier report, is gone
    assert [p.name for p in out.iterdir() if p.name.startswith(".ketenradar-new")] == []


def test_f01_earlier_report_with_the_users_files_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "report"
    write_report_dir(out, FILES)
    (out / "my notes.txt").write_text("mine")
    before = _tree(out)
    with pytest.raises(OutputRefused, match=r"files ketenradar did not write \(my notes.txt\)"):
        write_report_dir(out, {**FILES, "index.html": "<html>newer</html>"})
    assert _tree(out) == before


def test_f01_empty_current_folder_gets_the_report_in_place(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert check_report_dir(Path()) == []
    write_report_dir(Path(), FILES)
    assert Path.cwd() == tmp_path and (tmp_path / "index.html").read_text() == FILES["index.html"]
    write_report_dir(Path(), {**FILES, "index.html": "<html>again</html>"})  # a report now
    assert (tmp_path / "index.html").read_text() == "<html>again</html>"


def test_f01_failed_write_leaves_the_old_report_and_no_staging(tmp_path: Path) -> None:
    out = tmp_path / "report"
    write_report_dir(out, FILES)
    before = _tree(out)

    class FailsHalfway(Mapping[str, str]):
        """The second file cannot be written, as on a full disk."""

        def __getitem__(self, name: str) -> str:
            if name == "data/z.json":
                raise OSError("disk full")
            return "<html>x</html>"

        def __iter__(self) -> Iterator[str]:
            return iter(["index.html", "data/z.json"])

        def __len__(self) -> int:
            return 2

    with pytest.raises(OSError, match="disk full"):
        write_report_dir(out, FailsHalfway())
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    assert [p.name for p in out.iterdir() if p.name.startswith(".ketenradar-new")] == []


def test_f01_interrupted_swap_is_recognised_next_time(tmp_path: Path) -> None:
    # A run stopped while moving files leaves old and new files, all listed in the marker.
    out = tmp_path / "report"
    write_report_dir(out, FILES)
    marker = json.loads((out / REPORT_MARKER).read_text())
    (out / "data" / "c.json").write_text("half")
    marker["files"] = sorted([*marker["files"], "data/c.json"])
    (out / REPORT_MARKER).write_text(json.dumps(marker))
    write_report_dir(out, FILES)
    assert not (out / "data" / "c.json").exists()

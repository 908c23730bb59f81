"""The exceptions ketenradar raises.

Every error derives from one base so callers can catch ketenradar's errors apart from bugs::

    KetenradarError
     ├── InputFileError          a user file is unusable; carries every Problem found in it
     ├── ConfigError             settings (weights, thresholds) are not usable
     ├── UnknownMaterial         an id names no material in the catalogue
     ├── UnknownCountry          a code is not an ISO 3166 alpha-3 code ketenradar knows
     └── MissingReferenceData    a shipped reference file is absent or damaged

The command line prints ``str(error)`` and exits non-zero; nothing is written when one is raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ConfigError",
    "InputFileError",
    "KetenradarError",
    "MissingReferenceData",
    "Problem",
    "UnknownCountry",
    "UnknownMaterial",
]


class KetenradarError(Exception):
    """Base of every error ketenradar raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One defect in a user file, located as precisely as the format allows."""

    file: str
    message: str
    expected: str = ""
    row: int | None = None
    column: str | None = None
    sheet: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = f"{', '.join(where)}: {self.message}"
        if self.value is not None:
            text += f" (found {self.value!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        return text


class InputFileError(KetenradarError):
    """A user file was refused; ``problems`` lists every defect found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("InputFileError needs at least one problem")
        self.problems = list(problems)
        files = sorted({p.file for p in problems})
        head = f"{len(problems)} problem(s) in {', '.join(files)}; nothing was changed"
        super().__init__("\n".join([head, *(f"  - {p}" for p in problems)]))

    @classmethod
    def single(cls, file: str | Path, message: str, **where: str | int | None) -> InputFileError:
        """Build the error for one problem."""
        return cls([Problem(file=str(file), message=message, **where)])  # type: ignore[arg-type]


class ConfigError(KetenradarError):
    """Settings such as weights or thresholds are not usable."""


class UnknownMaterial(KetenradarError):
    """An id names no material in the catalogue."""

    def __init__(self, material_id: str, known: list[str]) -> None:
        self.material_id = material_id
        hint = ", ".join(known[:8]) + (", ..." if len(known) > 8 else "")
        super().__init__(
            f"unknown material id {material_id!r}; known ids include {hint} "
            "(`ketenradar materials` lists them; add others with --catalogue FILE)"
        )


class UnknownCountry(KetenradarError):
    """A code is not an ISO 3166 alpha-3 code that ketenradar knows."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(
            f"unknown country code {code!r}; expected an ISO 3166 alpha-3 code such as NLD or CHN "
            "(`ketenradar countries` lists them)"
        )


class MissingReferenceData(KetenradarError):
    """A shipped reference file is absent or damaged: reinstall ketenradar."""

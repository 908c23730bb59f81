"""The exceptions ketenradar raises.

Every error derives from one base so callers can catch ketenradar's errors apart from bugs::

    KetenradarError
     ├── InputFileError          a user file is unusable; carries every Problem found in it
     │    └── ParametersNeeded   country shares came without the parameters the method needs
     ├── ConfigError             settings (weights, thresholds) are not usable
     ├── OutputRefused           an output folder or file would overwrite what ketenradar did not write
     ├── NotFound                a stored object does not exist
     │    ├── ChainNotFound      no stored chain of that name (or version)
     │    ├── SurveyNotFound     no stored survey of that name
     │    ├── SnapshotNotFound   no stored monitoring snapshot of that name (or too few to compare)
     │    └── UserNotFound       no server user of that name
     ├── SnapshotExists          a monitoring snapshot of that name is already stored
     ├── UserExists              a server user of that name already exists
     ├── DatabaseUnavailable     the server's database cannot be reached or used
     ├── UnknownMaterial         an id names no material in the catalogue
     ├── UnknownCountry          a code is not an ISO 3166 alpha-3 code ketenradar knows
     ├── UnknownItem             an id names no item of the chain
     ├── CyclicChain             the bill of materials contains an item inside itself
     ├── NonFiniteResult         a computed figure is infinite (inputs too large to compute with)
     └── MissingReferenceData    a shipped reference file is absent or damaged

Messages are in the active language (:mod:`ketenradar.locale`) and name what was expected,
never a command-line flag: the command line adds its own hints. Details are attributes, so a
program does not have to parse the text. Nothing is written when one is raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ketenradar.locale import _

__all__ = [
    "ChainNotFound",
    "ConfigError",
    "CyclicChain",
    "DatabaseUnavailable",
    "InputFileError",
    "KetenradarError",
    "MissingReferenceData",
    "NonFiniteResult",
    "NotFound",
    "OutputRefused",
    "ParametersNeeded",
    "Problem",
    "SnapshotExists",
    "SnapshotNotFound",
    "SurveyNotFound",
    "UnknownCountry",
    "UnknownItem",
    "UnknownMaterial",
    "UserExists",
    "UserNotFound",
]


class KetenradarError(Exception):
    """Base of every error ketenradar raises on purpose."""


# Values quoted in messages are cut to this many characters: a 1 MB cell must not make a 1 MB message.
MAX_QUOTED = 80


def quoted(value: object, limit: int = MAX_QUOTED) -> str:
    """Return ``value`` as text of at most ``limit`` characters, cut with "…"."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Problem:
    """One defect in a user file, located as precisely as the format allows.

    ``message`` and ``expected`` are in the language that was active when the file was read.
    """

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
            where.append(_("sheet {sheet!r}").format(sheet=self.sheet))
        if self.row is not None:
            where.append(_("row {row}").format(row=self.row))
        if self.column is not None:
            where.append(_("column {column!r}").format(column=self.column))
        text = f"{', '.join(where)}: {self.message}"
        if self.value is not None:
            text += " " + _("(found {value!r})").format(value=quoted(self.value))
        if self.expected:
            text += "; " + _("expected {expected}").format(expected=self.expected)
        return text


class InputFileError(KetenradarError):
    """A user file was refused; ``problems`` lists every defect found, not only the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("InputFileError needs at least one problem")
        self.problems = list(problems)
        files = ", ".join(sorted({p.file for p in problems}))
        head = _("{n} problem(s) in {files}; nothing was changed").format(n=len(self.problems), files=files)
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))

    @classmethod
    def single(cls, file: str | Path, message: str, **where: str | int | None) -> InputFileError:
        """Build the error for one problem."""
        return cls([Problem(file=str(file), message=message, **where)])  # type: ignore[arg-type]


class ParametersNeeded(InputFileError):
    """Country shares need per-material parameters, from a file or from the EC's reference values."""


class ConfigError(KetenradarError):
    """Settings such as weights or thresholds are not usable."""


class OutputRefused(KetenradarError):
    """A report folder or export target holds files ketenradar did not write; nothing was written."""


class NotFound(KetenradarError):
    """A stored object does not exist; ``name`` (and ``version``) say which."""

    def __init__(self, message: str, name: str, version: int | None = None) -> None:
        self.name = name
        self.version = version
        super().__init__(message)


class ChainNotFound(NotFound):
    """No stored chain has that name (or version)."""

    def __init__(self, name: str, version: int | None = None) -> None:
        if version is None:
            message = _("no stored chain {name!r}").format(name=name)
        else:
            message = _("no stored chain {name!r} version {version}").format(name=name, version=version)
        super().__init__(message, name, version)


class SurveyNotFound(NotFound):
    """No stored survey has that name."""

    def __init__(self, name: str) -> None:
        super().__init__(_("no stored survey named {name!r}").format(name=name), name)


class SnapshotNotFound(NotFound):
    """No stored snapshot has that name (or there are fewer snapshots than needed)."""

    def __init__(self, name: str, message: str | None = None) -> None:
        super().__init__(message or _("no stored snapshot {name!r}").format(name=name), name)


class SnapshotExists(KetenradarError):
    """A snapshot of that name is already stored; names are unique."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            _("a snapshot named {name!r} is already stored; choose another name").format(name=name)
        )


class UserNotFound(NotFound):
    """No user of the observatory server has that name."""

    def __init__(self, name: str) -> None:
        super().__init__(_("no user named {name!r}").format(name=name), name)


class UserExists(KetenradarError):
    """A user of that name already exists on the observatory server; names are unique."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(_("a user named {name!r} already exists; choose another name").format(name=name))


class DatabaseUnavailable(KetenradarError):
    """The server's database cannot be reached or used; ``url`` is shown with its password masked."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(
            _("the database {url} cannot be reached or used: {reason}").format(url=url, reason=reason)
        )


class UnknownMaterial(KetenradarError):
    """An id names no material in the catalogue."""

    def __init__(self, material_id: str, known: Sequence[str]) -> None:
        self.material_id = material_id
        self.known = list(known)
        hint = ", ".join(self.known[:8]) + (", ..." if len(self.known) > 8 else "")
        super().__init__(
            _("unknown material id {material!r}; known ids include {known}").format(
                material=material_id, known=hint
            )
        )


class UnknownCountry(KetenradarError):
    """A code is not an ISO 3166 alpha-3 code that ketenradar knows."""

    def __init__(self, codes: str | Sequence[str]) -> None:
        self.codes = [codes] if isinstance(codes, str) else list(codes)
        self.code = self.codes[0]
        super().__init__(
            _("unknown country code(s) {codes}; expected ISO 3166 alpha-3 codes such as NLD or CHN").format(
                codes=", ".join(repr(c) for c in self.codes)
            )
        )


class UnknownItem(KetenradarError):
    """Ids name no item of the chain (e.g. in a scenario's ``items`` filter)."""

    def __init__(self, item_ids: Sequence[str], chain: str, source: str = "") -> None:
        self.item_ids = list(item_ids)
        self.chain = chain
        self.source = source
        shown = [quoted(i) for i in self.item_ids[:20]]
        more = len(self.item_ids) - len(shown)
        ids = ", ".join(shown) + (" " + _("and {n} more").format(n=more) if more else "")
        text = _("unknown item id(s) {ids}; expected item ids of chain {chain!r}").format(
            ids=ids, chain=chain
        )
        super().__init__(f"{source}: {text}" if source else text)


class CyclicChain(KetenradarError):
    """The bill of materials has a cycle; ``cycle`` lists its item ids, the first repeated last."""

    def __init__(self, cycle: Sequence[str]) -> None:
        self.cycle = list(cycle)
        super().__init__(_("the bill of materials has a cycle: {cycle}").format(cycle=" → ".join(self.cycle)))


class NonFiniteResult(KetenradarError):
    """A computed figure is infinite: the inputs hold numbers too large to compute with."""


class MissingReferenceData(KetenradarError):
    """A shipped reference file is absent or damaged: reinstall ketenradar."""

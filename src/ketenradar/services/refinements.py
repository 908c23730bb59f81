"""Alternatives and substitutes (F15): the shipped alternatives and the user's files, with provenance.

The shipped table (``refdata.load_alternatives``: spare plant capacity of like-minded partners,
USGS MCS 2025) gives alternatives without a ramp-up time; they are listed but not used by a
simulation until a user's alternatives file gives one. A user's row for the same material or
item, stage and country replaces the shipped row. Substitutes come only from the user's file:
no shipped source gives substitute pairs with their shares and qualification times
(docs/methodology/alternatives.md).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ketenradar import refdata
from ketenradar.ingest.refinements import alternatives_from_reference, read_alternatives, read_substitutes
from ketenradar.locale import N_, _
from ketenradar.model.refinements import Alternative, Refinements, Substitute
from ketenradar.services.provenance import InputRecord, ResultProvenance, input_file, provenance, sources_json

__all__ = [
    "NO_LEAD_TIME",
    "NO_SUBSTITUTES",
    "REFERENCE",
    "USER_FILE",
    "LoadedRefinements",
    "load_refinements",
    "reference_alternatives",
]

# Where an alternative or substitute comes from (codes in JSON and CSV).
REFERENCE = "reference"
USER_FILE = "user_file"

NO_LEAD_TIME = N_(
    "{n} alternative(s) have no ramp-up time (lead_time_days): they are listed but not used by a "
    "simulation until you give one in an alternatives file"
)
NO_SUBSTITUTES = N_(
    "no substitutes: ketenradar ships no substitute catalogue (no public source in the reference "
    "data gives substitute pairs with a maximum share and qualification time); give your own in "
    "a substitutes file"
)


def _key(alternative: Alternative) -> tuple[str, str, str, str]:
    return (alternative.material, alternative.item, alternative.stage, alternative.country)


def reference_alternatives() -> tuple[tuple[Alternative, ...], tuple[refdata.Provenance, ...]]:
    """Return the shipped alternatives (no ramp-up times) and the provenance of their tables."""
    table = refdata.load_alternatives()
    return alternatives_from_reference(table.frame), table.provenance


@dataclass(frozen=True, slots=True)
class LoadedRefinements:
    """The alternatives and substitutes a simulation may use, where each came from, and provenance.

    ``alternatives`` holds the shipped ones (less those a user row replaced) followed by the
    user's; ``origins`` gives :data:`REFERENCE` or :data:`USER_FILE` for each, in that order.
    """

    alternatives: tuple[Alternative, ...]
    origins: tuple[str, ...]
    substitutes: tuple[Substitute, ...]
    replaced: int
    provenance: ResultProvenance

    @property
    def refinements(self) -> Refinements:
        """Return the alternatives and substitutes as the simulation takes them."""
        return Refinements(self.alternatives, self.substitutes)

    @property
    def without_lead_time(self) -> int:
        """Return how many alternatives have no ramp-up time (listed, not used)."""
        return sum(a.lead_time_days is None for a in self.alternatives)

    def notes(self) -> list[dict[str, Any]]:
        """Return the notes for people: alternatives without a ramp-up time, no substitutes."""
        notes = []
        if self.without_lead_time:
            notes.append(
                {
                    "code": "no_lead_time",
                    "count": self.without_lead_time,
                    "text": _(NO_LEAD_TIME).format(n=self.without_lead_time),
                }
            )
        if not self.substitutes:
            notes.append({"code": "no_substitutes", "text": _(NO_SUBSTITUTES)})
        return notes

    def alternative_records(self) -> list[dict[str, Any]]:
        """Return one JSON-ready record per alternative, with its origin and whether it is used."""
        return [
            {
                "material": a.material or None,
                "item": a.item or None,
                "stage": a.stage,
                "country": a.country,
                "max_share": a.max_share,
                "lead_time_days": a.lead_time_days,
                "usable": a.lead_time_days is not None,
                "origin": origin,
                "source": a.source,
                "note": a.note,
            }
            for a, origin in zip(self.alternatives, self.origins, strict=True)
        ]

    def substitute_records(self) -> list[dict[str, Any]]:
        """Return one JSON-ready record per substitute (all from the user's file)."""
        return [
            {
                "material": s.material,
                "substitute": s.substitute,
                "application": s.application,
                "max_share": s.max_share,
                "qualification_days": s.qualification_days,
                "performance_penalty": s.performance_penalty,
                "cost_factor": s.cost_factor,
                "origin": USER_FILE,
                "source": s.source,
            }
            for s in self.substitutes
        ]

    def to_json(self) -> dict[str, Any]:
        """Return the ``scenario alternatives --format json`` document."""
        return {
            "alternatives": self.alternative_records(),
            "substitutes": self.substitute_records(),
            "replaced_reference_rows": self.replaced,
            "notes": self.notes(),
            "sources": sources_json(self.provenance.datasets),
            "provenance": self.provenance.to_json(),
        }


def load_refinements(
    materials: Collection[str],
    alternatives_file: str | Path | None = None,
    substitutes_file: str | Path | None = None,
    *,
    reference: bool = True,
) -> LoadedRefinements:
    """Load the shipped alternatives (unless ``reference`` is False) and the user's files.

    Both files are checked completely before anything is combined; a bad file raises
    :class:`~ketenradar.errors.InputFileError` with every problem. ``materials`` is the
    catalogue the files' material ids must name.
    """
    user = read_alternatives(alternatives_file, materials) if alternatives_file is not None else ()
    substitutes = read_substitutes(substitutes_file, materials) if substitutes_file is not None else ()
    shipped: tuple[Alternative, ...] = ()
    datasets: tuple[refdata.Provenance, ...] = ()
    if reference:
        shipped, datasets = reference_alternatives()
    given = {_key(a) for a in user}
    kept = tuple(a for a in shipped if _key(a) not in given)
    records: list[InputRecord] = []
    if alternatives_file is not None:
        records.append(input_file("alternatives", alternatives_file))
    if substitutes_file is not None:
        records.append(input_file("substitutes", substitutes_file))
    parameters = {
        "reference_alternatives": reference,
        "like_minded_groups": list(refdata.LIKE_MINDED_GROUPS),
    }
    return LoadedRefinements(
        alternatives=kept + user,
        origins=(REFERENCE,) * len(kept) + (USER_FILE,) * len(user),
        substitutes=substitutes,
        replaced=len(shipped) - len(kept),
        provenance=provenance(datasets, parameters, records),
    )

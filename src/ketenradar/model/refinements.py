"""Alternatives and substitutes: the refinements of the rules over time (F15), as frozen objects.

An :class:`Alternative` is a producing country that can take over part of an item's lost supply
at one stage after a ramp-up; a :class:`Substitute` is another material that can replace part of
a material after qualification. Both are off unless a catalogue or the user provides them; the
files are read by :mod:`ketenradar.ingest.refinements` and used by
:mod:`ketenradar.scenarios.simulate` (docs/methodology/simulation.md, "Alternatives and
substitutes").
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Alternative", "Refinements", "Substitute"]


@dataclass(frozen=True, slots=True)
class Alternative:
    """A country that can deliver up to ``max_share`` of an item's supply at a stage.

    It applies to the chain item ``item``, or to every material item of ``material`` when
    ``item`` is empty. It delivers from ``lead_time_days`` after the first day the item's supply
    at that stage falls short; ``None`` means the ramp-up time is not known and the alternative
    is listed but not used.
    """

    stage: str
    country: str
    max_share: float
    lead_time_days: float | None
    material: str = ""
    item: str = ""
    source: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Substitute:
    """A material that can replace up to ``max_share`` of another material after qualification.

    It applies to every material item of ``material`` in a chain (v1: in every use; the
    ``application`` it is known for is reported). ``performance_penalty`` and ``cost_factor`` are
    reported, not used in availability (v1); a missing value stays None.
    """

    material: str
    substitute: str
    max_share: float
    qualification_days: float
    application: str = ""
    performance_penalty: float | None = None
    cost_factor: float | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class Refinements:
    """The alternatives and substitutes a simulation may use (none by default)."""

    alternatives: tuple[Alternative, ...] = ()
    substitutes: tuple[Substitute, ...] = ()

    @property
    def usable_alternatives(self) -> tuple[Alternative, ...]:
        """Return the alternatives with a known ramp-up time."""
        return tuple(a for a in self.alternatives if a.lead_time_days is not None)

    def __bool__(self) -> bool:
        return bool(self.usable_alternatives or self.substitutes)

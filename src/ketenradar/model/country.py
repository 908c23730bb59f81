"""Countries and their group memberships."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Country", "NlSplit", "nl_split_of"]

NlSplit = Literal["NL", "EU+EEA", "third"]


@dataclass(frozen=True, slots=True)
class Country:
    """A country by ISO 3166 alpha-3 code, with the groups it belongs to."""

    iso3: str
    name: str
    groups: frozenset[str]

    @property
    def nl_split(self) -> NlSplit:
        """The source report's split: the Netherlands, the rest of EU+EEA, or a third country."""
        return nl_split_of(self.iso3, "EEA" in self.groups or "EU27" in self.groups)


def nl_split_of(iso3: str, in_eu_or_eea: bool) -> NlSplit:
    """Classify a country as NL, EU+EEA or third country."""
    if iso3 == "NLD":
        return "NL"
    return "EU+EEA" if in_eu_or_eea else "third"

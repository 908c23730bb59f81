"""Materials and the catalogue that holds them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from ketenradar.errors import UnknownMaterial

__all__ = ["EC_2023_ASSESSED", "EU_CRM_2023", "EU_CRM_2023_ELEMENT", "Material", "MaterialCatalogue"]

EU_CRM_2023 = "eu_crm_2023"
# A member of an EU 2023 group (a rare earth or platinum-group metal) named on its own.
EU_CRM_2023_ELEMENT = "eu_crm_2023_element"
# Assessed by the EC in 2023 but not on the EU list (molybdenum).
EC_2023_ASSESSED = "ec_2023_assessed"


@dataclass(frozen=True, slots=True)
class Material:
    """A raw material or other defence-critical material, with its list membership.

    ``eu_2023_strategic`` and ``eu_2023_critical`` are ``None`` for materials the EU lists do
    not cover: unknown is not the same as "no". ``crma_strategic`` is the flag of the Critical
    Raw Materials Act (Regulation (EU) 2024/1252, Annex I), element by element; a group is
    strategic where its members are (``crma_strategic_members``). ``group`` names the group an
    element rolls up to (``neodymium`` -> ``light_rare_earths``).
    """

    id: str
    name_en: str
    name_nl: str
    category: str = EU_CRM_2023
    eu_2023_strategic: bool | None = None
    eu_2023_critical: bool | None = None
    members: tuple[str, ...] = ()
    note: str = ""
    source: str = ""
    group: str = ""
    crma_strategic: bool | None = None
    crma_strategic_members: tuple[str, ...] = ()

    @property
    def is_group(self) -> bool:
        """Whether the material is a group of elements (rare earths, platinum-group metals)."""
        return bool(self.members)


@dataclass(frozen=True, slots=True)
class MaterialCatalogue(Mapping[str, Material]):
    """The materials ketenradar knows, keyed by id, in a stable order."""

    materials: tuple[Material, ...]
    _by_id: dict[str, Material] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Material] = {}
        for material in self.materials:
            if material.id in by_id:
                raise ValueError(f"material id {material.id!r} appears twice in the catalogue")
            by_id[material.id] = material
        object.__setattr__(self, "_by_id", by_id)

    def __getitem__(self, material_id: str) -> Material:
        try:
            return self._by_id[material_id]
        except KeyError:
            raise UnknownMaterial(material_id, list(self._by_id)) from None

    def __contains__(self, material_id: object) -> bool:
        return material_id in self._by_id

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def with_materials(self, extra: Iterable[Material]) -> MaterialCatalogue:
        """Return a new catalogue with ``extra`` appended; ids must not clash."""
        return MaterialCatalogue((*self.materials, *extra))

    def name(self, material_id: str, lang: str) -> str:
        """Return a material's name in ``lang`` (en or nl); an id the catalogue lacks stays as it is."""
        material = self._by_id.get(material_id)
        if material is None:
            return material_id
        return material.name_nl if lang == "nl" else material.name_en

    def rolled_up(self, material_id: str) -> str:
        """Return the group a material rolls up to (its own id when it is in no group)."""
        group = self[material_id].group
        return group if group in self._by_id else material_id

    def eu_crm_ids(self) -> list[str]:
        """Return the ids of the 34 EU critical raw materials of 2023, in catalogue order."""
        return [m.id for m in self.materials if m.category == EU_CRM_2023]

"""Materials and the catalogue that holds them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from ketenradar.errors import UnknownMaterial

__all__ = ["EU_CRM_2023", "Material", "MaterialCatalogue"]

EU_CRM_2023 = "eu_crm_2023"


@dataclass(frozen=True, slots=True)
class Material:
    """A raw material or other defence-critical material, with its list membership.

    ``eu_2023_strategic`` and ``eu_2023_critical`` are ``None`` for materials the EU lists do
    not cover: unknown is not the same as "no".
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

    def eu_crm_ids(self) -> list[str]:
        """Return the ids of the 34 EU critical raw materials of 2023, in catalogue order."""
        return [m.id for m in self.materials if m.category == EU_CRM_2023]

"""Type aliases shared across ketenradar."""

from __future__ import annotations

from typing import Literal, TypeAlias

import numpy as np
from numpy.typing import NDArray

Iso3: TypeAlias = str
MaterialId: TypeAlias = str
Year: TypeAlias = int
FloatArray: TypeAlias = NDArray[np.float64]
IntArray: TypeAlias = NDArray[np.intp]
BoolArray: TypeAlias = NDArray[np.bool_]
Stage: TypeAlias = Literal["mining", "processing"]
Scope: TypeAlias = Literal["gs", "eu"]
SupplyVariant: TypeAlias = Literal["gs+eu", "gs", "eu"]

RAW_MATERIAL_STAGES: tuple[Stage, ...] = ("mining", "processing")
SCOPES: tuple[Scope, ...] = ("gs", "eu")
SUPPLY_VARIANTS: tuple[SupplyVariant, ...] = ("gs+eu", "gs", "eu")

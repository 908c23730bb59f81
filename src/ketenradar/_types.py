"""Type aliases shared across ketenradar."""

from __future__ import annotations

from typing import Literal, TypeAlias

import numpy as np
from numpy.typing import NDArray

Iso3: TypeAlias = str
MaterialId: TypeAlias = str
ItemId: TypeAlias = str
Year: TypeAlias = int
FloatArray: TypeAlias = NDArray[np.float64]
IntArray: TypeAlias = NDArray[np.intp]
BoolArray: TypeAlias = NDArray[np.bool_]
Scope: TypeAlias = Literal["gs", "eu"]
SupplyVariant: TypeAlias = Literal["gs+eu", "gs", "eu"]

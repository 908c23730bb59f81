"""JSON-ready values: NaN is null, infinity is refused with a message naming its place."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from ketenradar.errors import KetenradarError
from ketenradar.services.jsonable import json_document, json_records, json_value


def test_f12_nan_becomes_null_and_numpy_scalars_python() -> None:
    assert json_value(np.float64("nan")) is None and json_value(pd.NA) is None
    assert json_value(np.int64(3)) == 3 and json_value(np.bool_(True)) is True


@pytest.mark.parametrize("value", [math.inf, -math.inf, np.float64("inf")])
def test_f12_infinity_is_refused_with_its_place_not_a_traceback(value: float) -> None:
    with pytest.raises(KetenradarError) as caught:
        json_value(value, "/items/3/availability")
    assert "/items/3/availability" in str(caught.value) and "infinite" in str(caught.value)


def test_f12_records_and_documents_never_hand_json_dumps_a_non_finite_float() -> None:
    frame = pd.DataFrame({"a": [1.0, np.nan]})
    json.dumps(json_records(frame), allow_nan=False)
    document = json_document({"x": [1.0, float("nan"), {"y": np.float64(2.5)}], "z": (np.int64(1),)})
    assert json.dumps(document, allow_nan=False) == '{"x": [1.0, null, {"y": 2.5}], "z": [1]}'
    with pytest.raises(KetenradarError, match="/x/1/y"):
        json_document({"x": [0, {"y": math.inf}]})


def test_f12_dumps_writes_nan_as_null_and_refuses_infinity_with_its_place() -> None:
    from ketenradar.errors import NonFiniteResult
    from ketenradar.services.jsonable import dumps

    assert dumps({"a": [1.0, float("nan")]}) == '{"a": [1.0, null]}'
    with pytest.raises(NonFiniteResult) as caught:
        dumps({"items": [{"availability": 1.0}, {"availability": float("-inf")}]})
    assert "/items/1/availability" in str(caught.value)

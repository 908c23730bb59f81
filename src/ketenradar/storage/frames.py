"""The stored form of a monitoring snapshot's frames and of survey answers, shared by every store.

A frame is one compressed Arrow IPC stream (its index is not kept); survey answers are one JSON
document with a list of records per sheet. This module holds no SQL.
"""

from __future__ import annotations

import json

import pandas as pd

from ketenradar.model.survey import SURVEY_SHEETS, Survey

__all__ = ["FRAME_FORMAT", "decode_frame", "decode_survey", "encode_frame", "encode_survey"]

# What the ``format`` of a stored snapshot frame says: one Arrow IPC stream of the frame's columns.
FRAME_FORMAT = "arrow-ipc-stream/1"


def encode_frame(frame: pd.DataFrame) -> bytes:
    """Return a frame as one compressed Arrow IPC stream (the index is not kept)."""
    import pyarrow as pa

    from ketenradar.storage.chain_columns import COMPRESSION

    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=COMPRESSION)
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def decode_frame(data: bytes) -> pd.DataFrame:
    """Return the frame of one stored Arrow IPC stream."""
    import pyarrow as pa

    with pa.ipc.open_stream(pa.py_buffer(data)) as reader:
        frame: pd.DataFrame = reader.read_all().to_pandas()
    return frame


def encode_survey(survey: Survey) -> str:
    """Return a survey's answers as one JSON document: a list of records per sheet."""
    return json.dumps(
        {sheet: json.loads(getattr(survey, sheet).to_json(orient="records")) for sheet in SURVEY_SHEETS}
    )


def decode_survey(name: str, source: str, synthetic: bool, answers: str) -> Survey:
    """Return the survey stored as ``answers`` (the JSON document of :func:`encode_survey`)."""
    document = json.loads(answers)
    frames = {sheet: pd.DataFrame(document[sheet]) for sheet in SURVEY_SHEETS}
    return Survey(name=name, source=source, synthetic=synthetic, **frames)

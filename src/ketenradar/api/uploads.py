"""Files and documents that arrive with a request, kept in a temporary folder while they are read.

The readers of :mod:`ketenradar.ingest` take paths, so an upload (or a scenario or measures
document inside a JSON body) is written to a private temporary folder, read there, and the
folder is removed whatever happens. Problems name the file as the client knows it, never the
temporary path. An upload is accepted by its name's extension and its content: an ``.xlsx`` is
a zip archive, a ``.json`` starts with an object or a list.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, BinaryIO

from ketenradar.api.errors import UploadRefused, UploadTooLarge
from ketenradar.errors import InputFileError
from ketenradar.ingest.tables import clip
from ketenradar.locale import _

__all__ = [
    "ACCEPTED_SUFFIXES",
    "ZIP_MAGIC",
    "client_file_name",
    "relabelled",
    "request_document",
    "saved_upload",
]

ACCEPTED_SUFFIXES = (".xlsx", ".json")
ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 20


def client_file_name(filename: str | None) -> str:
    """Return the base name the client gave its file (no folders), cut to 80 characters."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name.strip()
    return clip(name) if name else "upload"


@contextmanager
def relabelled(temporary: Path, label: str) -> Iterator[None]:
    """Re-raise an InputFileError about ``temporary`` with the file named ``label`` instead."""
    try:
        yield
    except InputFileError as error:
        wrong = str(temporary)
        problems = [replace(p, file=label) if p.file == wrong else p for p in error.problems]
        raise type(error)(problems) from None


def _check_content(head: bytes, suffix: str, label: str) -> None:
    """Refuse a file whose first bytes do not match its extension."""
    if suffix == ".xlsx" and not head.startswith(ZIP_MAGIC):
        raise UploadRefused(
            _("{file}: the content is not an Excel workbook (an .xlsx file is a zip archive)").format(
                file=label
            ),
            file=label,
        )
    if suffix == ".json":
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not text.startswith((b"{", b"[")):
            raise UploadRefused(
                _("{file}: the content is not a JSON document (an object or a list)").format(file=label),
                file=label,
            )


@contextmanager
def saved_upload(stream: BinaryIO, filename: str | None, limit_bytes: int) -> Iterator[tuple[Path, str]]:
    """Write an uploaded file to a temporary folder; yield its path and the client's name for it.

    Refuses a file whose extension is not .xlsx or .json, whose content does not match, or which
    is larger than ``limit_bytes``; the folder is removed when the block ends.
    """
    label = client_file_name(filename)
    suffix = Path(label).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise UploadRefused(
            _("{file}: unsupported file type {suffix}; expected a chain workbook as .xlsx or .json").format(
                file=label, suffix=suffix or _("(none)")
            ),
            file=label,
            accepted=list(ACCEPTED_SUFFIXES),
        )
    folder = Path(tempfile.mkdtemp(prefix="ketenradar-upload-"))
    try:
        path = folder / f"upload{suffix}"
        written = 0
        head = b""
        with path.open("wb") as out:
            while chunk := stream.read(_CHUNK):
                if not head:
                    head = chunk[:16]
                written += len(chunk)
                if written > limit_bytes:
                    raise UploadTooLarge(limit_bytes)
                out.write(chunk)
        _check_content(head, suffix, label)
        with relabelled(path, label):
            yield path, label
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def request_document(document: Any, label: str) -> Iterator[Path]:
    """Write a JSON document of a request body to a temporary ``.json`` file; yield its path.

    Problems the reader finds name ``label`` (e.g. "scenario") as the file.
    """
    folder = Path(tempfile.mkdtemp(prefix="ketenradar-request-"))
    try:
        path = folder / f"{label}.json"
        # NaN and infinity from the request stay as written, so the reader refuses them by name.
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        with relabelled(path, label):
            yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)

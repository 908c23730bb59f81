"""Structured documents at the trust boundary: safe JSON/YAML loading and pydantic errors in our words.

JSON and YAML are loaded with limits before they reach Python's recursive builders: nesting
deeper than :data:`MAX_NESTING` levels is refused (checked without recursion), and a key that
appears twice in one object is refused instead of silently keeping the last value.

Scenario files and settings are validated with pydantic models. Pydantic's own messages are
English and name its internals ("instance of _ScenarioModel"); :func:`describe_error` gives
every error type our models can raise in ketenradar's words, in the active language, and never
passes pydantic's message on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.tables import clip
from ketenradar.locale import N_, _, translate

__all__ = [
    "MAX_NESTING",
    "DocumentPath",
    "describe_error",
    "document_place",
    "duplicate_keys",
    "error_value",
    "load_document",
    "load_json_text",
    "load_yaml_text",
    "validation_problems",
]

# Our documents are 3 (chain workbook) or 4 (scenario) levels deep; 64 leaves room and stays far
# below Python's recursion limit, which json and the YAML composer would otherwise hit.
MAX_NESTING = 64
DocumentPath = tuple[int | str, ...]
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')

_MESSAGES: dict[str, str] = {
    "missing": N_("required key is missing"),
    "extra_forbidden": N_("Extra inputs are not permitted: the key is unknown (check its spelling)"),
    "greater_than_equal": N_("value out of range: must be ≥ {ge}"),
    "greater_than": N_("value out of range: must be > {gt}"),
    "less_than_equal": N_("value out of range: must be ≤ {le}"),
    "less_than": N_("value out of range: must be < {lt}"),
    "float_parsing": N_("not a number"),
    "float_type": N_("a number is expected"),
    "finite_number": N_("not a finite number (NaN or infinity cannot be computed with)"),
    "int_parsing": N_("not a whole number"),
    "int_type": N_("a whole number is expected"),
    "int_from_float": N_("a whole number is expected"),
    "string_type": N_("text is expected"),
    "string_too_short": N_("must not be empty"),
    "string_too_long": N_("text too long: at most {max_length} characters"),
    "list_type": N_("a list is expected, e.g. [CHN, RUS]"),
    "tuple_type": N_("a list is expected, e.g. [2016, 2020]"),
    "set_type": N_("a list is expected"),
    "dict_type": N_("a mapping of keys to values is expected"),
    "model_type": N_("a mapping of keys to values is expected"),
    "model_attributes_type": N_("a mapping of keys to values is expected"),
    "bool_type": N_("true or false is expected"),
    "bool_parsing": N_("true or false is expected"),
    "too_short": N_("needs at least {min_length} entries"),
    "too_long": N_("takes at most {max_length} entries"),
    "literal_error": N_("not an accepted value: one of {expected}"),
    "enum": N_("not an accepted value: one of {expected}"),
}
_BOOL_FOR_NUMBER = N_("true/false where a number is expected")
_TEXT_FOR_NUMBER = N_("text where a number is expected (write the number without quotes)")
_NOT_ACCEPTED = N_("not an accepted value")


def describe_error(error: Mapping[str, Any]) -> str:
    """Return one pydantic error (an item of ``ValidationError.errors()``) in the active language.

    Every error type our models can raise has its own text; any other type gets a plain "not
    an accepted value" — pydantic's English message is never shown.
    """
    kind = str(error.get("type", ""))
    context = dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error") and "error" in context:
        # Our own validators raise ValueError with a message already in the user's language.
        return str(context["error"])
    if kind in ("float_type", "int_type") and isinstance(error.get("input"), bool):
        return translate(_BOOL_FOR_NUMBER)
    if kind in ("float_type", "int_type") and isinstance(error.get("input"), str):
        return translate(_TEXT_FOR_NUMBER)
    if "expected" in context:
        # Pydantic joins the choices in English ("'a', 'b' or 'c'"); keep only the values.
        choices = re.findall(r"'([^']*)'", str(context["expected"]))
        context["expected"] = ", ".join(choices) if choices else context["expected"]
    template = _MESSAGES.get(kind)
    if template is None:
        return translate(_NOT_ACCEPTED)
    try:
        return translate(template).format(**context)
    except (KeyError, IndexError):
        return translate(_NOT_ACCEPTED)


def error_value(error: Mapping[str, Any]) -> str | None:
    """Return the offending value of a pydantic error as short text, or None for a missing key."""
    if error.get("type") == "missing" or "input" not in error:
        return None
    value = error["input"]
    if isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _short(str(value))


def validation_problems(
    error: ValidationError, *, file: str, expected: str, place: Callable[[DocumentPath], str]
) -> list[Problem]:
    """Return one located problem per error pydantic found in a document (``place`` names where)."""
    return [
        Problem(
            file=file,
            column=place(tuple(e["loc"])),
            message=describe_error(e),
            value=error_value(e),
            expected=expected,
        )
        for e in error.errors()
    ]


def _short(text: str) -> str:
    """Return text of at most 80 characters (as ingest.tables.clip; kept here so settings stay light)."""
    return text if len(text) <= 80 else text[:79] + "…"


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it was given more than once."""

    __slots__ = ("duplicates",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__()
        self.duplicates: list[str] = []
        for key, value in pairs:
            if key in self:
                self.duplicates.append(key)
            self[key] = value


def _too_deep(file: str, line: int | None) -> InputFileError:
    return InputFileError.single(
        file,
        _("the document is nested deeper than {levels} levels").format(levels=MAX_NESTING),
        row=line,
        expected=_("a flat document as described in docs/input-files.md"),
    )


def _json_depth(text: str) -> tuple[int, int]:
    """Return the deepest bracket nesting outside strings and the line where it passes the limit."""
    skeleton = _JSON_STRING.sub('""', text)
    data = np.frombuffer(skeleton.encode("utf-8", "replace"), dtype=np.uint8)
    step = (data == ord("[")).astype(np.int32) + (data == ord("{")) - (data == ord("]")) - (data == ord("}"))
    if not step.size:
        return 0, 0
    depth = np.cumsum(step)
    deepest = int(depth.max())
    if deepest <= MAX_NESTING:
        return deepest, 0
    first = int(np.argmax(depth > MAX_NESTING))
    return deepest, int(np.count_nonzero(data[:first] == ord("\n"))) + 1


def _constant_as_text(name: str) -> str:
    """Keep NaN/Infinity as text, so the cell check refuses it instead of reading it as empty."""
    return name


def load_json_text(text: str, *, file: str, expected: str, constants_as_text: bool = False) -> Any:
    """Parse JSON, refusing documents nested deeper than MAX_NESTING; objects are dicts with ``duplicates``.

    With ``constants_as_text`` the non-standard constants NaN and Infinity come back as text.
    """
    deepest, line = _json_depth(text)
    if deepest > MAX_NESTING:
        raise _too_deep(file, line)
    try:
        if constants_as_text:
            return json.loads(text, object_pairs_hook=_Object, parse_constant=_constant_as_text)
        return json.loads(text, object_pairs_hook=_Object)
    except json.JSONDecodeError as error:
        raise InputFileError.single(
            file,
            _("not valid JSON: {error}").format(error=error.msg),
            row=error.lineno,
            expected=expected,
        ) from None
    except RecursionError:
        raise _too_deep(file, None) from None


def duplicate_keys(document: Any) -> Iterator[tuple[DocumentPath, str]]:
    """Yield (path of the object, key) for every key given twice in a loaded JSON document."""
    stack: list[tuple[DocumentPath, Any]] = [((), document)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, _Object):
            for key in node.duplicates:
                yield path, key
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))


def document_place(path: DocumentPath) -> str:
    """Return a place in a document for people: list positions from 1, keys as written (clipped)."""
    return ", ".join(str(p + 1) if isinstance(p, int) else clip(str(p), 40) for p in path)


def load_document(
    path: Path,
    *,
    expected: str,
    place: Callable[[DocumentPath], str] = document_place,
    constants_as_text: bool = False,
) -> Any:
    """Return a YAML or JSON file's document (JSON by its suffix), refusing what cannot be read.

    A missing file, text that is not UTF-8, keys given twice (every one, located by ``place``)
    and text that does not parse (with its line) are refused.
    """
    file = str(path)
    if not path.is_file():
        raise InputFileError.single(file, _("file not found"), expected=expected)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError.single(
            file, _("the file is not UTF-8 text"), expected=_("a UTF-8 text file")
        ) from None
    if path.suffix.lower() == ".json":
        document = load_json_text(text, file=file, expected=expected, constants_as_text=constants_as_text)
        repeated = [
            Problem(
                file=file,
                column=place((*where, key)),
                message=_("the key appears twice in the same object"),
                expected=_("each key once (delete or merge the repeated one)"),
            )
            for where, key in duplicate_keys(document)
        ]
        if repeated:
            raise InputFileError(repeated)
        return document
    try:
        return load_yaml_text(text, file=file)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputFileError.single(
            file,
            _("not valid YAML: {error}").format(error=clip(getattr(error, "problem", None) or error, 120)),
            row=mark.line + 1 if mark is not None else None,
            expected=expected,
        ) from None


class _DuplicateCheckingLoader(yaml.SafeLoader):
    """PyYAML's safe loader, noting every mapping key given twice (PyYAML keeps the last silently)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []
        self.bad_dates: list[tuple[str, int]] = []

    def construct_impossible_date_as_text(self, node: yaml.ScalarNode) -> Any:
        """Construct a date, noting one that cannot exist (2027-02-30) with its line instead of failing."""
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError:
            self.bad_dates.append((str(node.value), node.start_mark.line + 1))
            return str(node.value)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Construct the mapping after noting its repeated scalar keys with their lines."""
        seen: set[str] = set()
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    self.duplicates.append((key_node.value, key_node.start_mark.line + 1))
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


_DuplicateCheckingLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _DuplicateCheckingLoader.construct_impossible_date_as_text
)


def load_yaml_text(text: str, *, file: str) -> Any:
    """Parse YAML safely, refusing nesting deeper than MAX_NESTING and keys given twice, with their lines."""
    depth = 0
    # The event parser is iterative: the depth is known before the recursive composer runs.
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            # An alias repeats what its anchor names: nested, a few lines grow into gigabytes
            # ("billion laughs"), or into a loop. No ketenradar file needs one.
            mark = event.start_mark
            raise InputFileError.single(
                file,
                _("the document uses an alias (*{name}); anchors and aliases are not accepted").format(
                    name=event.anchor
                ),
                row=mark.line + 1 if mark is not None else None,
                expected=_("each value written out where it is used"),
            )
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                mark = event.start_mark
                raise _too_deep(file, mark.line + 1 if mark is not None else None)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
    loader = _DuplicateCheckingLoader(text)
    try:
        document = loader.get_single_data()
    except RecursionError:
        raise _too_deep(file, None) from None
    finally:
        loader.dispose()
    problems = [
        Problem(
            file=file,
            row=line,
            column=_short(key),
            message=_("the key appears twice in the same mapping"),
            expected=_("each key once (delete or merge the repeated one)"),
        )
        for key, line in loader.duplicates
    ] + [
        Problem(
            file=file,
            row=line,
            message=_("{value!r} is not a date that exists").format(value=value),
            expected=_("a date as YYYY-MM-DD, e.g. 2027-02-28"),
        )
        for value, line in loader.bad_dates
    ]
    if problems:
        raise InputFileError(sorted(problems, key=lambda p: p.row or 0))
    return document

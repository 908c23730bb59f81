"""Pydantic's validation errors in the user's language.

Scenario files and settings are validated with pydantic models; its messages are English. This
module gives the common ones in the active language (English text as pydantic writes it), and
keeps pydantic's own message for any other kind of error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ketenradar.locale import N_, translate

__all__ = ["describe_error"]

_MESSAGES: dict[str, str] = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "greater_than": N_("Input should be greater than {gt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "less_than": N_("Input should be less than {lt}"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "float_type": N_("Input should be a valid number"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_type": N_("Input should be a valid integer"),
    "string_type": N_("Input should be a valid string"),
    "list_type": N_("Input should be a valid list"),
    "tuple_type": N_("Input should be a valid tuple"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be a mapping of names to values"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "too_short": N_("Should have at least {min_length} item(s)"),
    "literal_error": N_("Input should be {expected}"),
}


def describe_error(error: Mapping[str, Any]) -> str:
    """Return one pydantic error (an item of ``ValidationError.errors()``) in the active language."""
    kind = str(error.get("type", ""))
    context = dict(error.get("ctx") or {})
    if kind == "value_error" and "error" in context:
        # Our own validators raise ValueError with a message already in the user's language.
        return str(context["error"])
    template = _MESSAGES.get(kind)
    if template is None:
        return str(error.get("msg", ""))
    try:
        return translate(template).format(**context)
    except (KeyError, IndexError):
        return str(error.get("msg", ""))

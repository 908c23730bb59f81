"""One translation catalogue for every sentence a person reads, and numbers in their language.

Messages are English in the code (the gettext msgid) and Dutch in ``nl/LC_MESSAGES``; Babel
extracts them (``scripts/i18n.py``) and formats numbers. The active language is a context
variable: the command line sets it once per invocation (``--lang``, ``KETENRADAR_LANG``), a
report section or an API request sets it with :func:`use_language`. Nothing is read until a
message is first translated.

``_`` translates now, in the active language; ``N_`` only marks a message for extraction (its
translation happens later, where it is shown). Ids, codes and user data (item names) are
never translated.
"""

from __future__ import annotations

import gettext
import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import cache
from pathlib import Path
from typing import Literal, TypeAlias

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "MISSING",
    "N_",
    "Language",
    "_",
    "country_name",
    "current_language",
    "format_number",
    "format_percent",
    "ngettext",
    "reset_language",
    "set_language",
    "translate",
    "use_language",
    "yes_no",
]

Language: TypeAlias = Literal["en", "nl"]
LANGUAGES: tuple[Language, ...] = ("en", "nl")
DEFAULT_LANGUAGE: Language = "en"
DOMAIN = "ketenradar"
MISSING = "—"
# Babel's locales; Dutch groups thousands with a narrow no-break space rather than CLDR's dot,
# so that "1.234" is never read as one point two by an English reader of a Dutch table.
_LOCALES = {"en": "en_GB", "nl": "nl_NL"}
_GROUP = {"en": ",", "nl": "\u202f"}

_language: ContextVar[Language] = ContextVar("ketenradar_language", default=DEFAULT_LANGUAGE)


def check_language(lang: str) -> Language:
    """Return ``lang`` as a supported language, or raise ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return lang


def current_language() -> Language:
    """Return the active language."""
    return _language.get()


def set_language(lang: str) -> Token[Language]:
    """Make ``lang`` the active language until reset with the returned token."""
    return _language.set(check_language(lang))


def reset_language(token: Token[Language]) -> None:
    """Restore the language that was active before :func:`set_language` returned ``token``."""
    _language.reset(token)


@contextmanager
def use_language(lang: str | None) -> Iterator[Language]:
    """Make ``lang`` the active language inside the block (None keeps the current one)."""
    token = _language.set(check_language(lang)) if lang is not None else None
    try:
        yield _language.get()
    finally:
        if token is not None:
            _language.reset(token)


def locale_dir() -> Path:
    """Return the folder of the compiled catalogues."""
    # Imported here: importlib.resources brings tempfile, shutil and more, which an English
    # `ketenradar --help` (no catalogue read) does not need.
    from importlib import resources

    return Path(str(resources.files("ketenradar.locale")))


@cache
def _translations(lang: Language) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=locale_dir(), languages=[lang])


def translate(message: str, lang: str | None = None) -> str:
    """Return ``message`` in ``lang`` (default: the active language); English is the msgid."""
    if not message:
        return message
    return _translations(check_language(lang) if lang else _language.get()).gettext(message)


def _(message: str) -> str:
    """Return ``message`` translated into the active language."""
    return translate(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the singular or plural form for ``n``, translated into the active language."""
    return _translations(_language.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it (it is translated where shown)."""
    return message


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | int | None, digits: int = 0, lang: str | None = None) -> str:
    """Return ``value`` with ``digits`` decimals and grouped thousands, in the language's style.

    English: ``1,234.5``; Dutch: ``1 234,5`` (decimal comma, narrow space between thousands).
    A missing value gives the dash that every table uses for "not in the sources".
    """
    from babel.numbers import format_decimal

    if _is_missing(value):
        return MISSING
    language = check_language(lang) if lang else _language.get()
    # Round first as Python does, so every language shows the digits an f-string would.
    rounded = round(float(value), digits)  # type: ignore[arg-type]
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    text = format_decimal(rounded, format=pattern, locale=_LOCALES[language])
    return text.replace(".", _GROUP[language]) if language == "nl" else text


def format_percent(value: float | None, digits: int = 0, lang: str | None = None) -> str:
    """Return a fraction as a percentage with ``digits`` decimals, in the language's style."""
    from babel.numbers import format_percent as babel_percent

    if _is_missing(value):
        return MISSING
    language = check_language(lang) if lang else _language.get()
    rounded = round(float(value) * 100.0, digits) / 100.0  # type: ignore[arg-type]
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    text = babel_percent(rounded, format=pattern, locale=_LOCALES[language])
    return text.replace(".", _GROUP[language]) if language == "nl" else text


def yes_no(value: bool) -> str:
    """Return yes or no in the active language."""
    return _("yes") if value else _("no")


@cache
def _country_names(lang: Language) -> gettext.NullTranslations:
    import pycountry

    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_name(iso3: str, english_name: str, lang: str | None = None) -> str:
    """Return a country's name in the active language (pycountry's ISO 3166 translations)."""
    import pycountry

    language = check_language(lang) if lang else _language.get()
    if language == "en":
        return english_name
    record = pycountry.countries.get(alpha_3=iso3)
    if record is None:
        return english_name
    translated = _country_names(language).gettext(record.name)
    return translated if translated != record.name else english_name

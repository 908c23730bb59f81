"""User settings from a TOML file: country-risk weights, WGI years, CRMA limit.

Example ``ketenradar.toml``::

    [country_risk.weights]
    wgi = 0.4
    oecd_crc = 0.2
    fsi = 0.2
    atradius_star = 0.2

    [criticality]
    wgi_years = [2016, 2017, 2018, 2019, 2020]

    [outlook]
    crma_limit = 0.65
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ketenradar.errors import ConfigError
from ketenradar.overview import DEFAULT_WGI_YEARS
from ketenradar.risk.country import DEFAULT_COUNTRY_WEIGHTS, normalise_weights
from ketenradar.risk.outlook import CRMA_SINGLE_COUNTRY_LIMIT

__all__ = ["Settings", "load_settings", "parse_weights", "parse_years"]

WGI_FIRST_YEAR, WGI_LAST_YEAR = 1996, 2023


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CountryRiskSettings(_Strict):
    """Weights of the country-risk indicators (renormalised to sum to 1)."""

    weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_COUNTRY_WEIGHTS))

    @field_validator("weights")
    @classmethod
    def _valid(cls, value: dict[str, float]) -> dict[str, float]:
        normalise_weights(value)
        return value


class CriticalitySettings(_Strict):
    """Which WGI years the EC supply-risk recomputation averages."""

    wgi_years: tuple[int, ...] = DEFAULT_WGI_YEARS

    @field_validator("wgi_years")
    @classmethod
    def _years(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(not WGI_FIRST_YEAR <= y <= WGI_LAST_YEAR for y in value):
            raise ValueError(f"years must lie in {WGI_FIRST_YEAR}..{WGI_LAST_YEAR}")
        return tuple(sorted(set(value)))


class OutlookSettings(_Strict):
    """Thresholds of the outlook and benchmark indicators."""

    crma_limit: float = Field(default=CRMA_SINGLE_COUNTRY_LIMIT, gt=0.0, le=1.0)


class Settings(_Strict):
    """All user settings; every field has a documented default."""

    country_risk: CountryRiskSettings = Field(default_factory=CountryRiskSettings)
    criticality: CriticalitySettings = Field(default_factory=CriticalitySettings)
    outlook: OutlookSettings = Field(default_factory=OutlookSettings)


def load_settings(path: str | Path | None) -> Settings:
    """Read settings from a TOML file, or return the defaults when ``path`` is None."""
    if path is None:
        return Settings()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: settings file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from error
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise ConfigError(f"{path}: {details}") from error


def parse_weights(text: str) -> dict[str, float]:
    """Parse ``wgi=0.5,fsi=0.5`` into a weight mapping."""
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        try:
            if not sep:
                raise ValueError
            weights[name.strip()] = float(value)
        except ValueError:
            raise ConfigError(
                f"--weights: {part!r} is not NAME=NUMBER (e.g. wgi=0.5,oecd_crc=0.2,fsi=0.3)"
            ) from None
    normalise_weights(weights)
    return weights


def parse_years(text: str) -> tuple[int, ...]:
    """Parse ``2016-2020`` or ``2019`` or ``2018,2019`` into a tuple of years."""
    years: set[int] = set()
    try:
        for part in filter(None, (p.strip() for p in text.split(","))):
            first, _, last = part.partition("-")
            years.update(range(int(first), int(last or first) + 1))
    except ValueError:
        raise ConfigError(f"--wgi-years: {text!r} is not a year, a range like 2016-2020 or a list") from None
    try:
        return CriticalitySettings(wgi_years=tuple(years)).wgi_years
    except ValidationError:
        raise ConfigError(
            f"--wgi-years: years must lie in {WGI_FIRST_YEAR}..{WGI_LAST_YEAR} (got {text!r})"
        ) from None

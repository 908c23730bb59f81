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
    crma_extraction_benchmark = 0.10
    crma_processing_benchmark = 0.40
    crma_recycling_benchmark = 0.25
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ketenradar.errors import ConfigError
from ketenradar.ingest.validation import describe_error
from ketenradar.locale import _
from ketenradar.risk.assessment import DEFAULT_WGI_YEARS, WGI_FIRST_YEAR, WGI_LAST_YEAR
from ketenradar.risk.country import DEFAULT_COUNTRY_WEIGHTS, normalise_weights
from ketenradar.risk.outlook import (
    CRMA_EXTRACTION_BENCHMARK,
    CRMA_PROCESSING_BENCHMARK,
    CRMA_RECYCLING_BENCHMARK,
    CRMA_SINGLE_COUNTRY_LIMIT,
)

__all__ = ["Settings", "load_settings"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


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
            raise ValueError(
                _("years must lie in {first}..{last}").format(first=WGI_FIRST_YEAR, last=WGI_LAST_YEAR)
            )
        return tuple(sorted(set(value)))


class OutlookSettings(_Strict):
    """Thresholds of the outlook and benchmark indicators."""

    crma_limit: float = Field(default=CRMA_SINGLE_COUNTRY_LIMIT, gt=0.0, le=1.0)
    # The CRMA's capacity benchmarks (art. 5(1)(a)): EU shares of the Union's consumption.
    crma_extraction_benchmark: float = Field(default=CRMA_EXTRACTION_BENCHMARK, gt=0.0, le=1.0)
    crma_processing_benchmark: float = Field(default=CRMA_PROCESSING_BENCHMARK, gt=0.0, le=1.0)
    crma_recycling_benchmark: float = Field(default=CRMA_RECYCLING_BENCHMARK, gt=0.0, le=1.0)


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
        raise ConfigError(_("{path}: settings file not found").format(path=path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(_("{path}: not valid TOML ({error})").format(path=path, error=error)) from error
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {describe_error(e)}" for e in error.errors())
        raise ConfigError(f"{path}: {details}") from error


def check_wgi_years(years: tuple[int, ...]) -> tuple[int, ...]:
    """Return the years sorted and unique, or raise ConfigError if any lies outside the WGI series."""
    try:
        return CriticalitySettings(wgi_years=years).wgi_years
    except ValidationError:
        raise ConfigError(
            _("years must lie in {first}..{last}").format(first=WGI_FIRST_YEAR, last=WGI_LAST_YEAR)
        ) from None

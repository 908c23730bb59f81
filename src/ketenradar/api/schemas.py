"""The request and response models of the REST API (pydantic, validated at the edge).

Request models forbid unknown keys. A scenario or measures document inside a request is kept
as raw JSON here and checked by the same reader as a file (:mod:`ketenradar.ingest`), so its
problems read exactly as on the command line. Large result documents are described as objects:
their keys are the CLI's JSON contract (PRODUCT.md), documented in docs/api.md.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "MAX_DRAWS",
    "MAX_HORIZON_DAYS",
    "MAX_MEASURE_DRAWS",
    "ChainStored",
    "ErrorBody",
    "ErrorResponse",
    "JobAccepted",
    "JobProgress",
    "JobStatus",
    "MeasuresRankRequest",
    "MonteCarloRequest",
    "RoadmapDraftRequest",
    "RoadmapShowRequest",
    "ScenarioRunRequest",
    "SimulateRequest",
]

# Bounds of a single local server's work per request; the command line has none.
MAX_HORIZON_DAYS = 3650
MAX_DRAWS = 100_000
MAX_MEASURE_DRAWS = 10_000

ScenarioRef = str | dict[str, Any]
SCENARIO_HELP = (
    "The id of a shipped scenario (GET /api/v1/scenarios) or a scenario document "
    "(scenario file v1 as JSON: name, description, source, shocks)."
)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScenarioRunRequest(_Request):
    """Run a scenario on a stored chain by the baseline rule."""

    chain: str = Field(min_length=1, description="The name of a stored chain (GET /api/v1/chains).")
    scenario: ScenarioRef = Field(description=SCENARIO_HELP)


class SimulateRequest(ScenarioRunRequest):
    """Simulate a scenario on a stored chain day by day."""

    horizon_days: int = Field(default=365, ge=1, le=MAX_HORIZON_DAYS, description="Days to simulate.")


class MonteCarloRequest(ScenarioRunRequest):
    """Run simulated years of a scenario on a stored chain (a background job)."""

    draws: int = Field(default=1000, ge=1, le=MAX_DRAWS, description="Number of simulated years.")
    seed: int = Field(default=0, ge=0, lt=2**63, description="Random seed (same seed, same numbers).")


class MeasuresRankRequest(ScenarioRunRequest):
    """Rank measures by the platform-days lost they avoid under a scenario."""

    measures: dict[str, Any] = Field(
        description='A measures document (measures file v1 as JSON: {"measures": [...]}).'
    )
    combine: list[str] | None = Field(
        default=None, description='Measure ids to apply together as well, or ["all"].'
    )
    draws: int | None = Field(
        default=None,
        ge=1,
        le=MAX_MEASURE_DRAWS,
        description="Monte Carlo mean over this many simulated years instead of the 365-day simulation.",
    )
    seed: int = Field(default=0, ge=0, lt=2**63, description="Random seed of the Monte Carlo draws.")


class ErrorBody(BaseModel):
    """What went wrong: a stable code, a message for people (in the request's language), details."""

    code: str
    message: str
    details: dict[str, Any]


class ErrorResponse(BaseModel):
    """The shape of every error response."""

    error: ErrorBody


class ChainStored(BaseModel):
    """A chain stored from an upload: its id (the name) and the stored version."""

    id: str
    name: str
    version: int
    created_at: str
    source: str
    n_items: int
    n_bom: int
    n_sourcing: int
    materials_added: list[str]


class JobAccepted(BaseModel):
    """A background job was started; poll ``status_url`` for its progress and result."""

    job: str
    status: Literal["queued", "running", "done", "failed"]
    status_url: str


class JobProgress(BaseModel):
    """Units of work done of the total (the total may grow once the work is known)."""

    done: int
    total: int


class JobStatus(BaseModel):
    """A job's state: queued, running, done (with ``result``) or failed (with ``error``)."""

    job: str
    kind: str
    status: Literal["queued", "running", "done", "failed"]
    progress: JobProgress
    result: dict[str, Any] | None = None
    error: ErrorBody | None = None


class RoadmapShowRequest(_Request):
    """Read a roadmap file sent in the request and show it with its progress."""

    roadmap: str | dict[str, Any] = Field(
        description="The roadmap file's text (YAML, or JSON when `name` ends in .json) or its document "
        "as a JSON object (roadmap file v1)."
    )
    name: str | None = Field(
        default=None,
        max_length=255,
        description="The file's name as the client knows it; problems name it (default: roadmap.yaml).",
    )


class RoadmapDraftRequest(_Request):
    """Draft the roadmap of a product group from the analysis of a stored chain."""

    chain: str = Field(min_length=1, description="The name of a stored chain (GET /api/v1/chains).")
    product_group: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"\S",
        description="Name of the product group, e.g. 'military ships'.",
    )
    platforms: list[str] = Field(
        default_factory=list,
        max_length=10_000,
        description="Platforms of the chain in the product group (default: every platform).",
    )
    scenario: ScenarioRef | None = Field(
        default=None, description="A scenario whose platform availability adds risks. " + SCENARIO_HELP
    )
    ranking: dict[str, Any] | None = Field(
        default=None,
        description="The JSON document of POST /api/v1/measures/rank (`measures rank --format json`).",
    )
    start: str | None = Field(
        default=None,
        pattern=r"^\d{4}-Q[1-4]$",
        description="Quarter the default schedule starts in, YYYY-Qn (default: the next quarter).",
    )

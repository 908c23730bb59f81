"""``GET /api/v1/jobs/{id}``: a background job's progress, and its result when done."""

from __future__ import annotations

from fastapi import APIRouter

from ketenradar.api.app import ContextDep
from ketenradar.api.routes.common import ERROR_RESPONSES
from ketenradar.api.schemas import JobStatus

__all__ = ["router"]

router = APIRouter(prefix="/jobs", tags=["jobs"], responses=ERROR_RESPONSES)


@router.get("/{job_id}", summary="A job's status, progress, and result or error", response_model=JobStatus)
def job(context: ContextDep, job_id: str) -> JobStatus:
    """Return the job: queued, running (progress done of total), done (result) or failed (error)."""
    return JobStatus.model_validate(context.jobs.get(job_id).to_json())

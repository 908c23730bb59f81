"""Background jobs of one server process: a bounded thread pool and a table of their states.

A job runs a callable that reports ``progress(done, total)`` and returns a JSON document. It runs
in the language and context of the request that started it. The table forgets the oldest
finished jobs beyond :attr:`JobTable.keep`, and refuses new work while ``max_pending`` jobs are
waiting or running.

A job belongs to the organisation that started it (:data:`JOB_OWNER`, set by the multi-user
server for each request; empty in the local mode): asking for another organisation's job is
answered exactly like an unknown id. Without ``states`` the jobs live in this process only; with
them (the server's database) every state change is saved, so any server process can answer a poll.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, cast

from ketenradar.api.errors import JobNotFound, TooManyJobs, error_body, ketenradar_error_body
from ketenradar.errors import KetenradarError
from ketenradar.locale import _

__all__ = ["JOB_OWNER", "Job", "JobStates", "JobTable", "Progress", "Work", "job_owner"]

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Work = Callable[[Progress], dict[str, Any]]
JobState = Literal["queued", "running", "done", "failed"]
JOB_STATES = ("queued", "running", "done", "failed")

# The organisation of the request being handled; the jobs it starts and may see are its own.
JOB_OWNER: ContextVar[str] = ContextVar("ketenradar_job_owner", default="")
# A running job's progress is saved at most this often; a change of status is saved at once.
SAVE_PROGRESS_SECONDS = 1.0


@contextmanager
def job_owner(organisation: str) -> Iterator[None]:
    """Make ``organisation`` the owner of the jobs started and looked up inside the block."""
    token = JOB_OWNER.set(organisation)
    try:
        yield
    finally:
        JOB_OWNER.reset(token)


class JobStates(Protocol):
    """Where jobs' states are kept for every server process (the server's database)."""

    def save_job(self, job_id: str, organisation: str, kind: str, state: dict[str, Any]) -> None:
        """Save (insert or replace) a job's state as JSON."""
        ...

    def load_job(self, job_id: str, organisation: str) -> dict[str, Any] | None:
        """Return a job's saved state, or None if unknown or another organisation's."""
        ...


@dataclass(slots=True)
class Job:
    """One job's state; changed only by its table, under the table's lock."""

    id: str
    kind: str
    status: JobState = "queued"
    done: int = 0
    total: int = 0
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = field(default=None)
    organisation: str = ""

    def copy(self) -> Job:
        """Return a copy of this state (the table's own is changed under its lock)."""
        return Job(
            self.id, self.kind, self.status, self.done, self.total, self.result, self.error, self.organisation
        )

    @classmethod
    def from_json(cls, state: dict[str, Any], organisation: str) -> Job:
        """Return the job of a saved state (the document of :meth:`to_json`)."""
        status = state.get("status")
        progress = state.get("progress") or {}
        return cls(
            id=str(state["job"]),
            kind=str(state.get("kind", "")),
            status=cast(JobState, status if status in JOB_STATES else "failed"),
            done=int(progress.get("done", 0)),
            total=int(progress.get("total", 0)),
            result=state.get("result"),
            error=state.get("error"),
            organisation=organisation,
        )

    def to_json(self) -> dict[str, Any]:
        """Return the job as ``GET /api/v1/jobs/{id}`` shows it."""
        return {
            "job": self.id,
            "kind": self.kind,
            "status": self.status,
            "progress": {"done": self.done, "total": self.total},
            "result": self.result,
            "error": self.error,
        }


class JobTable:
    """The jobs of this process on at most ``workers`` threads; ``max_pending`` waiting per organisation."""

    def __init__(
        self, workers: int = 2, *, keep: int = 100, max_pending: int = 16, states: JobStates | None = None
    ) -> None:
        self.keep = keep
        self.max_pending = max_pending
        self.states = states
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ketenradar-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._saved_at: dict[str, float] = {}

    def submit(self, kind: str, work: Work, organisation: str | None = None) -> Job:
        """Start ``work`` in the background and return its job (queued); refuse when too many wait.

        The job belongs to ``organisation`` (default: the request's, :data:`JOB_OWNER`).
        """
        owner = JOB_OWNER.get() if organisation is None else organisation
        with self._lock:
            # Counted per organisation: one company's jobs never block another's, and the refusal
            # says nothing about how busy other organisations are.
            pending = sum(
                job.status in ("queued", "running") and job.organisation == owner
                for job in self._jobs.values()
            )
            if pending >= self.max_pending:
                raise TooManyJobs(self.max_pending)
            job = Job(id=uuid.uuid4().hex, kind=kind, organisation=owner)
            self._jobs[job.id] = job
            self._forget_finished()
            snapshot = job.copy()
        if self.states is not None:
            # Saved before the work starts, so no later state can be overwritten by this one.
            self.states.save_job(job.id, owner, kind, snapshot.to_json())
        # The request's language and other context variables go with the work into the thread.
        context = copy_context()
        self._pool.submit(context.run, self._run, job.id, work)
        return snapshot

    def get(self, job_id: str, organisation: str | None = None) -> Job:
        """Return a copy of a job's state; raise JobNotFound for an unknown id or another organisation's.

        A job of this process is answered from memory; another process's from the saved states.
        """
        owner = JOB_OWNER.get() if organisation is None else organisation
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                if job.organisation != owner:
                    raise JobNotFound(job_id)
                return job.copy()
        if self.states is not None:
            state = self.states.load_job(job_id, owner)
            if state is not None:
                return Job.from_json(state, owner)
        raise JobNotFound(job_id)

    def shutdown(self) -> None:
        """Stop taking jobs and wait for the running ones."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return
            for name, value in changes.items():
                setattr(job, name, value)
            snapshot = job.copy()
        if self.states is not None:
            self._save(snapshot, progress_only="status" not in changes)

    def _save(self, job: Job, *, progress_only: bool) -> None:
        """Save a job's state for the other processes; progress at most every SAVE_PROGRESS_SECONDS."""
        assert self.states is not None
        now = time.monotonic()
        if progress_only and now - self._saved_at.get(job.id, -SAVE_PROGRESS_SECONDS) < SAVE_PROGRESS_SECONDS:
            return
        self._saved_at[job.id] = now
        try:
            self.states.save_job(job.id, job.organisation, job.kind, job.to_json())
        except Exception:
            # The work goes on, and this process still answers polls of it from memory.
            logger.exception("job %s: its state could not be saved", job.id)
        if job.status in ("done", "failed"):
            self._saved_at.pop(job.id, None)

    def _run(self, job_id: str, work: Work) -> None:
        """Run one job, recording its progress, then its result or its error."""
        self._update(job_id, status="running")

        def progress(done: int, total: int) -> None:
            self._update(job_id, done=int(done), total=int(total))

        try:
            result = work(progress)
        except KetenradarError as error:
            _status, body = ketenradar_error_body(error)
            self._update(job_id, status="failed", error=body["error"])
        except Exception:
            logger.exception("job %s failed", job_id)
            body = error_body("internal_error", _("an internal error occurred; it has been logged"))
            self._update(job_id, status="failed", error=body["error"])
        else:
            self._update(job_id, status="done", result=result)

    def _forget_finished(self) -> None:
        """Drop the oldest finished jobs beyond ``keep`` (the lock is held)."""
        finished = [i for i, job in self._jobs.items() if job.status in ("done", "failed")]
        for job_id in finished[: max(0, len(finished) - self.keep)]:
            del self._jobs[job_id]

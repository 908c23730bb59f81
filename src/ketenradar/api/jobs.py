"""Background jobs of one server process: a bounded thread pool and a table of their states.

A job runs a callable that reports ``progress(done, total)`` and returns a JSON document. It runs
in the language and context of the request that started it. The table forgets the oldest
finished jobs beyond :attr:`JobTable.keep`, and refuses new work while ``max_pending`` jobs are
waiting or running. Nothing survives a restart: jobs live in this process only (the multi-user
server will keep them in its database).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass, field
from typing import Any, Literal

from ketenradar.api.errors import JobNotFound, TooManyJobs, error_body, ketenradar_error_body
from ketenradar.errors import KetenradarError
from ketenradar.locale import _

__all__ = ["Job", "JobTable", "Progress", "Work"]

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Work = Callable[[Progress], dict[str, Any]]
JobState = Literal["queued", "running", "done", "failed"]


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
    """The jobs of this process, run on at most ``workers`` threads."""

    def __init__(self, workers: int = 2, *, keep: int = 100, max_pending: int = 16) -> None:
        self.keep = keep
        self.max_pending = max_pending
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ketenradar-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, kind: str, work: Work) -> Job:
        """Start ``work`` in the background and return its job (queued); refuse when too many wait."""
        with self._lock:
            pending = sum(job.status in ("queued", "running") for job in self._jobs.values())
            if pending >= self.max_pending:
                raise TooManyJobs(self.max_pending)
            job = Job(id=uuid.uuid4().hex, kind=kind)
            self._jobs[job.id] = job
            self._forget_finished()
            snapshot = Job(job.id, job.kind)
        # The request's language and other context variables go with the work into the thread.
        context = copy_context()
        self._pool.submit(context.run, self._run, job.id, work)
        return snapshot

    def get(self, job_id: str) -> Job:
        """Return a copy of a job's state; raise JobNotFound for an unknown id."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise JobNotFound(job_id)
            return Job(job.id, job.kind, job.status, job.done, job.total, job.result, job.error)

    def shutdown(self) -> None:
        """Stop taking jobs and wait for the running ones."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                for name, value in changes.items():
                    setattr(job, name, value)

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

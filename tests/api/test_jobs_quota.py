"""The background-job limit holds per organisation: one company cannot block another's runs."""

from __future__ import annotations

import threading

import pytest

from ketenradar.api.errors import TooManyJobs
from ketenradar.api.jobs import JobTable


def test_one_organisations_waiting_jobs_do_not_block_another() -> None:
    release = threading.Event()
    table = JobTable(workers=1, max_pending=2)
    try:

        def wait(_progress: object) -> dict[str, object]:
            release.wait(30)
            return {}

        table.submit("montecarlo", wait, organisation="acme")
        table.submit("montecarlo", wait, organisation="acme")
        with pytest.raises(TooManyJobs):
            table.submit("montecarlo", wait, organisation="acme")
        # bolt's job is accepted: acme's queue is acme's alone.
        accepted = table.submit("montecarlo", wait, organisation="bolt")
        assert accepted.status == "queued" and accepted.organisation == "bolt"
    finally:
        release.set()
        table.shutdown()

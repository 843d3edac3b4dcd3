"""Background indexing jobs for the admin page: uploads return at once and the page polls progress.
Jobs run one at a time (the store's write lock serialises them anyway)."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from ..ingest import IngestError


@dataclass
class Job:
    id: str
    state: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int = 0
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state, "done": self.done, "total": self.total,
                "result": self.result, "error": self.error}


class Jobs:
    def __init__(self, keep: int = 50, on_finish: Callable[[str, float], None] | None = None) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._keep = keep
        self._on_finish = on_finish  # (state, seconds), for metrics

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def start(self, work: Callable[[Callable[[int], None], Callable[[int], None]], Any]) -> Job:
        job = Job(uuid.uuid4().hex[:12])
        with self._lock:
            self._jobs[job.id] = job
            for old in list(self._jobs)[:-self._keep]:
                self._jobs.pop(old, None)

        def progress(n: int) -> None:
            job.done += n

        def total(n: int) -> None:
            job.total = n

        def run() -> None:
            job.state = "running"
            started = time.monotonic()
            try:
                result = work(progress, total)
                job.result = {"documents": [d.id for d in result.documents], "chunks": result.chunks,
                              "summary": str(result.report), "skipped": result.skipped,
                              "failed": result.failed, "files": result.files}
                job.state = "done"
            except IngestError as exc:
                job.error, job.state = str(exc), "failed"
            except Exception as exc:  # reported to the admin page, never a crash of the server
                job.error, job.state = f"{type(exc).__name__}: {exc}", "failed"
            if self._on_finish is not None:
                self._on_finish(job.state, time.monotonic() - started)

        threading.Thread(target=run, name=f"index-{job.id}", daemon=True).start()
        return job

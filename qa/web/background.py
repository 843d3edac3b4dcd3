"""What the app does on its own besides answering: sync its sources every `QA_SYNC_EVERY`
(`QA_SYNC_SOURCES`), and keep the corpus folder indexed (`QA_WATCH=true`). Each runs in a thread
that stops with the app, and hands its work to the same job queue as uploads, so one writer works
at a time and /admin shows what happened."""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

from ..service import QA
from ..sources import Source, read_sources
from ..stoppable import Stoppable
from ..sync import Library, SyncState
from ..watch import Batch, Watcher
from .admin import Job, Jobs

log = logging.getLogger(__name__)


class Every(Stoppable):
    """Runs `action` now and then every `seconds`, in a thread, until stopped."""

    def __init__(self, seconds: float, action: Callable[[], Any], name: str) -> None:
        super().__init__()
        self.seconds, self.action, self.name = seconds, action, name
        self.next_at = 0.0  # wall-clock time of the next run

    def run(self) -> None:
        while not self._stop.is_set():
            self.next_at = time.time() + self.seconds
            try:
                self.action()
            except Exception:  # a failed round is reported; the next one still comes
                log.exception("%s failed", self.name)
            if self._stop.wait(max(0.0, self.next_at - time.time())):
                return


class Background:
    """The app's schedule and watcher, started and stopped with it."""

    def __init__(self, service: QA, jobs: Jobs) -> None:
        self.service, self.jobs = service, jobs
        self.schedule: Every | None = None
        self.watcher: Watcher | None = None
        self.last_sync: Job | None = None

    def start(self) -> None:
        s = self.service.settings
        if s.sync_sources and s.sync_every:
            self.schedule = Every(s.sync_every, self.sync, "qa-sync-schedule").start()
        if s.watch:
            self.watcher = Watcher(self.service, apply=self._queue).start()

    def stop(self) -> None:
        for part in (self.schedule, self.watcher):
            if part is not None:
                part.stop()

    def sync(self, sources: list[Source] | None = None) -> Job:
        """Queue a sync of the configured sources; one already waiting or running is not doubled."""
        pending = self.last_sync
        if sources is None and pending is not None and pending.state in ("queued", "running"):
            return pending
        spec = self.service.settings.sync_sources

        def work(progress: Any, total: Any, plan: Any, started: Any) -> Any:
            chosen = sources if sources is not None else read_sources(spec)
            return Library(self.service).sync(chosen, progress=progress, on_total=total, on_plan=plan,
                                              started=started)

        job = self.jobs.start(work, names=["sync: " + (", ".join(str(s) for s in sources) if sources else spec)])
        if sources is None:
            self.last_sync = job
        return job

    def _queue(self, batch: Batch) -> None:
        watcher = self.watcher
        assert watcher is not None
        self.jobs.start(lambda progress, total, plan, started: watcher.index(batch, progress, total),
                        names=["watch: " + ", ".join(batch.names)])

    def status(self) -> dict[str, Any]:
        """For /admin: what is synced, when, the last result, and what each URL gave last."""
        s = self.service.settings
        try:
            sources = [str(x) for x in read_sources(s.sync_sources)]
            error = ""
        except ValueError as exc:
            sources, error = [], str(exc)
        state = SyncState(s.sync_state_path)
        last = self.last_sync
        return {"sources": sources, "error": error, "every_s": s.sync_every,
                "next_at": self.schedule.next_at if self.schedule and self.schedule.alive else None,
                "watching": bool(self.watcher and self.watcher.alive),
                "last": last.to_json(self.jobs.position(last)) if last else None,
                "urls": [{"url": url, "doc": seen.doc, "kind": seen.kind, "checked": seen.checked,
                          "status": seen.status} for url, seen in sorted(state.urls.items())]}

"""The indexing job queue behind the admin page and API: an upload returns at once, its job waits
its turn (one runs at a time, so one large upload delays the next but never blocks questions), and
each job shows progress and an estimated time left per file, and can be cancelled, queued or running.
A cancelled job's documents are never committed and their files are taken out of the corpus again;
those written before the cancel came stay (and are listed in its result), and a cancel that came
too late to stop anything leaves the job "done"."""

from __future__ import annotations

import hmac
import os
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from ..fetch import FetchError, check_url
from ..ingest import IngestError
from ..sync import Library
from .errors import error

if TYPE_CHECKING:  # the routes take them; the queue itself needs neither
    from ..service import QA
    from .background import Background


class UrlRequest(BaseModel):
    """`POST /api/documents` as JSON: documents to fetch and index, as an upload is."""

    urls: list[str] = Field(min_length=1, max_length=20)
    follow: bool = Field(False, description="the URLs are pages listing papers: add the documents they link to")
    title: str | None = Field(None, max_length=300)
    date: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    id: str | None = Field(None, pattern=r"^[\w.\-]{1,120}$")


class Cancelled(Exception):
    """Raised inside a running job, at its next progress report, when it is cancelled."""

    def __str__(self) -> str:
        return "cancelled"


@dataclass
class FileProgress:
    file: str
    doc: str
    total: int  # embeddings to compute or copy
    done: int = 0
    state: str = "waiting"  # waiting, indexing, finished


@dataclass
class Job:
    id: str
    names: list[str]
    state: str = "queued"  # queued, running, done, failed, cancelled
    done: int = 0
    total: int = 0
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    files: list[FileProgress] = field(default_factory=list)
    created: float = field(default_factory=time.time)
    started: float = 0.0
    finished: float = 0.0
    cancel: threading.Event = field(default_factory=threading.Event)

    @property
    def rate(self) -> float:
        """Embeddings per second so far (0 until there is something to go by)."""
        elapsed = time.time() - self.started if self.started else 0.0
        return self.done / elapsed if self.done and elapsed > 1.0 else 0.0

    def eta_s(self, done: int, total: int, rate: float) -> float | None:
        return round((total - done) / rate, 1) if rate and total else None

    def to_json(self, position: int | None = None) -> dict[str, Any]:
        rate = self.rate
        data = {"id": self.id, "files": [f.file for f in self.files] or self.names, "state": self.state,
                "done": self.done, "total": self.total, "rate_per_s": round(rate, 2),
                "eta_s": self.eta_s(self.done, self.total, rate) if self.state == "running" else None,
                "result": self.result, "error": self.error,
                "progress": [{"file": f.file, "doc": f.doc, "state": f.state, "done": f.done, "total": f.total,
                              "eta_s": self.eta_s(f.done, f.total, rate) if f.state == "indexing" else None}
                             for f in self.files]}
        if position is not None:
            data["position"] = position  # jobs ahead of this one
        return data


def _lower_priority(nice: int) -> None:
    """Give this thread (and the encoder threads it starts, which inherit it) a lower CPU priority,
    so that questions asked while a paper is indexed are answered first. Linux sets it per thread."""
    if nice <= 0:
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
    except (OSError, AttributeError):  # not Linux, or not allowed: indexing runs at the same priority
        pass


class Jobs:
    """Indexing jobs, run one at a time in arrival order by one worker thread."""

    def __init__(self, keep: int = 50, on_finish: Callable[[str, float], None] | None = None,
                 nice: int = 0) -> None:
        self._jobs: dict[str, Job] = {}
        self._nice = nice  # the worker's priority below the threads answering questions
        self._lock = threading.Lock()
        self._keep = keep
        self._on_finish = on_finish  # (state, seconds), for metrics
        self._queue: queue.Queue[tuple[Job, Callable[..., Any]]] = queue.Queue()
        self._worker: threading.Thread | None = None

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def position(self, job: Job) -> int | None:
        if job.state != "queued":
            return None
        waiting = [j for j in self._jobs.values() if j.state in ("queued", "running")]
        return waiting.index(job)

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            jobs = list(self._jobs.values())
        return [j.to_json(self.position(j)) for j in reversed(jobs)]

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a job: a queued one never runs; a running one stops at its next progress report."""
        job = self._jobs.get(job_id)
        if job is None:
            return None
        if job.state in ("queued", "running"):
            job.cancel.set()
            if job.state == "queued":
                job.state, job.finished = "cancelled", time.time()
        return job

    def start(self, work: Callable[..., Any], names: list[str] | None = None) -> Job:
        """Queue `work(progress, total, plan, started)` (the callbacks `QA.add` takes)."""
        job = Job(uuid.uuid4().hex[:12], list(names or []))
        with self._lock:
            self._jobs[job.id] = job
            finished = [k for k, j in self._jobs.items() if j.state not in ("queued", "running")]
            for old in finished[:max(0, len(self._jobs) - self._keep)]:
                self._jobs.pop(old, None)
            self._queue.put((job, work))
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="index-jobs", daemon=True)
                self._worker.start()
        return job

    def _work(self) -> None:
        _lower_priority(self._nice)
        while True:
            job, work = self._queue.get()
            if job.state == "queued":
                self._run(job, work)
            self._queue.task_done()

    def _run(self, job: Job, work: Callable[..., Any]) -> None:
        current: list[FileProgress] = []
        stopped: list[bool] = []  # the cancel took effect: something was left unwritten

        def progress(n: int) -> None:
            if job.cancel.is_set():
                stopped.append(True)
                raise Cancelled()
            job.done += n
            if current:
                current[0].done = min(current[0].total, current[0].done + n)

        def total(n: int) -> None:
            job.total = n

        def plan(files: list[tuple[str, str, int]]) -> None:
            job.files = [FileProgress(name, doc, n) for name, doc, n in files]

        def started(doc: str) -> None:
            for f in current:
                f.state = "finished"
            current[:] = [f for f in job.files if f.doc == doc][:1]
            for f in current:
                f.state = "indexing"

        job.state, job.started = "running", time.time()
        try:
            result = work(progress, total, plan, started)
            for f in job.files:
                f.state = "finished"
            job.result = {"documents": [d.id for d in result.documents], "chunks": result.chunks,
                          "summary": str(result.report), "skipped": result.skipped,
                          "failed": result.failed, "files": result.files}
            # a cancel that came after the last document was written stopped nothing: the job is done
            job.state = "cancelled" if stopped else "done"
        except Cancelled:
            job.state = "cancelled"
        except IngestError as exc:
            job.error, job.state = str(exc), "failed"
        except Exception as exc:  # reported to the admin page, never a crash of the server
            job.error, job.state = f"{type(exc).__name__}: {exc}", "failed"
        job.finished = time.time()
        if self._on_finish is not None:
            self._on_finish(job.state, job.finished - job.started)


def admin_denied(settings: Any, authorization: str) -> JSONResponse | None:
    """Why an admin request is refused (admin off: 404; no token or a wrong one: 401, each saying
    which, so an editor knows whether to enter the token or check it), or None."""
    if not settings.admin_token:
        return error(404, "admin is disabled (set QA_ADMIN_TOKEN to enable it)", "admin_disabled")
    given = authorization.removeprefix("Bearer ").strip()
    if not given:
        return error(401, "admin token missing: send it as 'Authorization: Bearer <QA_ADMIN_TOKEN>'")
    if not hmac.compare_digest(given.encode(), settings.admin_token.encode()):
        return error(401, "admin token is wrong: it does not match QA_ADMIN_TOKEN")
    return None


def require_admin(settings: Any, request: Request) -> JSONResponse | None:
    """Admin needs QA_ADMIN_TOKEN set, the token, and a request from this site itself."""
    if (denied := admin_denied(settings, request.headers.get("authorization", ""))) is not None:
        return denied
    origin = request.headers.get("origin")
    if origin and origin != f"{request.url.scheme}://{request.url.netloc}":
        return error(403, "admin requests are accepted only from this site", "other_site")
    return None


def queued(jobs: Jobs, job: Job) -> dict[str, Any]:
    """What a request that started a job is told: where to follow it, and its place in the queue."""
    return {"job": job.id, "status": f"/api/jobs/{job.id}", "position": jobs.position(job)}


def router(service: QA, jobs: Jobs, background: Background) -> APIRouter:
    """The admin API: documents added (uploads, URLs) and removed, syncs, the job queue."""
    app = APIRouter()
    app.include_router(documents_router(service, jobs))
    app.include_router(queue_router(service, jobs, background))
    return app


def documents_router(service: QA, jobs: Jobs) -> APIRouter:
    s = service.settings
    app = APIRouter()

    @app.post("/api/documents", status_code=202,
              summary='Admin: add or replace documents (multipart `files`, or JSON `{"urls": [...], "follow"}`)')
    async def add_documents(request: Request, files: list[UploadFile] | None = File(None),
                            title: str | None = Form(None, max_length=300),
                            date: str | None = Form(None, pattern=r"^\d{4}-\d{2}-\d{2}$"),
                            doc_id: str | None = Form(None, alias="id", pattern=r"^[\w.\-]{1,120}$"),
                            replace: bool = Form(False)) -> Any:
        if (denied := require_admin(s, request)) is not None:
            return denied
        if request.headers.get("content-type", "").startswith("application/json"):
            return await add_urls(request)
        if not files or len(files) > 10:
            return error(422, "send between 1 and 10 files", "file_count")
        limit = s.max_upload_mb * 1024 * 1024
        payload = []
        for f in files:
            data = await f.read(limit + 1)
            if len(data) > limit:
                return error(413, f"{f.filename}: over the {s.max_upload_mb} MB limit", "too_large",
                             file=f.filename, mb=s.max_upload_mb)
            payload.append((f.filename or "upload", data))
        job = jobs.start(lambda progress, total, plan, started: service.indexer.add(
            payload, doc_id=doc_id, title=title, date=date, progress=progress, on_total=total, replace=replace,
            on_plan=plan, started=started), names=[name for name, _ in payload])
        return queued(jobs, job)

    async def add_urls(request: Request) -> Any:
        """Documents by URL: each checked now (a refusal is a 422 at once), fetched and indexed in a job."""
        try:
            req = UrlRequest.model_validate_json(await request.body())
        except ValidationError as exc:
            first = exc.errors()[0]
            return error(422, f"{'.'.join(str(p) for p in first['loc']) or 'request'}: {first['msg']}")
        try:
            urls = await run_in_threadpool(lambda: [check_url(u, s) for u in req.urls])
        except FetchError as exc:
            return error(422, str(exc))
        job = jobs.start(lambda progress, total, plan, started: Library(service).add_urls(
            urls, req.follow, req.id, req.title, req.date, progress=progress, on_total=total, on_plan=plan,
            started=started), names=urls)
        return queued(jobs, job)

    @app.delete("/api/documents/{doc}", summary="Admin: remove a document")
    def remove_document(doc: str, request: Request) -> Any:
        if (denied := require_admin(s, request)) is not None:
            return denied
        if not service.indexer.remove(doc):
            return error(404, f"no document {doc!r}", "no_document", doc=doc)
        return {"removed": doc}

    return app


def queue_router(service: QA, jobs: Jobs, background: Background) -> APIRouter:
    s = service.settings
    app = APIRouter()

    @app.get("/api/sync", summary="Admin: the sources synced, the schedule, the last sync and each URL's state")
    def sync_status(request: Request) -> Any:
        if (denied := require_admin(s, request)) is not None:
            return denied
        return background.status()

    @app.post("/api/sync", summary="Admin: sync the configured sources now (QA_SYNC_SOURCES)", status_code=202)
    def sync_now(request: Request) -> Any:
        if (denied := require_admin(s, request)) is not None:
            return denied
        if not s.sync_sources:
            return error(409, "no sources are configured (set QA_SYNC_SOURCES)", "no_sources")
        return queued(jobs, background.sync())

    @app.get("/api/jobs/{job_id}", summary="Admin: progress of an upload")
    def job_status(job_id: str, request: Request) -> Any:
        if (denied := require_admin(s, request)) is not None:
            return denied
        job = jobs.get(job_id)
        return job.to_json(jobs.position(job)) if job else error(404, "no such job", "no_job")

    @app.get("/api/jobs", summary="Admin: the indexing queue, newest first")
    def job_list(request: Request) -> Any:
        if (denied := require_admin(s, request)) is not None:
            return denied
        return {"jobs": jobs.list()}

    @app.delete("/api/jobs/{job_id}", summary="Admin: cancel an upload, queued or running")
    def job_cancel(job_id: str, request: Request) -> Any:
        if (denied := require_admin(s, request)) is not None:
            return denied
        job = jobs.cancel(job_id)
        if job is None:
            return error(404, "no such job", "no_job")
        if job.state not in ("queued", "running", "cancelled"):
            return error(409, f"the job has already {job.state.replace('done', 'finished')}", "job_ended")
        return job.to_json(jobs.position(job))

    return app

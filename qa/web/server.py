"""One FastAPI process: the REST API, the Gradio chat at /chat, the embeddable widget and /embed.

Routes only translate HTTP to `qa.service` calls and back; no retrieval or answer logic lives here.
"""

from __future__ import annotations

import hmac
import json
from pathlib import Path
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable, Literal

import gradio as gr
from fastapi import FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response, FileResponse, HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import feedback, mcp_server
from ..metrics import CONTENT_TYPE, Metrics
from ..models import Answer
from ..service import QA, IndexError_, QuestionError
from .background import Background
from . import admin, docs, openai_api, render, ui
from .clients import client_of, trust_proxies
from .observe import Observe

STATIC = Path(__file__).parent / "static"
GRADIO_JS = Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js"


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class Filters(BaseModel):
    documents: list[str] | None = Field(None, max_length=50, description="search only these document ids")
    since: str = Field("", pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$", description="papers dated from (YYYY[-MM[-DD]])")
    until: str = Field("", pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$", description="papers dated until, inclusive")
    language: Literal["", "en", "zh"] = Field("", description="papers written in this language")


class AskRequest(BaseModel):
    question: str
    history: list[Turn] = Field(default_factory=list, max_length=50)
    filters: Filters | None = None

    def scope(self) -> dict[str, Any]:
        """The filters as the service takes them."""
        f = self.filters or Filters()
        return {"scope": f.documents, "since": f.since, "until": f.until, "language": f.language}


class UrlRequest(BaseModel):
    """`POST /api/documents` as JSON: documents to fetch and index, as an upload is."""

    urls: list[str] = Field(min_length=1, max_length=20)
    follow: bool = Field(False, description="the URLs are pages listing papers: add the documents they link to")
    title: str | None = Field(None, max_length=300)
    date: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    id: str | None = Field(None, pattern=r"^[\w.\-]{1,120}$")


class FeedbackRequest(BaseModel):
    question: str = Field(max_length=20_000)
    answer: str = Field(max_length=50_000)
    citations: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    vote: Literal["up", "down"]


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class BodyLimit:
    """Refuse request bodies over the limit before they are read into memory (413, JSON), on every
    route that takes a body from users. Document uploads get their own, larger limit, and only
    once the admin token checks out: an anonymous upload is refused before its body is read."""

    GUARDED = ("/api/", "/v1/", "/mcp", "/chat/")
    # Gradio's own file upload: the chat takes no files, so nobody may store any through it
    GRADIO_UPLOADS = ("/chat/gradio_api/upload", "/chat/upload")

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int, chat_limit: int,
                 upload_denied: Callable[[str], JSONResponse | None]) -> None:
        self.app, self.api_limit, self.upload_limit, self.chat_limit = app, limit, upload_limit, chat_limit
        self.upload_denied = upload_denied

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.GUARDED):
            return await self.app(scope, receive, send)
        if path.startswith(self.GRADIO_UPLOADS):
            return await error(403, "this chat does not accept files")(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        upload = path == "/api/documents" and scope["method"] == "POST"
        if upload and (denied := self.upload_denied(headers.get(b"authorization", b"").decode("latin-1"))):
            return await denied(scope, receive, send)
        # per request, never on self: requests run concurrently
        limit = self.upload_limit if upload else self.chat_limit if path.startswith("/chat/") else self.api_limit
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return await error(413, f"request body over {limit} bytes")(scope, receive, send)
        seen, over, replied = 0, False, False

        async def limited() -> Message:
            # past the limit the route is told the client has gone: whatever it makes of that (an
            # error of its own, a 400, a 500), its reply is held back and the client gets the 413
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                over = True
                return {"type": "http.disconnect"}
            return message

        async def reply(message: Message) -> None:
            nonlocal replied
            if not over:
                replied = True
                await send(message)

        try:
            await self.app(scope, limited, reply)
        except Exception:
            if not over:
                raise
        if over and not replied:
            await error(413, f"request body over {limit} bytes")(scope, receive, send)


class KeyRequired:
    """An ASGI app (the MCP endpoint) behind the optional QA_API_KEY, as the /v1 routes are."""

    def __init__(self, app: ASGIApp, key: str | None) -> None:
        self.app, self.key = app, key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not openai_api.authorised(Request(scope), self.key):
            return await error(401, "a valid API key is required (Authorization: Bearer …)")(scope, receive, send)
        await self.app(scope, receive, send)


def frame_ancestors(origins: list[str]) -> str:
    return "frame-ancestors " + ("*" if "*" in origins else " ".join(["'self'", *origins]))


def admin_denied(settings: Any, authorization: str) -> JSONResponse | None:
    """Why an admin request is refused (admin off: 404; wrong or no token: 401), or None."""
    if not settings.admin_token:
        return error(404, "admin is disabled (set QA_ADMIN_TOKEN to enable it)")
    given = authorization.removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), settings.admin_token.encode()):
        return error(401, "admin token required")
    return None


def index_size(service: QA) -> tuple[int, int]:
    records = service.store.docs()
    return len(records), sum(r.chunks for r in records.values())


def create_app(service: QA) -> FastAPI:
    s = service.settings
    metrics = Metrics(lambda: index_size(service))
    mcp = mcp_server.build(service)
    mcp_app = mcp_server.http_app(mcp, s)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        service.listeners.append(metrics.answer)
        background.start()  # the sync schedule and the folder watcher, when configured
        try:
            async with mcp.session_manager.run():
                yield
        finally:
            background.stop()
            service.listeners.remove(metrics.answer)

    app = FastAPI(title="legco-qa", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Cited answers over policy papers. Every citation quotes the paragraph it names.")
    origins = s.allowed_origins or ["*"]
    # any header: Gradio's web component sends its own (x-gradio-user …) when embedded elsewhere
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                       allow_headers=["*"], allow_credentials=False, expose_headers=["X-Request-ID"])
    app.add_middleware(BodyLimit, limit=s.max_body_bytes, upload_limit=(s.max_upload_mb + 1) * 10 * 1024 * 1024,
                       chat_limit=s.max_chat_body_bytes,
                       upload_denied=lambda authorization: admin_denied(s, authorization))
    app.add_middleware(Observe, metrics=metrics)
    trust_proxies(app, s.trusted_proxies)  # outermost: every layer sees the client it resolves

    @app.middleware("http")
    async def embedding_policy(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        if request.url.path.startswith(("/embed", "/chat")):
            response.headers["Content-Security-Policy"] = frame_ancestors(origins)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = f"{where or 'request'}: {first.get('msg', 'invalid request')}"
        if request.url.path.startswith("/v1/"):
            return openai_api.openai_error(400, message, param=where or None)
        return error(422, message)

    @app.exception_handler(QuestionError)
    async def bad_question(_: Request, exc: QuestionError) -> JSONResponse:
        return error(422, str(exc))

    @app.exception_handler(IndexError_)
    async def no_index(_: Request, exc: IndexError_) -> JSONResponse:
        return error(503, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error(exc.status_code, str(exc.detail))

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/chat/")

    @app.post("/api/ask", summary="Answer a question with paragraph citations (same JSON as `qa ask --json`)")
    def ask(req: AskRequest, full: bool = False) -> dict[str, Any]:
        return service.ask(req.question, [t.model_dump() for t in req.history], **req.scope()).to_json(full)

    @app.post("/api/ask/stream", summary="The same answer as server-sent events: `token` events, then `answer`")
    async def ask_stream(req: AskRequest) -> StreamingResponse:
        # Validate before streaming starts, so bad input gets a 4xx rather than a broken stream.
        # A client that goes away mid-answer closes `pieces`, which frees the language model.
        pieces = service.astream(req.question, [t.model_dump() for t in req.history], **req.scope())
        first = await anext(pieces)

        async def events() -> AsyncIterator[str]:
            yield _event(first)
            async for piece in pieces:
                yield _event(piece)

        def _event(piece: str | Answer) -> str:
            if isinstance(piece, Answer):
                return f"event: answer\ndata: {json.dumps(piece.to_json(full=True), ensure_ascii=False)}\n\n"
            return f"event: token\ndata: {json.dumps(piece, ensure_ascii=False)}\n\n"

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @app.get("/api/documents", summary="What is indexed")
    def documents() -> dict[str, Any]:
        return {"documents": service.documents()}

    @app.get("/api/paragraph", summary="One cited paragraph, whole")
    def paragraph(doc: str = Query(max_length=300), paragraph: str = Query(max_length=20),
                  label: str = Query("", max_length=200), part: str = Query("", max_length=200)) -> Any:
        unit = service.paragraph(doc, paragraph, label, part)
        if unit is None:
            return error(404, "no such paragraph")
        return unit.to_json()

    @app.post("/api/feedback", summary="Thumbs up or down on an answer, stored for review")
    def post_feedback(req: FeedbackRequest, request: Request) -> Any:
        origin = request.headers.get("origin")
        own = f"{request.url.scheme}://{request.url.netloc}"
        if origin and origin != own and origin not in origins:
            return error(403, "feedback is accepted from this site and the origins listed in QA_ALLOWED_ORIGINS")
        try:
            service.feedback.vote(client_of(request), req.question, req.answer, req.citations, req.vote,
                                  {"source": "api"})
        except feedback.TooMany as exc:
            return error(429, str(exc))
        return {"ok": True}

    jobs = app.state.jobs = admin.Jobs(on_finish=metrics.job, nice=s.index_nice)

    def require_admin(request: Request) -> JSONResponse | None:
        """Admin needs QA_ADMIN_TOKEN set, the token, and a request from this site itself."""
        if (denied := admin_denied(s, request.headers.get("authorization", ""))) is not None:
            return denied
        origin = request.headers.get("origin")
        if origin and origin != f"{request.url.scheme}://{request.url.netloc}":
            return error(403, "admin requests are accepted only from this site")
        return None

    background = Background(service, jobs)  # the sync schedule and the folder watcher, started by `lifespan`

    @app.post("/api/documents", status_code=202,
              summary='Admin: add or replace documents (multipart `files`, or JSON `{"urls": [...], "follow"}`)')
    async def add_documents(request: Request, files: list[UploadFile] | None = File(None),
                            title: str | None = Form(None, max_length=300),
                            date: str | None = Form(None, pattern=r"^\d{4}-\d{2}-\d{2}$"),
                            doc_id: str | None = Form(None, alias="id", pattern=r"^[\w.\-]{1,120}$"),
                            replace: bool = Form(False)) -> Any:
        if (denied := require_admin(request)) is not None:
            return denied
        if request.headers.get("content-type", "").startswith("application/json"):
            return await add_urls(request)
        if not files or len(files) > 10:
            return error(422, "send between 1 and 10 files")
        limit = s.max_upload_mb * 1024 * 1024
        payload = []
        for f in files:
            data = await f.read(limit + 1)
            if len(data) > limit:
                return error(413, f"{f.filename}: over the {s.max_upload_mb} MB limit")
            payload.append((f.filename or "upload", data))
        job = jobs.start(lambda progress, total, plan, started: service.add(
            payload, doc_id=doc_id, title=title, date=date, progress=progress, on_total=total, replace=replace,
            on_plan=plan, started=started), names=[name for name, _ in payload])
        return {"job": job.id, "status": f"/api/jobs/{job.id}", "position": jobs.position(job)}

    async def add_urls(request: Request) -> Any:
        """Documents by URL: each checked now (a refusal is a 422 at once), fetched and indexed in a job."""
        from starlette.concurrency import run_in_threadpool

        from ..fetch import FetchError, check_url
        from ..sync import Library

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
        return {"job": job.id, "status": f"/api/jobs/{job.id}", "position": jobs.position(job)}

    @app.get("/api/sync", summary="Admin: the sources synced, the schedule, the last sync and each URL's state")
    def sync_status(request: Request) -> Any:
        if (denied := require_admin(request)) is not None:
            return denied
        return background.status()

    @app.post("/api/sync", summary="Admin: sync the configured sources now (QA_SYNC_SOURCES)", status_code=202)
    def sync_now(request: Request) -> Any:
        if (denied := require_admin(request)) is not None:
            return denied
        if not s.sync_sources:
            return error(409, "no sources are configured (set QA_SYNC_SOURCES)")
        job = background.sync()
        return {"job": job.id, "status": f"/api/jobs/{job.id}", "position": jobs.position(job)}

    @app.get("/api/jobs/{job_id}", summary="Admin: progress of an upload")
    def job_status(job_id: str, request: Request) -> Any:
        if (denied := require_admin(request)) is not None:
            return denied
        job = jobs.get(job_id)
        return job.to_json(jobs.position(job)) if job else error(404, "no such job")

    @app.get("/api/jobs", summary="Admin: the indexing queue, newest first")
    def job_list(request: Request) -> Any:
        if (denied := require_admin(request)) is not None:
            return denied
        return {"jobs": jobs.list()}

    @app.delete("/api/jobs/{job_id}", summary="Admin: cancel an upload, queued or running")
    def job_cancel(job_id: str, request: Request) -> Any:
        if (denied := require_admin(request)) is not None:
            return denied
        job = jobs.cancel(job_id)
        if job is None:
            return error(404, "no such job")
        if job.state not in ("queued", "running", "cancelled"):
            return error(409, f"the job has already {job.state.replace('done', 'finished')}")
        return job.to_json(jobs.position(job))

    @app.delete("/api/documents/{doc}", summary="Admin: remove a document")
    def remove_document(doc: str, request: Request) -> Any:
        if (denied := require_admin(request)) is not None:
            return denied
        if not service.remove(doc):
            return error(404, f"no document {doc!r}")
        return {"removed": doc}

    @app.get("/admin", include_in_schema=False)
    def admin_page() -> Any:
        if not s.admin_token:
            return HTMLResponse("<h1>Admin is disabled</h1><p>Set QA_ADMIN_TOKEN to enable it.</p>", 404)
        return FileResponse(STATIC / "admin.html", headers={"Content-Security-Policy": "frame-ancestors 'self'"})

    @app.get("/read/{doc}", include_in_schema=False)
    def read_paper(doc: str) -> Any:
        found = next((d for d in service.documents() if d["doc"] == doc), None)
        if found is None:
            return HTMLResponse("<h1>No such paper</h1>", 404)
        return HTMLResponse(render.reading_page(found, service.units_of(doc)))

    @app.get("/healthz", summary="Index loaded, document and chunk counts, which answerer is serving")
    def healthz() -> Any:
        try:
            status = service.status()
        except IndexError_ as exc:
            return JSONResponse({"status": "unavailable", "index_loaded": False, "error": str(exc)}, 503)
        return {"status": "ok", "index_loaded": True, "documents": len(status["documents"]),
                "chunks": status["chunks"], "units": status["units"], **service.llm_status()}

    @app.get("/widget.js", include_in_schema=False)
    def widget() -> FileResponse:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=300"})

    @app.get("/embed", include_in_schema=False)
    def embed(title: str = Query("Ask the LegCo papers", max_length=80),
              color: str = Query("#0f766e", pattern=r"^#[0-9a-fA-F]{3,8}$")) -> HTMLResponse:
        page = (STATIC / "embed.html").read_text(encoding="utf-8")
        from html import escape
        return HTMLResponse(page.replace("{{title}}", escape(title)).replace("{{color}}", color))

    @app.get("/assets/{name}", include_in_schema=False)
    def gradio_assets(name: str) -> Any:
        # the web component's loader asks for its stylesheet at the site root
        path = GRADIO_JS.parent / "assets" / name
        if "/" in name or name.startswith(".") or not path.is_file():
            return error(404, "not found")
        return FileResponse(path)

    @app.get("/chat/gradio.js", include_in_schema=False)
    def gradio_js() -> FileResponse:
        # Gradio does not serve its web-component loader itself; the installed one loads ./assets/.
        return FileResponse(GRADIO_JS, media_type="text/javascript")

    @app.get("/metrics", summary="Prometheus metrics (qa_…)", include_in_schema=False)
    def prometheus() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    app.include_router(openai_api.router(service))
    app.include_router(docs.router("legco-qa"))
    app.add_route("/mcp", KeyRequired(mcp_app, s.api_key.get_secret_value() if s.api_key else None),
                  methods=["GET", "POST", "DELETE"], include_in_schema=False)

    demo = ui.build(service)
    return gr.mount_gradio_app(app, demo, path="/chat", theme=ui.theme(), css=ui.css(), js=ui.js(),
                               footer_links=[], show_error=False)

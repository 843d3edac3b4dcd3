"""What every request leaves behind: a request id (taken from `X-Request-ID` when sane, sent back in
the same header), a latency observation per route for `/metrics`, and one log line. Also the two
routes operators watch: /healthz and /metrics."""

from __future__ import annotations

import logging
import time

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..logs import new_request_id, request_id
from ..metrics import CONTENT_TYPE, Metrics
from ..service import QA, IndexError_

log = logging.getLogger("qa.http")


def route_of(scope: Scope) -> str:
    """The route's template (`/api/jobs/{job_id}`), never the raw path: labels must stay few."""
    route = scope.get("route")
    if route is not None and getattr(route, "path", None):
        return route.path
    path = scope.get("path", "")
    for prefix in ("/chat", "/mcp", "/assets"):
        if path == prefix or path.startswith(prefix + "/"):
            return prefix
    return "other"


class Observe:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = new_request_id(given)
        token = request_id.set(rid)
        started, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope)
            self.metrics.request(scope["method"], route, status, seconds)
            if route != "/metrics":
                log.info("%s %s", scope["method"], route,
                         extra={"status": status, "duration_ms": round(seconds * 1000, 1)})
            request_id.reset(token)


def router(service: QA, metrics: Metrics) -> APIRouter:
    app = APIRouter()

    @app.get("/healthz", summary="Index loaded, document and chunk counts, which answerer is serving")
    def healthz() -> Any:
        try:
            status = service.status()
        except IndexError_ as exc:
            return JSONResponse({"status": "unavailable", "index_loaded": False, "error": str(exc)}, 503)
        return {"status": "ok", "index_loaded": True, "documents": len(status["documents"]),
                "chunks": status["chunks"], "units": status["units"], **service.llm_status()}

    @app.get("/metrics", summary="Prometheus metrics (qa_…)", include_in_schema=False)
    def prometheus() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    return app

"""One FastAPI process: the REST API, the Gradio chat at /chat, the embeddable widget and /embed.

This module only assembles the app: middleware, error handlers and the routers of each concern
(`api`, `admin`, `pages`, `observe`, the OpenAI-compatible and MCP front ends). Routes only
translate HTTP to `qa.service` calls and back; no retrieval or answer logic lives here.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

import gradio as gr
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from .. import mcp_server, openai_api
from ..metrics import Metrics
from ..service import QA
from . import admin, api, docs, observe, pages, ui
from .background import Background
from .clients import trust_proxies
from .errors import install_handlers
from .middleware import BodyLimit, KeyRequired, embedding_policy
from .observe import Observe

__all__ = ["create_app", "BodyLimit"]


def index_size(service: QA) -> tuple[int, int]:
    records = service.store.docs()
    return len(records), sum(r.chunks for r in records.values())


def create_app(service: QA) -> FastAPI:
    s = service.settings
    metrics = Metrics(lambda: index_size(service))
    mcp = mcp_server.build(service)
    mcp_app = mcp_server.http_app(mcp, s)
    jobs = admin.Jobs(on_finish=metrics.job, nice=s.index_nice)
    background = Background(service, jobs)  # the sync schedule and the folder watcher, started by `lifespan`

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
    app.state.jobs = jobs
    origins = s.allowed_origins or ["*"]
    # any header: Gradio's web component sends its own (x-gradio-user …) when embedded elsewhere
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                       allow_headers=["*"], allow_credentials=False, expose_headers=["X-Request-ID"])
    app.add_middleware(BodyLimit, limit=s.max_body_bytes, upload_limit=(s.max_upload_mb + 1) * 10 * 1024 * 1024,
                       chat_limit=s.max_chat_body_bytes,
                       upload_denied=lambda authorization: admin.admin_denied(s, authorization))
    app.add_middleware(Observe, metrics=metrics)
    trust_proxies(app, s.trusted_proxies)  # outermost: every layer sees the client it resolves
    app.middleware("http")(embedding_policy(origins))
    install_handlers(app)

    app.include_router(pages.router(service))
    app.include_router(api.router(service, origins))
    app.include_router(admin.router(service, jobs, background))
    app.include_router(observe.router(service, metrics))
    app.include_router(openai_api.router(service))
    app.include_router(docs.router("legco-qa"))
    app.add_route("/mcp", KeyRequired(mcp_app, s.api_key.get_secret_value() if s.api_key else None),
                  methods=["GET", "POST", "DELETE"], include_in_schema=False)

    demo = ui.build(service)
    return gr.mount_gradio_app(app, demo, path="/chat", theme=ui.theme(), css=ui.css(), js=ui.js(),
                               footer_links=[], show_error=False)

"""The pages a browser opens besides the chat: the admin page, the reading view of a paper (/read),
the embeddable widget and /embed, and the Gradio loader the web component needs."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from ..service import QA
from . import render
from .errors import error

STATIC = Path(__file__).parent / "static"
GRADIO_JS = Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js"


def router(service: QA) -> APIRouter:
    s = service.settings
    app = APIRouter(include_in_schema=False)

    @app.get("/")
    def root() -> RedirectResponse:
        return RedirectResponse("/chat/")

    @app.get("/admin")
    def admin_page() -> Any:
        if not s.admin_token:
            return HTMLResponse("<h1>Admin is disabled</h1><p>Set QA_ADMIN_TOKEN to enable it.</p>", 404)
        return FileResponse(STATIC / "admin.html", headers={"Content-Security-Policy": "frame-ancestors 'self'"})

    @app.get("/read/{doc}")
    def read_paper(doc: str) -> Any:
        found = next((d for d in service.documents() if d["doc"] == doc), None)
        if found is None:
            return HTMLResponse("<h1>No such paper</h1>", 404)
        return HTMLResponse(render.reading_page(found, service.units_of(doc)))

    @app.get("/widget.js")
    def widget() -> FileResponse:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=300"})

    @app.get("/embed")
    def embed(title: str = Query("Ask the LegCo papers", max_length=80),
              color: str = Query("#0f766e", pattern=r"^#[0-9a-fA-F]{3,8}$")) -> HTMLResponse:
        page = (STATIC / "embed.html").read_text(encoding="utf-8")
        return HTMLResponse(page.replace("{{title}}", escape(title)).replace("{{color}}", color))

    @app.get("/assets/{name}")
    def gradio_assets(name: str) -> Any:
        # the web component's loader asks for its stylesheet at the site root
        path = GRADIO_JS.parent / "assets" / name
        if "/" in name or name.startswith(".") or not path.is_file():
            return error(404, "not found")
        return FileResponse(path)

    @app.get("/chat/gradio.js")
    def gradio_js() -> FileResponse:
        # Gradio does not serve its web-component loader itself; the installed one loads ./assets/.
        return FileResponse(GRADIO_JS, media_type="text/javascript")

    return app

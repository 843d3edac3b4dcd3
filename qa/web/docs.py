"""API documentation that works offline: Swagger UI at /docs and ReDoc at /redoc, their scripts and
styles served from the `fastapi-offline` package's copies, never from a CDN, and no web fonts."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

ASSETS = Path(fastapi_offline.__file__).parent / "static"
FILES = {"swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png"}


@lru_cache(maxsize=1)
def redoc_js() -> bytes:
    """ReDoc's script with the one image it would fetch from its CDN (a logo) served from here."""
    script = (ASSETS / "redoc.standalone.js").read_bytes()
    return script.replace(b"https://cdn.redoc.ly/redoc/logo-mini.svg", b"/docs-assets/favicon.png")


def router(title: str) -> APIRouter:
    api = APIRouter(include_in_schema=False)

    @api.get("/docs")
    def swagger() -> HTMLResponse:
        # validatorUrl off: Swagger UI would otherwise send the spec to validator.swagger.io
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{title} · API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon.png",
                                   swagger_ui_parameters={"validatorUrl": None})

    @api.get("/redoc")
    def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title=f"{title} · API",
                              redoc_js_url="/docs-assets/redoc.standalone.js",
                              redoc_favicon_url="/docs-assets/favicon.png", with_google_fonts=False)

    @api.get("/favicon.ico")
    def favicon() -> FileResponse:
        return FileResponse(ASSETS / "favicon.png", media_type="image/png")

    @api.get("/docs-assets/{name}")
    def asset(name: str) -> Response:
        if name not in FILES:
            return JSONResponse({"error": "not found"}, 404)
        if name == "redoc.standalone.js":
            return Response(redoc_js(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})
        return FileResponse(ASSETS / name, headers={"Cache-Control": "public, max-age=86400"})

    return api

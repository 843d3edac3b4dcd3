"""How the web app says no: one JSON shape (`{"error": message}`) for every refusal, and the
exception handlers that turn the service's errors and FastAPI's validation errors into it. A refusal
a page shows in the reader's language also carries a stable `code` and its `params`, so the page
words it from its own strings instead of recognising English sentences."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import openai_api
from ..service import IndexError_, QuestionError


def error(status: int, message: str, code: str = "", **params: object) -> JSONResponse:
    body: dict[str, object] = {"error": message}
    if code:
        body.update(code=code, params=params)
    return JSONResponse(body, status_code=status)


def install_handlers(app: FastAPI) -> None:
    """Bad input is a 422 (a 400 in OpenAI's shape under /v1/), no index a 503."""

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

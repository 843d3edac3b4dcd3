"""What stands in front of every route: request bodies held to their limits before they are read,
the API key in front of the MCP endpoint, and who may frame the chat."""

from __future__ import annotations

from typing import Any, Callable

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import openai_api
from .errors import error


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


def embedding_policy(origins: list[str]) -> Callable[..., Any]:
    """HTTP middleware: the chat and /embed may be framed by the allowed origins only."""

    async def policy(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        if request.url.path.startswith(("/embed", "/chat")):
            response.headers["Content-Security-Policy"] = frame_ancestors(origins)
        return response

    return policy

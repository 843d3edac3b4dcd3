"""The REST API: a question answered whole or streamed, what is indexed, one cited paragraph, and
votes on answers. Routes only translate HTTP to `QA` calls and back."""

from __future__ import annotations

import json
from typing import Any, AsyncIterator, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from .. import feedback
from ..models import Answer, HistoryTurn
from ..service import QA
from .clients import client_of
from .errors import error


class Filters(BaseModel):
    documents: list[str] | None = Field(None, max_length=50, description="search only these document ids")
    since: str = Field("", pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$", description="papers dated from (YYYY[-MM[-DD]])")
    until: str = Field("", pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$", description="papers dated until, inclusive")
    language: Literal["", "en", "zh"] = Field("", description="papers written in this language")


class AskRequest(BaseModel):
    question: str
    history: list[HistoryTurn] = Field(default_factory=list, max_length=50)
    filters: Filters | None = None

    def scope(self) -> dict[str, Any]:
        """The filters as the service takes them."""
        f = self.filters or Filters()
        return {"scope": f.documents, "since": f.since, "until": f.until, "language": f.language}


class FeedbackRequest(BaseModel):
    question: str = Field(max_length=20_000)
    answer: str = Field(max_length=50_000)
    citations: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    vote: Literal["up", "down"]


def router(service: QA, origins: list[str]) -> APIRouter:
    """`origins`: the sites besides this one whose pages may send votes (QA_ALLOWED_ORIGINS)."""
    app = APIRouter()

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

    return app

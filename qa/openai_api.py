"""OpenAI-compatible chat completions (`/v1/models`, `/v1/chat/completions`), so Open WebUI,
LibreChat or the `openai` client can use the service unchanged.

The conversation in `messages` is the history and the last user message is the question. The
content is the answer with its inline citations (`[¶3]`) and a sources list; the structured
citations ride along as an extra `citations` field. Same limits and abstentions as `/api/ask`;
a generated answer is streamed only once its citations are checked, so nothing unchecked is shown.
"""

from __future__ import annotations

import hmac
import json
import time
import uuid
from typing import Any, Iterator, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from .generate import pieces
from .models import Answer, without_sources
from .service import QA, QuestionError

EXTRACTIVE = "legco-qa"
GENERATIVE = "legco-qa-generative"
CREATED = 1_716_163_200  # 2024-05-20, the first paper's date: model ids are stable, so is this


class ContentPart(BaseModel):
    type: str
    text: str = Field("", max_length=20_000)


class Message(BaseModel):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = Field(None, max_length=20_000)

    def text(self) -> str:
        if isinstance(self.content, list):
            return " ".join(p.text for p in self.content if p.type == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """The fields that matter here; sampling options (temperature, max_tokens …) are accepted and
    ignored: quoted answers have none, and a generated one uses the service's settings."""

    model: str = Field(max_length=100)
    messages: list[Message] = Field(min_length=1, max_length=51)
    stream: bool = False
    documents: list[str] | None = Field(None, max_length=50)  # extension: search only these papers


def openai_error(status: int, message: str, code: str = "invalid_request_error", param: str | None = None) -> JSONResponse:
    kind = "authentication_error" if status == 401 else "invalid_request_error"
    return JSONResponse({"error": {"message": message, "type": kind, "param": param, "code": code}}, status)


def authorised(request: Request, key: str | None) -> bool:
    """No key configured = open (like /api/ask); otherwise the Bearer token, compared in constant time."""
    if not key:
        return True
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), key.encode())


def conversation(messages: list[Message]) -> tuple[str, list[dict[str, str]]]:
    """The question (the last message, from the user) and the user/assistant turns before it.
    System prompts are not followed: answers come from the papers, not from instructions."""
    if messages[-1].role != "user":
        raise QuestionError("the last message must be the user's question")
    history = [{"role": m.role, "content": without_sources(m.text()) if m.role == "assistant" else m.text()}
               for m in messages[:-1] if m.role in ("user", "assistant")]
    return messages[-1].text(), history


def completion(answer: Answer, model: str) -> dict[str, Any]:
    return {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "finish_reason": "stop",
                                         "message": {"role": "assistant", "content": answer.plain_text()}}],
            **extras(answer)}


def extras(answer: Answer) -> dict[str, Any]:
    """What an OpenAI response has no field for: the citations as data, and how the answer was made."""
    data = answer.to_json(full=False)
    return {"citations": data["citations"], "abstained": answer.abstained, "answerer": answer.answerer,
            "note": answer.note}


def chunks(answer: Answer, model: str) -> Iterator[str]:
    """The standard `chat.completion.chunk` events, then `data: [DONE]`."""
    ident, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

    def event(delta: dict[str, str], finish: str | None = None, **extra: Any) -> str:
        body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    for piece in pieces(answer.answer):  # the answer as it reads, then its sources in one piece
        yield event({"content": piece})
    if sources := answer.plain_text()[len(answer.answer):]:
        yield event({"content": sources})
    yield event({}, "stop", **extras(answer))
    yield "data: [DONE]\n\n"


def router(service: QA) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])
    key = service.settings.api_key.get_secret_value() if service.settings.api_key else None

    def models() -> list[str]:
        return [EXTRACTIVE, GENERATIVE] if service.settings.generative else [EXTRACTIVE]

    @api.get("/models", summary="The answerers, as OpenAI models")
    def list_models(request: Request) -> Any:
        if not authorised(request, key):
            return openai_error(401, "a valid API key is required (Authorization: Bearer …)", "invalid_api_key")
        return {"object": "list", "data": [{"id": m, "object": "model", "created": CREATED, "owned_by": "legco-qa"}
                                           for m in models()]}

    @api.post("/chat/completions", summary="A cited answer to the last user message, plain or streamed (SSE)")
    def chat(req: ChatRequest, request: Request) -> Any:
        if not authorised(request, key):
            return openai_error(401, "a valid API key is required (Authorization: Bearer …)", "invalid_api_key")
        if req.model not in models():
            return openai_error(404, f"the model {req.model!r} does not exist; use one of {', '.join(models())}",
                                "model_not_found", "model")
        try:
            question, history = conversation(req.messages)
            answer = service.ask(question, history, generate=req.model == GENERATIVE, scope=req.documents)
        except QuestionError as exc:
            return openai_error(400, str(exc), param="messages")
        if not req.stream:
            return completion(answer, req.model)
        return StreamingResponse(chunks(answer, req.model), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    return api

"""Logging for the serving process: plain text by default, one JSON object per line with
`QA_LOG_FORMAT=json`. Every line written while a request is handled carries its request id, which
also goes back to the client in the `X-Request-ID` header. Question text is logged only with
`QA_LOG_QUESTIONS=true`: questions can name people and cases."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from datetime import datetime, timezone
from typing import Callable

from .models import Answer

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

_CLIENT_ID = re.compile(r"^[\w.\-]{1,64}$")
# LogRecord's own attributes; anything else on a record came from `extra=` and is logged as a field
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def new_request_id(given: str | None) -> str:
    """The client's id when it is a sane token (so ids can be followed through a proxy), else a new one."""
    return given if given and _CLIENT_ID.match(given) else uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        row = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        if rid := request_id.get():
            row["request_id"] = rid
        row.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            row["error"] = self.formatException(record.exc_info)
        return json.dumps(row, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_"))
        rid = request_id.get()
        line = f"{record.levelname} {record.name}: {record.getMessage()}"
        return line + (f" {extra}" if extra else "") + (f" request_id={rid}" if rid else "")


def configure(fmt: str = "text", level: str = "INFO") -> None:
    """One handler on the root logger for the app process (the CLI keeps its own quiet setup)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("chromadb", "httpx", "httpcore", "uvicorn.access", "mcp", "sse_starlette", "sentence_transformers",
                  "transformers", "jieba"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def answer_logger(questions: bool) -> Callable[[Answer | None, str], None]:
    """A service listener: one line per question with its outcome, citations and time; the question
    itself only when `questions` (QA_LOG_QUESTIONS) is on."""
    log = logging.getLogger("qa.answers")

    def write(answer: Answer | None, outcome: str) -> None:
        fields: dict[str, object] = {"outcome": outcome}
        if answer is not None:
            fields.update(answerer=answer.answerer, citations=[c.marker for c in answer.citations],
                          total_ms=round(answer.timing_ms.get("total", 0.0), 1))
            if questions:
                fields["question"] = answer.question
        log.info("answer %s", outcome, extra=fields)

    return write

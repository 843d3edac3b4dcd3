"""The service as an MCP server (official `mcp` SDK): `qa mcp` over stdio for desktop assistants,
and the same tools over streamable HTTP at `/mcp` on the web app.

Tools: `ask` (a cited answer), `search` (the best paragraphs), `get_paragraph`, `list_documents`.
Each result is readable text, with the citation markers an assistant should repeat, plus the same
data as structured content.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import threading
from typing import Any, Callable

from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from mcp_types import CallToolResult, TextContent, ToolAnnotations

from . import __version__
from .config import Settings
from .models import HistoryTurn
from .service import QA, QuestionError

LOOPBACK = ("127.0.0.1", "localhost", "[::1]")

INSTRUCTIONS = (
    "Answers questions about Hong Kong Legislative Council papers from the indexed documents only. "
    "Every claim in a result carries a citation such as [¶5] or [2024-05-20 ¶5] naming the paragraph it "
    "quotes. When you use a result, keep its citations next to the claims they support and quote the "
    "paper's words rather than paraphrasing numbers or names. When `abstained` is true the papers do not "
    "answer the question: say so rather than answering from memory."
)


# in a JSON line: an escaped backslash, a surrogate pair, or a lone surrogate (which no encoder takes)
_ESCAPES = re.compile(rb"\\\\|\\u[dD][89abAB][0-9a-fA-F]{2}(?:\\u[dD][c-fC-F][0-9a-fA-F]{2})?|\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def readable(line: bytes) -> bytes:
    """A JSON-RPC line without lone surrogates: the SDK cannot parse one, and a request it cannot
    parse is dropped without an answer, so the client would wait forever. Each becomes a space, as
    the question's own cleaning (`qa.query.clean`) does; the request is then answered, or refused
    with the reason."""
    def keep(m: re.Match[bytes]) -> bytes:
        token = m.group(0)
        return token if token == b"\\\\" or len(token) == 12 else b" "
    return _ESCAPES.sub(keep, line)


def run_stdio(server: MCPServer) -> None:
    """The tools over stdio, every line read through `readable` (standard input becomes a pipe that a
    thread fills from the real one)."""
    source, (out, into) = os.dup(0), os.pipe()

    def pump() -> None:
        with os.fdopen(source, "rb") as real, os.fdopen(into, "wb") as pipe:
            for line in real:
                pipe.write(readable(line))
                pipe.flush()

    threading.Thread(target=pump, name="mcp-stdin", daemon=True).start()
    os.dup2(out, 0)
    os.close(out)
    server.run("stdio")


def result(text: str, data: dict[str, Any]) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)


def refused(message: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def build(service: QA) -> MCPServer:
    server = MCPServer("legco-qa", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING")
    # every tool only reads the index; the docstring, tidied, is what the assistant is told
    read_only = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)

    def tool(fn: Callable[..., CallToolResult]) -> Callable[..., CallToolResult]:
        return server.tool(description=inspect.cleandoc(fn.__doc__ or ""), annotations=read_only)(fn)

    @tool
    def ask(question: str, history: list[HistoryTurn] | None = None,
            documents: list[str] | None = None) -> CallToolResult:
        """Answer a question about the indexed LegCo papers, in English or Chinese, with paragraph
        citations. Quote the answer with its citation markers ([¶5]) intact; if `abstained` is true,
        tell the user the papers do not say. `history` is the earlier conversation (for follow-ups
        such as "Who led it?"); `documents` limits the search to these document ids (see
        list_documents)."""
        try:
            answer = service.ask(question, [t.model_dump() for t in history or []], scope=documents)
        except QuestionError as exc:
            return refused(str(exc))
        return result(answer.plain_text(), answer.to_json(full=False))

    @tool
    def search(query: str, limit: int = 5, documents: list[str] | None = None) -> CallToolResult:
        """The paragraphs of the indexed papers that best match a query, best first, each with its
        citation marker, document, date and full text. Use it to find passages; cite them with their
        markers."""
        try:
            hits = service.search(query, max(1, min(limit, 20)), scope=documents)
        except QuestionError as exc:
            return refused(str(exc))
        text = "\n\n".join(f"{h['marker']} {h['title']}, {h['date']}: {h['text']}" for h in hits)
        return result(text or "No paragraph matches.", {"results": hits})

    @tool
    def get_paragraph(doc: str, paragraph: str, label: str = "", part: str = "") -> CallToolResult:
        """The full text of one paragraph: `doc` is a document id, `paragraph` its number as printed
        ("5"), `label` the bullet's label when a citation names one, `part` the annex or section whose
        numbering it belongs to when the citation names one ("Annex A" in [Annex A ¶1])."""
        unit = service.paragraph(doc, paragraph, label, part)
        if unit is None:
            return refused(f"no paragraph {paragraph!r} in document {doc!r}")
        return result(f"[{unit.where}] {unit.title}, {unit.date}\n{unit.text}", unit.to_json())

    @tool
    def list_documents() -> CallToolResult:
        """The indexed documents: id (for `documents` and get_paragraph), title, date, paragraphs."""
        docs = [{k: d[k] for k in ("doc", "title", "date", "paragraphs")} for d in service.documents()]
        return result(json.dumps(docs, ensure_ascii=False, indent=1), {"documents": docs})

    return server


def http_app(server: MCPServer, settings: Settings) -> Starlette:
    """The tools over streamable HTTP at /mcp: stateless (any replica can answer any request) and
    plain JSON responses. On loopback, Host and Origin must be loopback or a listed public host."""
    security = None
    if settings.host in ("127.0.0.1", "localhost", "::1"):
        hosts = [*LOOPBACK, *settings.public_hosts]
        security = TransportSecuritySettings(
            allowed_hosts=[*hosts, *(f"{h}:*" for h in hosts)],
            allowed_origins=[f"{scheme}://{h}{port}" for h in hosts for scheme in ("http", "https") for port in ("", ":*")])
    return server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True, json_response=True,
                                      transport_security=security, max_request_body_size=settings.max_body_bytes)

"""The MCP server, through the official SDK's client: over stdio (`qa mcp` as a desktop assistant
starts it) and over streamable HTTP at /mcp on the app."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest
import uvicorn
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from qa.web import create_app

from conftest import CORPUS, DOC, ROOT, dies_with_us, free_port, run_async

OFFICES = "How many Mainland Offices does the HKSAR Government have?"


async def exercise(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == {"ask", "search", "get_paragraph", "list_documents"}
    assert "citation" in tools["ask"].description and tools["ask"].annotations.read_only_hint
    assert "question" in tools["ask"].input_schema["properties"]

    res = await client.call_tool("ask", {"question": OFFICES})
    assert not res.is_error and "[¶3]" in res.content[0].text and "five Mainland Offices" in res.content[0].text
    assert res.structured_content["citations"][0]["paragraph"] == "3"

    follow = await client.call_tool("ask", {"question": "Who led the delegation from that province?", "history": [
        {"role": "user", "content": "When was the Hong Kong/Fujian Co-operation Conference held?"}]})
    assert "Guo Ningning" in follow.content[0].text and "[¶8]" in follow.content[0].text

    found = await client.call_tool("search", {"query": "Shanghai co-operation agreement", "limit": 3})
    results = found.structured_content["results"]
    assert 1 <= len(results) <= 3 and results[0]["marker"].startswith("[¶") and results[0]["doc"] == DOC

    para = await client.call_tool("get_paragraph", {"doc": DOC, "paragraph": "13", "label": "Legal co-operation"})
    assert para.structured_content["text"].startswith("Legal co-operation:")

    docs = await client.call_tool("list_documents", {})
    assert docs.structured_content["documents"][0]["doc"] == DOC

    empty = await client.call_tool("ask", {"question": "  "})
    assert empty.is_error and "empty" in empty.content[0].text
    missing = await client.call_tool("get_paragraph", {"doc": DOC, "paragraph": "99"})
    assert missing.is_error


@pytest.mark.slow
def test_qa_mcp_over_stdio(index_dir):
    env = {"QA_INDEX_DIR": str(index_dir), "QA_CORPUS_DIR": str(CORPUS), "PATH": os.environ.get("PATH", "")}
    params = StdioServerParameters(command=sys.executable, args=["-m", "qa.cli", "mcp"], env=env, cwd=str(ROOT))

    async def main() -> None:
        async with Client(params) as client:
            await exercise(client)

    run_async(main())


@pytest.mark.slow
def test_mcp_over_streamable_http_on_the_app(service):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(service), host="127.0.0.1", port=port, log_level="warning"))

    async def main() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)
        try:
            async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                await exercise(client)
        finally:
            server.should_exit = True
            await task

    run_async(main())


@pytest.mark.slow
def test_qa_mcp_answers_a_request_carrying_a_lone_surrogate(index_dir):
    """JSON can carry "\\ud800"; the SDK cannot parse it and would drop the request unanswered, so the
    client would wait forever. Each request gets its answer or its reason."""
    import json
    import select
    import subprocess

    env = {**os.environ, "QA_INDEX_DIR": str(index_dir), "QA_CORPUS_DIR": str(CORPUS)}
    proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, cwd=ROOT, preexec_fn=dies_with_us)

    def exchange(line: str) -> dict | None:
        proc.stdin.write(line.encode() + b"\n")
        proc.stdin.flush()
        if '"id"' not in line:
            return None
        ready, _, _ = select.select([proc.stdout], [], [], 120)
        assert ready, f"no answer to {line}"
        return json.loads(proc.stdout.readline())

    try:
        exchange(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}))
        exchange(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        call = '{"jsonrpc": "2.0", "id": %d, "method": "tools/call", "params": {"name": "ask", "arguments": %s}}'
        answered = exchange(call % (2, '{"question": "How many Mainland Offices does the HKSAR Government have? \\ud800"}'))
        assert "[¶3]" in answered["result"]["content"][0]["text"]
        refused = exchange(call % (3, '{"question": "\\udc00"}'))
        assert refused["result"]["isError"] and "empty" in refused["result"]["content"][0]["text"]
        history = exchange(call % (4, '{"question": "Where are they?", "history": [{"role": "user", "content": "\\ud800"}]}'))
        assert "result" in history
    finally:
        proc.kill()
        proc.wait()

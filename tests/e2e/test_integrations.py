"""The tools people already use, against the app as it runs: the official `openai` client at
http://HOST/v1, Prometheus scraping /metrics, and an MCP client at /mcp."""

from __future__ import annotations

import httpx
import openai
import pytest
from mcp import Client

from conftest import run_async

pytestmark = pytest.mark.slow
OFFICES = "How many Mainland Offices does the HKSAR Government have?"


def answered(metrics_text: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in metrics_text.splitlines()
               if line.startswith("qa_answers_total{") and 'outcome="answered"' in line)


def test_openai_client_plain_and_streamed_and_metrics_move(app_url):
    before = answered(httpx.get(app_url + "/metrics").text)
    client = openai.OpenAI(base_url=app_url + "/v1", api_key="not-needed", max_retries=0)
    assert "legco-qa" in [m.id for m in client.models.list()]
    plain = client.chat.completions.create(model="legco-qa", messages=[{"role": "user", "content": OFFICES}])
    assert "¶3]" in plain.choices[0].message.content  # [¶3], or [2024-05-20 ¶3] beside other papers
    streamed = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model="legco-qa", messages=[{"role": "user", "content": OFFICES}], stream=True))
    assert streamed == plain.choices[0].message.content
    assert answered(httpx.get(app_url + "/metrics").text) - before == 2


def test_mcp_client_at_the_apps_mcp_endpoint(app_url):
    async def main() -> str:
        async with Client(app_url + "/mcp") as client:
            assert {t.name for t in (await client.list_tools()).tools} >= {"ask", "search"}
            res = await client.call_tool("ask", {"question": OFFICES})
            return res.content[0].text

    assert "¶3]" in run_async(main())

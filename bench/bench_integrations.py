"""What the front ends for other tools cost over the service's own API, in one process and one run:
median and p95 latency of the same questions through `POST /api/ask`, the OpenAI-compatible
`/v1/chat/completions` (plain and streamed), the MCP `ask` tool at `/mcp`, and a `/metrics` scrape.

    .venv/bin/python bench/bench_integrations.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import qa  # noqa: F401  (offline environment first)
from fastapi.testclient import TestClient

from qa.config import Settings
from qa.evaluate import load_questions
from qa.service import QA
from qa.web import create_app

ROOT = Path(__file__).resolve().parent.parent
MCP_HEADERS = {"accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18"}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    questions = [q["question"] for q in load_questions(ROOT / "tests" / "data" / "dev.jsonl") if not q.get("history")]
    with tempfile.TemporaryDirectory() as tmp:
        service = QA(Settings(index_dir=Path(tmp) / "index", corpus_dir=ROOT / "corpus"))
        service.index()
        service.warm()
        routes = {
            "/api/ask": lambda c, q: c.post("/api/ask", json={"question": q}),
            "/v1 plain": lambda c, q: c.post("/v1/chat/completions", json={
                "model": "legco-qa", "messages": [{"role": "user", "content": q}]}),
            "/v1 stream": lambda c, q: c.post("/v1/chat/completions", json={
                "model": "legco-qa", "stream": True, "messages": [{"role": "user", "content": q}]}),
            "/mcp ask": lambda c, q: c.post("/mcp", headers=MCP_HEADERS, json={
                "jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": "ask", "arguments": {"question": q}}}),
            "/metrics": lambda c, q: c.get("/metrics"),
        }
        times: dict[str, list[float]] = {name: [] for name in routes}
        with TestClient(create_app(service), base_url="http://127.0.0.1") as client:
            for name, call in routes.items():  # warm each route once
                assert call(client, questions[0]).status_code == 200, name
            for _ in range(args.repeat):
                for q in questions:
                    for name, call in routes.items():  # interleaved, so load affects all alike
                        t0 = time.perf_counter()
                        res = call(client, q)
                        times[name].append((time.perf_counter() - t0) * 1000)
                        assert res.status_code == 200, (name, res.text[:200])
    base = statistics.median(times["/api/ask"])
    print(f"{len(questions)} questions x {args.repeat}; in-process, 2 cores")
    print(f"{'route':12} {'p50 ms':>8} {'p95 ms':>8} {'x /api/ask':>11}")
    for name, values in times.items():
        print(f"{name:12} {statistics.median(values):8.1f} {pct(values, 0.95):8.1f} "
              f"{statistics.median(values) / base:11.2f}")


if __name__ == "__main__":
    main()

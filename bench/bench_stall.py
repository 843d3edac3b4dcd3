"""Whether one user can stall the others: the latency of a small question asked over the REST API
alone, and while N other clients each send a question with a long hostile conversation (runs of
brackets, pilcrows, Chinese, parentheses), on one app process on loopback. Reports the medians and
their ratio, in the same run.

    .venv/bin/python bench/bench_stall.py [--attackers 4] [--chars 20000] [--asks 15] [--index DIR]

Without --index the shipped paper is indexed into a temporary folder first.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

import qa  # noqa: F401  (offline environment first)
from qa.config import Settings
from qa.service import QA
from qa.web import create_app
from qa.web.clients import server_config

ROOT = Path(__file__).resolve().parent.parent
SMALL = "How many Mainland Offices does the HKSAR Government have?"
RUNS = ["[", "¶[", "深圳合作", "(¶"]


def timed(url: str, asks: int) -> list[float]:
    took = []
    for _ in range(asks):
        started = time.perf_counter()
        httpx.post(url, json={"question": SMALL}, timeout=120).raise_for_status()
        took.append(time.perf_counter() - started)
    return took


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--attackers", type=int, default=4)
    p.add_argument("--chars", type=int, default=20_000)
    p.add_argument("--asks", type=int, default=15)
    p.add_argument("--index", type=Path)
    args = p.parse_args()
    index = args.index or Path(tempfile.mkdtemp()) / "index"
    service = QA(Settings(index_dir=index, corpus_dir=ROOT / "corpus"))
    if args.index is None:
        service.index()
    service.warm()
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(server_config(create_app(service), "127.0.0.1", port))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}/api/ask"
    alone = timed(url, args.asks)
    stop, sent = threading.Event(), []

    def attack(run: str) -> None:
        essay = (run * (args.chars // len(run) + 1))[:args.chars]
        history = [{"role": "user", "content": essay}, {"role": "assistant", "content": "Five [¶3]."}]
        while not stop.is_set():
            res = httpx.post(url, json={"question": "And where are they?", "history": history}, timeout=120)
            sent.append(res.status_code)

    threads = [threading.Thread(target=attack, args=(RUNS[i % len(RUNS)],)) for i in range(args.attackers)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    loaded = timed(url, args.asks)
    stop.set()
    for t in threads:
        t.join()
    server.should_exit = True
    a, b = statistics.median(alone), statistics.median(loaded)
    print(f"small question alone:  p50 {a * 1000:.0f} ms, max {max(alone) * 1000:.0f} ms")
    print(f"with {args.attackers} × {args.chars:,}-character conversations in flight ({len(sent)} sent, "
          f"statuses {sorted(set(sent))}): p50 {b * 1000:.0f} ms, max {max(loaded) * 1000:.0f} ms ({b / a:.1f}× alone)")


if __name__ == "__main__":
    main()

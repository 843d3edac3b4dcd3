"""Benchmarks for the core: index build time (cold, into an empty folder), no-change re-index time,
and warm `ask` latency in one process over the development and held-out questions.

    .venv/bin/python bench/bench_core.py [--repeat 5]

Reports medians and p95 (machines here are noisy), and the no-change/cold ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import qa  # noqa: F401
from qa.config import Settings
from qa.evaluate import load_questions
from qa.service import QA

ROOT = Path(__file__).resolve().parent.parent


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5, help="passes over the question set")
    args = parser.parse_args()
    corpus = ROOT / "corpus"
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp) / "index", corpus_dir=corpus)
        service = QA(settings)
        service.window_tokens()  # model load is start-up cost, not build cost
        t0 = time.perf_counter()
        result = service.index()
        build_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        again = service.index()
        noop_s = time.perf_counter() - t1
        service.warm()
        questions = load_questions(ROOT / "tests/data/dev.jsonl") + load_questions(ROOT / "tests/data/heldout.jsonl")
        lat: dict[str, list[float]] = {"en": [], "zh": []}
        for _ in range(args.repeat):
            for q in questions:
                t = time.perf_counter()
                service.ask(q["question"], q.get("history") or [])
                lat["zh" if q.get("lang") == "zh" else "en"].append((time.perf_counter() - t) * 1000)
    allv = lat["en"] + lat["zh"]
    report = {
        "chunks": result.chunks,
        "embeddings": result.report.embedded,
        "index_build_s": round(build_s, 2),
        "chunks_per_s": round(result.chunks / build_s, 1),
        "noop_reindex_s": round(noop_s, 3),
        "noop_embeddings": again.report.embedded,
        "noop_over_build": round(noop_s / build_s, 3),
        "ask_ms": {k: {"n": len(v), "p50": round(statistics.median(v), 1), "p95": round(pct(v, 0.95), 1)}
                   for k, v in {**lat, "all": allv}.items()},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

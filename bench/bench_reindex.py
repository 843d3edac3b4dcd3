"""Re-indexing: throughput, adding a ~20-page PDF, a no-change re-index, and query latency while a
re-index runs (median and p95, against the same queries with nothing running).

    .venv/bin/python bench/bench_reindex.py
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import qa  # noqa: E402,F401
from qa.config import Settings  # noqa: E402
from qa.evaluate import load_questions  # noqa: E402
from qa.service import QA  # noqa: E402

from docgen import make_pdf  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def main() -> None:
    questions = [q for q in load_questions(ROOT / "tests/data/dev.jsonl") if not q["history"]]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        shutil.copy(ROOT / "corpus" / "legco-panel-ca-2024-05-20-regional-cooperation.txt", corpus)
        service = QA(Settings(index_dir=tmp_path / "index", corpus_dir=corpus))
        service.window_tokens()
        service.index()
        service.warm()
        pdf = make_pdf(tmp_path / "big.pdf", repeat=4)
        import pypdfium2

        pages = len(pypdfium2.PdfDocument(str(pdf)))

        def ask_all(rounds: int = 1) -> list[float]:
            out = []
            for _ in range(rounds):
                for q in questions:
                    t = time.perf_counter()
                    service.ask(q["question"])
                    out.append((time.perf_counter() - t) * 1000)
            return out

        idle = ask_all(2)
        during: list[float] = []
        stop = threading.Event()

        def reader() -> None:
            while not stop.is_set():
                during.extend(ask_all(1))

        thread = threading.Thread(target=reader)
        t0 = time.perf_counter()
        thread.start()
        result = service.add([("big.pdf", pdf.read_bytes())])
        add_s = time.perf_counter() - t0
        stop.set()
        thread.join()
        embeddings = result.report.embedded
        t1 = time.perf_counter()
        noop = service.index()
        noop_s = time.perf_counter() - t1
    print(json.dumps({
        "pdf_pages": pages,
        "pdf_chunks": result.chunks,
        "embeddings_computed": embeddings,
        "add_pdf_s": round(add_s, 1),
        "chunks_per_s": round(result.chunks / add_s, 2),
        "embeddings_per_s": round(embeddings / add_s, 2),
        "noop_reindex_s": round(noop_s, 3),
        "noop_embeddings": noop.report.embedded,
        "query_ms_idle": {"n": len(idle), "p50": round(statistics.median(idle), 1), "p95": round(pct(idle, .95), 1)},
        "query_ms_during_reindex": {"n": len(during), "p50": round(statistics.median(during), 1),
                                    "p95": round(pct(during, .95), 1)},
        "during_over_idle_p50": round(statistics.median(during) / statistics.median(idle), 2),
    }, indent=2))


if __name__ == "__main__":
    main()

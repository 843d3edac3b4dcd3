"""What the answer judge costs: warm extractive answers on the paper alone and in libraries of
growing size, and how fast a library is indexed (the judge adds no vectors to index).

    .venv/bin/python bench/bench_speed.py --corpus DIR [--corpus DIR …] [--chunks 3500,0] [--repeat 3]

For each size in --chunks (0: every file of the --corpus folders), a library is built fresh in a
temporary folder, in one indexing run, from the shipped paper and the first --corpus files that
make that many chunks (whole documents). The build's chunks per second is reported (model loading
excluded), then the same questions are asked warm in that library and in the paper alone, each
--repeat times: p50, p95 and the ratio of each p50 to the paper's, in the same run. The questions
are the generated development questions about the shipped paper (bench/questions/generated/dev.jsonl).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import qa  # noqa: F401  (offline environment first)
from qa.config import Settings
from qa.ingest import discover
from qa.service import QA

ROOT = Path(__file__).resolve().parent.parent
PAPER = ROOT / "corpus" / "legco-panel-ca-2024-05-20-regional-cooperation.txt"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def chosen(files: list[Path], limit: int) -> list[Path]:
    """The first files that together make about `limit` chunks (0: all), counted by the project's
    own parser and chunker (no embedding)."""
    if not limit:
        return files
    from qa.chunk import chunk_document
    from qa.ingest import IngestError, load

    out, total = [], len(chunk_document(load(PAPER), 470))
    for f in files:
        if total >= limit:
            break
        try:
            total += len(chunk_document(load(f), 470))
        except IngestError:
            continue
        out.append(f)
    return out


def build(folder: Path, files: list[Path]) -> tuple[QA, int, float]:
    """A fresh library of the paper and these files, indexed in one run."""
    corpus, index = folder / "corpus", folder / "index"
    corpus.mkdir(parents=True)
    for f in [PAPER, *files]:
        shutil.copy(f, corpus / f.name)
    service = QA(Settings(corpus_dir=corpus, index_dir=index))
    service.window_tokens()  # model loading is start-up cost, not indexing cost
    t0 = time.perf_counter()
    result = service.index()
    return service, result.chunks, time.perf_counter() - t0


def timings(service: QA, questions: list[dict], repeat: int) -> list[float]:
    service.warm()
    for q in questions[:5]:
        service.ask(q["question"], q.get("history") or [], generate=False)
    out = []
    for _ in range(repeat):
        for q in questions:
            t0 = time.perf_counter()
            service.ask(q["question"], q.get("history") or [], generate=False)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", default=[], type=Path)
    parser.add_argument("--chunks", default="3500,0", help="library sizes in chunks, comma-separated (0: all)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = [f for c in args.corpus for f in discover([c])]
    rows = [json.loads(line) for line in (ROOT / "bench" / "questions" / "generated" / "dev.jsonl").open(encoding="utf-8")]
    questions = [q for q in rows if q["doc"] == PAPER.stem]
    with tempfile.TemporaryDirectory() as tmp:
        paper, _, _ = build(Path(tmp) / "paper", [])
        base = timings(paper, questions, args.repeat)
        p50 = statistics.median(base)
        print(f"paper alone: {len(questions)} questions x {args.repeat}: p50 {p50:.1f} ms, p95 {pct(base, 0.95):.1f} ms")
        for size in [int(s) for s in args.chunks.split(",")]:
            service, chunks, seconds = build(Path(tmp) / f"lib-{size}", chosen(files, size))
            docs = len(service.list_documents())
            at = timings(service, questions, args.repeat)
            again = timings(paper, questions, 1)  # the paper again, in the same minutes: the ratio's baseline
            base_now = statistics.median(again)
            print(f"{docs} documents, {chunks} chunks: indexed at {chunks / seconds:.1f} chunks/s ({seconds:.0f} s); "
                  f"ask p50 {statistics.median(at):.1f} ms, p95 {pct(at, 0.95):.1f} ms; "
                  f"p50 ratio to the paper alone {statistics.median(at) / base_now:.2f}x (paper now {base_now:.1f} ms)")
            service.stop()
        paper.stop()


if __name__ == "__main__":
    main()

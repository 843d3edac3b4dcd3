"""Index any folder of real documents and report what became of each: documents indexed, documents
that failed (with the reason), chunks, chunks/s; given a question file, hit@1 per question type.

    .venv/bin/python bench/bench_library.py --corpus DIR [--questions FILE.jsonl,...] [--limit N]
        [--models e5-small] [--index DIR] [--json]

The index goes to a temporary folder unless --index names one (then a second run is a no-change
re-index, which is also reported). --limit takes the first N files (sorted) for a quicker run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import qa  # noqa: F401  (offline environment first)
from qa.config import Settings
from qa.evaluate import format_table, load_questions, run, summarise
from qa.ingest import discover
from qa.service import QA


def library(corpus: Path, limit: int | None, work: Path) -> Path:
    """The folder to index: the corpus itself, or a copy of its first `limit` files."""
    if not limit:
        return corpus
    files = discover([corpus])[:limit]
    target = work / "corpus"
    target.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy(f, target / f.name)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--questions", help="question files (JSONL), comma-separated")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--models", help="embedding models (default: the configured ones)")
    parser.add_argument("--index", type=Path, help="keep the index here (default: a temporary folder)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus = library(args.corpus, args.limit, work)
        extra = {"embed_models": args.models} if args.models else {}
        settings = Settings(index_dir=args.index or work / "index", corpus_dir=corpus, **extra)
        service = QA(settings)
        service.window_tokens()  # model loading is start-up cost, not indexing cost
        files = len(discover([corpus]))
        t0 = time.perf_counter()
        result = service.index()
        seconds = time.perf_counter() - t0
        t1 = time.perf_counter()
        again = service.index()
        noop = time.perf_counter() - t1
        report = {
            "files": files, "documents_indexed": len(result.documents),
            "failed": result.skipped + result.failed, "chunks": result.chunks,
            "embeddings": result.report.embedded, "index_seconds": round(seconds, 1),
            "chunks_per_s": round(result.chunks / seconds, 2) if seconds else None,
            "noop_reindex_seconds": round(noop, 2), "noop_embeddings": again.report.embedded,
            "models": list(settings.embed_models),
        }
        tables = None
        if args.questions:
            service.warm()
            questions = [q for f in args.questions.split(",") for q in load_questions(Path(f))]
            tables = summarise(run(service, questions, generate=False))
            report["by_type"] = tables
        if args.json:
            print(json.dumps(report, ensure_ascii=False, indent=1))
            return
        print(f"files {files}; indexed {report['documents_indexed']}; failed {len(report['failed'])}")
        for reason in report["failed"]:
            print(f"  failed: {reason}")
        print(f"chunks {result.chunks}, embeddings {result.report.embedded} ({', '.join(settings.embed_models)}) "
              f"in {seconds:.1f} s: {report['chunks_per_s']} chunks/s; no-change re-index {noop:.2f} s "
              f"({again.report.embedded} embeddings)")
        if tables:
            print(format_table(tables))


if __name__ == "__main__":
    main()

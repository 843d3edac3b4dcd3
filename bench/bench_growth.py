"""Does answering hold as the library grows? The same question files, asked of libraries of 1, ~10
and ~450 documents (the paper first, then the related papers, then real documents from --corpus),
each reported per size: right paper and paragraph first, list coverage, near-miss abstention, false
refusals, answer length and latency.

    .venv/bin/python bench/bench_growth.py --corpus DIR [--corpus DIR2] [--sizes 1,10,450]
        [--questions tests/data/dev.jsonl,...] [--cache DIR] [--json]

A question that names no paper (`doc`) is about the shipped paper: in a library, its paragraph in
another paper does not count. A question naming a paper that a size does not hold is skipped there.
Indexes are kept under --cache (keyed by the files and the models) and reused.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import time
from pathlib import Path

import qa  # noqa: F401  (offline environment first)
from qa.config import Settings
from qa.evaluate import load_questions, run, summarise
from qa.ingest import discover
from qa.service import QA

ROOT = Path(__file__).resolve().parent.parent
PAPER_ID = "legco-panel-ca-2024-05-20-regional-cooperation"
RELATED = [ROOT / "corpus", ROOT / "tests" / "data" / "bilingual", ROOT / "tests" / "data" / "series",
           ROOT / "tests" / "data" / "chinese"]
QUESTIONS = ["dev.jsonl", "heldout.jsonl", "answers.jsonl", "answers_heldout.jsonl", "questions_2026_12.jsonl",
             "bilingual.jsonl", "chinese.jsonl"]
COLUMNS = ["hit@1", "coverage", "abstain", "false_refusal", "words_p50", "p50_ms"]


def ordered_files(extra: list[Path], wanted: set[str]) -> list[Path]:
    """The paper, the related papers, then the real documents: first those a question names."""
    related = discover(RELATED)
    others = [f for f in discover(extra) if f not in related]
    named = [f for f in others if f.stem in wanted]
    return related + named + [f for f in others if f.stem not in wanted]


def build(files: list[Path], cache: Path, models: list[str]) -> tuple[QA, float, bool]:
    # not keyed by the chunker: `index()` re-chunks a cached index and keeps every unchanged vector
    key = hashlib.sha256("\n".join([",".join(models), *map(str, files)]).encode()).hexdigest()[:12]
    folder = cache / f"{len(files)}-{key}"
    corpus = folder / "corpus"
    marker = folder / "built.json"
    fresh = not marker.exists()
    if fresh:
        shutil.rmtree(folder, ignore_errors=True)
        corpus.mkdir(parents=True)
        for f in files:
            shutil.copy(f, corpus / f.name)
    service = QA(Settings(index_dir=folder / "index", corpus_dir=corpus, embed_models=models))
    t0 = time.perf_counter()
    result = service.index()  # on a cached index, a no-op (or a re-chunk by a newer chunker)
    if result.failed:
        print(f"  {len(result.failed)} failed: {result.failed}")
    if fresh:
        marker.write_text(json.dumps({"build_s": time.perf_counter() - t0}), encoding="utf-8")
    return service, json.loads(marker.read_text(encoding="utf-8"))["build_s"], fresh


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", type=Path, action="append", default=[], help="real documents to fill the library")
    p.add_argument("--sizes", default="1,10,450")
    p.add_argument("--questions", default=",".join(str(ROOT / "tests" / "data" / q) for q in QUESTIONS))
    p.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "legco-qa" / "bench-growth")
    p.add_argument("--models", help="QA_EMBED_MODELS for this run (default: the configured ones)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    models = args.models.split(",") if args.models else list(Settings().embed_models)
    sets = {Path(f).stem: load_questions(Path(f)) for f in args.questions.split(",")}
    for questions in sets.values():
        for q in questions:
            q.setdefault("doc", PAPER_ID)
    wanted = {q["doc"] for qs in sets.values() for q in qs}
    files = ordered_files(args.corpus, wanted)
    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        service, build_s, fresh = build(files[:size], args.cache, models)
        service.warm()
        held = {d.doc for d in service.list_documents()}
        for name, questions in sets.items():
            asked = [q for q in questions if q["doc"] in held]
            if not asked:
                continue
            table = {row["type"]: row for row in summarise(run(service, asked, generate=False))}
            results.append({"size": size, "documents": len(held), "set": name, "n": len(asked),
                            "build_s": round(build_s, 1), "fresh": fresh, **{c: table["ALL"][c] for c in COLUMNS},
                            "by_type": table})
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return
    print(f"{'set':>22} {'docs':>5} {'n':>4} " + " ".join(f"{c:>13}" for c in COLUMNS))
    for r in results:
        cells = " ".join(f"{'—':>13}" if r[c] is None else f"{r[c]:>13.2f}" for c in COLUMNS)
        print(f"{r['set']:>22} {r['documents']:>5} {r['n']:>4} {cells}")


if __name__ == "__main__":
    main()

"""What the service costs as the library grows: indexes of about 1k, 10k and 100k chunks, and for
each the indexing rate, warm ask p50/p95, cold start to first answer, memory, a no-op `qa index`,
adding one ~50-paragraph paper until it is answered, and the BM25 rebuild; with the encoder's own
rate at realistic passage length for comparison.

    .venv/bin/python bench/bench_scale.py [--sizes 1000,10000,100000] [--cache DIR] [--corpus DIR]

The library is generated: paper-like documents in English and Chinese (three to one), about 40
numbered paragraphs each, with the repetition real papers have (openings, closings and standard
paragraphs shared across papers), plus the shipped paper so that its questions can be asked at
every size. `--corpus DIR` indexes a real folder instead (one size). Built indexes are kept under
--cache (default ~/.cache/legco-qa/bench-scale) and reused by later runs; the report says whether
a size was built fresh (and how long that took) or reused. A build that is stopped is taken up
again by the next run, and its time is the sum over runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qa  # noqa: E402,F401  (offline environment first)
from qa.config import Settings  # noqa: E402
from qa.service import QA  # noqa: E402

GENERATOR = "3"  # bump when the generated library changes: cached indexes are rebuilt
PAPER = ROOT / "corpus" / "legco-panel-ca-2024-05-20-regional-cooperation.txt"
QUESTIONS = [
    "How many Mainland Offices does the HKSAR Government have?", "Who is the Mayor of Beijing?",
    "When was the PPRD Joint Conference held in Guiyang?", "How many items were agreed with Shanghai?",
    "Which meetings were held outside Hong Kong?", "What is the budget of the Northern Metropolis development?",
    "香港與上海達成了多少項合作共識？", "What does legal co-operation include?",
]

PLACES = ["Shenzhen", "Guangdong", "Fujian", "Shanghai", "Beijing", "Chongqing", "Sichuan", "Hubei", "Zhejiang",
          "Jiangsu", "Hainan", "Guangxi", "Yunnan", "Macao", "Tianjin", "Shandong"]
PLACES_ZH = ["深圳", "廣東", "福建", "上海", "北京", "重慶", "四川", "湖北", "浙江", "江蘇", "海南", "廣西", "雲南", "澳門"]
AREAS = ["financial services", "innovation and technology", "education", "tourism", "healthcare", "culture",
         "youth development", "legal services", "trade and investment", "transport and logistics", "food safety",
         "environmental protection", "urban planning", "civil service exchange", "sports", "talent development"]
AREAS_ZH = ["金融服務", "創新科技", "教育", "旅遊", "醫療", "文化", "青年發展", "法律服務", "經貿", "運輸物流", "食品安全", "環境保護"]
TOPICS = ["harbourfront", "public housing", "cross-boundary transport", "air quality", "elderly care", "flood control",
          "public libraries", "cycling tracks", "school places", "hospital waiting times", "ferry services",
          "heritage conservation", "waste charging", "water supply", "broadband coverage", "sports venues"]
MONTHS = "January February March April May June July August September October November December".split()
SHARED = [  # paragraphs many papers share word for word
    "Members are invited to note the content of this paper.",
    "Members are invited to comment on the proposal set out in this paper.",
    "The Administration will continue to monitor the situation closely and report to Members in due course.",
    "This paper briefs Members on the latest progress of the matters set out below.",
]
SHARED_ZH = ["請委員備悉本文件的內容。", "請委員就本文件所載的建議提出意見。", "政府會繼續密切留意情況，並適時向委員匯報。"]


def english_paper(i: int, rng: random.Random) -> str:
    topic, year = rng.choice(TOPICS), rng.choice([2021, 2022, 2023, 2024, 2025])
    lines = [f"---\ntitle: Progress report on {topic} ({i})\ndate: {year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n"
             f"committee: Legislative Council Panel on {rng.choice(['Development', 'Transport', 'Welfare Services', 'Constitutional Affairs'])}\n---\n",
             "Purpose", "", "1. " + rng.choice(SHARED[3:]), "", "Background", ""]
    for n in range(2, rng.randint(34, 46)):
        if rng.random() < 0.05:
            lines += [f"{n}. {rng.choice(SHARED[2:3])}", ""]
            continue
        place, area, other = rng.choice(PLACES), rng.choice(AREAS), rng.choice(AREAS)
        day, month, yr = rng.randint(1, 28), rng.choice(MONTHS), rng.choice([2022, 2023, 2024])
        lines += [f"{n}. On {day} {month} {yr}, the Government and {place} held the {rng.randint(2, 9)}th meeting on "
                  f"{topic} in {rng.choice(PLACES + ['Hong Kong'] * 4)}. The two sides signed {rng.randint(2, 30)} "
                  f"co-operation agreements covering {area} and {other}, and agreed to pursue {rng.randint(5, 80)} items "
                  f"under {rng.randint(3, 15)} co-operation areas. The {topic} programme served "
                  f"{rng.randint(1000, 90000):,} people in {yr}, at a cost of HK${rng.randint(2, 900)} million, and the "
                  f"Administration will review it by {rng.choice(MONTHS)} {yr + 1}.", ""]
    lines += ["Advice Sought", "", f"{n + 1}. " + rng.choice(SHARED[:2]), ""]
    return "\n".join(lines)


def chinese_paper(i: int, rng: random.Random) -> str:
    year = rng.choice([2022, 2023, 2024])
    lines = [f"---\ntitle: 區域合作進展報告（{i}）\ndate: {year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n"
             f"language: zh\n---\n", "目的", "", "1. 本文件向委員匯報區域合作的最新進展。", ""]
    for n in range(2, rng.randint(34, 46)):
        if rng.random() < 0.05:
            lines += [f"{n}. {rng.choice(SHARED_ZH[2:])}", ""]
            continue
        place, area = rng.choice(PLACES_ZH), rng.choice(AREAS_ZH)
        lines += [f"{n}. 政府與{place}於{rng.choice([2022, 2023, 2024])}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
                  f"舉行第{rng.randint(2, 9)}次合作會議，雙方簽署了{rng.randint(2, 30)}份合作協議，涵蓋{area}及"
                  f"{rng.choice(AREAS_ZH)}範疇，並同意在{rng.randint(3, 15)}個範疇推進共{rng.randint(5, 80)}項合作事項。", ""]
    lines += ["徵詢意見", "", f"{n + 1}. " + rng.choice(SHARED_ZH[:2]), ""]
    return "\n".join(lines)


def generate(folder: Path, chunks: int, seed: int = 7) -> None:
    """About `chunks` citable paragraphs of papers, and the shipped paper."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(PAPER, folder / PAPER.name)
    total, i = 30, 0
    while total < chunks:
        text = chinese_paper(i, rng) if i % 4 == 3 else english_paper(i, rng)
        (folder / f"generated-{i:05d}.md").write_text(text, encoding="utf-8")
        total += len(re.findall(r"^\d+\. ", text, re.M))  # its numbered paragraphs: one chunk each
        i += 1


def rss_mb(pid: int | None = None) -> float:
    for line in Path(f"/proc/{pid or os.getpid()}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def encoder_rate(settings: Settings, n: int = 96) -> dict[str, float]:
    """Passages a second for each model alone, at realistic length (the generated paragraphs)."""
    from qa.embed import get_embedder

    rng = random.Random(1)
    passages = [english_paper(k, rng).split("\n\n")[5][:700] for k in range(n)]
    out = {}
    for model in settings.embed_models:
        embedder = get_embedder(model, "index")
        embedder.passages(passages[:8])  # warm
        t0 = time.perf_counter()
        embedder.passages(passages)
        out[model] = n / (time.perf_counter() - t0)
    return out


def cold_start(settings: Settings) -> float:
    """A new process, from start to the first answer."""
    env = {**os.environ, "QA_INDEX_DIR": str(settings.index_dir), "QA_CORPUS_DIR": str(settings.corpus_dir),
           "QA_EMBED_MODELS": ",".join(settings.embed_models)}
    code = ("import time; t=time.perf_counter(); from qa.service import QA; q=QA(); q.warm(); "
            f"q.ask({QUESTIONS[0]!r}); print(time.perf_counter()-t)")
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else time.perf_counter() - t0


def measure(size_dir: Path, settings: Settings, fresh: bool, build_s: float) -> dict[str, object]:
    service = QA(settings)
    service.warm()
    chunks = sum(d.chunks for d in service.list_documents())
    docs = len(service.list_documents())
    for q in QUESTIONS:  # warm
        service.ask(q, generate=False)
    times = []
    for _ in range(3):
        for q in QUESTIONS:
            t0 = time.perf_counter()
            service.ask(q, generate=False)
            times.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    service.index()
    noop_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    service.store.refresh(force=True)
    bm25_s = time.perf_counter() - t0
    # one new ~50-paragraph paper, until a question only it answers is answered
    rng = random.Random(999)
    paper = english_paper(99999, rng).replace("Progress report on", "Special report on the Kai Tak monorail and")
    paper += "\n\n50. The Kai Tak monorail trial carried 4,321 passengers on its first day.\n"
    t0 = time.perf_counter()
    service.add([("kai-tak-monorail.md", paper.encode())])
    answer = service.ask("How many passengers did the Kai Tak monorail trial carry on its first day?", generate=False)
    add_s = time.perf_counter() - t0
    service.remove("kai-tak-monorail")
    return {"chunks": chunks, "documents": docs, "fresh_build": fresh, "build_s": round(build_s, 1),
            "index_chunks_per_s": round(chunks / build_s, 2) if fresh and build_s else None,
            "ask_p50_ms": round(statistics.median(times), 1), "ask_p95_ms": round(pct(times, 0.95), 1),
            "rss_mb": round(rss_mb()), "noop_index_s": round(noop_s, 2), "bm25_rebuild_s": round(bm25_s, 2),
            "add_paper_until_answered_s": round(add_s, 1), "added_paper_answered": "4,321" in answer.answer,
            "cold_start_s": round(cold_start(settings), 1)}


def build(folder: Path, corpus: Path, settings: Settings, size: int) -> float:
    """Index the library from scratch, or go on with a build an earlier run did not finish (a 100k
    build takes hours: indexing is per document, so what was written is kept). Returns the seconds
    spent over all runs; the time so far is saved every few seconds in partial.json."""
    partial = folder / "partial.json"
    spent = json.loads(partial.read_text(encoding="utf-8"))["build_s"] if partial.exists() else None
    if spent is None:
        shutil.rmtree(folder, ignore_errors=True)
        spent = 0.0
    else:
        print(f"  going on with a build that has run {spent:.0f} s", flush=True)
    if size:
        generate(corpus, size)  # the same seed makes the same files: the ones indexed are skipped
    folder.mkdir(parents=True, exist_ok=True)
    t0, done = time.perf_counter(), threading.Event()

    def save() -> None:
        while not done.wait(10):
            partial.write_text(json.dumps({"build_s": spent + time.perf_counter() - t0}), encoding="utf-8")

    saver = threading.Thread(target=save, daemon=True)
    saver.start()
    try:
        QA(settings).index()
    finally:
        done.set()
        saver.join()
    total = spent + time.perf_counter() - t0
    partial.write_text(json.dumps({"build_s": total}), encoding="utf-8")
    return total


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="1000,10000,100000")
    p.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "legco-qa" / "bench-scale")
    p.add_argument("--corpus", type=Path, help="a real folder instead of generated libraries")
    p.add_argument("--models", help="QA_EMBED_MODELS for this run (default: the configured ones)")
    args = p.parse_args()
    base = Settings()
    models = args.models.split(",") if args.models else list(base.embed_models)
    print(f"encoder alone, passages/s at ~700 characters: "
          f"{ {m: round(r, 1) for m, r in encoder_rate(Settings(embed_models=models)).items()} }")
    sizes = [0] if args.corpus else [int(s) for s in args.sizes.split(",")]
    rows = []
    for size in sizes:
        key = f"{args.corpus.name if args.corpus else size}-g{GENERATOR}-{'+'.join(models)}"
        folder = args.cache / key
        corpus = args.corpus or folder / "corpus"
        settings = Settings(index_dir=folder / "index", corpus_dir=corpus, embed_models=models)
        marker, partial = folder / "built.json", folder / "partial.json"
        fresh, build_s = not marker.exists(), 0.0
        if fresh:
            build_s = build(folder, corpus, settings, size if not args.corpus else 0)
            marker.write_text(json.dumps({"build_s": build_s}), encoding="utf-8")
            partial.unlink(missing_ok=True)
        else:
            build_s = json.loads(marker.read_text(encoding="utf-8"))["build_s"]
            t0 = time.perf_counter()
            synced = QA(settings).index().report  # a cached index made by an older chunker is brought up to date
            if synced.updated:
                print(f"  cached index brought up to date in {time.perf_counter() - t0:.0f} s: {synced}", flush=True)
        row = measure(folder, settings, fresh, build_s)
        row["size"] = size or str(args.corpus)
        rows.append(row)
        print(json.dumps(row), flush=True)
    first = rows[0]
    print("\nsize        chunks   docs  ask p50  ask p95   ×p50   RSS MB  no-op s  BM25 s  add s  cold s  build")
    for r in rows:
        print(f"{str(r['size']):>10} {r['chunks']:>8} {r['documents']:>6} {r['ask_p50_ms']:>8} {r['ask_p95_ms']:>8} "
              f"{r['ask_p50_ms'] / first['ask_p50_ms']:>6.2f} {r['rss_mb']:>8} {r['noop_index_s']:>8} "
              f"{r['bm25_rebuild_s']:>7} {r['add_paper_until_answered_s']:>6} {r['cold_start_s']:>7}  "
              f"{'fresh ' if r['fresh_build'] else 'cached '}{r['build_s']} s")


if __name__ == "__main__":
    main()

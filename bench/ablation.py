"""What each retrieval stage adds: the full pipeline with stages switched off, scored on the
development and held-out questions shipped in tests/data.

    .venv/bin/python bench/ablation.py        (needs an index with both models: `qa index`)
"""

from __future__ import annotations

import json
from pathlib import Path

import qa  # noqa: F401
from qa.config import Settings
from qa.evaluate import load_questions, run, summarise
from qa.service import QA

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = {
    "bm25 only": dict(embed_models=["e5-small"], dense_weight=0.0, zh_gloss=False),
    "bm25 + zh gloss": dict(embed_models=["e5-small"], dense_weight=0.0),
    "minilm only": dict(embed_models=["minilm"], bm25_weight=0.0),
    "e5 only": dict(embed_models=["e5-small"], bm25_weight=0.0, zh_gloss=False),
    "e5 + bm25 (no gloss)": dict(embed_models=["e5-small"], zh_gloss=False),
    "e5 + bm25 + gloss (default)": dict(),
    "minilm + bm25 + gloss": dict(embed_models=["minilm"]),
    "e5 + minilm + bm25 + gloss": dict(embed_models=["e5-small", "minilm"]),
}


def main() -> None:
    questions = {name: load_questions(ROOT / f"tests/data/{name}.jsonl") for name in ("dev", "heldout")}
    out = {}
    for variant, overrides in VARIANTS.items():
        service = QA(Settings(**overrides))
        row = {}
        for name, qs in questions.items():
            table = {r["type"]: r for r in summarise(run(service, qs))}
            en = [r for k, r in table.items() if k not in ("zh", "unanswerable", "ALL")]
            en_hit = sum(r["hit@1"] * r["n"] for r in en) / sum(r["n"] for r in en)
            row[name] = {"en_hit@1": round(en_hit, 2), "zh_hit@1": round(table["zh"]["hit@1"], 2),
                         "abstain": table["unanswerable"]["abstain"],
                         "false_refusal": round(table["ALL"]["false_refusal"], 2),
                         "p50_ms": round(table["ALL"]["p50_ms"], 1)}
        out[variant] = row
        print(f"{variant:38} dev {row['dev']}\n{'':38} held-out {row['heldout']}", flush=True)
    Path(ROOT / "bench/results").mkdir(exist_ok=True)
    (ROOT / "bench/results/ablation.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

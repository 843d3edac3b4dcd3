"""Score the question-answering pipeline on a JSONL question file (format of the development set:
id, type, lang, question, gold paragraphs, facts, history)."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .models import Answer
from .service import QA


@dataclass
class Row:
    id: str
    type: str
    gold: list[str]
    answer: Answer
    facts: list[list[str]] = field(default_factory=list)

    @property
    def cited(self) -> list[str]:
        return list(dict.fromkeys(c.paragraph for c in self.answer.citations))

    @property
    def answerable(self) -> bool:
        return bool(self.gold)

    def hit(self, k: int) -> bool:
        return bool(set(self.cited[:k]) & set(self.gold))

    def fact_recall(self) -> float:
        if not self.facts:
            return 1.0
        text = self.answer.answer.lower()
        return sum(any(f.lower() in text for f in alts) for alts in self.facts) / len(self.facts)


def load_questions(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(qa: QA, questions: list[dict[str, Any]]) -> list[Row]:
    rows = []
    for q in questions:
        answer = qa.ask(q["question"], q.get("history") or [])
        rows.append(Row(q["id"], q.get("type", "?"), [str(g) for g in q.get("gold", [])], answer,
                        q.get("facts", [])))
    return rows


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def summarise(rows: list[Row]) -> list[dict[str, Any]]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row.type].append(row)
    groups["ALL"] = rows
    table = []
    for name, group in groups.items():
        answerable = [r for r in group if r.answerable]
        unanswerable = [r for r in group if not r.answerable]
        latency = [r.answer.timing_ms.get("total", 0.0) for r in group]
        table.append({
            "type": name,
            "n": len(group),
            "hit@1": _mean([r.hit(1) for r in answerable]),
            "hit@3": _mean([r.hit(3) for r in answerable]),
            "fact_recall": _mean([r.fact_recall() for r in answerable]),
            "abstain": _mean([r.answer.abstained for r in unanswerable]),
            "false_refusal": _mean([r.answer.abstained for r in answerable]),
            "p50_ms": statistics.median(latency) if latency else 0.0,
            "p95_ms": _pct(latency, 0.95),
        })
    return table


def _mean(values: list[bool] | list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def format_table(table: list[dict[str, Any]]) -> str:
    cols = ["type", "n", "hit@1", "hit@3", "fact_recall", "abstain", "false_refusal", "p50_ms", "p95_ms"]
    lines = ["  ".join(f"{c:>13}" for c in cols)]
    for row in table:
        cells = []
        for c in cols:
            v = row[c]
            cells.append(f"{'—':>13}" if v is None else f"{v:>13.2f}" if isinstance(v, float) else f"{v:>13}")
        lines.append("  ".join(cells))
    return "\n".join(lines)

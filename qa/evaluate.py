"""Score the question-answering pipeline on a JSONL question file (format of the development set:
id, type, lang, question, gold paragraphs, facts, history; optionally the gold paper `doc`), for one
answerer or both side by side.

Citation checks run on every answer, extractive ones included: a checker that flagged verbatim
quotes would be broken, so the extractive column doubles as the checker's own sanity check."""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .answer import QUOTE_NOTE_EN, QUOTE_NOTE_ZH
from .cite import without_markers
from .models import Answer
from .service import QA
from .verify import Verifier


@dataclass
class Row:
    id: str
    type: str
    gold: list[str]
    answer: Answer
    facts: list[list[str]] = field(default_factory=list)
    first_ms: float = 0.0  # until the first streamed piece of the answer
    total_ms: float = 0.0
    citations_checked: int = 0  # claims that came with a citation
    citations_verified: int = 0  # … whose citation held as written
    doc: str = ""  # the paper the gold paragraphs are in, when a library has several (else any)

    @property
    def cited(self) -> list[str]:
        """The paragraphs cited, in order; only those of the right paper when the question names it
        (either language version of it: LegCo numbers both alike)."""
        return list(dict.fromkeys(c.paragraph for c in self.answer.citations
                                  if not self.doc or self.doc in (c.doc, (c.other or {}).get("doc"))))

    @property
    def answerable(self) -> bool:
        return bool(self.gold)

    def hit(self, k: int) -> bool:
        return bool(set(self.cited[:k]) & set(self.gold))

    def coverage(self) -> float:
        """The share of the gold paragraphs the answer cites: for list questions, how much of the list."""
        return len(set(self.cited) & set(self.gold)) / len(self.gold) if self.gold else 1.0

    @property
    def words(self) -> int:
        """The answer's length in words, markers and list bullets not counted."""
        return answer_words(self.answer.answer)

    def fact_recall(self) -> float:
        if not self.facts:
            return 1.0
        text = self.answer.answer.lower()
        return sum(any(f.lower() in text for f in alts) for alts in self.facts) / len(self.facts)


def answer_words(text: str) -> int:
    return len([w for w in without_markers(text).split() if any(ch.isalnum() for ch in w)])


def load_questions(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(qa: QA, questions: list[dict[str, Any]], generate: bool = True) -> list[Row]:
    rows = []
    for q in questions:
        t0 = time.perf_counter()
        first = None
        answer: Answer | None = None
        for piece in qa.stream(q["question"], q.get("history") or [], generate):
            if isinstance(piece, Answer):
                answer = piece
            elif first is None:
                first = time.perf_counter()
        assert answer is not None
        done = time.perf_counter()
        row = Row(q["id"], q.get("type", "?"), [str(g) for g in q.get("gold", [])], answer, q.get("facts", []),
                  ((first or done) - t0) * 1000, (done - t0) * 1000, doc=q.get("doc", ""))
        row.citations_checked, row.citations_verified = citation_checks(qa, answer)
        rows.append(row)
    return rows


def citation_checks(qa: QA, answer: Answer) -> tuple[int, int]:
    """(claims with a citation, claims whose citation held as written). For a generated answer, what
    the model wrote; for an extractive one, its quotes, checked by the same verifier."""
    if answer.abstained:
        return 0, 0
    checks = answer.checks
    if not checks:
        units = [u for c in answer.citations if (u := qa.paragraph(c.doc, c.paragraph, c.label, c.part)) is not None]
        lex = qa.store.lexical()
        # what is quoted: each list item's words, or the answer without the note on its language
        text = " ".join(f"{i.quote} {i.marker}" for i in answer.items) or answer.answer.replace(QUOTE_NOTE_ZH, "").replace(QUOTE_NOTE_EN, "")
        checks = Verifier(qa.settings, lex, qa.similarity()).verify(text, units, lambda u: "", lex.labels).checks
    cited = [c for c in checks if c.cited]
    return len(cited), sum(c.status == "verified" for c in cited)


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
        answered = [r for r in group if not r.answer.abstained]
        latency = [r.total_ms for r in group]
        first = [r.first_ms for r in group]
        checked = sum(r.citations_checked for r in group)
        table.append({
            "type": name,
            "n": len(group),
            "hit@1": _mean([r.hit(1) for r in answerable]),
            "hit@3": _mean([r.hit(3) for r in answerable]),
            "coverage": _mean([r.coverage() for r in answerable if len(r.gold) > 1]),
            "fact_recall": _mean([r.fact_recall() for r in answerable]),
            "abstain": _mean([r.answer.abstained for r in unanswerable]),
            "false_refusal": _mean([r.answer.abstained for r in answerable]),
            "words_p50": _median([r.words for r in answered if r.answer.question.isascii()]),
            "lead_p50": _median([answer_words(r.answer.lead) for r in answered
                                 if r.answer.lead and r.answer.question.isascii()]),
            "verified": sum(r.citations_verified for r in group) / checked if checked else None,
            "fallback": _mean([bool(r.answer.fallback) for r in group]),
            "first_p50_ms": statistics.median(first) if first else 0.0,
            "p50_ms": statistics.median(latency) if latency else 0.0,
            "p95_ms": _pct(latency, 0.95),
        })
    return table


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _mean(values: list[bool] | list[float]) -> float | None:
    return sum(values) / len(values) if values else None


COLUMNS = ["type", "n", "hit@1", "hit@3", "coverage", "fact_recall", "abstain", "false_refusal", "words_p50",
           "lead_p50", "verified", "fallback", "first_p50_ms", "p50_ms", "p95_ms"]


def format_table(table: list[dict[str, Any]], title: str = "") -> str:
    lines = [title] if title else []
    lines.append("  ".join(f"{c:>12}" for c in COLUMNS))
    for row in table:
        cells = []
        for c in COLUMNS:
            v = row.get(c)
            cells.append(f"{'—':>12}" if v is None else f"{v:>12.2f}" if isinstance(v, float) else f"{v:>12}")
        lines.append("  ".join(cells))
    return "\n".join(lines)

"""Text PDFs (pypdf). Paragraphs are rebuilt from line positions: a vertical gap wider than the usual
line spacing, or a line that starts with a paragraph number, starts a new paragraph. Running headers,
footers and page numbers (lines repeated in the margins of most pages) are dropped."""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from . import ParseError, from_paragraphs
from ..models import Document

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_STARTS_PARAGRAPH = re.compile(r"^(\d{1,3}\.|\([a-z]{1,2}\)|\([ivx]{1,5}\)|[-•*]\s)")


@dataclass
class _Line:
    text: str
    y: float
    size: float


def _lines(page) -> list[_Line]:
    runs: list[tuple[float, float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text and text.strip():
            y = tm[5] * cm[3] + cm[5] if cm else tm[5]
            x = tm[4] * cm[0] + cm[4] if cm else tm[4]
            runs.append((round(y, 1), x, abs(size * (tm[3] or 1)), text))

    page.extract_text(visitor_text=visit)
    by_y: dict[float, list[tuple[float, float, str]]] = {}
    for y, x, size, text in runs:
        key = next((k for k in by_y if abs(k - y) < 2.0), y)
        by_y.setdefault(key, []).append((x, size, text))
    lines = []
    for y in sorted(by_y, reverse=True):  # top of the page first
        parts = sorted(by_y[y])
        text = " ".join(" ".join(t.split()) for _, _, t in parts if t.strip())
        lines.append(_Line(text, y, max(s for _, s, _ in parts)))
    return lines


def _margin_repeats(pages: list[list[_Line]]) -> set[str]:
    """Lines that appear in the top or bottom three lines of most pages (digits ignored)."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        for line in {re.sub(r"\d+", "#", l.text) for l in lines[:3] + lines[-3:]}:
            seen[line] += 1
    return {text for text, n in seen.items() if n >= max(3, len(pages) // 2)}


def parse(data: bytes, doc_id: str, name: str) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise ParseError(f"{name}: the PDF is encrypted")
            except Exception as exc:
                raise ParseError(f"{name}: the PDF is encrypted") from exc
        pages = [_lines(page) for page in reader.pages]
        info = reader.metadata or {}
    except ParseError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise ParseError(f"{name}: not a readable PDF ({type(exc).__name__})") from exc
    repeats = _margin_repeats(pages)
    paragraphs: list[str] = []
    for lines in pages:
        lines = [l for l in lines if not _PAGE_NUMBER.match(l.text)
                 and re.sub(r"\d+", "#", l.text) not in repeats]
        if not lines:
            continue
        gaps = [a.y - b.y for a, b in zip(lines, lines[1:]) if 0 < a.y - b.y < 3 * max(a.size, 1)]
        spacing = statistics.median(gaps) if gaps else 14.0
        current: list[str] = [lines[0].text]
        for prev, line in zip(lines, lines[1:]):
            gap = prev.y - line.y
            if gap > spacing * 1.35 or _STARTS_PARAGRAPH.match(line.text) or abs(line.size - prev.size) > 1.5:
                paragraphs.append(" ".join(current))
                current = []
            current.append(line.text)
        paragraphs.append(" ".join(current))  # the page break itself is a paragraph break; chunk re-joins
    title = str(info.get("/Title") or "").strip() if hasattr(info, "get") else ""
    date = ""
    raw_date = str(info.get("/CreationDate") or "") if hasattr(info, "get") else ""
    if m := re.match(r"D:(\d{4})(\d{2})(\d{2})", raw_date):
        date = "-".join(m.groups())
    if not any(p.strip() for p in paragraphs):
        raise ParseError(f"{name}: no text in this PDF (a scan? only text PDFs are supported)")
    from . import find_date
    body_date = find_date("\n".join(paragraphs[:6]))
    return from_paragraphs(paragraphs, doc_id, title=title, date=body_date or date, source=name,
                           meta={"format": "pdf", "pages": str(len(pages))})

"""Text PDFs, read with PDFium (pypdfium2), which knows where words end ("The", not "T he") and
gives a page's text in the order it was written, so the columns of a two-column report are read
one after the other rather than line across line. Paragraphs are rebuilt from the lines' positions:
a vertical gap wider than the usual line spacing, a jump to another column, a change of font, a
short line that ends a sentence, or a line that starts with a paragraph number starts a new one.
Running headers, footers and page numbers (lines repeated in the margins of most pages) are dropped.
The title is the largest text on the first page (a file's own title is often another document's),
else the file's title when it is a real one."""

from __future__ import annotations

import ctypes
import re
import statistics
import threading
from collections import Counter
from dataclasses import dataclass

from . import ParseError, from_paragraphs
from ..dates import find_date, paper_date
from ..models import Document

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_STARTS_PARAGRAPH = re.compile(r"^(\d{1,3}\.|\([a-z]{1,2}\)|\([ivx]{1,5}\)|[-•*▪●]\s)")
_ENDS_SENTENCE = re.compile(r"[.:;?!。：；？！][\"'”’)]*$")
# file titles that name the file rather than the paper: "Microsoft Word - CA20240520.docx", "untitled"
_NOT_A_TITLE = re.compile(r"^(?:microsoft\s+\w+\s*-|untitled\b)|\.(?:docx?|pdf|rtf|odt)$", re.I)
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_HEADING_SIZE, _HEADING_WORDS = 1.2, 25  # type this much larger than the body's, and this short, is a heading
_LOCK = threading.Lock()  # PDFium is not thread-safe: one document at a time per process


@dataclass
class _Line:
    text: str
    y: float  # baseline of its first characters, from the bottom of the page
    x0: float
    x1: float
    size: float  # font size in points
    bold: bool
    y_end: float = 0.0  # baseline of its last characters: lower when PDFium joined a hyphenated word


def _bold(tp, raw, index: int) -> bool:
    flags = ctypes.c_int(0)
    n = raw.FPDFText_GetFontInfo(tp.raw, index, None, 0, ctypes.byref(flags))
    name = ctypes.create_string_buffer(max(n, 1))
    raw.FPDFText_GetFontInfo(tp.raw, index, name, n, ctypes.byref(flags))
    font = name.value.decode("utf-8", "replace")
    return bool(flags.value & 0x40000) or "bold" in font.lower() or raw.FPDFText_GetFontWeight(tp.raw, index) >= 600


def _line(tp, raw, text: str, first: int, last: int) -> _Line | None:
    """A line from its characters' boxes; None for one with no visible character."""
    boxes, sizes, visible = [], [], []
    for i in range(first, last):
        left, bottom, right, top = tp.get_charbox(i, loose=True)
        if right > left:
            boxes.append((left, bottom, right))
            sizes.append(raw.FPDFText_GetFontSize(tp.raw, i))
            visible.append(i)
    text = " ".join(text.replace("\x02", "-").replace("\ufffe", "-").split())
    if not boxes or not text:
        return None
    size = statistics.median(sizes)
    # a footnote's number, printed small and raised, is written as one: "³ The figures exclude…"
    if (m := re.match(r"^\d{1,3}(?=\s*\D)", text)) and sizes[0] < 0.8 * size:
        text = m.group(0).translate(_SUPERSCRIPT) + " " + text[m.end():].lstrip()
    head, tail = boxes[:8], boxes[-8:]
    return _Line(text, statistics.median(b for _, b, _ in head), min(b[0] for b in boxes),
                 max(b[2] for b in boxes), size,
                 # bold only when all of it is: a bold run-in heading ("Domestic Financial Crises.") starts a paragraph
                 all(_bold(tp, raw, visible[k * (len(visible) - 1) // 4]) for k in range(5)),
                 statistics.median(b for _, b, _ in tail))


def _lines(page, raw) -> list[_Line]:
    """The page's lines in the order they were written (PDFium ends each with a line break)."""
    tp = page.get_textpage()
    try:
        text = tp.get_text_range()
        lines, at = [], 0
        for segment in re.split(r"(\r\n|\n|\r)", text):
            units = len(segment.encode("utf-16-le")) // 2  # PDFium counts characters in UTF-16
            if segment and segment not in ("\r\n", "\n", "\r"):
                if line := _line(tp, raw, segment, at, at + units):
                    lines.append(line)
            at += units
        return lines
    finally:
        tp.close()


def _margin_repeats(pages: list[list[_Line]]) -> set[str]:
    """Lines that stand in the top or bottom three lines of two pages in five or more (digits
    ignored)."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        by_height = sorted(lines, key=lambda l: -l.y)
        for text in {re.sub(r"\d+", "#", l.text) for l in by_height[:3] + by_height[-3:]}:
            seen[text] += 1
    return {text for text, n in seen.items() if n >= max(2, (len(pages) * 2 + 4) // 5)}


def _mark_footnotes(lines: list[_Line]) -> None:
    """A line in smaller type than the page's body that starts with a number is a footnote: its
    number is written as printed, raised ("¹ Passenger trips counted by …"), which is how the
    chunker knows a footnote."""
    body = statistics.median(l.size for l in lines)
    for line in lines:
        if line.size <= 0.85 * body and (m := re.match(r"^(\d{1,3})\s+(?=[A-Z“\"(])", line.text)):
            line.text = m.group(1).translate(_SUPERSCRIPT) + " " + line.text[m.end():]


def _column_right(line: _Line, lines: list[_Line]) -> float:
    """Where the lines of this line's column end: the right edge of the longest lines starting
    near it."""
    near = sorted(l.x1 for l in lines if abs(l.x0 - line.x0) < 3 * line.size)
    return near[int(0.9 * (len(near) - 1))] if near else line.x1


def _large(line: _Line, body: float) -> bool:
    """Set larger than the body text, as headings are."""
    return line.size >= _HEADING_SIZE * body


def _paragraphs(lines: list[_Line], body: float) -> list[str]:
    gaps = [a.y_end - b.y for a, b in zip(lines, lines[1:]) if 0 < a.y_end - b.y < 3 * max(a.size, 1)]
    spacing = statistics.median(gaps) if gaps else 14.0
    out, current = [], [lines[0]]

    def close() -> None:
        text = _joined([l.text for l in current])
        # a few words in larger type than the body are a heading, even one that ends like a sentence
        # ("Does the ADA Cover Ridesharing Companies?", "… Uber Technologies, Inc."), which the
        # chunker would otherwise number as a paragraph (the others it reads as headings itself)
        heading = _large(current[0], body) and len(text.split()) <= _HEADING_WORDS \
            and bool(_ENDS_SENTENCE.search(text))
        out.append("## " + text if heading else text)

    for prev, line in zip(lines, lines[1:]):
        gap = prev.y_end - line.y
        new_column = (gap < -prev.size or (abs(gap) <= prev.size / 2 and line.x0 > prev.x1)) \
            and not _continues(prev.text, line.text)
        ended = bool(_ENDS_SENTENCE.search(prev.text)) and not _large(prev, body) and \
            prev.x1 < _column_right(prev, lines) - 6 * prev.size and line.text[:1].isupper()  # not "… v." in a heading
        if gap > spacing * 1.35 * max(1.0, prev.size / body) or new_column or ended or _STARTS_PARAGRAPH.match(line.text) \
                or abs(line.size - prev.size) > 1.5 or line.bold != prev.bold:
            close()
            current = []
        current.append(line)
    close()  # a page or column break is a paragraph break; the chunker re-joins
    return out


def _continues(before: str, after: str) -> bool:
    """Text carried over a column or page break mid-sentence: the sentence before is unfinished and
    the text after starts in lower case ("… for “credit" | "operations,” usually …")."""
    return not _ENDS_SENTENCE.search(before) and after[:1].islower()


def _joined(lines: list[str]) -> str:
    """Lines of one paragraph as one text: a word hyphenated across lines is one word again."""
    text = lines[0]
    for line in lines[1:]:
        if text.endswith("-") and re.search(r"[a-z]-$", text) and line[:1].islower():
            text = text[:-1] + line  # "Adminis-" + "tration"
        else:
            text += " " + line
    return text


def _body_size(pages: list[list[_Line]]) -> float:
    """The type size most of the document's text is set in."""
    weight: Counter[float] = Counter()
    for lines in pages:
        for l in lines:
            weight[round(l.size, 1)] += len(l.text)
    return weight.most_common(1)[0][0] if weight else 10.0


def _title_lines(first_page: list[_Line]) -> list[_Line]:
    """The largest text on the first page, when it stands out from the body (a report's title)."""
    if not first_page:
        return []
    body = statistics.median(l.size for l in first_page)
    largest = max(l.size for l in first_page)
    lines = [l for l in first_page if l.size >= largest - 0.5]
    return lines if largest >= 1.2 * body and sum(len(l.text) for l in lines) <= 250 else []


def parse(data: bytes, doc_id: str, name: str) -> Document:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    with _LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise ParseError(f"{name}: the PDF is encrypted") from exc
            raise ParseError(f"{name}: not a readable PDF ({exc})") from exc
        try:
            pages = []
            for page in pdf:
                try:
                    pages.append(_lines(page, raw))
                finally:
                    page.close()
            meta = pdf.get_metadata_dict(skip_empty=True)
        except (pdfium.PdfiumError, ValueError, OSError) as exc:
            raise ParseError(f"{name}: not a readable PDF ({type(exc).__name__})") from exc
        finally:
            pdf.close()
    repeats = _margin_repeats(pages)
    paragraphs: list[str] = []
    title, meta_title = "", " ".join(str(meta.get("Title", "")).split())
    heading = _title_lines(pages[0]) if pages else []  # a running header may repeat it: looked for first
    if heading:
        title = _joined([l.text for l in heading])
        paragraphs.append("# " + title)  # the document's heading, not a paragraph of it
    body = _body_size(pages)
    for lines in pages:
        lines = [l for l in lines if not _PAGE_NUMBER.match(l.text) and re.sub(r"\d+", "#", l.text) not in repeats
                 and l not in heading]
        if lines:
            _mark_footnotes(lines)
            more = _paragraphs(lines, body)
            if paragraphs and _continues(paragraphs[-1], more[0]):
                paragraphs[-1] = _joined([paragraphs[-1], more.pop(0)])
            paragraphs += more
    if not any(p.strip("# ") for p in paragraphs):
        raise ParseError(f"{name}: no text in this PDF (a scan? only text PDFs are supported)")
    if not title and len(meta_title.split()) >= 2 and not _NOT_A_TITLE.search(meta_title):
        title = meta_title  # the file's own title, when it is a real one and the page shows none
    date = ""
    if m := re.match(r"D:(\d{4})(\d{2})(\d{2})", str(meta.get("CreationDate", ""))):
        date = "-".join(m.groups())
    body_date = find_date("\n".join(paragraphs[:6]))
    return from_paragraphs(paragraphs, doc_id, title=title, date=paper_date(body_date, date), source=name,
                           meta={"format": "pdf", "pages": str(len(pages))})

"""Word documents (python-docx). Heading styles become Markdown headings; automatically numbered
paragraphs get their numbers back (Word stores the number in the list definition, not the text)."""

from __future__ import annotations

import io
import re
import zipfile

from . import ParseError, from_paragraphs
from ..models import Document

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100


def _check_zip(data: bytes, name: str) -> None:
    """Refuse zip bombs before python-docx inflates anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(i.file_size for i in zf.infolist())
            packed = sum(max(i.compress_size, 1) for i in zf.infolist())
            if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO and total > 10 * 1024 * 1024:
                raise ParseError(f"{name}: refused, it expands to {total // 1024 // 1024} MB (a zip bomb?)")
            if "word/document.xml" not in zf.namelist():
                raise ParseError(f"{name}: not a Word document")
    except zipfile.BadZipFile as exc:
        raise ParseError(f"{name}: not a valid .docx file") from exc


def parse(data: bytes, doc_id: str, name: str) -> Document:
    _check_zip(data, name)
    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for damaged packages
        raise ParseError(f"{name}: damaged Word document ({type(exc).__name__})") from exc
    paragraphs: list[str] = []
    counters: dict[tuple[str, str], int] = {}
    for para in document.paragraphs:
        text = " ".join(para.text.split())
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        level = re.match(r"Heading (\d)", style)
        if level or style == "Title":
            paragraphs.append("#" * (int(level.group(1)) if level else 1) + " " + text)
            continue
        num = para._p.pPr.find(qn("w:numPr")) if para._p.pPr is not None else None
        if num is not None and not re.match(r"^(\d{1,3}\.|\([a-z]+\))\s", text):
            num_id = num.find(qn("w:numId"))
            ilvl = num.find(qn("w:ilvl"))
            key = (num_id.get(qn("w:val")) if num_id is not None else "0",
                   ilvl.get(qn("w:val")) if ilvl is not None else "0")
            counters[key] = counters.get(key, 0) + 1
            n = counters[key]
            text = f"{n}. {text}" if key[1] == "0" else f"({chr(96 + min(n, 26))}) {text}"
        paragraphs.append(text)
    props = document.core_properties
    date = props.created.date().isoformat() if props.created else ""
    from . import find_date
    body_date = find_date("\n".join(paragraphs[:6]))
    return from_paragraphs(paragraphs, doc_id, title=(props.title or "").strip(), date=body_date or date,
                           source=name, meta={"format": "docx"})

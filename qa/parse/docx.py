"""Word documents (python-docx). Heading styles become Markdown headings; automatically numbered
paragraphs get their numbers back (Word stores the number in the list definition, not the text)."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Callable

from . import ParseError, from_paragraphs, markdown_table
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


def _start_values(document: object, qn: object) -> "Callable[[tuple[str, str]], int]":
    """Where each list starts counting (a paper whose first numbered paragraph is 2 says so here)."""
    try:
        numbering = document.part.numbering_part.element  # type: ignore[attr-defined]
    except (KeyError, AttributeError, NotImplementedError):
        return lambda key: 1

    def child(parent: object, tag: str, attr: str, value: str | None) -> object | None:
        """The first `tag` child of `parent` whose `attr` is `value`."""
        return next((el for el in parent.findall(qn(tag)) if el.get(qn(attr)) == value), None)  # type: ignore[attr-defined]

    def val(el: object | None, tag: str) -> int | None:
        found = el.find(qn(tag)) if el is not None else None  # type: ignore[attr-defined]
        return int(found.get(qn("w:val"))) if found is not None else None

    def start(key: tuple[str, str]) -> int:
        num_id, ilvl = key
        num = child(numbering, "w:num", "w:numId", num_id)
        if num is None:
            return 1
        override = val(child(num, "w:lvlOverride", "w:ilvl", ilvl), "w:startOverride")
        if override is not None:
            return override
        abstract_id = num.find(qn("w:abstractNumId"))  # type: ignore[attr-defined]
        abstract = child(numbering, "w:abstractNum", "w:abstractNumId",
                         abstract_id.get(qn("w:val")) if abstract_id is not None else None)
        level = child(abstract, "w:lvl", "w:ilvl", ilvl) if abstract is not None else None
        return val(level, "w:start") or 1

    return start


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
    starts = _start_values(document, qn)
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for element in document.element.body.iterchildren():
        if element.tag == qn("w:tbl"):  # tables where they stand, one row per unit
            table = Table(element, document)
            paragraphs.extend(markdown_table([[cell.text for cell in row.cells] for row in table.rows]))
            continue
        if element.tag != qn("w:p"):
            continue
        para = Paragraph(element, document)
        text = " ".join(para.text.split())
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        level = re.match(r"Heading (\d)", style)
        if level or style == "Title":
            paragraphs.append("#" * (int(level.group(1)) if level else 1) + " " + text)
            continue
        num = para._p.pPr.find(qn("w:numPr")) if para._p.pPr is not None else None
        if num is None and para.style is not None and para.style.element.pPr is not None:
            num = para.style.element.pPr.find(qn("w:numPr"))  # numbering set by a list style
        if num is not None and not re.match(r"^(\d{1,3}\.|\([a-z]+\))\s", text):
            num_id = num.find(qn("w:numId"))
            ilvl = num.find(qn("w:ilvl"))
            key = (num_id.get(qn("w:val")) if num_id is not None else "0",
                   ilvl.get(qn("w:val")) if ilvl is not None else "0")
            counters[key] = counters.get(key, starts(key) - 1) + 1
            n = counters[key]
            text = f"{n}. {text}" if key[1] == "0" else f"({chr(96 + min(n, 26))}) {text}"
        paragraphs.append(text)
    props = document.core_properties
    date = props.created.date().isoformat() if props.created else ""
    from ..dates import find_date, paper_date
    body_date = find_date("\n".join(paragraphs[:6]))
    return from_paragraphs(paragraphs, doc_id, title=(props.title or "").strip(), date=paper_date(body_date, date),
                           source=name, meta={"format": "docx"})

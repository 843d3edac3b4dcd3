"""One parser per file format. Each turns bytes into a `Document` whose blocks are the source's
paragraphs, with headings marked Markdown-style ("## Heading") when the format says so; numbering,
headings paths and page-break repair are then `qa.chunk`'s job, the same for every format."""

from __future__ import annotations

import re

from ..models import Block, Document, content_hash

_DATE = re.compile(
    r"\b(\d{1,2})\s+(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{4})\b")
_ISO = re.compile(r"\b(19|20)(\d\d)-(\d\d)-(\d\d)\b")
_MONTHS = {m: i for i, m in enumerate(
    "January February March April May June July August September October November December".split(), 1)}


class ParseError(ValueError):
    """A file that cannot be read as a document; the message is meant for the user."""


def find_date(text: str) -> str:
    match = _DATE.search(text)
    if match:
        day, month, year = match.groups()
        return f"{year}-{_MONTHS[month]:02d}-{int(day):02d}"
    iso = _ISO.search(text)
    return iso.group(0) if iso else ""


def from_paragraphs(paragraphs: list[str], doc_id: str, title: str = "", date: str = "",
                    meta: dict[str, str] | None = None, source: str = "") -> Document:
    """A Document from already-separated paragraphs; spans index into their "\\n\\n"-joined text."""
    blocks, at = [], 0
    for text in paragraphs:
        text = text.strip()
        if not text:
            continue
        blocks.append(Block(text, at, at + len(text)))
        at += len(text) + 2
    if not blocks:
        raise ParseError(f"{source or doc_id}: no text found")
    joined = "\n\n".join(b.text for b in blocks)
    head = "\n".join(b.text for b in blocks[:5])
    return Document(id=doc_id, title=title or _first_line(blocks) or doc_id, date=date or find_date(head),
                    meta=meta or {}, blocks=blocks, source=source, hash=content_hash(joined))


def _first_line(blocks: list[Block]) -> str:
    for block in blocks[:4]:
        line = block.text.strip("*# \n").splitlines()[-1].strip("*# ") if block.text.strip("*# \n") else ""
        if line and not _DATE.search(line) and len(line) < 200:
            return line
    return ""

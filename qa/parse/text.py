"""Plain text and Markdown, with optional `key: value` front matter between `---` lines."""

from __future__ import annotations

import re

from . import is_front_line
from ..dates import MONTH, find_date
from ..models import Block, Document, content_hash

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.S)
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_DATE_LINE = re.compile(rf"\d{{4}}|{MONTH}|年")


def parse_front_matter(text: str) -> tuple[dict[str, str], int]:
    """Returns (meta, offset of the body)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    meta: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, match.end()


def split_blocks(text: str, offset: int = 0) -> list[Block]:
    """Blocks between blank lines, each with its span in the full text (so citations can point back)."""
    blocks: list[Block] = []
    pos = offset
    for match in list(_BLANK_LINES.finditer(text, offset)) + [None]:
        end = match.start() if match else len(text)
        raw = text[pos:end]
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            blocks.append(Block(stripped, pos + lead, pos + lead + len(stripped)))
        if match:
            pos = match.end()
    return blocks


def parse_text(text: str, doc_id: str, source: str = "") -> Document:
    meta, body_at = parse_front_matter(text)
    blocks = split_blocks(text, body_at)
    head = "\n".join(b.text for b in blocks[:4])
    title = meta.get("title") or _first_title(blocks) or doc_id
    date = meta.get("date") or find_date(head)
    return Document(id=meta.get("id", doc_id), title=title, date=date, meta=meta, blocks=blocks,
                    source=source, hash=content_hash(text))


def _first_title(blocks: list[Block]) -> str:
    for block in blocks[:4]:
        stripped = block.text.strip("*# \n")
        line = stripped.splitlines()[-1].strip("*# ") if stripped else ""
        if line and not (_DATE_LINE.search(line) and find_date(line)) and not is_front_line(line):
            return line
    return ""

"""Read a file into a `Document`: metadata plus the blocks of text between blank lines.

Only plain text and Markdown so far; structure (paragraph numbers, headings) is `qa.chunk`'s job.
"""

from __future__ import annotations

import re
from pathlib import Path

from .models import Block, Document, content_hash

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown"}
MAX_FILE_BYTES = 50 * 1024 * 1024

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.S)
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_DATE = re.compile(
    r"\b(\d{1,2})\s+(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{4})\b"
)
_MONTHS = {m: i for i, m in enumerate(
    "January February March April May June July August September October November December".split(), 1)}


class IngestError(ValueError):
    """A file that cannot be read as a document; the message is meant for the user."""


def decode(raw: bytes, name: str) -> str:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16")
    if b"\x00" in raw[:4096]:
        raise IngestError(f"{name}: looks like a binary file, not text")
    # UTF-8 first; then the legacy encodings Hong Kong documents actually arrive in.
    for encoding in ("utf-8-sig", "big5hkscs", "gb18030", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(f"{name}: unknown text encoding")


def parse_front_matter(text: str) -> tuple[dict[str, str], int]:
    """Simple `key: value` front matter between `---` lines; returns (meta, offset of the body)."""
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


def find_date(text: str) -> str:
    match = _DATE.search(text)
    if not match:
        return ""
    day, month, year = match.groups()
    return f"{year}-{_MONTHS[month]:02d}-{int(day):02d}"


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
        line = block.text.strip("*# \n").splitlines()[-1].strip("*# ")
        if line and not _DATE.search(line):
            return line
    return ""


def load(path: Path, doc_id: str | None = None) -> Document:
    """Read one file. Raises IngestError with a one-line reason for anything we cannot index."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise IngestError(f"{path.name}: unsupported file type {path.suffix or '(none)'}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise IngestError(f"{path.name}: file too large ({size // 1024 // 1024} MB)")
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path.name}: cannot read ({exc.strerror})") from exc
    text = decode(raw, path.name).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(f"{path.name}: empty file")
    return parse_text(text, doc_id or path.stem, source=str(path))


def discover(paths: list[Path]) -> list[Path]:
    """Files to index under the given files or folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*"))
                         if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith("."))
        elif path.exists():
            found.append(path)
        else:
            raise IngestError(f"{path}: no such file or folder")
    return found

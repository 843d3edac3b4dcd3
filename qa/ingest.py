"""Read a file into a `Document`, whatever its format: the dispatch, the size and encoding checks,
and the friendly error. Format-specific reading lives in `qa.parse`."""

from __future__ import annotations

from pathlib import Path

from .models import Document
from .dates import find_date
from .parse import ParseError
from .parse.text import parse_front_matter, parse_text, split_blocks

__all__ = ["IngestError", "SUPPORTED_SUFFIXES", "decode", "discover", "find_date", "load", "load_bytes",
           "parse_front_matter", "parse_text", "parser_version", "split_blocks"]

IngestError = ParseError
SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm"}
MAX_FILE_BYTES = 50 * 1024 * 1024
# a format's parser, when it has changed since its first version: files of that format indexed
# before are read again, and no other file is (a PDF fix does not re-read a library of HTML)
# (pdf 2: headings in larger type are headings, not paragraphs; every format's next: a month on a
# line of its own, "November 2024" or "Month file: 2024-11", dates a paper that prints no day)
PARSER_VERSIONS = {".pdf": "3", **dict.fromkeys(SUPPORTED_SUFFIXES - {".pdf"}, "2")}


def parser_version(name: str) -> str:
    """The version of the parser for this file name's format ("" for a first version)."""
    suffix = Path(name).suffix.lower()
    return f"{suffix}{PARSER_VERSIONS[suffix]}" if suffix in PARSER_VERSIONS else ""


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


def load_bytes(raw: bytes, name: str, doc_id: str | None = None, max_bytes: int = MAX_FILE_BYTES,
               max_blocks: int | None = None) -> Document:
    """Parse a file's bytes; `name` gives the format (by suffix) and the default document id. A page
    with more than `max_blocks` paragraphs is refused as soon as it is seen to have them."""
    path = Path(name)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(f"{path.name}: unsupported file type {suffix or '(none)'}; "
                          f"use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    if len(raw) > max_bytes:
        raise IngestError(f"{path.name}: file too large ({len(raw) // 1024 // 1024} MB; "
                          f"the limit is {max_bytes // 1024 // 1024} MB)")
    if not raw.strip():
        raise IngestError(f"{path.name}: empty file")
    doc_id = doc_id or path.stem
    if suffix == ".pdf":
        if not raw.lstrip().startswith(b"%PDF"):
            raise IngestError(f"{path.name}: not a PDF file")
        from .parse import pdf
        return pdf.parse(raw, doc_id, path.name)
    if suffix == ".docx":
        from .parse import docx
        return docx.parse(raw, doc_id, path.name)
    text = decode(raw, path.name).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(f"{path.name}: empty file")
    if suffix in (".html", ".htm"):
        from .parse import html
        return html.parse(text, doc_id, path.name, max_blocks)
    return parse_text(text, doc_id, source=path.name)


def load(path: Path, doc_id: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read one file. Raises IngestError with a one-line reason for anything we cannot index."""
    doc = load_bytes(read_file(path, max_bytes), path.name, doc_id, max_bytes)
    doc.source = str(path)
    return doc


def read_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes, if it is of a kind we read and not over the size limit."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise IngestError(f"{path.name}: unsupported file type {path.suffix or '(none)'}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(f"{path.name}: file too large ({size // 1024 // 1024} MB; "
                              f"the limit is {max_bytes // 1024 // 1024} MB)")
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path.name}: cannot read ({exc.strerror})") from exc


def discover(paths: list[Path]) -> list[Path]:
    """Files to index under the given files or folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*"))
                         if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                         and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.exists():
            found.append(path)
        else:
            raise IngestError(f"{path}: no such file or folder")
    return found

"""One parser per file format. Each turns bytes into a `Document` whose blocks are the source's
paragraphs, with headings marked Markdown-style ("## Heading") when the format says so; numbering,
headings paths and page-break repair are then `qa.chunk`'s job, the same for every format."""

from __future__ import annotations

import re

from ..dates import ENGLISH_DATE, find_date
from ..models import Block, Document, content_hash

def markdown_table(rows: list[list[str]], header: bool | None = None) -> list[str]:
    """A table as Markdown pipe rows, which is how every parser hands tables to the chunker: one
    citable unit per row, read with its column headers. The first row is the header when `header`
    says so or, unsaid, when it has no digits and the rows below do ("Financial Year | Patients").
    Title rows spanning the table come first, as paragraphs.
    A table of one row or one column is layout, not data: its cells come back as paragraphs."""
    cells = [[" ".join(c.split()).replace("|", "/") for c in row] for row in rows if any(c.strip() for c in row)]
    caption: list[str] = []
    while cells and len(set(c for c in cells[0] if c)) == 1 and max(len(r) for r in cells) > 1:
        caption.append(next(c for c in cells.pop(0) if c))  # a title row spanning the table
    if not cells:
        return caption
    width = max(len(r) for r in cells)
    if len(cells) < 2 or width < 2:
        return caption + [c for row in cells for c in row if c]
    if header is None:
        header = not any(re.search(r"\d", c) for c in cells[0]) and \
            any(re.search(r"\d", c) for row in cells[1:] for c in row)
    lines = ["| " + " | ".join(r + [""] * (width - len(r))) + " |" for r in cells]
    if header:
        lines.insert(1, "|" + " --- |" * width)
    return caption + ["\n".join(lines)]


# the committee a paper is for: "Legislative Council Panel on Constitutional Affairs", "Finance
# Committee", "Subcommittee on …"; in Chinese 立法會政制事務委員會, 財務委員會, …小組委員會
_COMMITTEE = re.compile(
    r"(?:Legislative Council[ \t]+)?(?:(?:Bills[ \t]+)?(?:Panel|Sub-?committee|Select Committee|Committee)[ \t]+on[ \t]+"
    r"(?:the[ \t]+)?[A-Z][\w'’-]*(?:(?:[ \t]+|,[ \t]*)(?:and[ \t]+|of[ \t]+|the[ \t]+|for[ \t]+)*[A-Z][\w'’-]*)*"
    r"|(?:Finance|House|Establishment|Public Works|Public Accounts|Legislative Council Commission)"
    r"[ \t]+(?:Sub-?committee|Committee))"
    r"|(?:立法會)?[\u4e00-\u9fff]{2,14}?(?:事務委員會|小組委員會|專責委員會|財務委員會|內務委員會|人事編制小組委員會|工務小組委員會)")
# lines that head a paper without being its title: "For discussion on 20 May 2024", 討論文件
_FRONT = re.compile(r"^\W*(?:for (?:discussion|information|consideration|decision)\b|lc paper no\b|cb\(\d\)|"
                    r"(?:討論|資料|參考)文件|供討論|立法會[\u4e00-\u9fff]{0,4}(?:文件|參考資料)|立法會\s*CB)", re.I)


def find_committee(text: str) -> str:
    """The committee named in a paper's opening lines, as written; "" if none."""
    m = _COMMITTEE.search(text)
    return " ".join(m.group(0).split()) if m else ""


def is_front_line(line: str) -> bool:
    """A line of a paper's heading that is not its title: the committee, "For discussion on …"."""
    line = line.strip("*# ")
    committee = find_committee(line)
    return bool(_FRONT.match(line)) or (bool(committee) and len(committee) >= len(line) - 2)


class ParseError(ValueError):
    """A file that cannot be read as a document; the message is meant for the user."""


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
        if line and not ENGLISH_DATE.search(line) and len(line) < 200 and not is_front_line(line):
            return line
    return ""

"""One parser per file format. Each turns bytes into a `Document` whose blocks are the source's
paragraphs, with headings marked Markdown-style ("## Heading") when the format says so; numbering,
headings paths and page-break repair are then `qa.chunk`'s job, the same for every format."""

from __future__ import annotations

import re

from ..models import Block, Document, content_hash

_MONTH = "January|February|March|April|May|June|July|August|September|October|November|December"
# "20 May 2024", and as American papers write it, "May 20, 2024"
_DATE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})\s+(\d{{4}})\b|\b({_MONTH})\s+(\d{{1,2}}),\s*(\d{{4}})\b")
_ISO = re.compile(r"\b(19|20)(\d\d)-(\d\d)-(\d\d)\b")
_MONTHS = {m: i for i, m in enumerate(
    "January February March April May June July August September October November December".split(), 1)}
# 2024年11月18日, and the same in Chinese numerals: 二〇二四年十一月十八日
_ZH_DATE = re.compile(r"([0-9〇零一二三四五六七八九]{4})\s*年\s*([0-9一二三四五六七八九十]{1,3})\s*月\s*"
                      r"([0-9一二三四五六七八九十]{1,3})\s*日")
_ZH_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}


def zh_number(text: str) -> int:
    """Arabic digits, digit-by-digit Chinese numerals (二〇二四) or tens (十八, 二十三, 三十一)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return int("".join(str(_ZH_DIGIT[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_ZH_DIGIT[tens] if tens else 1) * 10 + (_ZH_DIGIT[ones] if ones else 0)


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


def find_date(text: str) -> str:
    """The first date written in English ("20 May 2024"), Chinese ("2024年5月20日") or ISO form."""
    found = []
    if match := _DATE.search(text):
        day, month, year = match.groups()[:3] if match.group(1) else match.group(5, 4, 6)
        found.append((match.start(), f"{year}-{_MONTHS[month]:02d}-{int(day):02d}"))
    if match := _ZH_DATE.search(text):
        try:
            year, month, day = (zh_number(g) for g in match.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                found.append((match.start(), f"{year:04d}-{month:02d}-{day:02d}"))
        except (KeyError, ValueError):
            pass
    if iso := _ISO.search(text):
        found.append((iso.start(), iso.group(0)))
    return min(found)[1] if found else ""


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
        if line and not _DATE.search(line) and len(line) < 200 and not is_front_line(line):
            return line
    return ""

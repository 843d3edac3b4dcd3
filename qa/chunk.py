"""Turn a Document's blocks into citable chunks that keep the paper's own structure.

Policy papers number their paragraphs, and users cite those numbers, so the chunker's job is to
recover them exactly: re-join paragraphs that a page break split, keep labelled bullets
("Financial co-operation: …") as their own units under the paragraph that introduces them, carry the
heading path, and only then cut over-long units into sentence windows for the embedding models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from langchain_text_splitters import RecursiveCharacterTextSplitter

from .models import Chunk, Document
from .dates import without_dates, zh_number

CHUNKER_VERSION = "8"  # 8: a table's unmarked first row that holds no values heads its rows

# "5. …", "2.3 …" (sections numbered within sections), and in Chinese papers "5. …" or "五、…"
_NUMBERED = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){1,3}(?=\.?\s+[A-Z\u4e00-\u9fff(“\"‘'])|\d{1,3}(?=\.\s))\.?\s+"
                       r"|^([一二三四五六七八九十]{1,3})[、．]\s*(?=\S)")
# "(a)", "(iv)", and in Chinese papers "(一)" / "（一）"
_SUBPARA = re.compile(r"^[(（]([a-z]{1,2}|[ivx]{1,5}|[一二三四五六七八九十]{1,3})[)）]\s*(?=\S)")
_LABELLED = re.compile(r"^([A-Z][A-Za-z&/,' -]{2,60}?):\s+(?=\S)")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_TABLE = re.compile(r"(?:[ \t]{0,40}\|[^\n]*\|[ \t]*(?:\n|$))+")  # Markdown pipe rows, as every parser gives tables
# a footnote's text: "[^3]: …" (Markdown) or "³ …" (a superscript number, as PDFs print them)
_FOOTNOTE = re.compile(r"^(?:\[\^(\d{1,3})\]:|([¹²³⁴⁵⁶⁷⁸⁹⁰]{1,3}))\s*(?=\S)")
_SUPERSCRIPT = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")
_TABLE_RULE = re.compile(r"\|(?:\s*:?-{3,}:?\s*\|)+")
_BULLET = re.compile(r"^[-*•]\s+")
_BANNER = re.compile(r"^\*\*.*\*\*$", re.S)
_TERMINAL = tuple('.!?:;"”’\')。！？：；」』')
_STOP = frozenset("a an the and or of in on at to for with between into from by under its their".split())
_CJK = re.compile(r"[\u3000-\u9fff\uf900-\ufaff]")
# headings that start a numbering of their own: "Annex A", "Appendix 2", "附件一"
_PART = re.compile(r"^((?:Annex|Appendix|Attachment|Enclosure|Schedule|Part|Chapter)\s+[A-Z0-9IVX]{1,5}\b|"
                   r"(?:附件|附錄|附表|附录)\s*[A-Z0-9一二三四五六七八九十甲乙丙丁]{0,3})", re.I)


def approx_tokens(text: str) -> int:
    """Tokenizer-free estimate: a CJK character is about one token, Latin text about four characters."""
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk) // 4 + 1


@dataclass
class _Unit:
    paragraph: str | None  # None: not numbered in the source
    label: str
    heading_path: tuple[str, ...]
    pieces: list[tuple[str, int]] = field(default_factory=list)  # (text, source offset)
    bullet_list: bool = False  # an unlabelled list item, folded into its paragraph
    part: str = ""  # the numbering it belongs to, when the document restarts it ("Annex A")
    row: bool = False  # a table row: complete in itself, never continued by the next block
    note: bool = False  # a footnote: cited as itself, and a paragraph split around it is re-joined

    @property
    def key(self) -> tuple[str, str, str]:
        return self.part, self.paragraph or "", self.label

    @property
    def text(self) -> str:
        return " ".join(t for t, _ in self.pieces)

    def add(self, text: str, start: int) -> None:
        self.pieces.append((text, start))

    def source_offset(self, pos: int) -> int:
        """Map a position in the joined text back to the source file."""
        at = 0
        for text, start in self.pieces:
            if pos <= at + len(text):
                return start + max(0, pos - at)
            at += len(text) + 1
        last_text, last_start = self.pieces[-1]
        return last_start + len(last_text)


def _is_heading(text: str) -> bool:
    lines = text.split("\n")
    if 1 < len(lines) <= 3 and len(text) <= 160:
        # a title block: the committee's name over the paper's title, each line a heading
        return all(line.strip() and _is_heading(line.strip()) for line in lines)
    return (
        "\n" not in text
        and len(text) <= 120
        and len(text.split()) <= 15
        and not text.endswith(_TERMINAL)
        and not text.endswith(",")
        and (text[0].isupper() or text[0].isdigit() or bool(_CJK.match(text)))
        and not (_NUMBERED.match(text) and _NUMBERED.match(text).group(1))  # "一、背景" is a heading; "5. …" is not
    )


_CAPTION = re.compile(r"^(?:Table|Figure|Chart|表)\s*[\w.-]{0,6}\s*[:：]", re.I)


def _shortened(text: str, limit: int) -> str:
    """At most about `limit` characters, cut at a word, "…" marking the cut."""
    return text if len(text) <= limit else text[:limit - 3].rsplit(" ", 1)[0] + "…"


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text.lower()) if w not in _STOP}


class _HeadingTracker:
    """Plain-text papers carry no heading levels, so infer them: a run of several headings is
    parent > child; a lone heading is a sibling of the deepest heading when they share vocabulary
    ("Hong Kong/Fujian Co-operation Conference" after "Hong Kong/Chongqing …"), else a new section."""

    def __init__(self) -> None:
        self.path: tuple[str, ...] = ()
        self._run: list[str] = []

    def heading(self, text: str, level: int | None = None) -> None:
        if level is not None:  # explicit (Markdown) levels win
            self.path = (*self.path[: level - 1], text)
            self._run = []
            return
        self._run.append(text)
        if len(self._run) > 1:
            self.path = tuple(self._run)
        elif len(self.path) >= 2 and _words(text) & _words(self.path[-1]):
            self.path = (*self.path[:-1], text)
        else:
            self.path = (text,)

    def body(self) -> None:
        self._run = []


def _order(number: str) -> tuple[int, ...]:
    """"2.3" → (2, 3): numbers compare as the paper orders them."""
    return tuple(int(x) for x in number.split("."))


def part_name(heading: str) -> str:
    """What a reader calls a part: "Annex A" for "Annex A: Membership of the Task Force", else the
    heading itself, shortened."""
    if m := _PART.match(heading):
        return " ".join(m.group(1).split())
    return _shortened(heading, 60)


def structure(doc: Document) -> list[_Unit]:
    """Blocks → numbered units with heading paths (no windowing yet)."""
    units: list[_Unit] = []
    headings = _HeadingTracker()
    current_number: str | None = None
    part, last, parts_seen = "", (0,), {""}
    heading_since_number: str | None = None  # the last heading seen since the last numbered paragraph
    for block in doc.blocks:
        text = block.text
        if _BANNER.match(text):  # bold title/date/signature lines: document metadata, not content
            continue
        # a page's footnotes stand between the halves of a paragraph that a page break split
        prev = next((u for u in reversed(units) if not u.note), None)
        if m := _FOOTNOTE.match(text):  # a footnote is cited as itself, not as part of a paragraph
            unit = _Unit((m.group(1) or m.group(2)).translate(_SUPERSCRIPT), "", (), part="Footnotes", note=True)
            unit.add(" ".join(text[m.end():].split()), block.start + m.end())
            units.append(unit)
            continue
        if _TABLE.fullmatch(text):  # each row a unit of the paragraph before it, named by its first cell
            headings.body()
            # a row is read under its table's caption ("Table 1: Status of prison officers who …"),
            # so that a question about the figure in it finds the row
            caption = prev.text if prev and not prev.row and (_CAPTION.match(prev.text) or prev.text.endswith(":")) \
                else ""
            path = headings.path + ((_shortened(re.split(r"(?<=[.。])\s+", caption)[-1], 160),) if caption else ())
            for label, row, start in table_rows(text, block.start):
                unit = _Unit(current_number, label, path, part=part, row=True)
                unit.add(row, start)
                units.append(unit)
            continue
        if prev and not prev.row and not prev.text.endswith(_TERMINAL) and not _NUMBERED.match(text) \
                and not _MD_HEADING.match(text):
            prev.add(" ".join(text.split()), block.start)  # a page break split this paragraph
            continue
        md = _MD_HEADING.match(text)
        if md:
            heading_since_number = md.group(2).strip(" #")
            headings.heading(heading_since_number, level=len(md.group(1)))
            continue
        if _is_heading(text):
            heading_since_number = " ".join(text.split())
            headings.heading(heading_since_number)
            continue
        headings.body()
        flat = " ".join(text.split())
        if m := _NUMBERED.match(flat):
            current_number = m.group(1) or str(zh_number(m.group(2)))
            number = _order(current_number)
            named = heading_since_number and _PART.match(heading_since_number)
            if (number <= last or named) and heading_since_number:  # the numbering starts again: a new part
                name = part_name(heading_since_number)
                part = name if name not in parts_seen else f"{name} ({len(parts_seen)})"
                parts_seen.add(part)
            last, heading_since_number = number, None
            unit = _Unit(current_number, "", headings.path, part=part)
            unit.add(flat[m.end():], block.start + _NUMBERED.match(text).end())
        elif current_number is not None and (m := _SUBPARA.match(flat)):
            unit = _Unit(current_number, f"({m.group(1)})", headings.path, part=part)  # as printed: (a), (一)
            unit.add(flat, block.start)
        elif current_number is not None and (m := _LABELLED.match(flat)) and prev and \
                (prev.label or prev.text.endswith(":")):
            unit = _Unit(current_number, m.group(1), headings.path, part=part)
            unit.add(flat, block.start)
        elif _BULLET.match(flat) and prev:
            prev.add(flat, block.start)
            continue
        else:
            unit = _Unit(None, "", headings.path, part=part)
            unit.add(flat, block.start)
        units.append(unit)
    return _unique(_number_unnumbered(units))


def table_rows(text: str, start: int = 0) -> list[tuple[str, str, int]]:
    """(label, text, source offset) for each row of a Markdown table. A row reads with its column
    headers ("Financial Year: 2019/2020; Patients: 1,497,077"), so that a question about one figure
    finds the row; its label is its first cell, which is how a reader finds it in the table."""
    lines, at = [], start
    for line in text.split("\n"):
        lines.append((line.strip(), at))
        at += len(line) + 1

    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.strip("|").split("|")]

    header: list[str] = []
    unmarked = False  # the header is a first row the parser did not mark as one
    if len(lines) > 1 and _TABLE_RULE.fullmatch(lines[1][0]):
        header, lines = cells(lines[0][0]), lines[2:]
    elif len(lines) > 1 and _heads(cells(lines[0][0]), [cells(line) for line, _ in lines[1:]]):
        header, unmarked = cells(lines[0][0]), True
    out = []
    for k, (line, offset) in enumerate(lines, 1):
        row = cells(line)
        if not any(row):
            continue
        if header and not (unmarked and k == 1):
            pairs = list(zip(header + [""] * len(row), row))
            # a merged cell comes back once per column it spans: said once
            body = "; ".join(f"{h}: {c}" if h else c for i, (h, c) in enumerate(pairs)
                             if c and (i == 0 or pairs[i - 1] != (h, c)))
        else:
            body = " | ".join(c for c in row if c)
        first = row[0] if row[0] else f"row {k}"
        out.append((_shortened(first, 40), body, offset))
    return out


# a cell that is a value: a count, sum or share ("3,728", "£1.2m", "45%"), once any date is taken out
# (qa/dates.py reads years, financial years and dates: "2023", "2023-24", "June 2024" are none)
_VALUE = re.compile(r"[-–(]?[£$€¥]?\s?\d[\d,]{0,30}(?:\.\d{1,12})?\s?(?:%|m|bn|k|million|billion)?\)?", re.I)


def _digits(cell: str) -> bool:
    return any(ch.isdigit() for ch in cell)


def _heads(first: list[str], below: list[list[str]]) -> bool:
    """Whether a table's first row, not marked as its header, reads as one: it holds no values,
    though it may name years ("2023-24 – additional funding (£000)", "June 2024"), the rows below
    hold figures, and it does not begin a first column of years ("2019 | Launched"). It heads the
    rows below, so that a question about "Kent's uplift to 2033-34" finds Kent's row, and stays a
    unit of its own (unmarked, it could be data; and the paragraphs after it keep their numbers)."""
    values = any(_VALUE.fullmatch(without_dates(c).strip()) for c in first)
    figures = any(_digits(c) for row in below for c in row)
    years_down = bool(first and _digits(first[0])) and any(row and _digits(row[0]) for row in below)
    return not values and figures and not years_down


def _number_unnumbered(units: list[_Unit]) -> list[_Unit]:
    """Give unnumbered paragraphs the number a reader would: one that fills a gap in the numbering
    is that number (the paragraph under "Purpose" is 1 when the next is 2); one that continues the
    paragraph before it in the same section joins it; a lead-in ("… as follows:") before the
    numbered paragraph it introduces is read with it. Unnumbered text in a section of its own
    ("Question" above a numbered "Answer") is numbered in order as its own part. With no numbers at
    all, paragraphs are numbered in order, so every document is cited the same way."""
    if all(u.paragraph is None or u.note for u in units):  # footnotes keep their own numbers
        for i, unit in enumerate((u for u in units if not u.note), 1):
            unit.paragraph = str(i)
        return units
    kept: list[_Unit] = []
    lead: list[_Unit] = []
    last = 0
    for i, unit in enumerate(units):
        if unit.note:
            kept.append(unit)
            continue
        if unit.paragraph is not None:
            if kept and kept[-1].part != unit.part:
                last = 0
            for waiting in lead:
                if waiting.heading_path == unit.heading_path and waiting.part == unit.part:
                    unit.pieces[:0] = waiting.pieces  # a lead-in, read with what it introduces
                else:
                    kept.append(_own_part(waiting, kept))
            lead = []
            last = _order(unit.paragraph)[0]
            kept.append(unit)
            continue
        following = next((_order(u.paragraph)[0] for u in units[i + 1:] if u.paragraph is not None and u.part == unit.part),
                         None)
        previous = next((u for u in reversed(kept) if not u.note), None)
        if following is not None and following > last + 1:
            last += 1
            unit.paragraph = str(last)
        elif previous is not None and previous.heading_path == unit.heading_path and previous.part == unit.part:
            previous.pieces.extend(unit.pieces)
            continue
        elif following is not None:
            lead.append(unit)
            continue
        else:
            last += 1
            unit.paragraph = str(last)
        kept.append(unit)
    kept.extend(_own_part(waiting, kept) for waiting in lead)
    return kept


def _own_part(unit: _Unit, kept: list[_Unit]) -> _Unit:
    """Unnumbered text in a section of its own: numbered in order within a part named by its heading."""
    unit.part = part_name(unit.heading_path[-1]) if unit.heading_path else "Preamble"
    unit.paragraph = str(sum(1 for u in kept if u.part == unit.part) + 1)
    return unit


def _unique(units: list[_Unit]) -> list[_Unit]:
    """Every citable unit once per document, whatever the source does ("3." twice): a repeat is
    labelled by its place among the repeats ("¶3 · 2nd"), so the citation still finds it."""
    seen: dict[tuple[str, str, str], int] = {}
    for unit in units:
        count = seen.get(unit.key, 0) + 1
        seen[unit.key] = count
        if count > 1:
            ordinal = {2: "2nd", 3: "3rd"}.get(count, f"{count}th")
            unit.label = f"{unit.label} ({ordinal})" if unit.label else ordinal
            seen[unit.key] = 1
    return units


def chunk_document(doc: Document, max_tokens: int = 250) -> list[Chunk]:
    """Citable units, each cut into sentence windows when longer than the embedding window."""
    splitter = RecursiveCharacterTextSplitter(
        separators=[r"(?<=[.!?;。！？；])\s+", r"(?<=,)\s+", r"\s+"],
        is_separator_regex=True,
        keep_separator="end",  # separators are zero-width or whitespace; joined windows stay verbatim
        chunk_size=max_tokens,
        chunk_overlap=max_tokens // 5,
        length_function=approx_tokens,
    )
    chunks: list[Chunk] = []
    for unit in structure(doc):
        text = unit.text
        windows = [text] if approx_tokens(text) <= max_tokens else splitter.split_text(text)
        cursor = 0
        for w, window in enumerate(windows):
            at = text.find(window, max(0, cursor - len(window)))
            at = at if at >= 0 else cursor
            cursor = at + len(window)
            chunks.append(Chunk(
                doc_id=doc.id, paragraph=unit.paragraph or "0", label=unit.label,
                heading_path=unit.heading_path, text=window,
                start=unit.source_offset(at), end=unit.source_offset(at + len(window)),
                window=w, title=doc.title, date=doc.date, part=unit.part,
            ))
    return chunks


def units_of(chunks: list[Chunk]) -> dict[str, Chunk]:
    """Whole citable units (windows re-joined), keyed by `Chunk.unit`, in document order."""
    units: dict[str, Chunk] = {}
    for c in sorted(chunks, key=lambda c: (c.doc_id, c.start, c.window)):
        have = units.get(c.unit)
        if have is None:
            units[c.unit] = replace(c, window=0)
        else:
            units[c.unit] = replace(have, text=_merge_overlap(have.text, c.text), end=max(have.end, c.end))
    return units


def _merge_overlap(left: str, right: str) -> str:
    """Re-join two overlapping windows."""
    for size in range(min(len(left), len(right)), 0, -1):
        if left.endswith(right[:size]):
            return left + right[size:]
    return left + " " + right


def embed_text(chunk: Chunk) -> str:
    """What the models see: the heading path gives a paragraph its topic ("Hong Kong/Fujian …")."""
    context = " › ".join(chunk.heading_path)
    label = f"{chunk.label}: " if chunk.label and not chunk.text.startswith(chunk.label) else ""
    return f"{context}\n{label}{chunk.text}" if context else label + chunk.text

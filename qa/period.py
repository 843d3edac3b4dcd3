"""The time a question is about ("in July 2024", "in 2023", "since March 2024", "between 2022 and
2023", "before this paper", "2023年以來") as a range of dates, and whether a paragraph falls in it:
by the dates the paragraph writes, or, when it writes none, by its paper's date. Retrieval prefers
paragraphs in the period; the answerer does not quote one outside it."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from .text import MONTHS

_MONTH = "|".join(MONTHS + [m[:3] for m in MONTHS if len(m) > 3] + ["Sept"])
_MONTH_NUMBER = {m.lower(): i + 1 for i, m in enumerate(MONTHS)} | \
    {m[:3].lower(): i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
# one date as written: "20 May 2024", "May 20, 2024", "May 2024", "2024年5月20日", "2024-05-20", a
# financial year ("2023-24", "2023/24", "2023-2024"), "2024"
_WRITTEN = re.compile(
    rf"\b(?P<d1>\d{{1,2}}) (?P<m1>{_MONTH})\.?,? (?P<y1>{_YEAR})\b"
    rf"|\b(?P<m2>{_MONTH})\.? (?P<d2>\d{{1,2}}),? (?P<y2>{_YEAR})\b"
    rf"|\b(?P<m3>{_MONTH})\.?,? (?:of )?(?P<y3>{_YEAR})\b"
    rf"|(?P<y4>{_YEAR})年(?:(?P<m4>\d{{1,2}})月(?:(?P<d4>\d{{1,2}})[日號号])?)?"
    rf"|\b(?P<y5>{_YEAR})-(?P<m5>\d\d)-(?P<d5>\d\d)\b"
    rf"|(?<![0-9A-Za-z,.$£€])(?P<fy>{_YEAR})\s?[-/–]\s?(?P<fy2>\d\d(?:\d\d)?)(?![\d%]|[,.]\d)"
    rf"|(?<![\d,.$£€])\b(?P<y6>{_YEAR})\b(?![%]|[,.]\d)(?!\s*(?:-|/|to)\s*\d{{2}}\b)", re.I)
_A_YEAR = re.compile(rf"(?<!\d){_YEAR}(?!\d)")
_THIS_PAPER = r"(?:this|the) (?:paper|document|report|reply|answer)"
_RELATIVE = re.compile(rf"\b(before|prior to|earlier than|since|after|later than) {_THIS_PAPER}\b"
                       r"|(本文件|本文|這份文件|该文件|該文件)(之前|以前|之後|以後|以来|以來)", re.I)
_EN_BEFORE = re.compile(r"\b(?:before|prior to|earlier than)\s*$", re.I)
_EN_UNTIL = re.compile(r"\b(?:until|till|up to|by|through|no later than)\s*$", re.I)
_EN_AFTER = re.compile(r"\b(?:after|later than)\s*$", re.I)
_EN_SINCE = re.compile(r"\b(?:since|from|starting|as of|beginning)\s*(?:in\s*)?$", re.I)
_ZH_BEFORE = re.compile(r"^\s*(?:之前|以前|前)")
_ZH_SINCE = re.compile(r"^\s*(?:以來|以来|起|開始|开始)")
_ZH_AFTER = re.compile(r"^\s*(?:之後|之后|以後|以后|後|后)")


@dataclass(frozen=True)
class Period:
    """Inclusive ISO dates; "" is open. `paper` is "before" or "after" the paper asked about, until
    `anchored` to that paper's date."""

    start: str = ""
    end: str = ""
    paper: str = ""

    def anchored(self, paper_date: str) -> "Period | None":
        """A period relative to a paper, made absolute by its date (None when it has none)."""
        if not self.paper:
            return self
        if not paper_date:
            return None
        first, last = _range(paper_date)
        return Period(end=_shift(first, -1)) if self.paper == "before" else Period(start=_shift(last, 1))

    def overlaps(self, first: str, last: str) -> bool:
        return (not self.start or last >= self.start) and (not self.end or first <= self.end)

    def names(self, text: str) -> bool:
        """Whether the text writes a date inside the period itself ("in July 2024" for July 2024),
        not only one that overlaps it ("in 2024")."""
        return any((not self.start or a >= self.start) and (not self.end or b <= self.end) for a, b in dates_in(text))

    def covers(self, text: str, doc_date: str = "", heading: str = "") -> bool | None:
        """Whether a paragraph is about this period: a date it writes falls in it; when it writes
        none, a date its headings write (a table row's caption: "… joined between 01 January 2023
        and 31 December 2023"), else its paper's date. None when none says."""
        written = list(dates_in(text)) or list(dates_in(heading))
        if written:
            return any(self.overlaps(a, b) for a, b in written)
        if doc_date:
            return self.overlaps(*_range(doc_date))
        return None

    def __str__(self) -> str:
        if self.paper:
            return f"{self.paper} the paper"
        if self.start and self.end:
            return self.start if self.start == self.end else f"{self.start} to {self.end}"
        return f"from {self.start}" if self.start else f"until {self.end}"


def dates_in(text: str):
    """Each date a text writes, as its (first day, last day): "May 2024" is the whole month."""
    for m in _WRITTEN.finditer(text):
        found = _parts(m)
        if found is not None:
            yield _range(found)


def years_in(text: str) -> set[str]:
    """The years a text writes, alone or in a date ("2023", "May 2023", "2023年", "2023-24")."""
    return set(_A_YEAR.findall(text))


def without_dates(text: str) -> str:
    """The text with its dates blanked, so that a date's day and month are not read as figures
    ("21 March 2022", 2024年4月)."""
    return _WRITTEN.sub(" ", text)


def period_of(question: str) -> Period | None:
    """The period a question is about, or None. The first date it names decides, with the word
    before it ("since", "before", "until") or after it (以來, 之前); "between A and B" spans both."""
    relative = _RELATIVE.search(question)
    if relative:
        word = (relative.group(1) or relative.group(3) or "").lower()
        return Period(paper="before" if word in ("before", "prior to", "earlier than", "之前", "以前") else "after")
    found = [(m, _parts(m)) for m in _WRITTEN.finditer(question)]
    found = [(m, p) for m, p in found if p is not None]
    if not found:
        return None
    m, when = found[0]
    first, last = _range(when)
    before, after = question[:m.start()], question[m.end():]
    if len(found) > 1 and re.search(r"\b(between|from)\s*$", before, re.I) and \
            re.match(r"\s*(and|to|until|till|-|–)\s*$", question[m.end():found[1][0].start()], re.I):
        return Period(first, _range(found[1][1])[1])
    if _EN_BEFORE.search(before) or _ZH_BEFORE.match(after):
        return Period(end=_shift(first, -1))
    if _EN_UNTIL.search(before):
        return Period(end=last)
    if _EN_AFTER.search(before) or _ZH_AFTER.match(after):
        return Period(start=_shift(last, 1))
    if _EN_SINCE.search(before) or _ZH_SINCE.match(after):
        return Period(start=first)
    return Period(first, last)


def _parts(m: re.Match[str]) -> str | None:
    """A matched date as "YYYY", "YYYY-MM" or "YYYY-MM-DD"; None for an impossible one."""
    g = m.groupdict()
    if g["fy"]:  # a financial year: both calendar years it touches (April to March in Hong Kong and the UK)
        start, end = int(g["fy"]), int(g["fy2"])
        return f"{start}/{start + 1}" if end in (start + 1, (start + 1) % 100) else g["fy"]
    year = next(g[k] for k in ("y1", "y2", "y3", "y4", "y5", "y6") if g[k])
    month_word = g["m1"] or g["m2"] or g["m3"]
    month = _MONTH_NUMBER[month_word.lower()] if month_word else int(g["m4"] or g["m5"] or 0)
    day = int(g["d1"] or g["d2"] or g["d4"] or g["d5"] or 0)
    if not 0 <= month <= 12 or (day and not month):
        return None
    if month and day > calendar.monthrange(int(year), month)[1]:
        return None
    return year + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")


def _range(iso: str) -> tuple[str, str]:
    """"2024" → 2024-01-01…2024-12-31; "2024-07" → the month; a whole date → that day; the
    financial year "2023/2024" → 2023-01-01…2024-12-31."""
    if "/" in iso:
        first, last = iso.split("/")
        return f"{first}-01-01", f"{last}-12-31"
    parts = iso.split("-")
    year = int(parts[0])
    if len(parts) == 1:
        return f"{year}-01-01", f"{year}-12-31"
    month = int(parts[1])
    if len(parts) == 2 or not parts[2]:
        return f"{year}-{month:02d}-01", f"{year}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
    return iso[:10], iso[:10]


def _shift(iso: str, days: int) -> str:
    return (date.fromisoformat(iso) + timedelta(days=days)).isoformat()

"""The time a question is about ("in July 2024", "in 2023", "since March 2024", "between 2022 and
2023", "before this paper", "2023年以來") as a range of dates, and whether a paragraph falls in it:
by the dates the paragraph writes, or, when it writes none, by its paper's date. Retrieval prefers
paragraphs in the period; the answerer does not quote one outside it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import dates
from .dates import date_range, dates_in, shift, written

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
        first, last = date_range(paper_date)
        return Period(end=shift(first, -1)) if self.paper == "before" else Period(start=shift(last, 1))

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
            return self.overlaps(*date_range(doc_date))
        return None

    def __str__(self) -> str:
        if self.paper:
            return f"{self.paper} the paper"
        if self.start and self.end:
            return self.start if self.start == self.end else f"{self.start} to {self.end}"
        return f"from {self.start}" if self.start else f"until {self.end}"


def period_of(question: str) -> Period | None:
    """The period a question is about, or None. The first date it names decides, with the word
    before it ("since", "before", "until") or after it (以來, 之前); "between A and B" spans both."""
    relative = _RELATIVE.search(question)
    if relative:
        word = (relative.group(1) or relative.group(3) or "").lower()
        return Period(paper="before" if word in ("before", "prior to", "earlier than", "之前", "以前") else "after")
    found = [(m, written(m)) for m in dates.WRITTEN.finditer(question)]
    found = [(m, p) for m, p in found if p is not None]
    if not found:
        return None
    m, when = found[0]
    first, last = date_range(when)
    before, after = question[:m.start()], question[m.end():]
    if len(found) > 1 and re.search(r"\b(between|from)\s*$", before, re.I) and \
            re.match(r"\s*(and|to|until|till|-|–)\s*$", question[m.end():found[1][0].start()], re.I):
        return Period(first, date_range(found[1][1])[1])
    if _EN_BEFORE.search(before) or _ZH_BEFORE.match(after):
        return Period(end=shift(first, -1))
    if _EN_UNTIL.search(before):
        return Period(end=last)
    if _EN_AFTER.search(before) or _ZH_AFTER.match(after):
        return Period(start=shift(last, 1))
    if _EN_SINCE.search(before) or _ZH_SINCE.match(after):
        return Period(start=first)
    return Period(first, last)


# a paper named by its year: "the 2013 report", "the 2024 Policy Address", "2013年的報告", "2017年报告"
_PAPER_YEAR_EN = re.compile(r"\bthe ((?:19|20)\d\d)(?:[-/]\d{2,4})?\s(?:[\w'’-]{1,20}\s){0,2}?"
                            r"(?:report|paper|address|budget|plan|review|statement|survey|outline|white paper)\b", re.I)
_PAPER_YEAR_ZH = re.compile(r"((?:19|20)\d\d)\s?年\s?(?:的|度)?[\u4e00-\u9fff]{0,6}?"
                            r"(?:報告|报告|施政報告|施政报告|預算|预算|白皮書|白皮书|規劃|规划)")


def paper_year(question: str) -> str:
    """The year of a paper the question names by it ("According to the 2013 government work report,
    …"): of a series of yearly papers, the one whose date is in that year is asked about."""
    m = _PAPER_YEAR_EN.search(question) or _PAPER_YEAR_ZH.search(question)
    return m.group(1) if m else ""

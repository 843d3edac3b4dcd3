"""The details a question gives (names, figures, dates, ordinals), and whether a paper says them
anywhere at all.

A question about another place, person, body, year or sitting than a paper's ("the PPRD Joint
Conference in Kunming" of a paper on the one in Guiyang) looks like an answerable question in
every other way. What gives it away is a detail its best paper never writes. Each detail is kept in
every form a paper may write it: a name's terms (a Chinese word's in all its dictionary senses), a
Chinese word as written, a figure, an ordinal (第二十四次, "24th", "Fourth"), a date ("June 2025"
as a run of words, not a month and a year found apart). The answer
judge weighs what is missing as evidence; nothing here refuses an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexical import Lexical
from .parse import zh_number
from .query import Query
from .text import simplified, terms, zh_bigrams

YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_FIGURE = re.compile(r"\d[\d,.]*\d|\d")
_ZH_ORDINAL = re.compile(r"第([〇零一二兩两三四五六七八九十]{1,4})(?=[次屆届期])")
_EN_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
_FISCAL = re.compile(r"\b((?:19|20)\d\d)\s?[-/–]\s?((?:19|20)?\d\d)\b")
_CAPITALISED_RUN = re.compile(r"(?:\b[A-Z][\w'’-]*(?:\s+(?:of|for|and|the|on|in)\s+|\s+)?){2,8}")
_MONTH_YEAR = re.compile(r"\b(?:\d{1,2} )?(?:January|February|March|April|May|June|July|August|September|October|"
                         r"November|December),? (?:\d{1,2},? )?(?:19|20)\d\d\b")
_ZH_COUNTED = re.compile(r"\d+(?:\.\d+)?[万萬亿億]?[个個项項种種名份次所间間家条條件宗批座]")
_ZH_DATE = re.compile(r"((?:19|20)\d\d)年(\d{1,2})月(?:(\d{1,2})日)?")
_MONTHS = "january february march april may june july august september october november december".split()


def figures(text: str) -> set[str]:
    """The figures a text writes, as digits: "1,200" is 1200."""
    return {d.replace(",", "") for d in _FIGURE.findall(text)}


def ordinals(text: str) -> set[str]:
    """The ordinals a text writes, as digits: 第二十四次, "24th", "Fourth" are all 24 (or 4)."""
    found = {m.group(1) for t in terms(text) if (m := _EN_ORDINAL.match(t))}
    for m in _ZH_ORDINAL.finditer(text):
        try:
            found.add(str(zh_number(m.group(1).replace("兩", "二").replace("两", "二"))))
        except (KeyError, ValueError):
            pass
    return found


@dataclass(frozen=True)
class Detail:
    """One name, figure, ordinal or date a question gives, in the forms a paper may say it."""

    terms: tuple[str, ...] = ()  # any of these terms ("guangdong"; a Chinese word's senses)
    phrase: str = ""  # or this run of terms, in order ("feder elect commiss")
    written: tuple[str, ...] = ()  # or any of these, as written (simplified Chinese)
    figure: str = ""  # or this figure
    ordinal: str = ""  # or this ordinal
    loose: bool = False  # a Chinese word (not a name): said when half its character pairs are

    @property
    def specific(self) -> bool:
        return bool(self.phrase or self.written or self.figure or self.ordinal)


@dataclass
class Paper:
    """What a paper says at all: its terms (and their first six letters, so "Ukrainian" finds
    "Ukraine"), its terms in order (for phrases), its text (for Chinese words), the figures it writes
    (a financial year "2023-24" says 2024 too), its ordinals, and the initials of its capitalised
    names (so "DWP" finds "the Department for Work and Pensions")."""

    terms: set[str]
    prefixes: set[str]
    sequence: str
    text: str
    figures: set[str]
    ordinals: set[str]
    initials: set[str]

    def says(self, d: Detail) -> bool:
        if d.figure:
            return d.figure in self.figures
        if d.ordinal:
            return d.ordinal in self.ordinals
        if d.phrase:
            return f" {d.phrase} " in self.sequence
        if d.written:  # as written, or its character pairs among the paper's words (the committee's name)
            return any(w in self.text or self._pairs(w, d.loose) for w in d.written)
        for t in d.terms:
            if t in self.terms or (len(t) >= 6 and t[:6] in self.prefixes) or t.upper() in self.initials:
                return True
            if len(t) >= 6 and t.endswith(("es", "ian", "an")) and any(u.startswith(t[:4]) for u in self.terms):
                return True  # a people's name for its country's: Chinese, China; Ukrainian, Ukraine
        return False

    def _pairs(self, word: str, loose: bool) -> bool:
        pairs = zh_bigrams(word)
        said = sum(b in self.terms for b in pairs)
        return bool(pairs) and (2 * said >= len(pairs) if loose else said == len(pairs))


_PAPERS: dict[tuple[int, str], Paper] = {}


def paper_of(lex: Lexical, doc: str) -> Paper:
    """The paper's facts, made once per index snapshot and document."""
    key = (id(lex), doc)
    paper = _PAPERS.get(key)
    if paper is None:
        units = lex.doc_units(doc)
        headings = dict.fromkeys(h for u in units for h in u.heading_path)
        text = "\n".join([*(u.text for u in units), *headings, units[0].title if units else ""])
        words = lex.doc_terms(doc) | lex.title_terms.get(doc, set())
        found = figures(text) | ({lex.dates[doc][:4]} if lex.dates.get(doc) else set())
        for m in _FISCAL.finditer(text):
            end = m.group(2)
            found |= {m.group(1), end if len(end) == 4 else m.group(1)[:2] + end}
        initials = {"".join(w[0] for w in re.findall(r"[A-Z][\w'’-]*", run)) for run in _CAPITALISED_RUN.findall(text)}
        paper = Paper(words, {t[:6] for t in words if len(t) >= 6}, " " + " ".join(terms(text)) + " ",
                      simplified(text), found, ordinals(text), {i for i in initials if len(i) >= 2})
        if len(_PAPERS) > 256:
            _PAPERS.clear()
        _PAPERS[key] = paper
    return paper


def _dates_zh(question: str) -> list[Detail]:
    """2022年3月21日 as an English paper writes it: "21 March 2022" (as a run of terms)."""
    out = []
    for m in _ZH_DATE.finditer(question):
        year, month, day = m.group(1), int(m.group(2)), m.group(3)
        if 1 <= month <= 12:
            words = f"{int(day)} {_MONTHS[month - 1]} {year}" if day else f"{_MONTHS[month - 1]} {year}"
            out.append(Detail(phrase=" ".join(terms(words))))
    return out


def details_of(query: Query, chinese_paper: bool) -> list[Detail]:
    """The details of the question, each in the forms a paper in this language may say it."""
    q = query.question
    years = set(YEAR.findall(q))
    plain = re.sub(r"\d+\s*[月日號号]", " ", q) if query.lang == "zh" else q  # 2024年4月: the period's
    numbers = figures(plain) - years
    # "the first group" is no sitting's number
    out = [Detail(figure=n) for n in sorted(numbers | years)] + [Detail(ordinal=o) for o in sorted(ordinals(q) - {"1"})]
    if query.lang == "zh" and chinese_paper:
        out += [Detail(written=(simplified(w),)) for w in dict.fromkeys(query.zh_names)]
        out += [Detail(written=(simplified(w),), loose=True) for w in dict.fromkeys(query.zh_words)
                if len(w) >= 3 and w not in query.zh_names]
        out += [Detail(written=(simplified(m.group(0)),)) for m in _ZH_COUNTED.finditer(simplified(q))]
    elif query.lang == "zh":  # an English paper: the named words in any of their senses, and dates
        out += [Detail(terms=g) for g in query.name_groups] + _dates_zh(q)
    elif chinese_paper:  # an English question: its names' renderings
        named = {t for t in query.names if not t[:1].isdigit()}
        out += [Detail(written=r.chinese) for r in query.renderings if r.proper and set(r.english) & named]
    else:
        out += [Detail(terms=(t,)) for t in dict.fromkeys(query.names)
                if len(t) > 2 and not t[:1].isdigit() and not _EN_ORDINAL.match(t)]
        if query.asked.kind in ("count", "money", "quantity") and query.asked.target:
            out.append(Detail(terms=query.asked.target))  # what is counted or measured: "how many staff"
        out += [Detail(phrase=" ".join(terms(m.group(0)))) for m in _MONTH_YEAR.finditer(q)]  # "June 2025"
    return [d for d in out if d.terms or d.specific]


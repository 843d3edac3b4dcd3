"""The details a question gives (names, figures, dates, ordinals), and whether a paper says them
anywhere at all.

A question about another place, person, body, year or sitting than a paper's ("the PPRD Joint
Conference in Kunming" of a paper on the one in Guiyang) looks like an answerable question in
every other way. What gives it away is a detail its best paper never writes. Each detail is kept in
every form a paper may write it: a name's terms (a Chinese word's in all its dictionary senses), a
Chinese word as written, a figure, an ordinal (第二十四次, "24th", "Fourth"), a date finer than a
year as the days it spans (qa/period.py reads dates in every form: "June 2025", 2025年6月). The answer
judge weighs what is missing as evidence; nothing here refuses an answer.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from functools import cached_property

from .asked import writes_a_sum
from .lexical import Lexical
from .dates import date_range, dates_in, days_in, scale_after, without_days, years_in, zh_number
from .query import Query
from .text import initials, portfolio_of, simplified, spells, terms, zh_bigrams

_FIGURE = re.compile(r"\d[\d,.]*\d|\d")
_ZH_ORDINAL = re.compile(r"第([〇零一二兩两三四五六七八九十]{1,4})(?=[次屆届期])")
_EN_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
# a run of capitalised words, joined by "of", "for" … or a comma ("Culture, Media and Sport")
_CAPITALISED_RUN = re.compile(r"(?:\b[A-Z][\w'’-]*(?:,?\s+(?:of|for|and|the|on|in)\s+|,?\s+)?){2,8}")
_WORD = re.compile(r"[A-Za-z]+")
_LINK = re.compile(r"https?://\S{1,500}")
_ZH_COUNTED = re.compile(r"\d{1,15}(?:\.\d{1,6})?[万萬亿億]?[个個项項种種名份次所间間家条條件宗批座]")


def figures(text: str) -> set[str]:
    """The figures a text writes, as digits: "1,200" is 1200, and a figure with its scale after it
    is the value it writes, so that "1.5 million" in a paper says 150萬 in a question."""
    found = set()
    for m in _FIGURE.finditer(text):
        digits = m.group(0).replace(",", "").rstrip(".")
        scale = scale_after(text, m.end())
        if scale > 1:
            try:
                digits = str(round(float(digits) * scale))
            except ValueError:  # "1.2.3": not one figure
                pass
        found.add(digits)
    return found


def given(query: Query) -> tuple[set[str], set[str]]:
    """The years a question gives, and its other figures (a date's day and month are not figures)."""
    return years_in(query.given_text), figures(without_days(query.given_text))


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
    when: tuple[str, str] = ()  # or a date within these days (a date finer than a year)
    day: str = ""  # or this day of some year ("08-11": "11 August", 8月11日)
    loose: bool = False  # a Chinese word (not a name): said when half its character pairs are
    capitals: str = ""  # an office's short form as the question writes it ("DWP", "DHSC", "DfE", "LegCo")

    @property
    def specific(self) -> bool:
        return bool(self.phrase or self.written or self.figure or self.ordinal or self.when or self.day)


@dataclass
class Paper:
    """What a paper says at all: its terms (and their first six letters, so "Ukrainian" finds
    "Ukraine"), its terms in order (for phrases), its text (for Chinese words), the figures it writes
    (and the years of its dates: a financial year "2023-24" says 2024 too), its ordinals, the days
    its dates span, and the initials of its capitalised names (so "DWP" finds "the Department for
    Work and Pensions")."""

    terms: set[str]
    prefixes: set[str]
    sequence: str
    text: str
    figures: set[str]
    ordinals: set[str]
    initials: set[str]
    # its capitalised names with their initials ("LCP", "The Legislative Council Panel"), for short
    # forms in mixed case
    names: list[tuple[str, str]]
    dates: list[tuple[str, str]]
    days: set[str]  # the days it writes without a year ("On 11 August, …": "08-11")
    # the acronyms the library defines, as the terms of their long forms ("dhsc": department, health …)
    acronyms: dict[str, list[str]]

    @cached_property
    def writes_a_sum(self) -> bool:
        """Whether the paper gives any sum of money (for "how much money" asked of it)."""
        return writes_a_sum(self.text)

    def says(self, d: Detail) -> bool:
        if d.when:
            return any(d.when[0] <= a and b <= d.when[1] for a, b in self.dates)
        if d.day:
            return d.day in self.days or any(a == b and a[5:] == d.day for a, b in self.dates)
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
            if (long := self.acronyms.get(t)) and all(w in self.terms for w in long):
                return True  # "DHSC" of a paper by "his Department" of "Health and Social Care"
            if len(t) >= 6 and t.endswith(("es", "ian", "an")) and any(u.startswith(t[:4]) for u in self.terms):
                return True  # a people's name for its country's: Chinese, China; Ukrainian, Ukraine
        if d.capitals and not d.capitals.isupper():  # "DfE": the Department for Education's words
            letters = "".join(filter(str.isupper, d.capitals))
            return any((letters in short and spells(d.capitals, name)) or portfolio_of(d.capitals, name)
                       for short, name in self.names)
        return bool(d.capitals) and self._portfolio(d.capitals)

    def _portfolio(self, capitals: str) -> bool:
        """An office named by its portfolio under another head: a department's initials, less its
        head, end those of the minister it answers through ("DWP", the Secretary of State for Work
        and Pensions: SSWP; "DHSC", for Health and Social Care: SSHSC). The portfolio must be two
        initials at least and the minister's title two more ("USA" is not said by the Food
        Standards Agency's FSA)."""
        cores = {c for c in (capitals[1:], capitals[:-1]) if len(c) >= 2}
        return any(i.endswith(c) and len(i) >= len(c) + 2 for i in self.initials for c in cores)

    def _pairs(self, word: str, loose: bool) -> bool:
        pairs = zh_bigrams(word)
        said = sum(b in self.terms for b in pairs)
        return bool(pairs) and (2 * said >= len(pairs) if loose else said == len(pairs))


_PAPERS: "weakref.WeakKeyDictionary[Lexical, dict[str, Paper]]" = weakref.WeakKeyDictionary()


def paper_of(lex: Lexical, doc: str) -> Paper:
    """The paper's facts, made once per index snapshot and document (kept with the snapshot, and
    gone with it: a later snapshot, or another index, never reads an earlier one's)."""
    papers = _PAPERS.setdefault(lex, {})
    paper = papers.get(doc)
    if paper is None:
        units = lex.doc_units(doc)
        headings = dict.fromkeys(h for u in units for h in u.heading_path)
        text = "\n".join([*(u.text for u in units), *headings, lex.about.get(doc, "")])
        words = lex.doc_terms(doc) | lex.title_terms.get(doc, set())
        # a link's words are said too: its path names what it links to ("…/coronavirus-covid-19-vaccine-…")
        words |= {t for link in _LINK.findall(text) for t in terms(re.sub(r"[-_/.=?&]+", " ", link))}
        # a name with a number joined on says the name: covid19 (COVID-19) says COVID
        numbered = (t.rstrip("0123456789") for t in words if t[-1:].isdigit())
        words |= {name for name in numbered if len(name) >= 3 and name.isalpha()}
        dates = list(dates_in(text)) + ([date_range(lex.dates[doc])] if lex.dates.get(doc) else [])
        found = figures(text) | {day[:4] for span in dates for day in span}
        names = [(short, run) for run in dict.fromkeys(r.strip() for r in _CAPITALISED_RUN.findall(text))
                 if len(short := initials(run)) >= 2]
        paper = Paper(words, {t[:6] for t in words if len(t) >= 6}, " " + " ".join(terms(text)) + " ",
                      simplified(text), found, ordinals(text), {short for short, _ in names}, names, dates,
                      days_in(text), lex.acronyms)
        if len(papers) > 256:  # a large library: the papers asked about lately
            papers.clear()
        papers[doc] = paper
    return paper


def details_of(query: Query, chinese_paper: bool) -> list[Detail]:
    """The details of the question, each in the forms a paper in this language may say it."""
    q = query.given_text
    years, numbers = given(query)
    # "the first group" is no sitting's number
    out = [Detail(figure=n) for n in sorted(numbers | years)] + [Detail(ordinal=o) for o in sorted(ordinals(q) - {"1"})]
    out += [Detail(when=(a, b)) for a, b in dict.fromkeys(dates_in(q)) if a[:4] == b[:4] and (a[5:], b[5:]) != ("01-01", "12-31")]
    out += [Detail(day=day) for day in sorted(days_in(q))]
    if query.lang == "zh" and chinese_paper:
        out += [Detail(written=(simplified(w),)) for w in dict.fromkeys(query.zh_names)]
        out += [Detail(written=(simplified(w),), loose=True) for w in dict.fromkeys(query.zh_words)
                if len(w) >= 3 and w not in query.zh_names]
        out += [Detail(written=(simplified(m.group(0)),)) for m in _ZH_COUNTED.finditer(simplified(q))]
    elif query.lang == "zh":  # an English paper: the named words in any of their senses, and dates
        out += [Detail(terms=g) for g in query.name_groups]
    elif chinese_paper:  # an English question: its names' renderings
        named = {t for t in query.names if not t[:1].isdigit()}
        out += [Detail(written=r.chinese) for r in query.renderings if r.proper and set(r.english) & named]
    else:
        # an office's initials ("DWP": three capitals at least), or a short form in mixed case ("DfE", "LegCo")
        mixed = {w for w in _WORD.findall(q) if w[0].isupper() and not w.isupper() and sum(map(str.isupper, w)) >= 2}
        capitals = {t: w if w in mixed else "".join(c for c in w if c.isupper()) for w in _WORD.findall(q)
                    if w in mixed or sum(c.isupper() for c in w) >= 3 for t in terms(w)[:1]}
        out += [Detail(terms=(t,), capitals=capitals.get(t, "")) for t in dict.fromkeys(query.names)
                if len(t) > 2 and not t[:1].isdigit() and not _EN_ORDINAL.match(t)]
    return [d for d in out if d.terms or d.specific]


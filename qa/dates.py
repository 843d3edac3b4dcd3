"""How dates and numbers are written, in English and Chinese: month names, numerals (二十三, 二〇二四,
"twenty-three"), written dates ("20 May 2024", "May 20, 2024", 2024年5月20日, 2024-05-20) and
financial years ("2023-24"). Parsers read a paper's date with it, the question's period and the
citation checks read dates and figures with it; no other module spells these out again."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from itertools import takewhile
from typing import Iterator

MONTHS = "January February March April May June July August September October November December".split()
MONTH = "|".join(MONTHS)  # a month's full name, as a regular expression
# a month as questions and papers write it, abbreviated too ("Jan", "Sept")
MONTH_OR_ABBREV = "|".join(MONTHS + [m[:3] for m in MONTHS if len(m) > 3] + ["Sept"])
MONTH_NUMBER = {m.lower(): i + 1 for i, m in enumerate(MONTHS)} | \
    {m[:3].lower(): i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
YEAR = r"(?:19[5-9]\d|20[0-4]\d)"  # the years papers and questions are about
# what a date filter takes: YYYY, YYYY-MM or YYYY-MM-DD
DATE_BOUND = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

# -- numerals -------------------------------------------------------------------------------------
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())} | {w: 10 * i for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
# an English number word, as a regular expression (with the words for larger amounts)
NUMBER_WORD = "|".join([w for w in NUMBER_WORDS if w != "zero"] + ["hundred", "thousand", "dozen"])

ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
# the scale written after a figure, and what it multiplies by ("1.5 million", "£2bn", 150萬, 7.79万亿)
SCALES = {"thousand": 10**3, "million": 10**6, "m": 10**6, "billion": 10**9, "bn": 10**9, "trillion": 10**12,
          "千": 10**3, "萬": 10**4, "万": 10**4, "百萬": 10**6, "百万": 10**6, "千萬": 10**7, "千万": 10**7,
          "億": 10**8, "亿": 10**8, "萬億": 10**12, "万亿": 10**12}
_ZH_NUMBER = re.compile(r"[零〇一二兩两三四五六七八九十百千]{2,}|[二兩两三四五六七八九]十|十[一二三四五六七八九]?")


def zh_number(text: str) -> int:
    """Arabic digits, Chinese numerals read digit by digit (二〇二四) or by place (十八, 二十三, 一百零五)."""
    if text.isdigit():
        return int(text)
    if not any(unit in text for unit in ZH_UNITS):
        return int("".join(str(ZH_DIGITS[c]) for c in text))
    total, digit = 0, 0
    for ch in text:
        if ch in ZH_DIGITS:
            digit = ZH_DIGITS[ch]
        else:
            total += (digit or 1) * ZH_UNITS[ch]
            digit = 0
    return total + digit


def scale_after(text: str, end: int) -> int:
    """What the word written right after a figure ending at `end` multiplies it by: 10**6 for
    "1.5 million" or "£2m", 10**4 for 150萬; 1 when no scale follows ("5 mines")."""
    rest = text[end:end + 12]
    if rest[:1].isspace():
        rest = rest[1:]
    if rest[:1].isascii():  # a word of letters, whole: "m", not the "m" of "mines"
        word = "".join(takewhile(str.isalpha, rest)).lower()
        return SCALES.get(word, 1) if word else 1
    return SCALES.get(rest[:2]) or SCALES.get(rest[:1], 1)


def arabic(text: str) -> str:
    """Chinese numerals as digits: 二十三 → 23."""
    return _ZH_NUMBER.sub(lambda m: str(zh_number(m.group(0))), text)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def date_words(text: str) -> tuple[str, list[str]]:
    """Numbers and dates, which the dictionary cannot carry over: 二十三 → 23, 第23 → 23rd, 2月 → February."""
    words: list[str] = []
    text = arabic(text)
    # 第二十三次 is "the 23rd" (read as "Twenty-third" is too: see text.terms), not the number 23
    text = re.sub(r"第\s*(\d+)\s*[次屆届期]?", lambda m: (words.append(ordinal(int(m.group(1)))), " ")[1], text)

    def month(m: re.Match[str]) -> str:
        idx = int(m.group(1))
        if 1 <= idx <= 12:
            words.append(MONTHS[idx - 1])
        return " "

    text = re.sub(r"(\d{1,2})\s*月", month, text)
    words.extend(re.findall(r"\d+", text))
    text = re.sub(r"\d+\s*[年日號号]?", " ", text)
    return text, words


# -- a paper's date ---------------------------------------------------------------------------------
# "20 May 2024", and as American papers write it, "May 20, 2024"
ENGLISH_DATE = re.compile(rf"\b(\d{{1,2}})\s+({MONTH})\s+(\d{{4}})\b|\b({MONTH})\s+(\d{{1,2}}),\s*(\d{{4}})\b")
_ISO = re.compile(r"\b(19|20)(\d\d)-(\d\d)-(\d\d)\b")
# 2024年11月18日, and the same in Chinese numerals: 二〇二四年十一月十八日
_ZH_DATE = re.compile(r"([0-9〇零一二三四五六七八九]{4})\s*年\s*([0-9一二三四五六七八九十]{1,3})\s*月\s*"
                      r"([0-9一二三四五六七八九十]{1,3})\s*日")


# a month on a line of its own, bare or labelled ("November 2024" on a cover, "Month file: 2024-11"):
# a paper's date to the month. A month inside a sentence ("In March 2023, the …") is what it speaks of.
_MONTH_LINE = re.compile(rf"^[ \t]*(?:[A-Za-z][A-Za-z ]{{0,30}}:[ \t]*)?(?:({MONTH})\s+({YEAR})|({YEAR})-(0[1-9]|1[0-2])"
                         rf"|({YEAR})\s*年\s*(1[0-2]|0?[1-9])\s*月)[ \t]*$", re.M | re.I)


def find_date(text: str) -> str:
    """The first date written in English ("20 May 2024"), Chinese ("2024年5月20日") or ISO form; else
    the first month on a line of its own, as "2024-11"."""
    if not (day := _find_day(text)) and (m := _MONTH_LINE.search(text)):
        year, month = (m.group(2), MONTH_NUMBER[m.group(1).lower()]) if m.group(1) else \
            (m.group(3), int(m.group(4))) if m.group(3) else (m.group(5), int(m.group(6)))
        return f"{year}-{month:02d}"
    return day


def paper_date(body: str, recorded: str) -> str:
    """A paper's date: the one its first lines print, else the file's own (a PDF's creation date),
    which also makes a printed month precise when it falls in it."""
    return recorded if not body or (len(body) == 7 and recorded.startswith(body)) else body


def _find_day(text: str) -> str:
    found = []
    if match := ENGLISH_DATE.search(text):
        day, month, year = match.groups()[:3] if match.group(1) else match.group(5, 4, 6)
        found.append((match.start(), f"{year}-{MONTH_NUMBER[month.lower()]:02d}-{int(day):02d}"))
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


# -- dates in running text ----------------------------------------------------------------------------
# one date as written: "20 May 2024", "May 20, 2024", "May 2024", "2024年5月20日", "2024-05-20", a
# financial year ("2023-24", "2023/24", "2023-2024"), "2024"
WRITTEN = re.compile(
    rf"\b(?P<d1>\d{{1,2}}) (?P<m1>{MONTH_OR_ABBREV})\.?,? (?P<y1>{YEAR})\b"
    rf"|\b(?P<m2>{MONTH_OR_ABBREV})\.? (?P<d2>\d{{1,2}}),? (?P<y2>{YEAR})\b"
    rf"|\b(?P<m3>{MONTH_OR_ABBREV})\.?,? (?:of )?(?P<y3>{YEAR})\b"
    rf"|(?P<y4>{YEAR})年(?:(?P<m4>\d{{1,2}})月(?:(?P<d4>\d{{1,2}})[日號号])?)?"
    rf"|\b(?P<y5>{YEAR})-(?P<m5>\d\d)-(?P<d5>\d\d)\b"
    rf"|(?<![0-9A-Za-z,.$£€])(?P<fy>{YEAR})\s?[-/–]\s?(?P<fy2>\d\d(?:\d\d)?)(?![\d%]|[,.]\d)"
    rf"|(?<![\d,.$£€])\b(?P<y6>{YEAR})\b(?![%]|[,.]\d)(?!\s*(?:-|/|to)\s*\d{{2}}\b)", re.I)
_A_YEAR = re.compile(rf"(?<!\d){YEAR}(?!\d)")


def dates_in(text: str) -> Iterator[tuple[str, str]]:
    """Each date a text writes, as its (first day, last day): "May 2024" is the whole month."""
    for m in WRITTEN.finditer(text):
        found = written(m)
        if found is not None:
            yield date_range(found)


def years_in(text: str) -> set[str]:
    """The years a text writes, alone or in a date ("2023", "May 2023", "2023年", "2023-24")."""
    return set(_A_YEAR.findall(text))


def without_dates(text: str) -> str:
    """The text with its dates blanked, so that a date's day and month are not read as figures
    ("21 March 2022", 2024年4月)."""
    return WRITTEN.sub(" ", text)


# a day written without its year: "11 August", "August 11", "8月11日"
_YEARLESS = re.compile(rf"\b(?P<d1>\d{{1,2}})\s+(?P<m1>{MONTH})\b|\b(?P<m2>{MONTH})\s+(?P<d2>\d{{1,2}})\b(?!\.?\d)"
                       r"|(?<!\d)(?P<m3>\d{1,2})\s*月\s*(?P<d3>\d{1,2})\s*[日號号]")


def days_in(text: str) -> set[str]:
    """The days a text names without a year, as "MM-DD": a question's "on 11 August" (8月11日) asks
    about the paper's 11 August 2023, and neither its 8 nor its 11 is a figure."""
    out = set()
    for m in _YEARLESS.finditer(without_dates(text)):
        name = m["m1"] or m["m2"]
        month, day = (MONTH_NUMBER[name.lower()] if name else int(m["m3"])), int(m["d1"] or m["d2"] or m["d3"])
        if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2024, month)[1]:  # 2024: 29 February is a day
            out.add(f"{month:02d}-{day:02d}")
    return out


def without_days(text: str) -> str:
    """The text with its dates, and its days written without a year, blanked (for its figures)."""
    return _YEARLESS.sub(" ", without_dates(text))


def written(m: re.Match[str]) -> str | None:
    """A date matched by `WRITTEN` as "YYYY", "YYYY-MM", "YYYY-MM-DD" or, a financial year,
    "YYYY/YYYY"; None for an impossible one."""
    g = m.groupdict()
    if g["fy"]:  # a financial year: both calendar years it touches (April to March in Hong Kong and the UK)
        start, end = int(g["fy"]), int(g["fy2"])
        return f"{start}/{start + 1}" if end in (start + 1, (start + 1) % 100) else g["fy"]
    year = next(g[k] for k in ("y1", "y2", "y3", "y4", "y5", "y6") if g[k])
    month_word = g["m1"] or g["m2"] or g["m3"]
    month = MONTH_NUMBER[month_word.lower()] if month_word else int(g["m4"] or g["m5"] or 0)
    day = int(g["d1"] or g["d2"] or g["d4"] or g["d5"] or 0)
    if not 0 <= month <= 12 or (day and not month):
        return None
    if month and day > calendar.monthrange(int(year), month)[1]:
        return None
    return year + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")


def date_range(iso: str) -> tuple[str, str]:
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


def shift(iso: str, days: int) -> str:
    """The ISO date `days` later (earlier, when negative)."""
    return (date.fromisoformat(iso) + timedelta(days=days)).isoformat()

"""What kind of thing a question asks for, and where a sentence gives a thing of that kind.

A question may ask for a number of something, an amount of money, a share, a date, a length of
time, how often, a person or a place. Reading that off the question's wording is a pattern, and
patterns miss wordings nobody foresaw, so what is read here is only ever *evidence*: the answer
judge (qa/judge.py) weighs whether a paragraph's sentences hold a thing of the kind (`span`,
`has_kind`) among its other features, and the answer leads with the span when one is found. It
never decides on its own that a question is not answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .dates import MONTH as _MONTH, MONTHS, NUMBER_WORD as _NUMBER_WORD
from .text import STOPWORDS, simplified, terms

_NUMBER = re.compile(rf"(?<![\w.])(?:\d[\d,]*(?:\.\d+)?(?!\d)(?!st|nd|rd|th)|(?:{_NUMBER_WORD})(?:[- ](?:{_NUMBER_WORD}))?)\b",
                     re.I)
DATE = re.compile(
    rf"\b\d{{1,2}} (?:{_MONTH})(?: (?:19|20)\d\d)?\b|\b(?:{_MONTH}) \d{{1,2}},? (?:19|20)\d\d\b"
    rf"|\b(?:(?:early|mid|late|end of|the end of|beginning of|the beginning of|the middle of)[- ])?(?:{_MONTH})"
    rf"(?:(?:,| and| or) (?:{_MONTH})){{0,3}}(?: of)? (?:19|20)\d\d\b"
    rf"|\b(?:(?:the )?(?:end|beginning|start|middle|first half|second half) of |(?:early|mid|late)[- ])?(?:19|20)\d\d\b"
    r"|\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日"
    rf"|(?:(?<=\bin )|(?<=\bby )|(?<=\bfrom )|(?<=\buntil )|(?<=\bsince ))(?:(?:early|mid|late)[- ])?(?:{_MONTH})\b")
_MONEY = re.compile(r"(?:HK\$|US\$|RMB|£|€|\$|¥)\s?\d[\d,]{0,30}(?:\.\d{1,6})?(?:\s?(?:million|billion|m|bn|k))?"
                    r"|\b\d[\d,]{0,30}(?:\.\d{1,6})?\s?(?:million|billion)?\s?(?:dollars|yuan|renminbi|pounds|euros)\b"
                    r"|\b(?:several|a few|many|tens of|hundreds of)\s(?:thousand|million|billion)s?\s(?:of\s)?"
                    r"(?:dollars|yuan|renminbi|pounds|euros)\b"
                    r"|\d[\d,.]{0,30}\s?[萬億]?元", re.I)
_DURATION = re.compile(rf"\b(?:\d+|{_NUMBER_WORD}|a|one)[- ](?:days?|weeks?|months?|years?|hours?)\b", re.I)
_TITLE = r"(?:Mr|Ms|Mrs|Miss|Dr|Prof|Professor|Sir|Dame|Lord|Lady|Madam|Baroness|Baron)"
_PERSON = re.compile(rf"\b{_TITLE}\.? [A-Z][\w'’-]+(?: [A-Z][\w'’-]+){{0,3}}")
_ROLE = re.compile(r"\b(?:(?:Deputy |Vice |Executive Vice |Permanent |Under )?(?:Chief Executive|Chief Secretary"
                   r"(?: for Administration)?|Financial Secretary|Secretar(?:y|ies)(?: of State)?(?: for [A-Z][\w ,]+?)?|"
                   r"Ministers?|Mayors?|Governors?|Directors?|President|Premier|Chairman|Chairperson|Chair|"
                   r"Party Secretary|Commissioners?))(?: of (?:the )?[A-Z][\w'’-]*(?: [A-Z][\w'’-]*){0,5})?")
_PLACE = re.compile(r"\b(?:in|at) ((?:[A-Z][\w'’-]*)(?:(?: |, )(?:[A-Z][\w'’-]*)){0,5})")
_NOT_PLACE = frozenset(MONTHS) | {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
                                  "addition", "Addition", "The", "This", "That", "Annex", "Appendix", "Paragraph"}
_FUTURE_EN = re.compile(r"\b(will|shall|next|upcoming|forthcoming|future|planned|plans? to|scheduled|to be held)\b", re.I)
_FUTURE_ZH = re.compile(r"下一?次|將會|将会|將於|将于|未來|未来|即將|即将")
_AUX = frozenset("are were did do does is was has have had will would can could should shall may might been be "
                 "in at on of for from to by with per under across within between during".split())
_PERCENT = re.compile(r"\d[\d.]{0,20}\s?(?:%|per ?cent\b)")
_SHARE_Q = re.compile(r"\b(?:what|which) (?:share|proportion|percentage|fraction|part|portion|per ?cent(?:age)?)\b"
                      r"|\bhow (?:much|many per ?cent) of\b", re.I)
_SHARE = re.compile(r"\d[\d.]{0,20}\s?(?:%|per ?cent\b)|\b(?:(?:one|a)[- ]half|half|(?:one|a|two)[- ]thirds?|"
                    r"(?:one|a|three)[- ]quarters?|one in (?:\d+|two|three|four|five|six|seven|eight|nine|ten))\b", re.I)
_MONEY_WORDS = re.compile(r"\b(budget|cost|costs|funding|fund|funds|invest\w*|spen[dt]\w*|expenditure|price|fee|"
                          r"fees|salar\w*|revenue|grant|allocat\w*|money|subsid\w*|pay|paid|compensation|worth)\b", re.I)
_FREQUENCY = re.compile(r"\b(?:(?:ir)?regular(?:ly)?|annual(?:ly)?|biennial(?:ly)?|yearly|monthly|weekly|daily|quarterly|"
                        r"periodic(?:al(?:ly)?)?|from time to time|each (?:year|month|week)|"
                        r"every (?:\w+ )?(?:years?|months?|weeks?|days?|quarters?)|(?:once|twice) an? \w+|"
                        r"(?:\d+|two|three|four|five|six|several) times an? \w+)\b", re.I)
_CLOCK = re.compile(r"\b\d{1,2}[:.]\d{2}\s?(?:[ap]\.?m\.?)?|\b\d{1,2}\s?[ap]\.?m\.?|\b(?:noon|midnight|midday)\b|"
                    r"\b(?:in the )?(?:morning|afternoon|evening)\b|\d{1,2}[時点點]", re.I)
_EXTREME = re.compile(r"\b(most recent|latest|last|newest|earliest|first)\b", re.I)
# the words that say what kind of answer is wanted ("in which year", "what share of"): they name the
# answer, not what it is about, so a paragraph need not use them
ASKING = re.compile(r"\b(?:(?:in|on|by|at|during|for)\s+)?(?:which|what) (?:year|date|day|month|time|share|proportion|"
                    r"percentage|fraction|portion)\b(?:\s+of\b)?", re.I)
_PLURALS = frozenset("people children staff personnel women men police youth".split())

_ZH_COUNT = re.compile(r"(?:多少|幾|几)([個个名位項项份次間间家所條条件宗批座]?)([\u4e00-\u9fff]{0,6})")
_ZH_KINDS = [
    ("money", re.compile(r"預算|预算|多少錢|多少钱|幾多錢|金額|金额|費用|费用|開支|开支|撥款|拨款|投資額|投资额|成本|薪")),
    ("date", re.compile(r"何時|何时|什麼時候|什么时候|甚麼時候|幾時|几时|哪天|哪一天|日期|哪年|哪一年|何日")),
    ("duration", re.compile(r"多久|多長時間|多长时间")),
    ("person", re.compile(r"誰|谁|哪位|邊個|边个")),
    ("place", re.compile(r"哪裡|哪里|哪裏|在哪|何處|何处|甚麼地方|什么地方|邊度|边度")),
    ("share", re.compile(r"比例|百分之|佔.{0,6}多少|占.{0,6}多少|比重")),
]


@dataclass(frozen=True)
class Asked:
    """The kind of thing a question asks for, and for what."""

    kind: str = "other"  # count | money | share | date | duration | frequency | time | person | place | quantity | other
    target: tuple[str, ...] = ()  # terms of what is counted or measured: ("staff",)
    word: str = ""  # the question's own words for it: "staff", "budget"
    future: bool = False  # "When will the next …": a later date answers
    extreme: str = ""  # "latest" or "first": the newest or the oldest paper's
    zh_noun: str = ""  # a Chinese question's own word for what it counts (份協議), for Chinese papers

    @property
    def typed(self) -> bool:
        return self.kind != "other"


def _counted(phrase: list[str]) -> tuple[list[str], str]:
    """The counted noun of "how many <phrase>": the first plural word, or the first word."""
    words = [w for w in phrase if w.lower() not in STOPWORDS]
    if not words:
        return [], ""
    head = next((w for w in words if w.lower() in _PLURALS or
                 (w.lower().endswith("s") and not w.lower().endswith("ss") and len(w) > 3)), words[0])
    return words[:words.index(head) + 1], head


_BETWEEN = frozenset("the a an its their this that total annual overall yearly additional extra new current "
                     "estimated planned expected proposed approved average".split())


def _asks_for(question: str, word: re.Match[str]) -> bool:
    """Whether the word comes within the words that ask ("what was the total cost", "which annual
    budget"): after "what" or "which" with at most four words between, none of them a noun the
    question asks about instead (only verbs of being, articles and modifiers)."""
    before = [w.strip(",;:\"“”'‘’()") for w in question[:word.start()].lower().split()[-5:]]
    asking = [n for n, w in enumerate(before) if w in ("what", "which")]
    return bool(asking) and all(w in _AUX or w in _BETWEEN for w in before[asking[-1] + 1:])


def _extreme(question: str) -> str:
    m = _EXTREME.search(question)
    if not m:
        return ""
    return "first" if m.group(1).lower() in ("earliest", "first") else "latest"


def ask_of(question: str, gloss: Callable[[str], str] = lambda word: "",
           senses: Callable[[str], tuple[str, ...]] = lambda word: ()) -> Asked:
    """What the question asks for. A Chinese question is read in Chinese, the noun it counts through
    `gloss` (English for one Chinese word, from the caller, which owns the dictionary) and `senses`
    (the head of every sense of a phrase's last word)."""
    if re.search(r"[\u4e00-\u9fff]", question):
        return _ask_of_zh(question, gloss, senses)
    q = question.strip()
    low = q.lower()
    future, extreme = bool(_FUTURE_EN.search(q)), _extreme(q)
    if m := re.search(r"\bhow many ((?:[\w/-]+ ?){1,5})", q, re.I):
        phrase: list[str] = []
        for word in m.group(1).split():
            if word.lower() in _AUX:
                break
            phrase.append(word)
        words, head = _counted(phrase)
        return Asked("count", tuple(terms(head)) if head else (), " ".join(words), future, extreme)
    if m := _SHARE_Q.search(q):
        return Asked("share", (), m.group(0).lower(), future, extreme)
    # a sum is asked for when the words asking name one ("how much … spend", "what budget", "what was
    # the cost"), not when a money word is merely about ("Which bill would withhold federal money?",
    # "Since what date have workers been paid …?")
    if (m := _MONEY_WORDS.search(q)) and ("how much" in low or _asks_for(q, m)):
        return Asked("money", tuple(terms(m.group(0))), m.group(0).lower(), future, extreme)
    simple = [("duration", r"\bhow long\b"), ("frequency", r"\bhow (?:often|frequently|regularly)\b"),
              ("time", r"^\s*(?:at )?what time\b|\bat what time\b")]
    for kind, pattern in simple:
        if re.search(pattern, low):
            return Asked(kind, (), "", future, extreme)
    if m := re.search(r"\bhow much ([a-z][\w-]*)?", low):
        word = m.group(1) if m.group(1) and m.group(1) not in _AUX else ""
        return Asked("quantity", tuple(terms(word)), word or "how much", future, extreme)
    if re.match(r"\s*(when|by when|on what day)\b", low) or re.search(r"\b(what|which) (date|day|year|month)\b", low):
        return Asked("date", (), "when", future, extreme)
    if re.search(r"\b(who|whom|whose)\b", low):
        return Asked("person", (), "who", future, extreme)
    if re.match(r"\s*where\b", low) or re.search(r"\b(in|at) (which|what) (city|place|venue|location|province)\b", low):
        return Asked("place", (), "where", future, extreme)
    return Asked("other", (), "", future, extreme)


def _ask_of_zh(question: str, gloss: Callable[[str], str], senses: Callable[[str], tuple[str, ...]]) -> Asked:
    future = bool(_FUTURE_ZH.search(question))
    extreme = "latest" if re.search(r"最近|最新|最後|最后", question) else "first" if re.search(r"首次|第一次|最早", question) else ""
    for kind, pattern in _ZH_KINDS[:1]:  # a sum asked as 多少錢 is money, not a count
        if pattern.search(question):
            return Asked(kind, (), "", future, extreme)
    if m := _ZH_COUNT.search(question):
        measure, thing = m.group(1), m.group(2).rstrip("？?。嗎吗呢")
        noun = gloss(thing).split()[-1:] if thing else []
        head = tuple(terms(" ".join(noun))) + (senses(thing) if thing else ())
        return Asked("count", tuple(dict.fromkeys(head)), " ".join(noun), future, extreme, zh_noun=measure + thing)
    for kind, pattern in _ZH_KINDS[1:]:
        if pattern.search(question):
            return Asked(kind, (), "", future, extreme)
    return Asked("other", (), "", future, extreme)


# -- where a sentence states it ---------------------------------------------------------------
def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[\w$£€¥]+(?:[-'’.,][\w]+)*", text)]


def _is_date_number(text: str, start: int, end: int) -> bool:
    return any(m.start() <= start and end <= m.end() for m in DATE.finditer(text))


def _count_spans(asked: Asked, text: str) -> list[tuple[int, int]]:
    """Figures a few words before the counted thing ("47 items", "five co-operation documents") or
    just after it ("Passengers: 12,000"); with no counted thing named, every figure that is not a
    year or a date."""
    tokens = _tokens(text)
    figures = [(i, s, e) for i, (w, s, e) in enumerate(tokens)
               if _NUMBER.fullmatch(w) and not re.fullmatch(r"(19|20)\d\d", w) and not _is_date_number(text, s, e)]
    if not asked.target:
        return [(s, e) for _, s, e in figures]
    out = []
    counted = set(asked.target)
    for i, s, e in figures:
        end = next((end for word, _, end in tokens[i + 1:i + 6] if set(terms(word.replace("-", " "))) & counted), None)
        if end is not None:
            out.append((s, end))
        elif any(set(terms(word)) & counted for word, _, _ in tokens[max(0, i - 3):i]):
            out.append((s, e))  # the thing first: "Passengers: 12,000"
    return out


def _later_than(found: str, after: str) -> bool:
    """Is a date written in the text later than an ISO date (the document's own)?"""
    if not after:
        return True
    year = re.search(r"(19|20)\d\d", found)
    if not year:
        return False
    month = next((i + 1 for i, name in enumerate(MONTHS) if name in found), 0)
    return (int(year.group(0)), month) > (int(after[:4]), int(after[5:7] or 0) if len(after) >= 7 else 0)


def spans(asked: Asked, text: str, doc_date: str = "") -> list[tuple[int, int]]:
    """Every run of `text` that gives a thing of the kind asked for (none: it holds none).
    `doc_date` (ISO) is when the document was written: for a question about the future, later dates."""
    kind = asked.kind
    if _CJK.search(text):
        return _spans_zh(asked, text)
    if kind in ("count", "quantity"):
        return _count_spans(asked, text)
    if kind == "date":
        dates = list(DATE.finditer(text))
        if asked.future:
            dates = [m for m in dates if _later_than(m.group(0), doc_date)] or dates
        return [m.span() for m in dates]
    if kind == "person":
        return [m.span() for m in _PERSON.finditer(text)] or [m.span() for m in _ROLE.finditer(text)]
    if kind == "place":
        return [(m.start(1), m.start(1) + len(m.group(1).rstrip(","))) for m in _PLACE.finditer(text)
                if m.group(1).split()[0].strip(",") not in _NOT_PLACE]
    pattern = {"money": _MONEY, "share": _SHARE, "duration": _DURATION, "frequency": _FREQUENCY,
               "time": _CLOCK}.get(kind)
    return [m.span() for m in pattern.finditer(text)] if pattern else []


def span(asked: Asked, text: str, doc_date: str = "", near: frozenset[str] = frozenset()) -> tuple[int, int] | None:
    """The run of `text` that gives the thing asked for: of several, the one nearest the words
    `near` (the question's own: "the Mayor of Beijing, Mr Yin Yong" for "Who is the Mayor of
    Beijing?", Jiangsu's four agreements rather than Zhejiang's three); the fullest date."""
    found = spans(asked, text, doc_date)
    if not found:
        return None
    if asked.kind == "date":  # the fullest date first: "22 February 2023", not the "2023" of a name
        longest = max(sp[1] - sp[0] for sp in found)
        found = [sp for sp in found if sp[1] - sp[0] == longest]
    anchors = [m.start() for m in re.finditer(r"[\w'’-]+", text) if set(terms(m.group(0))) & near] if near else []
    if not anchors:
        return found[0]
    return min(found, key=lambda sp: (min(abs(sp[0] - a) for a in anchors), -(sp[1] - sp[0])))


_CJK = re.compile(r"[\u4e00-\u9fff]")
_ZH_NUM = r"[零〇一二兩两三四五六七八九十百千萬万億亿\d][零〇一二兩两三四五六七八九十百千萬万億亿\d.,]*"
_ZH_MEASURES = "個个名位項项份次間间家所條条件宗批座人"
_ZH_PATTERNS = {
    "date": re.compile(rf"{_ZH_NUM}年(?:{_ZH_NUM}月)?(?:{_ZH_NUM}[日號号])?|{_ZH_NUM}月{_ZH_NUM}[日號号]"),
    "money": re.compile(rf"(?:港幣|人民幣|人民币|美元)?{_ZH_NUM}\s*[萬万億亿]?(?:港元|元|美元|英鎊|英镑)"),
    "duration": re.compile(rf"{_ZH_NUM}\s*(?:天|日|星期|週|周|個月|个月|年|小時|小时)"),
    "share": re.compile(rf"\d[\d.]*\s?%|百分之{_ZH_NUM}|{_ZH_NUM}成"),
    "person": re.compile(r"([\u4e00-\u9fff]{2,3}?)(?:先生|女士|博士|教授)"),
    "place": re.compile(r"(?:在|於|于)([\u4e00-\u9fff]{2,6}?)(?:共同|聯合|联合)?"
                        r"(?:舉行|举行|召開|召开|舉辦|举办|進行|进行|主持|會面|会面|會晤|会晤)"),
}


def _spans_zh(asked: Asked, text: str) -> list[tuple[int, int]]:
    """The same, in a paper written in Chinese: 三份合作協議, 二〇二三年六月二十八日, 在香港舉行."""
    text = simplified(text)  # either script asks about either (same positions)
    if asked.kind in ("count", "quantity"):
        head = simplified(asked.zh_noun)[-2:] if len(asked.zh_noun) >= 2 else ""
        if head:
            return [m.span() for m in re.finditer(rf"{_ZH_NUM}\s*[{_ZH_MEASURES}]?[\u4e00-\u9fff]{{0,6}}?{re.escape(head)}", text)]
        return [m.span() for m in re.finditer(rf"{_ZH_NUM}\s*[{_ZH_MEASURES}]|\d[\d,.]*", text)]
    pattern = _ZH_PATTERNS.get(asked.kind)
    if pattern is None:
        return []
    return [m.span(1) if asked.kind in ("person", "place") else m.span() for m in pattern.finditer(text)]


# the loosest sign of a kind of thing: any figure, any date, any name. A sentence without one cannot
# state what a question of that kind asks for ("How many …" answered with no figure at all)
_ANY_FIGURE = re.compile(rf"\d|\b(?:{_NUMBER_WORD}|half|third|quarter|single|once|twice)\b|[零〇一二兩两三四五六七八九十百千萬万億亿]",
                         re.I)
_ANY_DATE = re.compile(rf"\b(?:19|20)\d\d\b|\b(?:{_MONTH})\b|\d{{1,4}}月|\d{{1,4}}年|[一二三四五六七八九十〇]{{1,4}}年|(?:今|去|明)年|"
                       r"\b(?:today|yesterday|tomorrow|last|next|this) (?:year|month|week)\b", re.I)
_ANY_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+|[A-Z]{2,}|[\u4e00-\u9fff]{2,}")
_LOOSE = {"count": _ANY_FIGURE, "money": _ANY_FIGURE, "share": _ANY_FIGURE, "quantity": _ANY_FIGURE,
          "duration": _ANY_FIGURE, "frequency": _ANY_FIGURE, "date": _ANY_DATE, "time": _ANY_FIGURE,
          "person": _ANY_NAME, "place": _ANY_NAME}


def writes_a_sum(text: str) -> bool:
    """Whether the text writes a sum of money anywhere ("HK$500 million", "£2.1bn", "3億元")."""
    return bool(_MONEY.search(text))


def has_kind(asked: Asked, text: str, doc_date: str = "") -> bool:
    """Whether the text holds anything at all of the kind the question asks for: a figure for "how
    many", a date for "when" (a later one than the paper's own, or words of the future, for "when
    will the next …"), a name for "who". Looser than `span`, for telling a near miss (the paper says
    nothing of the kind) from an answer worded in a way no pattern foresaw."""
    if asked.kind == "date" and asked.future:
        later = any(_later_than(m.group(0), doc_date) for m in DATE.finditer(text))
        return later or bool((_FUTURE_ZH if _CJK.search(text) else _FUTURE_EN).search(text))
    pattern = _LOOSE.get(asked.kind)
    return True if pattern is None else bool(pattern.search(text))

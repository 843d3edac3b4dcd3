"""What a question asks for, and where a sentence states it.

A question needs a kind of answer: a number of something, an amount of money, a date, a length of
time, a person, a place, or a list of things. A sentence that is about the question's subject but
does not state that kind of thing for the thing asked about does not answer it ("How many staff work
in the Mainland Offices?" is not answered by "the five Mainland Offices"): the answerer says the
papers do not state it rather than quote it. `span` finds the words of a sentence that answer, which
lead the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .text import MONTHS, STOPWORDS, sentences, simplified, terms

_MONTH = "|".join(MONTHS)
_NUMBER_WORD = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
                "hundred|thousand|dozen")
_NUMBER = re.compile(rf"(?<![\w.])(?:\d[\d,]*(?:\.\d+)?(?!\d)(?!st|nd|rd|th)|(?:{_NUMBER_WORD})(?:[- ](?:{_NUMBER_WORD}))?)\b",
                     re.I)
DATE = re.compile(
    rf"\b\d{{1,2}} (?:{_MONTH})(?: (?:19|20)\d\d)?\b|\b(?:{_MONTH}) \d{{1,2}},? (?:19|20)\d\d\b"
    rf"|\b(?:(?:early|mid|late|end of|the end of|beginning of|the beginning of|the middle of)[- ])?(?:{_MONTH})"
    rf"(?:(?:,| and| or) (?:{_MONTH}))*(?: of)? (?:19|20)\d\d\b"
    rf"|\b(?:(?:the )?(?:end|beginning|start|middle|first half|second half) of |(?:early|mid|late)[- ])?(?:19|20)\d\d\b"
    r"|\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日"
    rf"|(?:(?<=\bin )|(?<=\bby )|(?<=\bfrom )|(?<=\buntil )|(?<=\bsince ))(?:(?:early|mid|late)[- ])?(?:{_MONTH})\b")
_MONEY = re.compile(r"(?:HK\$|US\$|RMB|£|€|\$|¥)\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|m|bn|k))?"
                    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:million|billion)?\s?(?:dollars|yuan|renminbi|pounds|euros)\b"
                    r"|\b(?:several|a few|many|tens of|hundreds of)\s(?:thousand|million|billion)s?\s(?:of\s)?"
                    r"(?:dollars|yuan|renminbi|pounds|euros)\b"
                    r"|\d[\d,.]*\s?[萬億]?元", re.I)
_ORDINAL = re.compile(r"(?:third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|\d+(?:rd|th))", re.I)
_DURATION = re.compile(rf"\b(?:\d+|{_NUMBER_WORD}|a|one)[- ](?:days?|weeks?|months?|years?|hours?)\b", re.I)
_TITLE = r"(?:Mr|Ms|Mrs|Miss|Dr|Prof|Professor|Sir|Dame|Lord|Lady|Madam)"
_PERSON = re.compile(rf"\b{_TITLE}\.? [A-Z][\w'’-]+(?: [A-Z][\w'’-]+){{0,3}}")
_ROLE = re.compile(r"\b(?:(?:Deputy |Vice |Executive Vice |Permanent |Under )?(?:Chief Executive|Chief Secretary"
                   r"(?: for Administration)?|Financial Secretary|Secretar(?:y|ies)(?: for [A-Z][\w ,]+?)?|Ministers?|"
                   r"Mayors?|Governors?|Directors?|President|Premier|Chairman|Chairperson|Chair|Party Secretary|"
                   r"Commissioners?))"
                   r"(?: of (?:the )?[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)*)?")
ROLE_WORDS = re.compile(r"\b(chief executive|chief secretary|secretary|minister|mayor|governor|director|president|"
                         r"premier|chair(?:man|person|woman)|the chair|commissioner|head|leader)(?:s|men|women)?\b", re.I)
_PLACE = re.compile(r"\b(?:in|at) ((?:[A-Z][\w'’-]*)(?:(?: |, )(?:[A-Z][\w'’-]*))*)")
_NOT_PLACE = frozenset(MONTHS) | {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
                                  "addition", "Addition", "The", "This", "That", "Annex", "Appendix", "Paragraph"}
_FUTURE = re.compile(r"\b(will|shall|next|upcoming|forthcoming|future|planned|plans?|going to|be held)\b|下一?次|將|未來|即將")
_FUTURE_EN = re.compile(r"\b(will|shall|next|upcoming|forthcoming|future|planned|plans? to|scheduled|to be held)\b", re.I)

_AUX = frozenset("are were did do does is was has have had will would can could should shall may might been be "
                 "in at on of for from to by with per under across within between during".split())
_CHANGE = re.compile(r"\bby how much\b|\b(?:increase|rise|grow|fall|decrease|drop|cut)\w*\b.*\bby\b|"
                     r"\bhow much (?:did|has|have|will|was|were) .*\b(?:increase|rise|rose|grow|grew|fall|fell|"
                     r"decrease|drop|cut)\w*")
# "Who is leading …", "Who funds …", "Who is responsible for …": the verb (or predicate) asked about
_WHO_VERB = re.compile(r"^\s*who (?:(?:is|are|was|were|will|has|have|had|does|did|would|should|can|could)"
                       r"(?: (?:be|been|being))? )?([a-z][\w-]*)")
_PRONOUNS = frozenset("it they we he she this that these those there which who".split())
_AGENTS = frozenset(terms("association department government council committee taskforce agency authority office "
                          "ministry bureau commission company body board trust institute institution organisation "
                          "organization group team unit service panel secretariat regulator university charity "
                          "partnership industry sector administration"))
_TOTAL = re.compile(r"\b(total|overall|altogether|in all|combined|entire|whole)\b")
# after a sum: it is a year's (or a rate), "£979 million in 2026/27", "£5 million a year"
_PERIOD_AFTER = re.compile(r"\s*(?:(?:a|per|each|every) (?:year|annum|month|week)\b|annually\b|"
                           r"(?:in|for|by|during) (?:the )?(?:financial year |fiscal year |FY ?)?\d{4}(?:[/-]\d{2,4})?)")
_TOTAL_BEFORE = re.compile(r"\b(?:total(?:ling)?|overall|altogether|combined|in all)\b[^.;]{0,20}$", re.I)
_PERCENT = re.compile(r"\d[\d.]*\s?(?:%|per ?cent\b)")
_MONEY_WORDS = re.compile(r"\b(budget|cost|costs|funding|fund|funds|invest\w*|spen[dt]\w*|expenditure|price|fee|"
                          r"fees|salar\w*|revenue|grant|allocat\w*|money|financ\w+ (?:commitment|provision)|"
                          r"subsid\w*|pay|paid|compensation|damages|penalt(?:y|ies)|worth)\b", re.I)
# Kinds of sum: what a programme is given or spends, what a person is paid or charged, what comes in.
# A sum stated as another kind ("participants receive a monthly allowance of $10,000") does not
# answer a question for this one ("How much funding do the programmes receive?").
_SUM_KINDS = [
    ("programme", re.compile(r"\b(budget\w*|fund\w*|allocat\w*|grants?|invest\w*|spen[dt]\w*|"
                             r"expenditure|costs?|costing|subsid\w*)\b", re.I)),
    ("person", re.compile(r"\b(salar\w*|pay|paid|wages?|allowances?|remuneration|stipends?|fees?|charges?|"
                          r"prices?|fares?|rents?|bonus\w*|pensions?|compensation|damages|penalt(?:y|ies))\b", re.I)),
    ("income", re.compile(r"\b(revenue\w*|income|receipts?|tax(?:es)?|levy|levies)\b", re.I)),
]
# the words that say what kind of answer is wanted ("in which year", "what share of"): they name the
# answer, not what it is about, so a paragraph need not use them
ASKING = re.compile(r"\b(?:(?:in|on|by|at|during|for)\s+)?(?:which|what) (?:year|date|day|month|time|share|proportion|"
                    r"percentage|fraction|portion)\b(?:\s+of\b)?", re.I)
# money that moved one way: "How much did the Treasury lose on the swap?" is not answered by the
# swap's size, only by a sum the sentence says was lost (or saved, earned, raised)
_FLOWS = {"lost": r"\b(?:los[est]\w*|loss\w*|write-?offs?|written off)\b", "saved": r"\bsav(?:e|es|ed|ing|ings)\b",
          "earned": r"\b(?:earn\w*|profits?|profited|gain(?:s|ed)?|returns?)\b", "raised": r"\brais(?:e|es|ed|ing)\b"}
# a question for a part of a whole: answered by a percentage or a fraction
_SHARE_Q = re.compile(r"\b(?:what|which) (?:share|proportion|percentage|fraction|part|portion|per ?cent(?:age)?)\b"
                      r"|\bhow (?:much|many per ?cent) of\b", re.I)
_SHARE = re.compile(r"\d[\d.]*\s?(?:%|per ?cent\b)|\b(?:(?:one|a)[- ]half|half|(?:one|a|two)[- ]thirds?|"
                    r"(?:one|a|three)[- ]quarters?|one in (?:\d+|two|three|four|five|six|seven|eight|nine|ten))\b", re.I)
_QUANTITY_WORDS = re.compile(r"\b(population|gdp|growth|rate|percentage|proportion|share|size|area|length|volume|"
                             r"turnover|output|value|target)\b", re.I)
_TITLE_WORDS = re.compile(r"\b(theme|title|slogan|motto|called|name of the (?:scheme|programme|initiative|"
                          r"memorandum|agreement|conference|plan))\b", re.I)
_FREQUENCY = re.compile(r"\b(?:(?:ir)?regular(?:ly)?|annual(?:ly)?|biennial(?:ly)?|yearly|monthly|weekly|daily|quarterly|"
                        r"periodic(?:al(?:ly)?)?|from time to time|each (?:year|month|week)|"
                        r"every (?:\w+ )?(?:years?|months?|weeks?|days?|quarters?)|(?:once|twice) an? \w+|"
                        r"(?:\d+|two|three|four|five|six|several) times an? \w+)\b", re.I)
_CLOCK = re.compile(r"\b\d{1,2}[:.]\d{2}\s?(?:[ap]\.?m\.?)?|\b\d{1,2}\s?[ap]\.?m\.?|\b(?:noon|midnight|midday)\b|"
                    r"\b(?:in the )?(?:morning|afternoon|evening)\b|\d{1,2}[時点點]", re.I)
# kinds of organisation a "which …" question asks to be named: the sentence must use the word
_ENTITY = re.compile(r"^\s*(?:which|what) (universit(?:y|ies)|colleges?|schools?|compan(?:y|ies)|firms?|banks?|"
                     r"hospitals?|museums?|airports?|newspapers?|ministr(?:y|ies)|bureaux?|bureaus?|departments?|"
                     r"agenc(?:y|ies)|institutions?|courts?|charit(?:y|ies)|NGOs?)\b", re.I)
_QUOTED = re.compile(r"[“\"‘']([^”\"’']{4,200})[”\"’']")
_EXTREME = re.compile(r"\b(most recent|latest|last|earliest|first|most|fewest|least|largest|biggest|highest|"
                      r"greatest|smallest|lowest)\b\s*((?:[\w-]+\s){0,2}[\w-]+)?", re.I)
_LIST_EN = re.compile(r"\b(which|what) ((?:[\w/-]+ ){0,2}[\w-]+s)\b|\b(list|name) (?:all |the |every )*([\w-]+s)\b|"
                      r"\bin which ([\w-]+s)\b", re.I)
_ZH_BEFORE_COUNT = re.compile(r"([\u4e00-\u9fff]{2,6}?)(?:一共|總共|总共|共)?(?:有|設有|设有)?$")
# the verb between a thing and the question word: 名額會增至多少個
_ZH_COUNT_VERB = re.compile(r"(?:會|会|將|将|可|能)?(?:增加至|增加到|增至|增到|達到|达到|減至|减至|降至|升至|達|达|至|為|为|"
                            r"是|約|约|一共有|總共有|总共有|共有|有)$")
_ZH_COUNT = re.compile(r"(?:多少|幾)([個个名位項项份次間间家所條条件宗批座]?)([\u4e00-\u9fff]{1,6})")
# what a measure word says is counted, when the noun after it is vaguer ("多少項合作共識": items)
_ZH_MEASURE = {"項": ("item",), "项": ("item",), "份": ("document", "agreement"), "次": ("time", "session"),
               "名": ("peopl", "person"), "位": ("peopl", "person")}
_ZH_KINDS = [
    ("money", re.compile(r"預算|预算|多少錢|多少钱|金額|金额|費用|费用|開支|开支|撥款|拨款|投資額|投资额|成本|薪")),
    ("date", re.compile(r"何時|何时|什麼時候|什么时候|甚麼時候|幾時|几时|哪天|哪一天|日期|哪年|哪一年|何日")),
    ("duration", re.compile(r"多久|多長時間|多长时间")),
    ("person", re.compile(r"誰|谁|哪位")),
    ("place", re.compile(r"哪裡|哪里|哪裏|在哪|何處|何处|甚麼地方|什么地方")),
]


@dataclass(frozen=True)
class Asked:
    """The kind of answer a question needs, and for what."""

    kind: str = "other"  # count | money | share | date | duration | frequency | time | person | place |
    #                      quantity | entity | title | other
    target: tuple[str, ...] = ()  # terms of what is counted or measured: ("staff",)
    word: str = ""  # the question's own words for it: "staff", "budget"
    future: bool = False  # "When will the next …": only a later date answers
    role: bool = False  # the question names a role ("Who is the Mayor of …"): only a name answers
    listing: str = ""  # the things a list question asks for ("meetings"), "" if it asks for one thing
    qualifier: tuple[str, ...] = ()  # terms of the words before them that narrow them ("plenary sessions")
    extreme: str = ""  # most | fewest | first | latest: which of the listed things
    measure: tuple[str, ...] = ()  # what "most"/"fewest" is counted in: ("item",)
    zh_noun: str = ""  # a Chinese question's own word for what it counts (協議), for Chinese papers
    zh_counted: tuple[str, ...] = ()  # an English question's counted thing in Chinese (staff → 员工, 职员)
    about: tuple[str, ...] = ()  # the terms of the whole question: which column of a table row it asks for
    change: bool = False  # "By how much did funding increase": a percentage answers too
    total: bool = False  # "What is the total budget": a year's sum, or a rate, is not the total
    flow: str = ""  # "lost", "saved", "earned", "raised": a sum must be said to have moved that way

    @property
    def typed(self) -> bool:
        return self.kind != "other"


_PLURALS = frozenset("people children staff personnel women men police youth".split())
# "the latest number of young people": a count, the newest paper's first
_LATEST_FIGURE = re.compile(r"\b(?:latest|most recent|newest|current) (?:number|figure|count|total) (?:of|for) "
                            r"((?:[\w/-]+ ?){1,5})", re.I)


def _head(phrase: list[str]) -> tuple[list[str], str]:
    """The counted noun of "how many <phrase>": the first plural word, or the first word."""
    words = [w for w in phrase if w.lower() not in STOPWORDS]
    if not words:
        return [], ""
    head = next((w for w in words if w.lower() in _PLURALS or
                 (w.lower().endswith("s") and not w.lower().endswith("ss") and len(w) > 3)), words[0])
    return words[:words.index(head) + 1], head


def ask_of(question: str, gloss: Callable[[str], str] = lambda word: "",
           senses: Callable[[str], tuple[str, ...]] = lambda word: ()) -> Asked:
    """What the question asks for. A Chinese question is read in Chinese, the nouns it counts or
    lists through `gloss` (English for one Chinese word, from the caller, which owns the dictionary)
    and `senses` (the head of every sense of a phrase's last word: 操作 is work, operation …)."""
    if re.search(r"[\u4e00-\u9fff]", question):
        return _ask_of_zh(question, gloss, senses)
    q = question.strip()
    low = q.lower()
    future = bool(_FUTURE_EN.search(q))
    listing, extreme, measure, qualifier = _listing(q)
    if m := _LATEST_FIGURE.search(q):
        listing, extreme, measure = "", "latest", ()
    if m := (m or re.search(r"\bhow many ((?:[\w/-]+ ?){1,5})", q, re.I)):
        phrase: list[str] = []
        for word in m.group(1).split():
            if word.lower() in _AUX:
                break
            phrase.append(word)
        words, head = _head(phrase)
        # "how many items and areas": each is counted
        targets = [head] + [w for w in phrase[phrase.index(head) + 1:] if w.lower() not in STOPWORDS][:1] \
            if head and "and" in [w.lower() for w in phrase] else [head] if head else []
        target = tuple(t for w in targets for t in terms(w))
        if head and re.search(r"\b(in total|altogether|all together|total number|combined)\b", q, re.I):
            listing, measure = head.lower(), target  # "How many agreements were signed in total?": each figure
        return Asked("count", target, " ".join(words), future, listing=listing, extreme=extreme, measure=measure,
                     qualifier=qualifier, about=tuple(terms(q)))
    if m := _SHARE_Q.search(q):  # "What share of farm bill spending …": a percentage or a fraction of it
        of = re.match(r"\s*(?:of\s+)?(?:the\s+)?((?:[\w/-]+ ?){1,5})", q[m.end():])
        words = [w for w in (of.group(1).split() if of else []) if w.lower() not in STOPWORDS]
        words = words[:next((k for k, w in enumerate(words) if w.lower() in _AUX), len(words))]
        return Asked("share", tuple(terms(" ".join(words))), m.group(0).lower(), future)
    flow = next((name for name, pattern in _FLOWS.items() if re.search(pattern, low)), "") \
        if re.search(r"\bhow much\b", low) else ""
    if (m := _MONEY_WORDS.search(q)) and re.search(r"\b(how much|what|which)\b", low):
        return Asked("money", tuple(terms(m.group(0))), m.group(0).lower(), future, change=bool(_CHANGE.search(low)),
                     total=bool(_TOTAL.search(low)), flow=flow)
    if flow:
        return Asked("money", (), "money", future, flow=flow)
    if re.search(r"\bhow long\b", low):
        return Asked("duration", (), "how long", future)
    if re.search(r"\bhow (?:often|frequently|regularly)\b", low):
        return Asked("frequency", (), "how often", future)
    if re.search(r"^\s*(?:at )?what time\b|\bat what time\b", low):
        return Asked("time", (), "what time", future)
    if (m := re.search(r"\bhow much ([a-z][\w-]*)", low)) and m.group(1) not in _AUX:
        # "How much trade …": a figure for trade, not a count of something else
        return Asked("quantity", tuple(terms(m.group(1))), m.group(1), future)
    if re.search(r"\bhow much\b", low):
        return Asked("quantity", (), "how much", future)
    if m := _ENTITY.match(q):
        return Asked("entity", tuple(terms(m.group(1))), m.group(1).lower(), future)
    if re.match(r"\s*(when|what date|what day|which day|on what date|on which date|what year|which year|in what year|"
                r"in which year|by when|on what day)\b", low) or re.search(r"\b(what|which) (date|day|year)\b", low):
        return Asked("date", (), "when", future)
    if re.match(r"\s*(who|whom|whose)\b", low) or re.search(r"\b(who|whom)\b", low):
        verb = _WHO_VERB.search(low)
        doing = tuple(terms(verb.group(1))) if verb and verb.group(1) not in _AUX and verb.group(1) not in STOPWORDS else ()
        return Asked("person", doing, "who", future, role=bool(ROLE_WORDS.search(q)))
    if re.match(r"\s*where\b", low) or re.search(r"\b(in|at) (which|what) (city|place|venue|location|province)\b", low):
        return Asked("place", (), "where", future)
    if (m := _TITLE_WORDS.search(q)) and re.search(r"\b(what|which)\b", low):
        return Asked("title", (), m.group(1).lower(), future)
    if (m := re.search(r"\bwhat (?:(?:is|was|are|were) )?(?:the |[\w-]+['’]s )?((?:[\w-]+ ){0,2}?)(" +
                       _QUANTITY_WORDS.pattern[2:-2] + r")\b", q, re.I)):
        return Asked("quantity", tuple(terms(m.group(2))), m.group(2).lower(), future)
    return Asked("other", (), "", future, listing=listing, extreme=extreme, measure=measure, qualifier=qualifier)


def _listing(q: str) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """(the things listed, which extreme, what it is measured in, the words that narrow them) of a
    list or comparison question. "Which governors and mayors …" lists both."""
    listing, qualifier = "", ()
    for m in _LIST_EN.finditer(q):
        phrase = (m.group(2) or m.group(4) or m.group(5) or "").split()
        verb = next((k for k, w in enumerate(phrase[1:], 1) if w.lower() in _AUX), None)
        phrase = phrase[:verb]  # "which provinces are members": the provinces
        word = phrase[-1]
        if word.lower() not in STOPWORDS and len(word) > 3 and phrase[0].lower() not in _AUX:
            listing = word
            if len(phrase) == 3 and phrase[1].lower() in ("and", "or"):
                listing = " ".join(phrase)
            else:
                qualifier = tuple(t for w in phrase[:-1] for t in terms(w))
            break
    singular = re.search(r"\b(which|what) ([\w-]+)\b", q, re.I)
    extreme, measure = "", ()
    if e := _EXTREME.search(q):
        extreme = {"most recent": "latest", "last": "latest", "earliest": "first", "least": "fewest",
                   "smallest": "fewest", "lowest": "fewest", "largest": "most", "biggest": "most",
                   "highest": "most", "greatest": "most"}.get(e.group(1).lower(), e.group(1).lower())
        if extreme in ("most", "fewest") and e.group(2):
            measure = tuple(terms(e.group(2).split()[-1]))
        if not listing and singular and singular.group(2).lower() not in STOPWORDS:
            listing = singular.group(2)  # "Which plenary agreed the most items?"
        elif not listing and extreme in ("first", "latest") and e.group(2):
            listing = e.group(2).split()[-1]  # "What was the latest plenary?"
    return listing.lower(), extreme, measure, qualifier


def _ask_of_zh(question: str, gloss: Callable[[str], str], senses: Callable[[str], tuple[str, ...]]) -> Asked:
    future = bool(re.search(r"下一?次|將會|将会|將於|将于|未來|未来|即將|即将", question))
    if m := _ZH_COUNT.search(question):
        measure, thing = m.group(1), m.group(2).rstrip("？?。嗎吗呢")
        if not measure and len(thing) == 1 and thing in _ZH_MEASURES:
            # the thing before the question word: 聯絡處有多少個？, 名額會增至多少個？
            before = _ZH_COUNT_VERB.sub("", question[:m.start()])
            measure, thing = thing, (_ZH_BEFORE_COUNT.findall(before) or [""])[-1]
        noun = gloss(thing).split()[-1:]  # the head comes last: 辦事處職員 → worker
        counted = _ZH_MEASURE.get(measure, ())
        # any sense of the head may be the paper's word: 信貸操作 are credit operations, not "work"
        head = tuple(terms(" ".join(noun))) + senses(thing)
        return Asked("count", tuple(dict.fromkeys(counted + head)), " ".join(noun), future, zh_noun=measure + thing)
    listing = ""
    if m := re.search(r"哪些([\u4e00-\u9fff]{2})", question):
        listing = (gloss(m.group(1).rstrip("？?。嗎吗呢")).split() or ["哪些"])[-1].lower()
    for kind, pattern in _ZH_KINDS:
        if pattern.search(question):
            return Asked(kind, (), "", future, role=kind == "person" and bool(ROLE_WORDS.search(gloss(question))))
    return Asked("other", (), "", future, listing=listing)


# -- where a sentence states it ---------------------------------------------------------------

def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[\w$£€¥]+(?:[-'’.,][\w]+)*", text)]


def _count_span(asked: Asked, text: str, near: set[str] = frozenset()) -> tuple[int, int] | None:
    """A number within a few words before the counted thing ("47 items", "five co-operation
    documents"), or just after it ("meetings with eight"). Several counted things ("items and
    areas") give one span over them all when one sentence states them together."""
    if not asked.target:
        return None
    tokens = _tokens(text)
    if near:
        anchors = [start for word, start, _ in tokens if set(terms(word)) & near]
        clauses = [(a, b) for a, b in _clauses(text)]
        # the clause that names what the question names, when a sentence speaks of several
        for a, b in sorted(clauses, key=lambda c: -sum(c[0] <= x < c[1] for x in anchors)):
            if any(a <= x < b for x in anchors) and (inner := _count_span(asked, text[a:b])):
                return a + inner[0], a + inner[1]
    found: dict[str, tuple[int, int]] = {}
    named = set(re.findall(r"\d[\d,.]*", asked.word))  # "Section 408 requests": 408 is part of the name

    def counts(token: str) -> bool:
        return bool(_NUMBER.fullmatch(token)) and token.lower() != "one" and token not in named

    for i, (word, start, end) in enumerate(tokens):
        if not counts(word) or re.fullmatch(r"(19|20)\d\d", word) or _is_date_number(text, start, end):
            continue
        for j in range(i + 1, min(len(tokens), i + 6)):
            if counts(tokens[j][0]):
                break  # "21 items covering ten areas": ten counts the areas, not 21
            for t in set(terms(tokens[j][0].replace("-", " "))) & set(asked.target):
                found.setdefault(t, (start, tokens[j][2]))
        if i >= 2 and tokens[i - 1][0].lower() in ("with", "totalling", "numbering"):
            # "meetings with eight participating provinces": through the noun the number counts
            noun = next((tok for tok in tokens[i + 1:i + 4] if tok[0].lower().endswith("s")), None)
            for t in set(terms(tokens[i - 2][0])) & set(asked.target):
                found.setdefault(t, (tokens[i - 2][1], noun[2] if noun else end))
    if not found:
        # "the ninth such mechanism" tells how many there are when no figure does
        for i, (word, start, end) in enumerate(tokens):
            if _ORDINAL.fullmatch(word):
                for j in range(i + 1, min(len(tokens), i + 4)):
                    if set(terms(tokens[j][0].replace("-", " "))) & set(asked.target):
                        return start, tokens[j][2]
        return None
    spans = sorted(found.values())
    together = [sp for sp in spans if sp[0] - spans[0][1] <= 80]
    return together[0][0], max(e for _, e in together)


_CELL = re.compile(r"(?:^|;\s)([^;:]{1,80}):\s*(\d[\d,.]*%?)(?=;|$)")
_COUNT_HEADERS = frozenset(terms("number headcount count total"))
_GENERIC_COUNTED = frozenset(terms("people persons individuals households claimants recipients families"))


def _cell_span(asked: Asked, text: str) -> tuple[int, int] | None:
    """In a table row ("Coventry; Pension Credit: 2,873; Basic State Pension: 10,083"), the figure
    in the column the question names ("How many people receive Pension Credit …"), or in the
    one column that counts (Headcount); None for a row that does not say which figure is asked."""
    if "; " not in text:
        return None
    cells = [(set(terms(m.group(1))), m.group(2), m.start(1), m.end(2)) for m in _CELL.finditer(text)]
    if asked.kind == "count":
        cells = [c for c in cells if not c[1].endswith("%")]
    if not cells:
        return None
    about = set(asked.about) | set(asked.target)
    named = [c for c in cells if c[0] & set(asked.target)]
    if not named and set(asked.target) <= _GENERIC_COUNTED:
        # "How many people receive Pension Credit": people are what every column counts; the
        # column is the one the question names. "How many staff …" is not answered by "Offices: 3".
        named = [c for c in cells if c[0] & about]
    if not named:
        named = [c for c in cells if c[0] & _COUNT_HEADERS] if asked.kind == "count" else []
    if not named and len(cells) == 1 and not asked.target:
        named = cells
    if not named:
        return None
    best = max(named, key=lambda c: len(c[0] & about))
    return best[2], best[3]


def _counts_other(tokens: list[tuple[str, int, int]], k: int, wanted: set[str]) -> bool:
    """Whether the number at k counts some other thing ("three co-operation agreements" is no amount
    of trade): a plural noun follows it within two words, and it is not the thing asked about."""
    for word, _, _ in tokens[k + 1:k + 3]:
        if set(terms(word)) & wanted:
            return False
        if word.lower().endswith("s") and len(word) > 3 and word.lower() not in STOPWORDS | _UNITS:
            return True
    return False


# what an amount is measured in: "5.2 billion dollars", "5,000 tonnes" are amounts, not counts of things
_UNITS = frozenset("dollars yuan pounds euros tonnes tons kilograms kilometres kilometers metres meters litres "
                   "liters hectares containers teus barrels".split())


def entity_span(asked: Asked, text: str) -> tuple[int, int] | None:
    """Where the sentence names the kind of organisation asked for: the capitalised name with the
    word in it ("the Financial Services and the Treasury Bureau"), or the word itself."""
    for m in re.finditer(r"[\w'’-]+", text):
        if set(terms(m.group(0))) & set(asked.target):
            name = re.search(r"(?:(?:[A-Z][\w'’-]*|and|the|of|for)\s+){0,8}$", text[:m.start()])
            start = m.start()
            if name and text[m.start()].isupper():
                words = name.group(0).split()
                while words and not words[0][:1].isupper():
                    words.pop(0)
                start = m.start() - len(" ".join(words)) - (1 if words else 0)
            return start, m.end()
    return None


def which_span(noun: str, text: str) -> tuple[int, int] | None:
    """For "Which areas did the 20 agreements cover?": from where the sentence names the things asked
    for ("the areas of …", "nine provinces … namely …") to the end of its clause. None if it does not."""
    wanted = set(terms(noun))
    if not wanted:
        return None
    tokens = _tokens(text)
    for i, (word, start, _) in enumerate(tokens):
        if set(terms(word)) & wanted:
            if i and _NUMBER.fullmatch(tokens[i - 1][0]):
                start = tokens[i - 1][1]  # "nine provinces"
            end = next((m.start() for m in re.finditer(r";\s|:\s", text) if m.start() > start), len(text))
            end = len(text[:end].rstrip(" .;:"))
            after = text[tokens[i][2]:end]
            # only where the sentence goes on to name them: "the areas of …", "namely …", "such as …"
            if end > start and _ENUMERATES.match(after) and re.search(r",| and ", after):
                return start, end
    return None


_ENUMERATES = re.compile(r"^(?:\W*[\w'’()-]+){0,7}?\W*\b(?:of|namely|such as|including|includes?|covering|"
                         r"comprising|like)\b", re.I)


def role_held(question: str, text: str) -> bool:
    """Whether the text names the very office the question asks about: "Who is the Governor of Fujian"
    is not answered by "the Executive Vice Governor of Fujian Province", nor a Director by a Deputy."""
    asked_role = ROLE_WORDS.search(question)
    if not asked_role:
        return True
    wanted = set(_QUALIFIERS.findall(question[:asked_role.start()].split(" the ")[-1].lower()))
    found = False
    for m in ROLE_WORDS.finditer(text):
        if set(terms(m.group(1))) != set(terms(asked_role.group(1))):
            continue
        found = True
        before = text[max(0, m.start() - 30):m.start()].lower().split(",")[-1].split(" and ")[-1]
        if set(_QUALIFIERS.findall(before)) == wanted:
            return True
    return not found


_QUALIFIERS = re.compile(r"\b(vice|deputy|assistant|under|associate|acting|executive vice|permanent)\b")


def _clauses(text: str) -> list[tuple[int, int]]:
    cuts = [0] + [m.end() for m in re.finditer(r"[;]\s+|,\s+(?=(?:and |while |whereas )?the )", text)] + [len(text)]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _is_date_number(text: str, start: int, end: int) -> bool:
    return any(m.start() <= start and end <= m.end() for m in DATE.finditer(text))


def _later_than(found: str, after: str) -> bool:
    """Is a date written in the text later than an ISO date (the document's own)?"""
    if not after:
        return True
    year = re.search(r"(19|20)\d\d", found)
    if not year:
        return False
    month = next((i + 1 for i, name in enumerate(MONTHS) if name in found), 0)
    return (int(year.group(0)), month) > (int(after[:4]), int(after[5:7] or 0) if len(after) >= 7 else 0)


def span(asked: Asked, text: str, doc_date: str = "", near: set[str] = frozenset()) -> tuple[int, int] | None:
    """The words of `text` that answer a question of this kind, or None if it does not state one.
    `doc_date` (ISO) is when the document was written: a question about the future needs a later date.
    Of several numbers, the one nearest the words `near` (the places and names the question gives):
    "Zhejiang … three agreements; … Jiangsu … four agreements"."""
    kind = asked.kind
    if _CJK.search(text):
        return _span_zh(asked, text)
    if asked.future and not _FUTURE_EN.search(text) and not any(_later_than(m.group(0), doc_date)
                                                                   for m in DATE.finditer(text)):
        return None  # a paper about past meetings does not say when the next one is
    if kind in ("count", "quantity") and (cell := _cell_span(asked, text)) is not None:
        return cell
    if kind == "count":
        return _count_span(asked, text, near)
    if kind == "money":
        sums = [m for m in _MONEY.finditer(text)
                if not (asked.total and _one_period(text, m)) and not _other_sum(asked.word, text, m)]
        if asked.flow:  # "How much did it lose": a sum the sentence says was lost, not any sum
            flow = re.compile(_FLOWS[asked.flow], re.I)
            sums = [m for m in sums if flow.search(text[max(0, m.start() - 80):m.end() + 60])]
        m = sums[0] if sums else (_PERCENT.search(text) if asked.change else None)
        return m.span() if m else None
    if kind == "share":  # the part of the whole the question names: "72% of farm bill mandatory spending"
        parts = list(_SHARE.finditer(text))
        wanted = set(asked.target)
        named = [m for m in parts if wanted & set(terms(text[m.end():m.end() + 60]))]
        m = (named or parts or [None])[0]
        return m.span() if m else None
    if kind == "title":
        m = _QUOTED.search(text)
        return m.span() if m else None
    if kind == "duration":
        m = _DURATION.search(text)
        return m.span() if m else None
    if kind in ("frequency", "time"):
        m = (_FREQUENCY if kind == "frequency" else _CLOCK).search(text)
        return m.span() if m else None
    if kind == "entity":
        return entity_span(asked, text)
    if kind == "date":
        found = [m for m in DATE.finditer(text)]
        if asked.future:
            found = [m for m in found if _later_than(m.group(0), doc_date)] or found
        if not found:
            return None
        return max(found, key=lambda m: len(m.group(0))).span()  # the fullest date: "22 February 2023"
    if kind == "person":
        people = list(_PERSON.finditer(text))
        if people:
            return people[0].span()
        if asked.role:
            return None  # "Who is the Mayor of …" is not answered by "the Mayor"
        m = _ROLE.search(text)
        return m.span() if m else agent_span(asked, text)
    if kind == "place":
        return place_span(text)
    if kind == "quantity":
        tokens = _tokens(text)
        wanted = set(asked.target)
        for i, (word, start, end) in enumerate(tokens):
            if wanted and not set(terms(word)) & wanted:
                continue
            lo = max(0, i - 6)
            for k, (w, s, e) in enumerate(tokens[lo:i + 8] if wanted else tokens, start=lo if wanted else 0):
                if (_NUMBER.fullmatch(w) or w.endswith("%")) and not re.fullmatch(r"(19|20)\d\d", w) \
                        and not _is_date_number(text, s, e) and not (wanted and _counts_other(tokens, k, wanted)):
                    if unit := re.match(r"\s?(?:%|per ?cent\b)", text[e:]):
                        e += unit.end()  # "5%" whole
                    return (min(start, s), max(end, e)) if wanted else (s, e)
        return None
    return (0, len(text))


_CJK = re.compile(r"[\u4e00-\u9fff]")
_ZH_NUM = r"[零〇一二兩两三四五六七八九十百千萬万\d]+"
_ZH_MEASURES = "個个名位項项份次間间家所條条件宗批座"
_ZH_DATE = re.compile(rf"{_ZH_NUM}年(?:{_ZH_NUM}月)?(?:{_ZH_NUM}[日號号])?|{_ZH_NUM}月{_ZH_NUM}[日號号]")
_ZH_MONEY = re.compile(rf"(?:港幣|人民幣|美元)?{_ZH_NUM}(?:\.\d+)?\s*[萬万億亿]?(?:港元|元|美元)")
_ZH_ROLE = r"(?:司長|司长|局長|局长|省長|省长|市長|市长|主席|長官|长官|主任|書記|书记|部長|部长)"
# the name (group 1 or 2) after an office or before an honorific: 省長王偉中先生 → 王偉中
_ZH_PERSON = re.compile(rf"{_ZH_ROLE}?([\u4e00-\u9fff]{{2,3}}?)(?:先生|女士|博士|教授)|"
                        rf"{_ZH_ROLE}([\u4e00-\u9fff]{{2,3}}?)(?=於|于|和|與|与|及|、|，|,|在|率|出席|主持|表示|$)")
_ZH_PLACE = re.compile(r"(?:在|於|于)([\u4e00-\u9fff]{2,6}?)(?:共同|聯合|联合)?"
                       r"(?:舉行|举行|召開|召开|舉辦|举办|進行|进行|主持|會面|会面|會晤|会晤)|"
                       r"(?:在|於|于)([\u4e00-\u9fff]{2,4}?)(?:[，。、,]|$)")
# a unit asked for by itself, and how a paper counts it: 多少人 is answered by 186名公務員
_ZH_UNIT = {"人": "[名位人]"}
_ZH_DURATION = re.compile(rf"{_ZH_NUM}\s*(?:天|日|星期|週|周|個月|个月|年|小時|小时)")


def _span_zh(asked: Asked, text: str) -> tuple[int, int] | None:
    """The same, in a paper written in Chinese: 三份合作協議, 二〇二三年六月二十八日, 在香港舉行."""
    kind = asked.kind
    text = simplified(text)  # either script asks about either: 公务员学院 is 公務員學院 (same positions)
    if asked.future and not re.search(r"將|将|下一?次|未來|未来|計劃|计划", text):
        return None
    if kind == "count":
        noun = simplified(asked.zh_noun)
        measure = noun[:1] if noun[:1] in _ZH_MEASURES else ""
        head = noun[-2:] if len(noun) >= 2 else ""
        counted = re.escape(measure) if measure else f"[{_ZH_MEASURES}]"
        if head:  # 三份合作協議, or the thing first: 名額增至250個
            m = re.search(rf"(?P<n>{_ZH_NUM}\s*{counted if measure else counted + '?'})[\u4e00-\u9fff]{{0,6}}?"
                          rf"{re.escape(head)}", text) or \
                re.search(rf"{re.escape(head)}[\u4e00-\u9fff]{{0,8}}?(?P<n>{_ZH_NUM}\s*{counted})", text)
        elif noun and not measure:  # a unit asked for itself: 為期多少天 → 五天; 多少人 → 186名
            m = re.search(rf"(?P<n>{_ZH_NUM}\s*{_ZH_UNIT.get(noun, re.escape(noun))})", text)
        elif asked.zh_counted:  # an English question: "How many civil servants" → 186名公務員
            things = "|".join(map(re.escape, asked.zh_counted))
            m = re.search(rf"(?P<n>{_ZH_NUM}\s*{counted}?)[\u4e00-\u9fff]{{0,6}}?(?:{things})", text) or \
                re.search(rf"(?:{things})[\u4e00-\u9fff]{{0,8}}?(?P<n>{_ZH_NUM}\s*{counted})", text)
        elif asked.target:  # an English question whose counted thing the dictionary cannot render
            return None
        else:
            m = re.search(rf"(?P<n>{_ZH_NUM}\s*{counted})", text)
        if m is None:
            return None
        return m.span() if (head or asked.zh_counted) and m.start("n") == m.start() else m.span("n")
    if kind == "share":
        m = _SHARE.search(text) or re.search(rf"百分之{_ZH_NUM}|{_ZH_NUM}成", text)
        return m.span() if m else None
    pattern = {"date": _ZH_DATE, "money": _ZH_MONEY, "person": _ZH_PERSON, "place": _ZH_PLACE,
               "duration": _ZH_DURATION}.get(kind)
    if pattern is None:
        # a question of no particular kind; one of a kind not read in Chinese (an English question's
        # figure, title, time of day) is not taken as stated
        return (0, len(text)) if kind == "other" else None
    m = pattern.search(text)
    if m is None:
        # a Chinese sentence may keep a name as the paper writes it: "Mr Yin Yong"
        return _PERSON.search(text).span() if kind == "person" and _PERSON.search(text) else None
    if kind in ("place", "person"):
        return m.span(1) if m.group(1) else m.span(2)
    return m.span()


def _sum_kinds(words: str) -> set[str]:
    return {kind for kind, pattern in _SUM_KINDS if pattern.search(words)}


def _other_sum(word: str, text: str, m: re.Match[str]) -> bool:
    """Whether the words around the sum call it another kind of sum than the question's word."""
    asked = _sum_kinds(word)
    stated = _sum_kinds(text[max(0, m.start() - 60):m.end() + 30])
    return bool(asked and stated and not asked & stated)


def _one_period(text: str, m: re.Match[str]) -> bool:
    """Whether the sum is stated for one period or as a rate ("funding rising from £979 million in
    2026/27 to £3 billion by 2029/30"), not as a total; "a total of £1.2 billion in 2023" is a total."""
    if _TOTAL_BEFORE.search(text[max(0, m.start() - 40):m.start()]):
        return False
    return bool(_PERIOD_AFTER.match(text, m.end()))


def names_someone(text: str) -> bool:
    """Whether the words name a person or an office ("Ms Guo Ningning", "the Chief Secretary")."""
    return bool(_PERSON.search(text) or _ROLE.search(text))


def agent_span(asked: Asked, text: str) -> tuple[int, int] | None:
    """Who does what the question asks, when the paper names a body rather than a person: "Who is
    leading the initiative?" → "The UK's main solar industry trade association is leading …". The
    subject of a sentence whose verb is the question's, if it names an organisation or a proper name."""
    if not asked.target:
        return None
    wanted = set(asked.target)
    for start, end in sentences(text):
        tokens = _tokens(text[start:end])
        at = next((i for i, (word, _, _) in enumerate(tokens[:16]) if set(terms(word)) & wanted), None)
        if not at:
            continue
        subject = tokens[:at]
        while subject and subject[-1][0].lower() in _AUX:
            subject = subject[:-1]
        if not 1 <= len(subject) <= 10 or subject[0][0].lower() in _PRONOUNS:
            continue
        words = [w for w, _, _ in subject]
        if any(t in _AGENTS for w in words for t in terms(w)) or any(w[:1].isupper() for w in words[1:]):
            return start + subject[0][1], start + subject[-1][2]
    return None


def person_near(text: str, role_terms: set[str]) -> tuple[int, int] | None:
    """The name closest after the role the question asks about ("the Mayor of Beijing, Mr Yin Yong")."""
    people = list(_PERSON.finditer(text))
    if not people or not role_terms:
        return None
    anchors = [start for word, start, _ in _tokens(text) if set(terms(word)) & role_terms]
    if not anchors:
        return None
    return min(people, key=lambda p: min(abs(p.start() - a) + (0 if p.start() >= a else 40) for a in anchors)).span()


def place_span(text: str) -> tuple[int, int] | None:
    """Where a text first says something happened ("in Guiyang, Guizhou"): the place's span."""
    for m in _PLACE.finditer(text):
        if m.group(1).split()[0].strip(",") not in _NOT_PLACE:
            return m.start(1), m.start(1) + len(m.group(1).rstrip(","))
    return None


def place_of(text: str) -> str:
    found = place_span(text)
    return text[found[0]:found[1]] if found else ""


def first_date(text: str) -> str:
    found = list(DATE.finditer(text))
    return max(found, key=lambda m: (len(m.group(0)) > 6, -m.start())).group(0) if found else ""

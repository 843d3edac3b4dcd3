"""From what the user typed (plus the conversation) to what retrieval searches for.

Three jobs: reject input that is not a question we can handle, resolve follow-ups ("How many
documents were signed there?") against the conversation, and carry Chinese questions over to the
English papers with the dictionary gloss (`qa.gloss`). A `Query` is made here and nowhere else.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from .cite import cited_paragraphs
from .asked import ASKING, Asked, ask_of
from . import dates
from .gloss import FUNCTION_WORDS, Rendering, chinese_for, head_senses, segment, synonyms, translate, weights
from .models import Turn
from .period import Period, paper_year, period_of
from .text import is_cjk, language_code, names, opens_a_question, terms

if TYPE_CHECKING:
    from .store import DocRecord

# control and bidi characters, and lone surrogates (JSON can carry "\\ud800"; no encoder takes it)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_ANAPHORA_EN = re.compile(
    r"\b(it|its|they|them|their|there|that|this|those|these|he|she|his|her|him|same|then|also|"
    r"other|another|either|both)\b|^(and|but|so|what about|how about)\b", re.I)
_ANAPHORA_ZH = re.compile(r"[它其該此那這他她]|呢[？?]?$|^(那|還|另外|以及)")


class QuestionError(ValueError):
    """The question cannot be asked as given; the message is for the user."""


@dataclass
class Query:
    question: str
    lang: str  # "en" or "zh"
    terms: dict[str, float]  # weighted lexical terms
    dense_texts: list[str]  # texts for the dense models, in priority order
    context_terms: dict[str, float] = field(default_factory=dict)  # from the earlier turn, for follow-ups
    focus: list[tuple[str, str]] = field(default_factory=list)  # (label, paragraph) cited in the last answer
    followup: bool = False
    gloss: str = ""  # English rendering of a Chinese question
    names: list[str] = field(default_factory=list)  # named things a supporting paragraph must mention
    # one entry per word of the question: the terms any of which would render it in the index
    groups: list[tuple[str, ...]] = field(default_factory=list)
    zh_words: list[str] = field(default_factory=list)  # content words of a Chinese question
    zh_names: list[str] = field(default_factory=list)  # its words that name things (閩港, 深圳)
    name_groups: list[tuple[str, ...]] = field(default_factory=list)  # their English senses' terms, each word
    # an English question's words in Chinese (civil servants → 公务员), when papers are written in Chinese
    renderings: list[Rendering] = field(default_factory=list)
    # other English words for an English question's words, through the dictionary both ways (qa/gloss.py)
    synonyms: dict[str, frozenset[str]] = field(default_factory=dict)
    scope: frozenset[str] = frozenset()  # the documents to search; empty = all of them
    asked: Asked = field(default_factory=Asked)  # the kind of answer it needs (see qa/asked.py)
    period: Period | None = None  # the time it is about: "in 2023", "since March 2024" (qa/period.py)
    paper_year: str = ""  # the year of a paper it names by it: "the 2013 report" (qa/period.py)
    # the ask it goes on from, when it names nothing itself (the first of a two-part question):
    # "簽了幾多份文件？" after "第二十二次會議在何時舉行？" gives that meeting's ordinal too
    subject: str = ""

    @property
    def standalone(self) -> str:
        return self.gloss or self.question

    @property
    def given_text(self) -> str:
        """The words whose names, figures and dates the answer must be about."""
        return f"{self.subject} {self.question}" if self.subject else self.question


def plain(text: str) -> str:
    """Text as every later step can take it: NFKC, and no control or bidi characters or lone
    surrogates (each a space). Questions and the turns of a conversation both pass through here."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFKC", text))


def clean(question: str, max_chars: int) -> str:
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    text = " ".join(plain(question).split())
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


def names_in(text: str) -> list[str]:
    """The named things (places, people, numbers) of a question in either language."""
    return translate(text).names if is_cjk(text) else names(text)


def is_followup(question: str, lang: str) -> bool:
    if lang == "zh":
        return bool(_ANAPHORA_ZH.search(question))
    return bool(_ANAPHORA_EN.search(question))


def analyse(question: str, history: list[Turn], max_chars: int, gloss: bool = True,
            scope: Iterable[str] = (), chinese_papers: bool = False) -> Query:
    """`chinese_papers`: the library holds papers written in Chinese, which an English question
    reaches through its words' Chinese renderings (the dictionary read backwards)."""
    text = clean(question, max_chars)
    lang = "zh" if is_cjk(text) else "en"
    if lang == "zh" and not gloss:
        words = terms(text)
        query = Query(text, lang, weights(words), [text], groups=[(w,) for w in words])
    elif lang == "zh":
        gloss, weighted, named, groups, named_words, name_groups = translate(text)
        # the question's own bigrams too, for documents written in Chinese
        weighted = {**weights([t for t in terms(text) if is_cjk(t)], 0.5), **weighted}
        query = Query(text, lang, weighted, [text, gloss], gloss=gloss, names=named, groups=groups,
                      zh_names=named_words, name_groups=name_groups,
                      zh_words=[w for run in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+", text)
                                for w in segment(run) if len(w) > 1 and w not in FUNCTION_WORDS])
    else:
        content = ASKING.sub(" ", text)
        words = terms(content)
        query = Query(text, lang, weights(words), [text], names=names(text), groups=[(w,) for w in words])
        renderings = chinese_for(content) if gloss else []
        query.synonyms = synonyms(renderings)
        if chinese_papers:
            query.renderings = renderings
            for rendering in query.renderings:  # they match only Chinese paragraphs: a second vocabulary
                for t in {t for word in rendering.chinese for t in terms(word)}:
                    query.terms.setdefault(t, 0.5 / len(rendering.chinese) ** 0.5)
    earlier = [t for t in history if t.role == "user" and t.content.strip()]
    if earlier and (is_followup(text, lang) or not query.names):  # names nothing: elliptical
        query.followup = True
        last = earlier[-1].content[:max_chars]  # a pasted essay must not cost every model its length
        if is_cjk(last):
            last_terms = translate(last).weights
        else:
            last_terms = weights(terms(last))
        query.context_terms = {t: w * 0.5 for t, w in last_terms.items() if t not in query.terms}
        answers = [t for t in history if t.role == "assistant"]
        if answers:
            query.focus = cited_paragraphs(answers[-1].content)
        query.dense_texts = [f"{last} {text}"] + query.dense_texts
    query.scope = frozenset(scope)
    query.asked = ask_of(text, lambda word: translate(word).text, head_senses)
    query.period = period_of(text)
    query.paper_year = paper_year(text)
    return query


# "How many …, and where …?", "…, and in how many areas?", "…, and are they …?", "When …? Who …?",
# "…，以及…", "…？由誰…？", "…幾多個範疇、合共幾多項…": two asks in one question, where a clause that
# asks on its own (`text.opens_a_question`) follows a question mark, an "and", or a Chinese pause
_JOIN_EN = re.compile(r"\?\s{1,3}|(,?)\s{1,3}and\s{1,3}", re.I)
_COMPOUND_ZH = re.compile(r"^(.{5,}?)(?:[？?；;]|[，,]以及|[，,]另外|[，,]同埋)\s*(.{3,})$")
_ZH_PAUSE = re.compile(r"[、，,]")


def _two_asks(question: str, lang: str) -> tuple[str, str] | None:
    if lang == "zh":
        if m := _COMPOUND_ZH.match(question):
            return m.group(1), m.group(2)
        for pause in _ZH_PAUSE.finditer(question):  # a question word on each side ("幾多個範疇、合共幾多項")
            before, after = question[:pause.start()], question[pause.end():]
            if len(before) >= 5 and opens_a_question(before[-12:]) and opens_a_question(after[:8]):
                return before, after
        return None
    for join in _JOIN_EN.finditer(question):
        before, after = question[:join.start()], question[join.end():]
        if len(before) >= 12 and len(after) >= 6 and (
                join.group(0).startswith("?") or opens_a_question(after, yes_or_no=bool(join.group(1)))):
            return before, after
    return None


def parts(query: Query, max_chars: int) -> list[Query]:
    """A question that asks two things ("How many mechanisms are there, and which was the latest?")
    as its two asks, each answered on its own. The second is read with the first as its context:
    "由誰主持？" after "深港合作會議2023在何時舉行？" is about that meeting."""
    if query.followup:
        return [query]
    asks = _two_asks(query.question, query.lang)
    if asks is None:
        return [query]
    first_text = asks[0].rstrip(" ,，、") + "?"
    second_text = asks[1].strip()
    second_text = second_text[:1].upper() + second_text[1:] if query.lang == "en" else second_text
    chinese = bool(query.renderings)
    first = analyse(first_text, [], max_chars, scope=query.scope, chinese_papers=chinese)
    second = analyse(second_text, [Turn("user", first_text)], max_chars, scope=query.scope, chinese_papers=chinese)
    if not second.followup:  # "…, and who led the Hong Kong delegation?": still the first ask's subject
        second.followup = True
        second.context_terms = {t: w * 0.5 for t, w in first.terms.items() if t not in second.terms}
        second.dense_texts = [f"{first_text} {second_text}", *second.dense_texts]
    if not second.names:  # about the first ask's subject: its names and figures, in either language
        second.names, second.zh_names, second.name_groups = first.names, first.zh_names, first.name_groups
        second.subject = first_text
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


MAX_TURNS, MAX_TURN_CHARS = 8, 20_000  # what a follow-up can use; the rest is never read


def parse_history(history: Iterable[object] | None) -> list[Turn]:
    """Accept `[{"role", "content"}]` (the JSON contract) or Turn objects; refuse anything else. Only
    the last turns are kept, each cut to a bounded length, whichever route they came through."""
    turns: list[Turn] = []
    for item in list(history or [])[-MAX_TURNS:]:
        if isinstance(item, Turn):
            turns.append(Turn(item.role, plain(item.content[:MAX_TURN_CHARS])))
        elif isinstance(item, dict) and item.get("role") in ("user", "assistant") \
                and isinstance(item.get("content"), str):
            turns.append(Turn(item["role"], plain(item["content"][:MAX_TURN_CHARS])))
        else:
            raise QuestionError("history must be a list of {role: user|assistant, content: text}")
    return turns


def checked_scope(records: Callable[[], dict[str, DocRecord]], scope: Sequence[str] | None, since: str = "",
                  until: str = "", language: str = "") -> list[str]:
    """The document ids to search (empty = all): those named, within the dates given, in the
    language given ("en" or "zh")."""
    if not scope and not since and not until and not language:
        return []
    if language and language_code(language) != language:
        raise QuestionError(f"{language!r} is not a language of the papers: use en or zh")
    known = records()  # read only when there is a scope to check
    unknown = [d for d in scope or [] if d not in known]
    if unknown:
        raise QuestionError(f"no document {unknown[0]!r} is indexed (see /api/documents)")
    for bound in (since, until):
        if bound and not dates.DATE_BOUND.match(bound):
            raise QuestionError(f"{bound!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    chosen = [d for d in (scope or known) if
              (not since or known[d].date[:len(since)] >= since) and
              (not until or (known[d].date and known[d].date[:len(until)] <= until)) and
              (not language or known[d].language == language)]
    if not chosen and language:
        raise QuestionError(f"no indexed paper in that scope is written in {language}")
    if not chosen:
        raise QuestionError(f"no indexed paper is dated {'from ' + since if since else ''}"
                            f"{' ' if since and until else ''}{'until ' + until if until else ''}")
    return chosen

"""List and comparison answers: "Which meetings were held outside Hong Kong?", "Which plenary agreed
the most items?". Every paragraph that speaks of the things asked for is gathered (across documents
when a library is indexed), the question's condition is applied to each, and the qualifying ones are
answered as a list in date order, each with the words that make it qualify and its citation; a
comparison names the winner and the figures compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import numpy as np

from .asked import ROLE_WORDS, DATE, Asked, first_date, person_near, place_of, place_span, span
from .models import Answer, Chunk, Citation, Item
from .gloss import translate
from .lexical import top_units
from .query import Query
from .text import MONTHS, STOPWORDS, sentences, terms

if TYPE_CHECKING:
    from .answer import Trimmed
    from .retrieve import Retrieval
    from .lexical import Lexical

# Things a policy paper lists, and the words it uses for each kind ("the Fifth Plenary Session" is a meeting)
KINDS: dict[str, frozenset[str]] = {
    "meeting": frozenset(terms("meeting meetings conference plenary session summit forum visit visits "
                               "talks dialogue")),
    "agreement": frozenset(terms("agreement agreements document documents memorandum memoranda mou "
                                 "arrangement arrangements accord pact protocol")),
}
# verbs that say what the listed things are, not which of them qualify
_GENERIC = frozenset(terms("held hold take took taken place happen happened occur occurred attend attended "
                           "sign signed agree agreed cover covered name named list listed involve involved "
                           "include included mention mentioned paper papers co-operation cooperation "
                           "kind kinds type types outside beyond apart except inside within fewest least most largest "
                           "smallest highest lowest biggest greatest first earliest latest last recent total"))
_OUTSIDE = re.compile(r"\b(?:outside|outwith|beyond|away from|other than in|not in)\s+((?:[A-Z][\w'’-]*\s?)+)")
_INSIDE = re.compile(r"\b(?:held|took place|happened|hosted|convened|were|was)\s+(?:in|at)\s+((?:[A-Z][\w'’-]*\s?)+)")
_YEAR = re.compile(r"\b(?:in|during|of)\s+((?:19|20)\d\d)\b")
_ZH_OUTSIDE = re.compile(r"在([\u4e00-\u9fff]{2,4}?)以外|([\u4e00-\u9fff]{2})以外")
_ZH_INSIDE = re.compile(r"在([\u4e00-\u9fff]{2,4}?)(?:舉行|举行|召開|召开)")


@dataclass
class Condition:
    """Which of the listed things the question wants."""

    kind: frozenset[str]  # the words for the things listed
    groups: list[tuple[str, ...]]  # content words each qualifying sentence must use
    phrases: list[tuple[str, ...]] = field(default_factory=list)  # names it must use as written: "Chief Secretary"
    inside: str = ""  # held in this place
    outside: str = ""  # held anywhere but this place
    year: str = ""


def condition(query: Query, lex: "Lexical") -> Condition:
    asked = query.asked
    word = terms(asked.listing)
    kind = next((k for k in KINDS.values() if set(word) & k), frozenset(word))
    q = query.question
    inside = outside = year = ""
    if m := _OUTSIDE.search(q):
        outside = m.group(1).strip()
    elif m := _INSIDE.search(q):
        inside = m.group(1).strip()
    if m := _YEAR.search(q):
        year = m.group(1)
    if query.lang == "zh":
        if m := _ZH_OUTSIDE.search(q):
            outside = _english_place(query, m.group(1) or m.group(2))
        elif m := _ZH_INSIDE.search(q):
            inside = _english_place(query, m.group(1))
        if m := re.search(r"((?:19|20)\d\d)年", q):
            year = m.group(1)
    # adverbs ("personally") say how, not which
    adverbs = set(terms(" ".join(re.findall(r"\b[a-z]{4,}ly\b", q))))
    skip = set(kind) | set(asked.measure) | _GENERIC | adverbs | set(terms(" ".join([inside, outside, year])))
    phrases = [] if query.lang == "zh" else [
        p for m in re.finditer(r"(?<!^)(?:\b[A-Z][\w'’-]*\s+){1,5}[A-Z][\w'’-]*", q)
        if len(p := tuple(t for t in terms(m.group(0)) if t not in skip)) > 1]
    # a Chinese word glossed as a name the papers abbreviate (行政長官: Chief Executive, "CE")
    names = {tuple(v) for v in lex.acronyms.values()}
    phrases += [name for g in query.groups for name in names if set(name) <= set(g)]
    in_phrase = {t for p in phrases for t in p}
    # a word no paper uses ("personally") cannot tell one paragraph from another
    groups = [g for g in query.groups if not set(g) & (skip | in_phrase) and not any(t in STOPWORDS for t in g)
              and any(lex.known(t) for t in g)]
    # "Which plenary sessions …": of the meetings, the plenaries
    groups += [(t,) for t in asked.qualifier if t not in _GENERIC and t not in STOPWORDS and lex.known(t)
               and t not in terms(asked.listing)]
    # "education agreements" are also the papers' "co-operation documents" and "memoranda"
    groups = [next((tuple(sorted(k)) for k in KINDS.values() if k != kind and set(g) & k), g) for g in groups]
    return Condition(kind, _either(groups, q), phrases, inside, outside, year)


def _either(groups: list[tuple[str, ...]], question: str) -> list[tuple[str, ...]]:
    """"… lead or co-chair": either word qualifies, so their groups become one."""
    for m in re.finditer(r"\b([\w-]+) or ([\w-]+)\b", question):
        left, right = set(terms(m.group(1))), set(terms(m.group(2)))
        a = next((g for g in groups if set(g) & left), None)
        b = next((g for g in groups if set(g) & right), None)
        if a is not None and b is not None and a != b:
            groups = [g for g in groups if g not in (a, b)] + [tuple(dict.fromkeys(a + b))]
    return groups


def _english_place(query: Query, chinese: str) -> str:
    return " ".join(w.capitalize() for w in translate(chinese).text.split())


@dataclass
class Qualified:
    """A paragraph that qualifies, the sentence that shows it, its date and the figure compared."""

    chunk: Chunk
    start: int
    end: int
    date: str = ""
    value: str = ""

    @property
    def order(self) -> tuple[str, str, int]:
        """Date order; undated last, then by paper and paragraph."""
        number = int(self.chunk.paragraph) if self.chunk.paragraph.isdigit() else 10**6
        return _sortable(self.date) or "9999", self.chunk.doc_id, number


def answer(query: Query, retrieval: "Retrieval", max_items: int = 12, item_words: int = 16) -> Answer | None:
    """A list answer, or None when the question's things are not found in two or more paragraphs
    (a comparison needs two figures; a list of one is an ordinary answer)."""
    from .answer import marker

    asked = query.asked
    if asked.extreme in ("most", "fewest") and not asked.measure:
        return None  # "the most important": nothing to count
    cond = condition(query, retrieval.lexical)
    if cond.kind not in KINDS.values() and not ROLE_WORDS.search(asked.listing) and not asked.measure \
            and not asked.extreme:
        return None  # "Which areas does legal co-operation cover?" asks about one thing, not for a list
    lex = retrieval.lexical
    found = [q for chunk in _candidates(query, retrieval, cond)
             if (q := _qualifying(chunk, cond, asked, lex)) is not None and (q.value or not asked.measure)]
    if len(found) < 2:
        return None
    if asked.extreme in ("most", "fewest", "first", "latest"):
        return _compare(query, retrieval, found, marker, max_items)
    if asked.measure:  # "how many … in total"
        return _total(query, retrieval, found, marker, max_items)
    found.sort(key=lambda q: q.order)
    items, citations = [], []
    for q in found[:max_items]:
        mark = marker(retrieval, q.chunk)
        quote = _evidence(q.chunk.text[q.start:q.end], cond, lex.acronyms, item_words)
        items.append(Item(_name(q.chunk), quote.text, mark, q.date))
        citations.append(Citation.of(q.chunk, quote.words, 0.0, mark))
    lines = [f"- **{i.name}**{f' ({i.date})' if i.date else ''}: {i.quote} {i.marker}" for i in items]
    lead = f"{len(items)} {asked.listing}:" if query.lang == "en" else f"共 {len(items)} 項："
    more = len(found) - max_items
    more_text = (f"\n\n(and {more} more)" if query.lang == "en" else f"\n\n（另有 {more} 項）") if more > 0 else ""
    return Answer(f"{lead}\n\n" + "\n".join(lines) + more_text, citations, False, "extractive", lead=lead, items=items)


def _candidates(query: Query, retrieval: "Retrieval", cond: Condition) -> list[Chunk]:
    """The paragraphs that may speak of the listed things: those retrieved, and every paragraph the
    index finds for the kind of thing and the condition's words, in scope."""
    lex = retrieval.lexical
    wanted = [t for g in cond.groups for t in g] + sorted(cond.kind)
    scores = lex.scores(wanted)
    if query.scope:
        scores = np.where(lex.in_scope(query.scope), scores, 0.0)
    order = [i for i in top_units(scores, 60) if scores[i] > 0]
    seen: dict[str, Chunk] = {h.unit: h.chunk for h in retrieval.hits}
    for i in order:
        seen.setdefault(lex.keys[i], lex.units[i])
    return list(seen.values())


def _qualifying(chunk: Chunk, cond: Condition, asked: Asked, lex: "Lexical") -> Qualified | None:
    """The paragraph, if it qualifies, with the sentence that shows it."""
    text = chunk.text
    spans = sentences(text) or [(0, len(text))]
    heading = set(terms(" ".join(chunk.heading_path)))
    kind_sentences = [(a, b) for a, b in spans if set(terms(text[a:b].replace("-", " "))) & cond.kind]
    if not kind_sentences and not heading & cond.kind:
        return None
    placed = next(((p, (a, b)) for a, b in kind_sentences if (p := place_of(text[a:b]))), ("", None))
    dated = next(((d, (a, b)) for a, b in kind_sentences if (d := first_date(text[a:b]))), ("", None))
    place, when = placed[0], dated[0] or first_date(text)
    if cond.outside and (not place or _same_place(place, cond.outside)):
        return None
    if cond.inside and not (place and _same_place(place, cond.inside)):
        return None
    if cond.year and cond.year not in when:
        return None
    acronyms = lex.acronyms
    heading_seq = _inline(terms(" ".join(chunk.heading_path)), acronyms)
    chosen, chosen_in_name = None, False
    for a, b in spans:
        sentence = text[a:b]
        seq = _inline(terms(sentence.replace("-", " ")), acronyms)
        words = set(seq) | set(heading_seq) | set(terms(sentence))  # "co-chaired" as one word too
        if not all(set(g) & words for g in cond.groups):
            continue
        if not all(_has_phrase(seq, p) or _has_phrase(heading_seq, p) for p in cond.phrases):
            continue
        if asked.measure:
            counted = Asked("count", asked.measure)
            found = span(counted, sentence)
            if found is None:
                continue
            values = [sentence[found[0]:found[1]]]
            if not asked.extreme:  # a total counts every figure of the sentence ("three …; four …")
                rest = found[1]
                while (more := span(counted, sentence[rest:])) is not None:
                    values.append(sentence[rest + more[0]:rest + more[1]])
                    rest += more[1]
            return Qualified(chunk, a, b, when, "; ".join(values))
        if (a, b) in kind_sentences or heading & cond.kind:
            # "The CE led the delegation" shows it; "the … Chief Executive Joint Conference" names a body
            if chosen is None or (chosen_in_name and not _phrases_in_names(sentence, cond, acronyms)):
                chosen, chosen_in_name = (a, b), _phrases_in_names(sentence, cond, acronyms)
    # the sentence that shows the condition holds: where it was held, or when
    shown = placed[1] if cond.inside or cond.outside else dated[1] if cond.year else None
    if chosen is not None and shown is not None and not cond.groups and not cond.phrases:
        chosen = shown
    if chosen is None or asked.measure:
        return None
    return Qualified(chunk, chosen[0], chosen[1], when)


def _phrases_in_names(sentence: str, cond: Condition, acronyms: dict[str, tuple[str, ...]]) -> bool:
    """Whether each phrase the condition needs appears here only inside a longer name."""
    for phrase in cond.phrases:
        found = _phrase_span(sentence, phrase, acronyms)
        if found is None or not re.match(r"\s+(?!Mr\b|Ms\b|Mrs\b|Dr\b)[A-Z]", sentence[found[1]:]):
            return False
    return bool(cond.phrases)


def _inline(words: list[str], acronyms: dict[str, tuple[str, ...]]) -> list[str]:
    """Terms with each acronym the papers define followed by what it stands for: "the CS" reads as
    "cs chief secretary administration"."""
    out: list[str] = []
    for w in words:
        out.append(w)
        out.extend(acronyms.get(w, ()))
    return out


def _has_phrase(seq: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(seq[i:i + n]) == phrase for i in range(len(seq) - n + 1))


def _phrase_span(sentence: str, phrase: tuple[str, ...], acronyms: dict[str, list[str]]) -> tuple[int, int] | None:
    tokens = [(m.start(), m.end(), terms(m.group(0))) for m in re.finditer(r"[\w'’-]+", sentence)]
    for i, (start, end, words) in enumerate(tokens):
        if tuple(acronyms.get(words[0], ()) if words else ()) == phrase:
            return start, end
        run = [t for tok in tokens[i:i + len(phrase)] for t in tok[2]]
        if tuple(run[:len(phrase)]) == phrase:
            return start, tokens[min(len(tokens), i + len(phrase)) - 1][1]
    return None


def _same_place(found: str, wanted: str) -> bool:
    return bool(set(terms(found)) & set(terms(wanted))) and set(terms(wanted)) <= set(terms(found))


def _compare(query: Query, retrieval: "Retrieval", found: list[Qualified],
             marker: Callable[["Retrieval", Chunk], str], max_items: int) -> Answer:
    """The winner first (most, fewest, first, latest), then the others with their figures or dates."""
    asked = query.asked
    if asked.extreme in ("most", "fewest"):
        ordered = sorted(found, key=lambda q: _value(q.value), reverse=asked.extreme == "most")
    else:
        ordered = sorted((q for q in found if _sortable(q.date)), key=lambda q: _sortable(q.date),
                         reverse=asked.extreme == "latest") or found
    items, citations = [], []
    for q in ordered[:max_items]:
        mark = marker(retrieval, q.chunk)
        items.append(Item(_name(q.chunk), q.value or q.date, mark, q.date, q.value))
        citations.append(Citation.of(q.chunk, (q.value or q.date).replace("; ", " … "), 0.0, mark))
    win = items[0]
    lead = f"{win.name}: {win.quote}"
    rest = [f"- {i.name}{f' ({i.date})' if i.date and i.date != i.quote else ''}: {i.quote} {i.marker}"
            for i in items[1:]]
    compared = ("\n\nCompared with:\n" if query.lang == "en" else "\n\n比較：\n") + "\n".join(rest) if rest else ""
    return Answer(f"**{lead}** {win.marker}{compared}", citations, False, "extractive", lead=lead, items=items)


def _total(query: Query, retrieval: "Retrieval", found: list[Qualified],
           marker: Callable[["Retrieval", Chunk], str], max_items: int) -> Answer:
    """Each figure the papers give, cited, and their sum, which is said to be a sum: the papers
    may count some things twice, and the reader sees every figure it adds up."""
    items, citations = [], []
    for q in sorted(found, key=lambda q: q.order)[:max_items]:
        mark = marker(retrieval, q.chunk)
        items.append(Item(_name(q.chunk), q.value, mark, q.date, q.value))
        citations.append(Citation.of(q.chunk, q.value.replace("; ", " … "), 0.0, mark))
    shown = f"{sum(_value(i.value) for i in items):g}"
    lead = f"{shown} in all, adding up the figures below" if query.lang == "en" else f"合共 {shown}（以下數字之和）"
    lines = [f"- {i.name}{f' ({i.date})' if i.date else ''}: {i.quote} {i.marker}" for i in items]
    return Answer(f"**{lead}**\n\n" + "\n".join(lines), citations, False, "extractive", lead=lead, items=items)


_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                     "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())}


def _value(text: str) -> float:
    """The figure a value gives ("65 items", "four agreements"), or the sum of several ("three …; four …")."""
    if "; " in text:
        return sum(_value(part) for part in text.split("; "))
    m = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    if m:
        return float(m.group(0).replace(",", ""))
    word = text.split()[0].lower() if text.split() else ""
    return float(_WORDS.get(word, 0))


def _sortable(when: str) -> str:
    """"21 March 2023" → "2023-03-21", for ordering."""
    year = re.search(r"(19|20)\d\d", when)
    if not year:
        return ""
    month = next((i + 1 for i, m in enumerate(MONTHS) if m in when), 0)
    day = re.match(r"(\d{1,2}) ", when)
    return f"{year.group(0)}-{month:02d}-{int(day.group(1)) if day else 0:02d}"


def _name(chunk: Chunk) -> str:
    """What an item is called: the heading it sits under, or its paper's title."""
    return chunk.heading_path[-1] if chunk.heading_path else chunk.title or chunk.doc_id


def _evidence(sentence: str, cond: Condition, acronyms: dict[str, list[str]], max_words: int) -> "Trimmed":
    """The clause that makes the item qualify."""
    from .answer import trim

    place = cond.inside or cond.outside
    found = None
    if cond.phrases:  # "the Chief Executive", or "the CE"
        found = _phrase_span(sentence, cond.phrases[0], acronyms)
    if found is not None:
        pass
    elif place:
        found = place_span(sentence)
    elif cond.year:
        m = DATE.search(sentence)
        found = m.span() if m else None
    if found is None and ROLE_WORDS.search(" ".join(cond.kind)):
        found = person_near(sentence, set(cond.kind))  # "Which mayors …": the mayor's name
    weights = {**{t: 0.5 for t in cond.kind}, **{t: 1.0 for g in cond.groups for t in g},
               **{t: 1.5 for p in cond.phrases for t in p}}
    return trim(sentence, found, weights, max_words=max_words)

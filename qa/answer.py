"""The default answerer: no LLM, so nothing is written that the paper does not say. It picks the
sentences that answer the question from the best paragraphs, quotes them verbatim, cites each, and
abstains when no paragraph supports the question well enough.

Support is measured per paragraph as how much of the question (weighted by rarity) the paragraph
contains, blended with the multilingual dense similarity that catches paraphrase. The threshold was
calibrated on the development questions (`qa eval`); see `Settings.abstain_threshold`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .config import Settings
from .embed import evidence_model
from .models import Answer, Chunk, Citation, Hit, Item
from .query import Query
from .retrieve import Retrieval
from .lexical import Lexical
from . import listing
from .asked import names_someone, person_near, role_held, span, which_span
from .parse import zh_number
from .text import STOPWORDS, addressed_to_ai, is_cjk, is_question, sentences, simplified, terms, zh_bigrams

_YEAR = re.compile(r"(19|20)\d\d")


def _value(found: str) -> str:
    """A stated figure, compared without case and spacing: "five offices" = "Five Offices"."""
    return " ".join(found.lower().split())

ABSTAIN = {
    "en": "The paper does not say. None of the indexed paragraphs answers this question.",
    "zh": "文件沒有提及這一點：已索引的段落都沒有回答這個問題。",
}
ABSTAIN_MANY = {
    "en": "The papers do not say. None of the paragraphs of the {n} papers searched answers this question.",
    "zh": "所搜尋的 {n} 份文件都沒有提及這一點：沒有段落回答這個問題。",
}


def abstention(query: Query, retrieval: Retrieval) -> str:
    """"The paper does not say" for one paper; for a library, how many papers were searched."""
    n = len(query.scope) or retrieval.lexical.papers
    return ABSTAIN[query.lang] if n <= 1 else ABSTAIN_MANY[query.lang].format(n=n)
QUOTE_NOTE_ZH = "文件以英文撰寫，以下引述原文："
QUOTE_NOTE_EN = "The paper is written in Chinese; quoted as written:"
# "Which meetings …", "What agreements …", "list …", "… and which …": the answer spans paragraphs
_LIST_QUESTION = re.compile(r"\b(which|what) \w+s\b|\b(list|all|each|every)\b|\band (which|what|when|who)\b|"
                            r"哪些|所有|各", re.I)


def is_list_question(question: str) -> bool:
    return bool(_LIST_QUESTION.search(question))


@dataclass
class Scored:
    hit: Hit
    start: int
    end: int
    score: float

    @property
    def text(self) -> str:
        return self.hit.chunk.text[self.start:self.end]


_ZH_ORDINAL = re.compile(r"第([〇零一二兩三四五六七八九十\d]{1,4})(?=[次屆届])")


def _same_ordinal(question: str, paragraph: str) -> float:
    """0 when the question asks about one sitting and the paragraph speaks of another: 第二十四次
    asked, 第二十三次 found. The English side is `names_covered` (numbers are names)."""
    asked = {zh_number(n.replace("兩", "二")) for n in _ZH_ORDINAL.findall(question)}
    found = {zh_number(n.replace("兩", "二")) for n in _ZH_ORDINAL.findall(paragraph)}
    return 0.0 if asked and found and not asked & found else 1.0


def _written(chunk: Chunk) -> str:
    """A Chinese paragraph with its headings and title, in simplified characters (as renderings are)."""
    return simplified(" ".join([chunk.text, *chunk.heading_path, chunk.title]))


def _names_said(query: Query, written: str) -> bool:
    """For an English question of a paper written in Chinese: whether the paragraph says every name
    and number the question gives (Guangdong → 广东, 2023-24) that the dictionary renders as a name."""
    named = set(query.names)
    return all(any(w in written for w in r.chinese) for r in query.renderings if r.proper and named & set(r.english)) \
        and all(d in written for d in re.findall(r"\d+", query.question))


def marker(retrieval: Retrieval, chunk: Chunk) -> str:
    """`[¶5]`, or `[2024-05-20 ¶5]` once more than one document is indexed."""
    label = retrieval.lexical.labels.get(chunk.doc_id)
    return f"[{label} {chunk.where}]" if label else f"[{chunk.where}]"


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def usable_support(self) -> float:
        """Below the abstention threshold but still worth drawing on, once the best paragraph clears it."""
        return self.settings.abstain_threshold * 0.75

    def _dense_part(self, hit: Hit) -> float:
        evidence = evidence_model(self.settings.embed_models)
        return evidence.of(hit.sims.get(evidence.model, 0.0)) if evidence else 0.0

    def support(self, query: Query, retrieval: Retrieval, hit: Hit) -> float:
        """How well one paragraph supports the question, in [0, 1]."""
        lex = retrieval.lexical
        if retrieval.period is not None and \
                retrieval.period.covers(hit.chunk.text, hit.chunk.date, " ".join(hit.chunk.heading_path)) is False:
            return 0.0  # a paragraph about another time cannot answer a question about this one
        # the paragraph is weighed against its own paper's words, not the library's: a paper's answer
        # to a question stays what it is however many unrelated papers join the library
        doc = hit.chunk.doc_id
        weights = dict(query.terms)
        total = sum(lex.weight_in(doc, t) * w for t, w in weights.items() if lex.known_in(doc, t)) or 0.0
        # a word of the question that the paper never uses at all ("GDP", 馬拉松) is strong evidence
        # that it does not answer it
        oov = sum(1.0 for g in query.groups if not any(lex.known_in(doc, t) for t in g))
        present = lex.terms_of(hit.unit)
        covered = sum(lex.weight_in(doc, t) * w for t, w in weights.items() if t in present)
        if query.lang == "zh" and is_cjk(hit.chunk.text):
            # a Chinese paragraph for a Chinese question: its own words are the evidence
            own = {t: w for t, w in weights.items() if is_cjk(t)}
            total = sum(lex.weight_in(doc, t) * w for t, w in own.items() if lex.known_in(doc, t)) or 1.0
            missing = sum(1 for word in query.zh_words if not all(lex.known_in(doc, b) for b in zh_bigrams(word)))
            coverage = sum(lex.weight_in(doc, t) * w for t, w in own.items() if t in present) / \
                (total + 2.0 * missing)
            dense_part = self._dense_part(hit)
            return (0.6 * coverage + 0.4 * dense_part) * _same_ordinal(query.question, hit.chunk.text)
        if query.lang == "en" and query.renderings and is_cjk(hit.chunk.text):
            # an English question, a paragraph written in Chinese: its words' Chinese renderings
            written = _written(hit.chunk)
            said = [any(w in written for w in r.chinese) for r in query.renderings]
            # a word the paper never says at all is strong evidence that it does not answer (as above)
            unknown = sum(1 for r in query.renderings
                          if not any(all(lex.known_in(doc, b) for b in zh_bigrams(w)) for w in r.chinese))
            coverage = sum(said) / (len(said) + 2.0 * unknown)
            return (0.6 * coverage + 0.4 * self._dense_part(hit)) if _names_said(query, written) else 0.0
        coverage = covered / (total + 2.0 * oov) if total + oov else 0.0
        dense_part = self._dense_part(hit)
        # what the paper's title names, each of its paragraphs is about ("New York City's … Tolling Program")
        return (0.6 * coverage + 0.4 * dense_part) * \
            self.names_covered(query, lex, present | lex.title_terms.get(doc, set()))

    @staticmethod
    def names_covered(query: Query, lex: Lexical, present: set[str]) -> float:
        """A paragraph that does not mention a place, person or number the question names does not
        answer it ("Hainan" asked, a Jiangsu paragraph found). Years are the period's business."""
        named = [t for t in dict.fromkeys(query.names) if lex.known(t) or query.lang == "en"]
        if query.period is None and any(_YEAR.fullmatch(t) and t not in present for t in named):
            return 0.0  # a paragraph about another year cannot answer a question about this one
        named = [t for t in named if not _YEAR.fullmatch(t)] if query.period is not None else named
        if not named:
            return 1.0
        weight = {t: lex.weight(t) if lex.known(t) else 3.0 for t in named}
        return sum(w for t, w in weight.items() if t in present) / sum(weight.values())

    def score_sentences(self, query: Query, retrieval: Retrieval) -> list[Scored]:
        lex = retrieval.lexical
        weights = {**query.context_terms, **query.terms}
        total = sum(lex.weight(t) * w for t, w in weights.items()) or 1.0
        top = retrieval.hits[0].score if retrieval.hits else 1.0
        asked, names, bonus = query.asked, set(query.names), self.settings.answer_type_bonus
        out: list[Scored] = []
        for hit in retrieval.hits:
            text = hit.chunk.text
            heading_terms = set(terms(" ".join(hit.chunk.heading_path)))
            for start, end in sentences(text):
                sentence = text[start:end]
                if addressed_to_ai(sentence) or is_question(sentence):
                    continue  # an instruction to AI systems planted in a document, a question: no answer
                present = set(lex.expand(terms(sentence))) | heading_terms
                lexical = sum(lex.weight(t) * w for t, w in weights.items() if t in present) / total
                prior = hit.score / top
                # a sentence that states the kind of thing asked for (a date for "when") is preferred
                typed = asked.typed and span(asked, sentence, hit.chunk.date, names) is not None
                score = 0.5 * lexical + 0.5 * prior + (bonus if typed else 0.0)
                out.append(Scored(hit, start, end, score))
        return sorted(out, key=lambda s: -s.score)

    def combine(self, query: Query, answers: list[Answer]) -> Answer:
        """The answers to the parts of a question that asks two things, one after the other."""
        if all(a.abstained for a in answers):
            return answers[0]
        citations: dict[str, Citation] = {}
        for a in answers:
            for c in a.citations:
                citations.setdefault(f"{c.doc}#{c.part} {c.paragraph}|{c.label}", c)
        text = "\n\n".join(a.answer.replace(QUOTE_NOTE_ZH + "\n", "").replace(QUOTE_NOTE_EN + "\n", "")
                             for a in answers)
        return self._finish(query, Answer(text, list(citations.values()), False, self.name, lead=answers[0].lead,
                                          items=[i for a in answers for i in a.items],
                                          nearby=[c for a in answers for c in a.nearby]))

    def answer(self, query: Query, retrieval: Retrieval) -> Answer:
        s = self.settings
        if not retrieval.hits:
            return Answer(abstention(query, retrieval), [], True, self.name)
        asked = query.asked
        if asked.listing or asked.extreme:
            # every qualifying paragraph is checked against the condition itself, so a list does not
            # depend on how well any one paragraph matches the whole question
            listed = listing.answer(query, retrieval, s.list_max_items, s.list_item_words)
            if listed is not None:
                return self._finish(query, listed)
        supports = {h.unit: self.support(query, retrieval, h) for h in retrieval.hits}
        if max(supports.values()) < s.abstain_threshold:
            return Answer(abstention(query, retrieval), [], True, self.name)
        ranked = [r for r in self.score_sentences(query, retrieval) if supports[r.hit.unit] >= self.usable_support]
        if not ranked:
            return Answer(abstention(query, retrieval), [], True, self.name)
        if not asked.typed:
            best = ranked[0]
            # "Which areas did the 20 agreements cover?": lead with the areas, which the question's
            # own words would otherwise trim away, from the best sentence that names them
            for r in ranked[:5] if asked.listing else []:
                found = which_span(asked.listing, r.text)
                if r.score >= 0.8 * best.score and found is not None and found[1] - found[0] < 0.9 * len(r.text):
                    return self._finish(query, self.quote(query, retrieval, r, found))
            # a second sentence of the same paragraph, when it answers about as well
            second = next((r for r in ranked[1:3] if r.hit.unit == best.hit.unit and r.score >= 0.85 * best.score), None)
            return self._finish(query, self.quote(query, retrieval, best, None, second))
        stated = [(r, sp) for r in ranked if (sp := self.states(query, retrieval, r)) is not None]
        if not stated:
            return near_miss(query, retrieval, supports, self.usable_support)
        if asked.kind == "person":  # a sentence naming a person or an office before one naming a body
            stated = [(r, sp) for r, sp in stated if names_someone(r.text[sp[0]:sp[1]])] or stated
        best, found = stated[0]
        dated = self.other_papers(query, retrieval, stated, supports)
        if dated:
            return self._finish(query, self.newest_first(query, retrieval, [(best, found), *dated]))
        return self._finish(query, self.quote(query, retrieval, best, found))

    def other_papers(self, query: Query, retrieval: Retrieval, stated: list[tuple[Scored, tuple[int, int]]],
                     supports: dict[str, float]) -> list[tuple[Scored, tuple[int, int]]]:
        """Other papers, of other dates, that state a different figure for the same thing about as
        well as the best sentence does: the reader must see both, newest first."""
        best, found = stated[0]
        lex = retrieval.lexical
        paper = lambda doc: min(lex.editions[doc].values()) if doc in lex.editions else doc  # noqa: E731
        seen = {paper(best.hit.chunk.doc_id)}
        values = {_value(best.text[found[0]:found[1]])}
        out = []
        for scored, sp in stated[1:]:
            chunk = scored.hit.chunk
            value = _value(scored.text[sp[0]:sp[1]])
            if paper(chunk.doc_id) in seen or value in values or not chunk.date or not best.hit.chunk.date \
                    or chunk.date == best.hit.chunk.date or supports[scored.hit.unit] < self.settings.abstain_threshold \
                    or scored.score < self.settings.conflict_score * best.score:
                continue
            seen.add(paper(chunk.doc_id))
            values.add(value)
            out.append((scored, sp))
        return out[:2]

    def newest_first(self, query: Query, retrieval: Retrieval,
                     stated: list[tuple[Scored, tuple[int, int]]]) -> Answer:
        """Papers of different dates that give different figures: each with its date, newest first."""
        ordered = sorted(stated, key=lambda pair: pair[0].hit.chunk.date, reverse=True)
        quoted = [self.quote(query, retrieval, scored, found) for scored, found in ordered]
        items = [Item(scored.hit.chunk.title or scored.hit.chunk.doc_id, a.citations[0].quote, a.citations[0].marker,
                      scored.hit.chunk.date, a.lead) for (scored, _), a in zip(ordered, quoted)]
        newest = items[0]
        zh = query.lang == "zh"
        head = (f"**{newest.value}** {newest.marker}（{newest.date}）" if zh else
                f"**{newest.value}** {newest.marker} ({newest.date}, the newest paper)")
        first_quote = quoted[0].answer.split("\n\n", 1)[-1]
        earlier = "\n".join(f"- {i.date}: **{i.value}** {i.marker}: {q.answer.split(chr(10) * 2, 1)[-1]}"
                             for i, q in zip(items[1:], quoted[1:]))
        what = {"date": ("日期", "date"), "person": ("人名", "name"), "place": ("地點", "place")}.get(
            query.asked.kind, ("數字", "figure"))
        note = f"較早的文件有不同{what[0]}：" if zh else f"Earlier papers give a different {what[1]}:"
        return Answer(f"{head}\n\n{first_quote}\n\n{note}\n{earlier}", [c for a in quoted for c in a.citations],
                      False, self.name, lead=newest.value, items=items)

    def states(self, query: Query, retrieval: Retrieval, scored: Scored) -> tuple[int, int] | None:
        """Where the sentence gives the kind of thing asked for, about the thing the question names."""
        asked = query.asked
        chunk = scored.hit.chunk
        found = span(asked, scored.text, chunk.date, set(query.names))
        if found is None:
            return None
        if asked.kind == "person" and asked.role:
            if not role_held(query.gloss or query.question, scored.text):
                return None  # the Executive Vice Governor is not the Governor
            found = person_near(scored.text, set(terms(query.gloss or query.question))) or found
        # what the question names must be in this sentence, the one before it, the paragraph's first
        # sentence or its headings: "11 Liaison Units" does not say how many there are in Guangdong
        text = chunk.text
        spans = sentences(text) or [(0, len(text))]
        before = max((a for a, b in spans if b <= scored.start), default=scored.start)
        context = set(terms(" ".join([text[before:scored.end], text[spans[0][0]:spans[0][1]],
                                      *chunk.heading_path, chunk.title])))
        if is_cjk(text):  # a Chinese paper names things as a Chinese question does, or as the dictionary renders them
            written = simplified("".join([text[before:scored.end], text[spans[0][0]:spans[0][1]],
                                          *chunk.heading_path, chunk.title]))
            if query.lang == "zh":
                return found if all(simplified(w) in written for w in query.zh_names) else None
            return found if _names_said(query, written) else None
        named = [t for t in query.names if not _YEAR.fullmatch(t)]
        context = set(retrieval.lexical.expand(list(context)))  # "the CE" names the Chief Executive
        if named and not all(t in context for t in named):
            return None
        return found

    def quote(self, query: Query, retrieval: Retrieval, best: Scored, found: tuple[int, int] | None,
              second: Scored | None = None) -> Answer:
        """The answer itself first (the span that answers, when the question asks for a kind of thing),
        then the clause of the sentence that says it, cut with an ellipsis, never reworded."""
        chunk = best.hit.chunk
        mark = marker(retrieval, chunk)
        weights = {**query.context_terms, **query.terms}
        trimmed = trim(best.text, found, {t: w * retrieval.lexical.weight(t) for t, w in weights.items()})
        quote = trimmed.text
        citation = Citation.of(chunk, trimmed.words, best.hit.score, mark)
        if found is None:
            if second is not None:
                more = trim(second.text, None, {t: w * retrieval.lexical.weight(t) for t, w in weights.items()})
                first, then = (trimmed, more) if best.start < second.start else (more, trimmed)
                citation.quote = f"{first.words} … {then.words}"
                return Answer(f"{first.text} {then.text} {mark}", [citation], False, self.name, lead=quote)
            return Answer(f"{quote} {mark}", [citation], False, self.name, lead=quote)
        lead = best.text[found[0]:found[1]]
        return Answer(f"**{lead}** {mark}\n\n{quote} {mark}", [citation], False, self.name, lead=lead)

    @staticmethod
    def _finish(query: Query, answer: Answer) -> Answer:
        if query.lang == "zh" and not is_cjk(answer.answer):
            answer.answer = f"{QUOTE_NOTE_ZH}\n{answer.answer}"
        elif query.lang == "en" and answer.citations and is_cjk(answer.answer):
            answer.answer = f"{QUOTE_NOTE_EN}\n{answer.answer}"
        return answer


# where a clause may end: a semicolon or colon, a dash, or a comma before a word that starts a new
# clause (not a comma between list items: "education, investment promotion and equine sports")
_CLAUSE = re.compile(r"[;:]\s+|\s+[—–]\s+|,\s+(?=(?:and|but|which|who|whom|whose|while|whereas|with|in|at|on|by|"
                     r"for|to|as|from|covering|including|namely|such|thereby|through|under|leading|led|the|a|an|"
                     r"it|they|this|these|both|Mr|Ms|Mrs|Dr)\b)")
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’)]*$")


@dataclass
class Trimmed:
    text: str  # as shown, with "…" where words were left out
    words: str  # verbatim from the paper


def trim(sentence: str, found: tuple[int, int] | None, weights: dict[str, float], max_words: int = 0) -> Trimmed:
    """The clauses of a sentence that carry the answer and the question's words: the shortest run
    that keeps the answer span and most of the weight, with "…" where words were left out."""
    cuts = [0] + [m.end() for m in _CLAUSE.finditer(sentence)] + [len(sentence)]
    clauses: list[tuple[int, int]] = []
    for a, b in zip(cuts, cuts[1:]):
        if b <= a:
            continue
        if clauses and len(sentence[a:b].split()) < 5:  # a list item or a name: part of its clause
            clauses[-1] = (clauses[-1][0], b)
        else:
            clauses.append((a, b))
    if len(clauses) <= 1:
        return Trimmed(sentence, sentence)
    clause_terms = [set(terms(sentence[a:b].replace("-", " "))) | set(terms(sentence[a:b])) for a, b in clauses]
    offered = set().union(*clause_terms)
    total = sum(w for t, w in weights.items() if t in offered) or 1.0  # of what this sentence can give
    best: tuple[float, int, int] | None = None
    for i in range(len(clauses)):
        for j in range(i, len(clauses)):
            a, b = clauses[i][0], clauses[j][1]
            if found is not None and not (a <= found[0] and found[1] <= b):
                continue
            if found is None and len(sentence[a:b].split()) < min(8, len(sentence.split())):
                continue  # a quote that stands for the whole answer must say something
            present = set().union(*clause_terms[i:j + 1])
            covered = sum(w for t, w in weights.items() if t in present) / total
            words = len(sentence[a:b].split())
            score = covered - 0.012 * max(0, words - 12)
            if best is None or score > best[0]:
                best = (score, a, b)
    assert best is not None
    _, a, b = best
    if max_words and len(sentence[a:b].split()) > max_words:
        a, b = _window(sentence, a, b, found, weights, max_words)
    words = sentence[a:b].strip().rstrip(",;:—– ")
    text = ("…" if a > 0 else "") + words
    if b < len(sentence) and not _SENTENCE_END.search(text):
        text += "…"
    return Trimmed(text, words)


def _window(sentence: str, a: int, b: int, found: tuple[int, int] | None, weights: dict[str, float],
            max_words: int) -> tuple[int, int]:
    """At most `max_words` words of sentence[a:b], around the answer span or the weightiest words."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", sentence) if a <= m.start() < b]
    if found is not None:
        centre = next((i for i, (s, e) in enumerate(words) if e > found[0]), 0)
        start = max(0, min(centre - max_words // 3, len(words) - max_words))
    else:  # the window that carries the most of the weight: each word it must show, if it can
        scores = [sum(weights.get(t, 0.0) for t in set(terms(sentence[s:e]))) for s, e in words]
        start = max(range(max(1, len(words) - max_words + 1)), key=lambda i: sum(scores[i:i + max_words]))
    return words[start][0], words[min(len(words), start + max_words) - 1][1]


_DETAIL = {
    "count": ("does not say how many {word}", "數目"),
    "money": ("gives no {word} for it", "金額"),
    "date": ("does not say when", "日期"),
    "duration": ("does not say how long", "時間長短"),
    "frequency": ("does not say how often", "頻率"),
    "time": ("does not say at what time", "時間"),
    "entity": ("does not name the {word}", "名稱"),
    "person": ("does not say who", "人名"),
    "place": ("does not say where", "地點"),
    "quantity": ("gives no figure for {word}", "數字"),
    "share": ("does not say {word} it is", "比例"),
    "title": ("does not give its {word}", "名稱"),
}
_PLAIN_MONEY = {"money", "invest", "invested", "spend", "spent", "pay", "paid"}


def near_miss(query: Query, retrieval: Retrieval, supports: dict[str, float], usable: float) -> Answer:
    """The papers speak of the subject but do not state the detail asked for: say so, and point at
    what they do say. An abstention, with the paragraphs in `nearby`."""
    hits = sorted((h for h in retrieval.hits if supports[h.unit] >= usable), key=lambda h: -supports[h.unit])[:3]
    return not_stated(query, retrieval, [h.chunk for h in hits])


def not_stated(query: Query, retrieval: Retrieval, chunks: list[Chunk]) -> Answer:
    """"The paper mentions X [¶5] but does not say how many Y": an abstention that points at the
    paragraphs about the subject (`nearby`), for the extractive and the generative answerer alike."""
    asked = query.asked
    many = (len(query.scope) or retrieval.lexical.papers) > 1
    markers = " ".join(dict.fromkeys(marker(retrieval, c) for c in chunks))
    nearby = [Citation.of(c, "", 0.0, marker(retrieval, c)) for c in chunks]
    if not chunks:
        return Answer(abstention(query, retrieval), [], True, "extractive")
    en, zh = _DETAIL.get(asked.kind, ("does not answer the question", "答案"))
    if query.lang == "zh":
        text = f"{'這些文件' if many else '文件'}有相關段落 {markers}，但沒有說明{zh}。"
    else:
        word = asked.word or {"count": "", "money": "amount", "entity": "one", "title": "title"}.get(asked.kind, "it")
        if asked.kind == "money" and word in _PLAIN_MONEY:
            en = "does not say how much money"
        if asked.future:
            en = {"date": "gives no date for the next one", "person": "does not say who will",
                  "place": "does not say where it will be"}.get(asked.kind, en + " for the future")
        detail = " ".join(en.format(word=word).split())
        if many:  # the papers do not say (the verb agrees)
            detail = re.sub(r"^(does|gives)\b", lambda m: {"does": "do", "gives": "give"}[m.group(1)], detail)
        lex = retrieval.lexical
        subject = subject_of(query.question, chunks[0].text, lambda t: lex.share(t) > 1 / 3)
        papers = "The papers mention" if many else "The paper mentions"
        text = (f"{papers} {subject} {markers} but {detail}." if subject else
                f"{'The papers have' if many else 'The paper has'} related paragraphs {markers} but {detail}.")
    return Answer(text, [], True, "extractive", nearby=nearby)


def subject_of(question: str, paragraph: str, common: Callable[[str], bool] = lambda t: False) -> str:
    """The longest run of the question's words that the paragraph also uses, as the paragraph
    writes it ("the Northern Metropolis development"); not a word every paper uses ("Hong")."""
    words = re.findall(r"[\w/'’-]+", question)
    low = paragraph.lower()
    for size in range(min(6, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            run = words[i:i + size]
            while run and run[0].lower() in STOPWORDS:
                run = run[1:]
            while run and run[-1].lower() in STOPWORDS:
                run = run[:-1]
            if not run or not [t for w in run for t in terms(w) if not common(t)]:
                continue
            m = re.search(r"(?<![\w])" + r"\W+".join(re.escape(w) for w in run) + r"(?![\w])", paragraph, re.I)
            if m and (len(run) > 1 or run[0][:1].isupper()):
                lead = "the " if low[max(0, m.start() - 4):m.start()] == "the " else ""
                return lead + paragraph[m.start():m.end()]
    return ""

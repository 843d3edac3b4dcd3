"""The default answerer: no language model, so nothing is written that the papers do not say.

The path is candidates → judge → compose. Retrieval gives the candidate paragraphs; the trained
judge (qa/judge.py) says how likely each is to state what the question asks, which of its
sentences says it, and whether the papers answer the question at all; composing quotes the
sentences verbatim, each with its citation: one sentence, a list of every paragraph the judge
accepts, the newest of several papers' figures first, or, when the papers speak of the subject but
do not answer, a near miss that points at them and says, in the question's words, what they do
not say. The question's wording decides only the answer's shape (a list, a lead), never whether
it is answered.
"""

from __future__ import annotations

import re

from .abstain import abstention, not_stated, papers_searched, unanswered_part
from .asked import span
from .cite import marker
from .config import Settings
from .details import figures
from .gloss import glossed
from .judge import Judge, Judged, Sentence
from .lexical import Lexical
from .models import Answer, Chunk, Citation, Item
from .query import Query
from .quote import trim
from .retrieve import Retrieval
from .text import AUXILIARIES, is_cjk, sentences, terms, zh_bigrams

QUOTE_NOTE_ZH = "文件以英文撰寫，以下引述原文："
QUOTE_NOTE_EN = "The paper is written in Chinese; quoted as written:"
ENGLISH_TEXT_ZH = "英文本："
# "Which meetings …", "What measures …", "List …", "哪些", "列出": the answer may span paragraphs
_AUXILIARY = rf"(?:{'|'.join(sorted(AUXILIARIES))})\b"
_LIST_QUESTION = re.compile(rf"\b(?:which|what)(?: of)? (?!{_AUXILIARY})(?:[\w/'’-]+ ){{0,5}}?(?!{_AUXILIARY})[\w-]{{3,}}s\b|"
                            r"\b(?:list|name all|name the|what are the|enumerate|give me (?:the|all|a list))\b|"
                            r"\brespectively\b|哪些|列出|有哪|邊啲|哪幾|邊幾|那些|分別|各自", re.I)


def is_list_question(question: str) -> bool:
    return bool(_LIST_QUESTION.search(question))


def names_nothing_known(query: Query, lex: Lexical) -> bool:
    """An English question none of whose words any paper uses, in English or in a Chinese paper's
    words ("x", "hi", or a subject no paper touches): there is no evidence to weigh, and the
    paragraph closest in meaning would be a guess. (A Chinese question's words may reach English
    papers through the multilingual model alone, so it is never held to this.)"""
    if query.lang != "en":
        return False
    if any(lex.known(t) for t in {**query.context_terms, **query.terms}):
        return False
    return not any(lex.known(t) for r in query.renderings for w in r.chinese for t in zh_bigrams(w))


def _value(found: str) -> str:
    """A stated figure, compared without case and spacing: "five offices" = "Five Offices"."""
    return " ".join(found.lower().split())


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.judge = Judge(settings.embed_models)

    # -- deciding -----------------------------------------------------------------------------
    def judged(self, query: Query, retrieval: Retrieval) -> tuple[list[Judged], float]:
        """The candidates, most likely first, and the probability that they answer at all."""
        judged = self.judge.judge(query, retrieval)
        return judged, self.judge.gate(query, retrieval, judged)

    def near(self, judged: list[Judged]) -> list[Judged]:
        """The paragraphs about the question's subject, for a near miss: likely enough, in a paper
        that says all but one of the names and figures the question gives (the one it asks about
        that the paper does not: "the PPRD Joint Conference" of a question about one in Kunming)."""
        floor = self.judge.thresholds.near
        return [j for j in judged if j.about >= floor and j.features.get("missing_in_paper", 0.0) <= 1 / 3][:3]

    def answer(self, query: Query, retrieval: Retrieval) -> Answer:
        if names_nothing_known(query, retrieval.lexical):
            return Answer(abstention(query, retrieval), [], True, self.name)
        judged, answers = self.judged(query, retrieval)
        if not judged:
            return Answer(abstention(query, retrieval), [], True, self.name)
        t = self.judge.thresholds
        if answers < t.answer:
            near = self.near(judged) if answers >= t.point else []
            return not_stated(query, retrieval, [j.hit.chunk for j in near])
        if is_list_question(query.question):
            items = self.judge.beside(judged, t.listed, t.beside)[: self.settings.list_max_items] or judged[:1]
            if len(items) > 1:
                return self._finish(query, self.listed(query, retrieval, items))
        best = judged[0]
        others = self.other_papers(query, judged)
        if others:
            return self._finish(query, self.newest_first(query, retrieval, [best, *others]))
        return self._finish(query, self.quote(query, retrieval, best))

    def combine(self, query: Query, retrieval: Retrieval, parts: list[tuple[Query, Answer]]) -> Answer:
        """The answers to the asks of a question that asks two things, one after the other; an ask
        the papers do not answer is said to be unanswered, in its own words."""
        if all(a.abstained for _, a in parts):
            return parts[0][1]
        many = papers_searched(query, retrieval) > 1
        citations: dict[str, Citation] = {}
        texts: list[str] = []
        for ask, a in parts:
            if a.abstained:
                texts.append(unanswered_part(ask, many))
                continue
            for c in a.citations:
                citations.setdefault(c.unit, c)
            text = a.answer.replace(QUOTE_NOTE_ZH + "\n", "").replace(QUOTE_NOTE_EN + "\n", "")
            # the same words quoted for both asks: the second gives its own lead, and the quote once
            texts += [piece for piece in text.split("\n\n") if piece not in texts]
        answered = [a for _, a in parts if not a.abstained]
        return self._finish(query, Answer("\n\n".join(dict.fromkeys(texts)), list(citations.values()), False, self.name,
                                          lead=answered[0].lead, items=[i for a in answered for i in a.items]))

    # -- composing ----------------------------------------------------------------------------
    def lead_of(self, query: Query, judged: Judged, sentence: Sentence) -> tuple[int, int] | None:
        """Where the sentence gives the kind of thing the question asks for (a date for "when"), to
        lead the answer; None when the question asks for no particular kind or it is not found."""
        if not query.asked.typed:
            return None
        text = judged.text[sentence.start:sentence.end]
        return span(query.asked, text, judged.hit.chunk.date, frozenset(query.names) or frozenset(query.terms))

    def quote(self, query: Query, retrieval: Retrieval, judged: Judged) -> Answer:
        """The sentence that says it, cut to the clauses that carry the answer (never reworded), led
        by the answer itself when the question asks for a kind of thing; with the paragraph's second
        most likely sentence when both fit in `quote_max_words` (quoted as one run when they stand
        together, else with "…" between): out of fold the judge's best sentence holds the answer
        words 0.80 of the time, its best two 0.94."""
        chunk, lex, text = judged.hit.chunk, retrieval.lexical, judged.text
        mark = marker(lex, chunk)
        best = judged.best()
        found = self.lead_of(query, judged, best)
        length = lambda s: len(text[s.start:s.end].split())  # noqa: E731
        second = next((s for s in judged.sentences[1:2] if length(best) + length(s) <= self.settings.quote_max_words),
                      None)
        runs = sorted([(best.start, best.end)] + ([(second.start, second.end)] if second else []))
        if len(runs) == 2 and not text[runs[0][1]:runs[1][0]].strip():
            runs = [(runs[0][0], runs[1][1])]  # neighbours: one run of the paper's own text
        weights = {t: w * lex.weight(t) for t, w in {**query.context_terms, **query.terms}.items()}
        pieces = []
        for a, b in runs:
            local = (found[0] + best.start - a, found[1] + best.start - a) if found and a <= best.start < b else None
            pieces.append(trim(text[a:b], local, weights, self.settings.quote_max_words,
                               self.settings.quote_word_cost, self.settings.quote_new_weight))
        citation = Citation.of(chunk, " … ".join(p.words for p in pieces), judged.p, mark)
        shown = " ".join(p.text for p in pieces)
        citations, original = [citation], ""
        if (english := self.english_text(query, lex, chunk, [p.words for p in pieces], weights, judged.p)) is not None:
            citations.append(english[0])
            original = f"\n\n{ENGLISH_TEXT_ZH}{english[1]} {english[0].marker}"
        if found is None:
            return Answer(f"{shown} {mark}{original}", citations, False, self.name, lead=pieces[0].words)
        lead = text[best.start + found[0]:best.start + found[1]]
        return Answer(f"**{lead}** {mark}\n\n{shown} {mark}{original}", citations, False, self.name, lead=lead)

    def english_text(self, query: Query, lex: Lexical, chunk: Chunk, quoted: list[str], weights: dict[str, float],
                     p: float) -> tuple[Citation, str] | None:
        """For a Chinese question answered from the Chinese version of a paper also indexed in
        English, the English of what is quoted: for each quoted sentence, the same paragraph's
        English sentence whose words its dictionary gloss and figures say most of. A reader checks
        the wording against the original, and may quote either."""
        if query.lang != "zh" or not is_cjk(chunk.text) or (other := lex.counterpart(chunk, "en")) is None \
                or not other.text.strip():
            return None
        text = other.text
        spans = sentences(text) or [(0, len(text))]

        english = {sp: (set(terms(text[sp[0]:sp[1]])), figures(text[sp[0]:sp[1]])) for sp in spans}  # read once
        pieces = [q[a:b] for q in quoted for a, b in sentences(q) or [(0, len(q))]]
        chosen = sorted({max(spans, key=lambda sp: len(glossed(q) & english[sp][0]) + 2 * len(figures(q) & english[sp][1]))
                         for q in pieces})
        cut = [trim(text[a:b], None, weights, self.settings.quote_max_words) for a, b in chosen]
        return Citation.of(other, " … ".join(c.words for c in cut), p, marker(lex, other)), " ".join(c.text for c in cut)

    def listed(self, query: Query, retrieval: Retrieval, items: list[Judged]) -> Answer:
        """Every paragraph the judge accepts, most likely first (a question read as a list may have
        one answer), each named, with the words that answer and its citation. An item is named by
        its paper when the list spans papers, else by its heading when the headings tell the items
        apart ("Hong Kong/Chongqing Co-operation Conference")."""
        lex = retrieval.lexical
        weights = {t: w * lex.weight(t) for t, w in query.terms.items()}
        papers = len({j.hit.chunk.doc_id for j in items}) > 1
        headings = [j.hit.chunk.heading_path[-1] if j.hit.chunk.heading_path else "" for j in items]
        by_heading = not papers and all(headings) and len(set(headings)) > 1
        entries, citations, lines = [], [], []
        for j, heading in zip(items, headings):
            chunk, s = j.hit.chunk, j.best()
            mark = marker(lex, chunk)
            # kept around the thing of the kind asked for, when the sentence gives one (the item itself)
            cut = trim(j.text[s.start:s.end], self.lead_of(query, j, s), weights, self.settings.list_item_words,
                       self.settings.quote_word_cost, self.settings.quote_new_weight)
            name = (chunk.title or chunk.doc_id) if papers else heading if by_heading else ""
            entries.append(Item(name or chunk.title or chunk.doc_id, cut.words, mark, chunk.date))
            citations.append(Citation.of(chunk, cut.words, j.p, mark))
            lines.append(f"- **{name}**: {cut.text} {mark}" if name else f"- {cut.text} {mark}")
        return Answer("\n".join(lines), citations, False, self.name, items=entries)

    def other_papers(self, query: Query, judged: list[Judged]) -> list[Judged]:
        """Other papers, of other dates, that the judge finds state the same kind of thing about as
        well, with a different figure: the reader must see both, newest first."""
        best = judged[0]
        found = self.lead_of(query, best, best.best())
        if found is None or not best.hit.chunk.date or query.period is not None or query.focus:
            return []  # a question about one time, or a follow-up, is answered from its own paper
        values = {_value(best.text[best.best().start:best.best().end][found[0]:found[1]])}
        seen = {best.hit.chunk.doc_id}
        out = []
        for j in judged[1:]:
            chunk = j.hit.chunk
            if chunk.doc_id in seen or not chunk.date or chunk.date == best.hit.chunk.date \
                    or j.p < self.settings.conflict_score * best.p:
                continue
            other = self.lead_of(query, j, j.best())
            if other is None:
                continue
            value = _value(j.text[j.best().start:j.best().end][other[0]:other[1]])
            if value in values:
                continue
            seen.add(chunk.doc_id)
            values.add(value)
            out.append(j)
        return out[:2]

    def newest_first(self, query: Query, retrieval: Retrieval, judged: list[Judged]) -> Answer:
        """Papers of different dates that give different figures: each with its date, newest first."""
        ordered = sorted(judged, key=lambda j: j.hit.chunk.date, reverse=True)
        quoted = [self.quote(query, retrieval, j) for j in ordered]
        items = [Item(j.hit.chunk.title or j.hit.chunk.doc_id, a.citations[0].quote, a.citations[0].marker,
                      j.hit.chunk.date, a.lead) for j, a in zip(ordered, quoted)]
        newest = items[0]
        zh = query.lang == "zh"
        head = (f"**{newest.value}** {newest.marker}（{newest.date}）" if zh else
                f"**{newest.value}** {newest.marker} ({newest.date}, the newest paper)")
        first_quote = quoted[0].answer.split("\n\n", 1)[-1]
        earlier = "\n".join(f"- {i.date}: **{i.value}** {i.marker}: {q.answer.split(chr(10) * 2, 1)[-1]}"
                            for i, q in zip(items[1:], quoted[1:]))
        note = "較早的文件有不同說法：" if zh else "Earlier papers say otherwise:"
        return Answer(f"{head}\n\n{first_quote}\n\n{note}\n{earlier}", [c for a in quoted for c in a.citations],
                      False, self.name, lead=newest.value, items=items)

    @staticmethod
    def _finish(query: Query, answer: Answer) -> Answer:
        if query.lang == "zh" and not is_cjk(answer.answer):
            answer.answer = f"{QUOTE_NOTE_ZH}\n{answer.answer}"
        elif query.lang == "en" and answer.citations and is_cjk(answer.answer):
            answer.answer = f"{QUOTE_NOTE_EN}\n{answer.answer}"
        return answer

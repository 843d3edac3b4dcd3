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

from .config import Settings
from .models import Answer, Chunk, Citation, Hit
from .query import Query
from .retrieve import Retrieval
from .store import Lexical
from .text import addressed_to_ai, is_cjk, sentences, terms

_DATE = re.compile(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|"
                   r"November|December)\b|\b(19|20)\d\d\b")
_NUMBER = re.compile(r"\b\d+\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"fifteen|twenty)\b", re.I)
_PERSON = re.compile(r"\b(Mr|Ms|Mrs|Dr|President)\b|\b(Chief Executive|Chief Secretary|Mayor|Governor|CE|CS)\b")
_YEAR = re.compile(r"(19|20)\d\d")
_PLACE = re.compile(r"\b(in|at) (Hong Kong|[A-Z][a-z]+)")

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
    n = len(query.scope) or retrieval.lexical.documents
    return ABSTAIN[query.lang] if n <= 1 else ABSTAIN_MANY[query.lang].format(n=n)
QUOTE_NOTE_ZH = "文件以英文撰寫，以下引述原文："
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


def marker(retrieval: Retrieval, chunk: Chunk) -> str:
    """`[¶5]`, or `[2024-05-20 ¶5]` once more than one document is indexed."""
    label = retrieval.lexical.labels.get(chunk.doc_id)
    return f"[{label} {chunk.where}]" if label else f"[{chunk.where}]"


def _answer_type_bonus(question: str, sentence: str) -> float:
    """Prefer sentences that contain the kind of thing asked for."""
    q = question.lower()
    checks = [
        (("when", "date", "what day", "哪一天", "何時", "日期", "什麼時候"), _DATE),
        (("how many", "how much", "number of", "多少", "幾"), _NUMBER),
        (("who", "whom", "誰", "谁"), _PERSON),
        (("where", "哪裡", "哪里", "在哪"), _PLACE),
    ]
    return sum(0.15 for keys, pattern in checks if any(k in q for k in keys) and pattern.search(sentence))


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def usable_support(self) -> float:
        """Below the abstention threshold but still worth drawing on, once the best paragraph clears it."""
        return self.settings.abstain_threshold * 0.75

    def support(self, query: Query, retrieval: Retrieval, hit: Hit) -> float:
        """How well one paragraph supports the question, in [0, 1]."""
        lex = retrieval.lexical
        weights = dict(query.terms)
        total = sum(lex.idf(t) * w for t, w in weights.items() if lex.df.get(t)) or 0.0
        # a word of the question that the papers never use at all ("GDP", 馬拉松) is strong evidence
        # that they do not answer it
        oov = sum(1.0 for g in query.groups if not any(lex.df.get(t) for t in g))
        present = lex.unit_terms[lex.position[hit.unit]]
        covered = sum(lex.idf(t) * w for t, w in weights.items() if t in present)
        if query.lang == "zh" and is_cjk(hit.chunk.text):
            # a Chinese paragraph for a Chinese question: its own words are the evidence
            own = {t: w for t, w in weights.items() if is_cjk(t)}
            total = sum(lex.idf(t) * w for t, w in own.items() if lex.df.get(t)) or 1.0
            # a word of the question that no paper contains (馬拉松) is evidence they do not answer it
            missing = sum(1 for word in query.zh_words if not all(b in lex.df for b in terms(word)))
            coverage = sum(lex.idf(t) * w for t, w in own.items() if t in present) / (total + 2.0 * missing)
            dense_part = max(0.0, min(1.0, (hit.sims.get("e5-small", 0.0) - 0.80) / 0.12))
            return 0.6 * coverage + 0.4 * dense_part
        coverage = covered / (total + 2.0 * oov) if total + oov else 0.0
        dense = hit.sims.get("e5-small", 0.0)
        dense_part = max(0.0, min(1.0, (dense - 0.80) / 0.12))
        return (0.6 * coverage + 0.4 * dense_part) * self.names_covered(query, lex, present)

    @staticmethod
    def names_covered(query: Query, lex: Lexical, present: set[str]) -> float:
        """A paragraph that does not mention a place, person or number the question names does not
        answer it ("Hainan" asked, a Jiangsu paragraph found)."""
        named = [t for t in dict.fromkeys(query.names) if lex.df.get(t) or query.lang == "en"]
        if any(_YEAR.fullmatch(t) and t not in present for t in named):
            return 0.0  # a paragraph about another year cannot answer a question about this one
        if not named:
            return 1.0
        weight = {t: lex.idf(t) if lex.df.get(t) else 3.0 for t in named}
        return sum(w for t, w in weight.items() if t in present) / sum(weight.values())

    def score_sentences(self, query: Query, retrieval: Retrieval) -> list[Scored]:
        lex = retrieval.lexical
        weights = {**query.context_terms, **query.terms}
        total = sum(lex.idf(t) * w for t, w in weights.items()) or 1.0
        top = retrieval.hits[0].score if retrieval.hits else 1.0
        question = query.question + " " + query.gloss
        out: list[Scored] = []
        for hit in retrieval.hits:
            text = hit.chunk.text
            heading_terms = set(terms(" ".join(hit.chunk.heading_path)))
            for start, end in sentences(text):
                sentence = text[start:end]
                if addressed_to_ai(sentence):
                    continue  # an instruction to AI systems planted in a document answers nothing
                present = set(lex.expand(terms(sentence))) | heading_terms
                lexical = sum(lex.idf(t) * w for t, w in weights.items() if t in present) / total
                prior = hit.score / top
                score = 0.5 * lexical + 0.5 * prior + _answer_type_bonus(question, sentence)
                out.append(Scored(hit, start, end, score))
        return sorted(out, key=lambda s: -s.score)

    def answer(self, query: Query, retrieval: Retrieval) -> Answer:
        s = self.settings
        lang = query.lang
        if not retrieval.hits:
            return Answer(abstention(query, retrieval), [], True, self.name)
        supports = {h.unit: self.support(query, retrieval, h) for h in retrieval.hits}
        best_support = max(supports.values())
        if best_support < s.abstain_threshold:
            return Answer(abstention(query, retrieval), [], True, self.name)

        ranked = self.score_sentences(query, retrieval)
        ranked = [r for r in ranked if supports[r.hit.unit] >= self.usable_support]
        if not ranked:
            return Answer(abstention(query, retrieval), [], True, self.name)
        chosen = [ranked[0]]
        listing = is_list_question(query.question)
        limit, floor = (s.max_answer_sentences + 2, 0.6) if listing else (s.max_answer_sentences, 0.8)
        for cand in ranked[1:]:
            if len(chosen) >= limit or cand.score < floor * chosen[0].score:
                break
            if listing and cand.score < 0.9 * chosen[0].score and any(c.hit.unit == cand.hit.unit for c in chosen):
                continue  # breadth across paragraphs is the point of a list question
            chosen.append(cand)
        # read in document order within the answer, best paragraph first
        order = {h.unit: i for i, h in enumerate(retrieval.hits)}
        first = chosen[0].hit.unit
        chosen.sort(key=lambda c: (order[c.hit.unit] if c.hit.unit != first else -1, c.start))

        citations: dict[str, Citation] = {}
        parts: list[str] = []
        for i, c in enumerate(chosen):
            chunk = c.hit.chunk
            following = chosen[i + 1] if i + 1 < len(chosen) else None
            # consecutive sentences of one paragraph share one marker, after the last of them
            same_next = following is not None and following.hit.unit == c.hit.unit
            parts.append(c.text if same_next else f"{c.text} {marker(retrieval, chunk)}")
            cit = citations.get(c.hit.unit)
            if cit is None:
                citations[c.hit.unit] = Citation.of(chunk, c.text, c.hit.score, marker(retrieval, chunk))
            else:
                cit.quote = f"{cit.quote} … {c.text}"
        text = " ".join(parts)
        if lang == "zh" and not is_cjk(text):
            text = f"{QUOTE_NOTE_ZH}\n{text}"
        return Answer(text, list(citations.values()), False, self.name)

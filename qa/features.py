"""What the answer judge weighs (qa/judge.py): the features of a question's candidate paragraphs
and of their sentences, and of the question as a whole, made the same way for training
(bench/train_judge.py) and for answering.

None of them depends on how a question is worded: how close the multilingual E5 vectors of the
question and the paragraph are, how much of the question's weighted words (or their dictionary
renderings, or their synonyms) the paragraph, its sentences and its paper use, whether the paper
says the names, figures, ordinals and dates the question gives (qa/details.py), whether a sentence holds a thing of
the kind asked for (qa/asked.py: one feature among many, never a veto), the time the question names
(qa/period.py), and where retrieval ranked it. Each feature that has a direction (a name the
paragraph says counts for it, a word its paper never uses against it) keeps it in training (`SIGNS`).
"""

from __future__ import annotations

import math

import numpy as np

from .asked import has_kind, span
from .gloss import glossed
from .details import Detail, Paper, details_of, figures, given, paper_of
from .models import Hit
from .dates import years_in
from .query import Query
from .retrieve import Retrieval
from .text import addressed_to_ai, is_cjk, is_question, sentences, simplified, terms, zh_bigrams

UNIT_FEATURES = [
    "bias", "rank", "fused", "dense", "dense_gap", "bm25", "cover", "cover_groups", "cover_title",
    "unknown_in_paper", "names", "names_in_paper", "numbers", "year_missing", "period", "cross_language",
    "cross_dense", "best_sentence_cover", "typed", "typed_found", "typed_missing",
    "same_paper_as_top", "paper_share", "missing_in_paper", "missing_weight", "numbers_in_paper", "years_in_paper",
    "rare_missing", "cover_gap", "sentence_gap", "kind_missing", "names_in_library", "cited_before",
    "unknown_words", "period_named", "cover_paper", "dense_paper", "measure_missing", "label_named", "named_paper",
    "cover_glossed", "cover_lead", "cover_synonyms",
]
# the question as a whole, read off its best paragraphs: answer it at all? Only what tells a near
# miss from an answer: whether the names, figures, years and kind of thing asked for are there.
# How close or how wordy a match is says what a question is about, not whether it is answered.
GATE_FEATURES = [
    "bias", "top_names", "top_names_in_paper", "top_numbers", "top_year_missing", "top_kind_missing",
    "top_cross_language", "top_missing_in_paper", "top_missing_weight", "top_numbers_in_paper", "top_years_in_paper",
    "top_rare_missing", "best_names", "best_numbers", "top_names_in_library", "top_cross_unknown",
    "top_unknown_words", "top_missing_said", "top_missing_unsaid", "top_measure_missing",
]
SENTENCE_FEATURES = [
    "bias", "cover", "share_of_unit", "typed_found", "typed_missing", "numbers",
    "first", "words", "position",
]


# The direction in which a feature may count, where its meaning fixes it: a name the paragraph says
# counts only for it, a word its paper never uses only against it (the training holds weights to
# these signs, so no quirk of how its questions were written can turn evidence on its head).
_FOR = ("rank fused dense dense_gap bm25 cover cover_groups cover_title names names_in_paper numbers period "
        "best_sentence_cover typed_found numbers_in_paper years_in_paper cover_gap sentence_gap "
        "share_of_unit best_names best_numbers names_in_library cited_before period_named cover_paper "
        "dense_paper label_named named_paper cover_glossed cover_lead cover_synonyms").split()
_AGAINST = ("unknown_in_paper year_missing typed_missing missing_in_paper missing_weight rare_missing "
            "kind_missing cross_unknown unknown_words missing_said measure_missing").split()
# the features read off the question's kind by qa/asked.py's patterns ("how many X": a count of X):
# one piece of evidence among many, which may never refuse an answer on its own (the training
# bounds how far each can move the gate: bench/train_judge.py, TYPED_SWING)
TYPED = frozenset(f"{top}{f}" for f in "typed typed_found typed_missing kind_missing measure_missing".split()
                  for top in ("", "top_"))
SIGNS = {**{f: 1 for f in _FOR}, **{f"top_{f}": 1 for f in _FOR}, **{f: -1 for f in _AGAINST},
         **{f"top_{f}": -1 for f in _AGAINST}}


class Features:
    """The features of one question's candidates. Made once per question: the question's weights
    and the library's rarity of each word are shared by every paragraph and sentence."""

    def __init__(self, query: Query, retrieval: Retrieval, dense_model: str | None) -> None:
        self.query, self.retrieval, self.lex = query, retrieval, retrieval.lexical
        lex = self.lex
        self.weights = {t: w * lex.weight(t) for t, w in {**query.context_terms, **query.terms}.items() if lex.known(t)}
        self.total = sum(self.weights.values()) or 1.0
        self.years, self.numbers = given(query)
        self.names = [t for t in dict.fromkeys(query.names) if t not in self.years]
        self.dense_model = dense_model
        sims = [h.sims.get(dense_model, 0.0) for h in retrieval.hits if dense_model and h.sims.get(dense_model)]
        # a paragraph the dense model did not return is at most as close as the last one it did
        self.floor = (min(sims) - 0.01) if sims else 0.0
        self.top_sim = max(sims) if sims else 0.0
        bm25 = [h.sims.get("bm25", 0.0) for h in retrieval.hits]
        self.top_bm25 = max(bm25) if bm25 and max(bm25) > 0 else 1.0
        self.top_score = retrieval.hits[0].score if retrieval.hits else 1.0
        self.top_doc = retrieval.hits[0].chunk.doc_id if retrieval.hits else ""
        # a word no paragraph uses weighs this much: rarity on one scale in a paper and in a library
        self.rarest = float(np.log(1 + (lex.n + 0.5) / 0.5)) or 1.0
        docs = [h.chunk.doc_id for h in retrieval.hits]
        self.doc_share = {d: docs.count(d) / len(docs) for d in set(docs)} if docs else {}
        # the question's details as a paragraph in each language may say them (made once)
        self.details_given = {chinese: details_of(query, chinese) for chinese in (False, True)}

    def named(self, chinese_paper: bool) -> list[tuple[str, ...]]:
        """The names the question gives, each as the terms any of which would say it in a paragraph of
        this language (for whether a paragraph names what the question names)."""
        q = self.query
        if q.lang == "zh" and chinese_paper:
            return [tuple(zh_bigrams(simplified(w))) for w in q.zh_names]
        if q.lang == "en" and chinese_paper:
            return [tuple(t for w in r.chinese for t in zh_bigrams(w)) for r in q.renderings
                    if r.proper and set(r.english) & set(self.names)]
        if q.lang == "zh":
            return list(q.name_groups)
        return [(t,) for t in self.names if len(t) > 2 or t[:1].isdigit()]

    def details(self, doc: str, chinese_paper: bool) -> dict[str, float]:
        """Whether the paper says the names, numbers and years the question gives anywhere at all:
        a question about another place, person, year or figure than its paper's is a near miss."""
        q, lex = self.query, self.lex
        named = [g for g in self.named(chinese_paper) if g]
        paper = paper_of(lex, doc)
        missing = [d for d in self.details_given[chinese_paper] if not paper.says(d)]
        # what the question measures, nowhere in its paper: what a count is of ("how many staff",
        # which a paraphrase may describe in other words), or any sum at all for "how much money"
        # (a paper writes the sum, not the word "money"); weighed apart from the names and figures a
        # near miss changes
        measure_missing = self.measure_missing(paper, chinese_paper)
        # a figure, a phrase or a Chinese word the paper does not write is as telling as its rarest
        # word; a name, as telling as the commonest of the words that would say it (英國: "UK", which
        # an answer about Britain may well not write, not "kingdom")
        weight = max((self.rarest if d.specific else min(lex.weight(t) for t in d.terms) for d in missing),
                     default=0.0) / self.rarest
        # the rarest word of the question the paper never uses ("endometriosis" asked of a paper on
        # another condition); a word no paper uses counts as the rarest
        words = [tuple(zh_bigrams(w)) for w in q.zh_words] if q.lang == "zh" and chinese_paper else \
            [(t,) for t, w in q.terms.items() if w >= 0.5 and not is_cjk(t)]
        rare = max((max(lex.weight(t) for t in g) for g in words if g and not all(lex.known_in(doc, t) for t in g)),
                   default=0.0)
        return {
            # how much of the question the paper says anywhere: a written answer names its department
            # in its title and its subject in its text
            "cover_paper": self.cover(paper.terms),
            "names_in_library": sum(any(lex.known(t) for t in g) for g in named) / len(named) if named else 1.0,
            "rare_missing": rare / self.rarest,
            "missing_in_paper": min(3, len(missing)) / 3,
            "measure_missing": float(measure_missing),
            "missing_weight": weight,
            "numbers_in_paper": len(self.numbers & paper.figures) / len(self.numbers) if self.numbers else 1.0,
            "years_in_paper": len(self.years & paper.figures) / len(self.years) if self.years else 1.0,
        }

    def measure_missing(self, paper: Paper, chinese_paper: bool) -> bool:
        """Whether the paper never names what a count is of, or writes no sum for "how much money"."""
        asked = self.query.asked
        if asked.kind == "count" and asked.target and self.query.lang == "en" and not chinese_paper:
            return not paper.says(Detail(terms=asked.target))
        if asked.kind == "money":
            return not paper.writes_a_sum
        return False

    def cover(self, present: set[str]) -> float:
        return sum(w for t, w in self.weights.items() if t in present) / self.total

    def unit(self, rank: int, hit: Hit, sentence_rows: list[dict[str, float]]) -> dict[str, float]:
        q, lex, chunk = self.query, self.lex, hit.chunk
        doc = chunk.doc_id
        context = " ".join([chunk.text, *chunk.heading_path, chunk.title])
        present = lex.terms_of(hit.unit) | lex.title_terms.get(doc, set())
        groups = [g for g in q.groups if any(lex.known(t) for t in g)]
        in_paper = [any(lex.known_in(doc, t) for t in g) for g in groups]
        written = simplified(context) if is_cjk(chunk.text) else context
        named = [g for g in self.named(is_cjk(chunk.text)) if g]
        here = present | set(terms(written)) if is_cjk(chunk.text) else present
        sim = hit.sims.get(self.dense_model, 0.0) if self.dense_model else 0.0
        sim = sim or self.floor
        numbers = figures(context)
        years_here = years_in(context) | ({chunk.date[:4]} if chunk.date else set())
        period = self.retrieval.period
        covers = period.covers(chunk.text, chunk.date, " ".join(chunk.heading_path)) if period is not None else None
        cross = float((q.lang == "zh") != is_cjk(chunk.text))
        if cross and q.lang == "en" and q.renderings:  # an English question, a Chinese paper: its renderings
            said = [any(w in written for w in r.chinese) for r in q.renderings]
            cover = sum(said) / len(said)
        else:
            cover = self.cover(present)
        best = max((r["cover"] for r in sentence_rows), default=0.0)
        typed = float(q.asked.typed)
        found = max((r["typed_found"] for r in sentence_rows), default=0.0)
        return {
            "bias": 1.0,
            "rank": 1.0 / (1.0 + rank),
            "fused": hit.score / self.top_score if self.top_score else 0.0,
            "dense": sim,
            "dense_gap": sim - self.top_sim,
            "bm25": hit.sims.get("bm25", 0.0) / self.top_bm25,
            "cover": cover,
            "cover_groups": sum(any(t in present for t in g) for g in groups) / len(groups) if groups else 0.0,
            "cover_title": self.cover(lex.title_terms.get(doc, set())),
            "unknown_in_paper": (len(in_paper) - sum(in_paper)) / len(in_paper) if in_paper else 0.0,
            "names": sum(any(t in here for t in g) for g in named) / len(named) if named else 1.0,
            "names_in_paper": sum(any(lex.known_in(doc, t) for t in g) for g in named) / len(named) if named else 1.0,
            "numbers": len(self.numbers & numbers) / len(self.numbers) if self.numbers else 1.0,
            "year_missing": float(bool(self.years) and not self.years & years_here and not covers),
            "period": 0.0 if covers is None else (1.0 if covers else -1.0),
            "period_named": float(period is not None and period.names(chunk.text)),
            "cross_language": cross,
            "cross_dense": cross * sim,
            "best_sentence_cover": best,
            "typed": typed,
            "typed_found": typed * found,
            "typed_missing": typed * (1.0 - found),
            "same_paper_as_top": float(doc == self.top_doc),
            "paper_share": self.doc_share.get(doc, 0.0),
            **self.details(doc, is_cjk(chunk.text)),
            "kind_missing": float(q.asked.typed and not has_kind(q.asked, chunk.text, chunk.date)),
            # words of the question no paper uses at all (a Chinese question's 馬拉松: marathon)
            "unknown_words": sum(not any(lex.known(t) for t in g) for g in q.groups) / len(q.groups) if q.groups else 0.0,
            # the paragraph the conversation's last answer cited, for a follow-up ("How many sailings?")
            "cited_before": float(any(chunk.paragraph == p and ((docs := lex.cited(label)) is None or doc in docs)
                                      for label, p in q.focus)),
            # a table row (or labelled item) the question names by its label ("Kent", "2022/23",
            # "HMS Caledonia"): the row asked about, not the paragraph that introduces the table
            "label_named": self.label_named(chunk.label),
            # the paper the question names by its year ("the 2013 report")
            "named_paper": float(bool(q.paper_year) and chunk.date[:4] == q.paper_year),
            # an English question, a Chinese paragraph: how much of the question the paragraph's
            # dictionary gloss says (the reverse of its renderings)
            "cover_glossed": self.cover(set(glossed(chunk.text))) if cross and q.lang == "en" else 0.0,
            # a table's row: how much more of the question it says read with the paragraph that
            # introduces the table (which condition the spend in row "2023/24" is on)
            "cover_lead": self.cover(present | lex.terms_of(lead)) - cover if (lead := lex.lead_in(hit.unit)) else 0.0,
            # the question's words the paragraph says in other words (its "talks", the paper's
            # "negotiations"): what a paraphrase leaves to the dense model alone
            "cover_synonyms": self.cover({t for t, said in q.synonyms.items() if t not in present and said & present}),
        }

    def label_named(self, label: str) -> float:
        """The share of a unit's label (a table row's first cell) that the question says."""
        words = set(terms(simplified(label) if is_cjk(label) else label))
        asked = set(self.query.terms) | set(self.query.context_terms)
        return len(words & asked) / len(words) if words else 0.0

    def sentences(self, hit: Hit) -> tuple[list[tuple[int, int]], list[dict[str, float]]]:
        q, lex, chunk = self.query, self.lex, hit.chunk
        text = chunk.text
        spans = sentences(text) or [(0, len(text))]
        rows, kept = [], []
        unit_cover = self.cover(lex.terms_of(hit.unit)) or 1.0
        for n, (a, b) in enumerate(spans):
            s = text[a:b]
            if addressed_to_ai(s) or is_question(s):
                continue  # a question restated, an instruction to AI systems planted in a paper: no answer
            own = set(lex.expand(terms(s)))
            cover = self.cover(own)
            found = float(q.asked.typed and span(q.asked, s, chunk.date) is not None)
            numbers = figures(s) - self.years
            rows.append({
                "bias": 1.0,
                "cover": cover,
                "share_of_unit": cover / unit_cover,
                "typed_found": found,
                "typed_missing": float(q.asked.typed) * (1.0 - found),
                "numbers": len(self.numbers & numbers) / len(self.numbers) if self.numbers else 1.0,
                "first": float(n == 0),
                "words": math.log1p(len(s.split()) if not is_cjk(s) else len(s) / 2),
                "position": n / max(1, len(spans) - 1),
            })
            kept.append((a, b))
        return kept, rows


def gate_row(judged: list[dict[str, float]], likely: list[float] | None = None) -> dict[str, float]:
    """The features of "is this question answered here at all": the best paragraph's (`top_`), and
    the best of the first five's names and figures. Whether the names, figures and years the
    question gives are said is read off the best three, each weighed by how likely it is to answer
    (`likely`: the model that weighs a paragraph against every question's, `Judged.about`; the
    ranker's probabilities put another year's paper of a series close behind the one asked about,
    and its missing year would refuse the answer): a changed detail is missing from every
    paragraph about the subject, while an answer's best paragraph may come from a paper that lacks
    one and its second from the paper that has it (out of fold, near-miss abstention 0.82 against
    0.80 at the same false refusals). Weighed alike, the three abstain as much, but a question about
    one paper of a series ("the 24th plenary") would be refused for its siblings about the 23rd."""
    top = judged[0] if judged else {}
    rows = judged[:5]
    weights = (likely or [1.0] * len(judged))[:3]
    total = sum(weights) or 1.0
    return {
        "bias": 1.0,
        **{f"top_{k}": top.get(k, 0.0) for k in ("names_in_paper", "kind_missing", "cross_language", "numbers_in_paper",
                                                 "years_in_paper", "rare_missing", "names_in_library", "unknown_words",
                                                 "measure_missing")},
        **{f"top_{k}": sum(w * u.get(k, 0.0) for w, u in zip(weights, judged)) / total
           for k in ("names", "numbers", "year_missing", "missing_in_paper", "missing_weight")},
        "best_names": max((u["names"] for u in rows), default=0.0),
        "best_numbers": max((u["numbers"] for u in rows), default=0.0),
        # a Chinese question's words the dictionary carries over to no word of the English paper
        "top_cross_unknown": top.get("cross_language", 0.0) * top.get("unknown_in_paper", 0.0),
        # a detail its paper never gives, in a question otherwise in the paragraph's own words, is a
        # detail changed (a near miss); in one that describes things in other words, it is likely
        # one more description (a paraphrase)
        "top_missing_said": top.get("missing_in_paper", 0.0) * top.get("cover", 0.0),
        "top_missing_unsaid": top.get("missing_in_paper", 0.0) * (1.0 - top.get("cover", 0.0)),
    }


def vector(row: dict[str, float], names: list[str]) -> np.ndarray:
    return np.array([row[n] for n in names], dtype=np.float64)


def candidates(query: Query, retrieval: Retrieval, dense_model: str | None) -> list[tuple[Hit, dict[str, float], list[tuple[int, int]], list[dict[str, float]]]]:
    """Every retrieved paragraph with its features, and its sentences with theirs (the same for
    training and for answering)."""
    features = Features(query, retrieval, dense_model)
    out = []
    for rank, hit in enumerate(retrieval.hits):
        spans, rows = features.sentences(hit)
        if not spans:
            continue
        out.append((hit, features.unit(rank, hit, rows), spans, rows))
    # how each compares with the best of the others (a paragraph is judged among its rivals), and the
    # closest paragraph of its own paper
    top_cover = max((u["cover"] for _, u, _, _ in out), default=0.0)
    top_sentence = max((u["best_sentence_cover"] for _, u, _, _ in out), default=0.0)
    closest: dict[str, float] = {}
    for hit, u, _, _ in out:
        closest[hit.chunk.doc_id] = max(closest.get(hit.chunk.doc_id, -1.0), u["dense"])
    for hit, u, _, _ in out:
        u["cover_gap"] = u["cover"] - top_cover
        u["sentence_gap"] = u["best_sentence_cover"] - top_sentence
        u["dense_paper"] = closest[hit.chunk.doc_id]
    return out

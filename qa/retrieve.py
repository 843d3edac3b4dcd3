"""Hybrid retrieval over citable units: BM25 and each dense model rank the units, and weighted
reciprocal-rank fusion combines the rankings (scores from different models are not comparable;
ranks are). Follow-ups add the earlier question's terms and the paragraphs the last answer cited.
Among many papers, three more rankings of the candidates help find the right one: the paragraphs in
the period the question names, its papers' titles, and for "the latest"/"the first", their dates."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from .config import Settings
from .embed import multilingual
from .models import Hit
from .period import Period
from .query import Query
from .lexical import Lexical, top_units
from .store import Store


log = logging.getLogger(__name__)


@dataclass
class Retrieval:
    hits: list[Hit]
    lexical: Lexical
    timing_ms: dict[str, float]
    period: Period | None = None  # the period searched, made absolute ("before this paper": its date)


class Retriever:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def search(self, query: Query, k: int | None = None, lexical: Lexical | None = None) -> Retrieval:
        """`lexical`: the BM25 snapshot the question was analysed against (read here when not given)."""
        s = self.settings
        timing: dict[str, float] = {}
        t0 = time.perf_counter()
        lex = self.store.lexical() if lexical is None else lexical
        rankings: list[tuple[float, list[str]]] = []
        sims: dict[str, dict[str, float]] = {}
        asked: dict[str, np.ndarray] = {}  # each dense model's query vectors

        bm25 = lex.scores(list(query.terms), query.terms)
        if query.context_terms:
            bm25 = bm25 + lex.scores(list(query.context_terms), query.context_terms)
        if query.scope:
            bm25 = np.where(lex.in_scope(query.scope), bm25, 0.0)
        order = [i for i in top_units(bm25, s.candidates) if bm25[i] > 0]
        rankings.append((s.bm25_weight, [lex.keys[i] for i in order]))
        for weight, ranked in self._apart(query, lex, bm25):
            rankings.append((weight, [lex.keys[i] for i in ranked]))
            order += sorted(set(ranked) - set(order))
        sims["bm25"] = {lex.keys[i]: float(bm25[i]) for i in order}
        timing["bm25"] = (time.perf_counter() - t0) * 1000

        for model in s.embed_models:
            t1 = time.perf_counter()
            texts = query.dense_texts if multilingual(model) or query.lang == "en" else \
                [t for t in query.dense_texts if t == query.gloss or query.followup]
            texts = texts or [query.standalone]
            vectors = asked[model] = self.store.embedder(model).queries(texts)
            timing[f"embed_{model}"] = (time.perf_counter() - t1) * 1000
            t2 = time.perf_counter()
            try:
                results = self.store.dense(model, vectors, s.candidates, lex.live, query.scope)
            except Exception as exc:  # a damaged vector segment must not stop answers: BM25 still works
                log.warning("dense search with %s failed (%s); answering without it", model, exc)
                results = []
            for result in results:
                best: dict[str, float] = {}
                for hit in result:
                    best[hit.unit] = max(best.get(hit.unit, -1.0), hit.similarity)
                ranked = sorted(best, key=lambda u: -best[u])
                rankings.append((s.dense_weight / len(vectors) ** 0.5, ranked))
                model_sims = sims.setdefault(model, {})
                for unit, sim in best.items():
                    model_sims[unit] = max(model_sims.get(unit, -1.0), sim)
            timing[f"dense_{model}"] = (time.perf_counter() - t2) * 1000

        if query.focus:
            rankings.append((s.followup_context_weight, self._focus(query, lex, self._fuse(rankings))))

        fused = self._fuse(rankings)
        period = self._period(query, lex)
        extra = self._paper_rankings(query, lex, period, sorted(fused, key=lambda key: -fused[key]))
        fused = self._fuse(rankings + extra) if extra else fused
        ranks: dict[str, dict[str, int]] = {}
        for n, (_, ranked) in enumerate(rankings + extra):
            for rank, key in enumerate(ranked):
                ranks.setdefault(key, {})[str(n)] = rank
        if lex.editions:
            self._one_edition(query, lex, fused, ranks, sims)
        best_keys = sorted(fused, key=lambda key: -fused[key])[: k or s.top_k]
        hits = [
            Hit(unit=key, chunk=lex.units[lex.position[key]], score=fused[key], ranks=ranks[key],
                sims={name: table.get(key, 0.0) for name, table in sims.items()})
            for key in best_keys if key in lex.position
        ]
        self._complete_similarities(hits, asked, lex)
        timing["retrieve"] = (time.perf_counter() - t0) * 1000
        return Retrieval(hits, lex, timing, period)

    def _complete_similarities(self, hits: list[Hit], asked: dict[str, np.ndarray], lex: Lexical) -> None:
        """Each dense model's similarity for the hits its own search did not return (found by BM25
        or a paper ranking), read from the vectors the index holds, so the answer judge weighs every
        candidate on one scale."""
        for model, vectors in asked.items():
            missing = [h.chunk for h in hits if model not in h.sims or not h.sims[model]]
            if not missing:
                continue
            try:
                found = self.store.similarity(model, vectors, missing, lex.live)
            except Exception as exc:  # a damaged vector segment: the judge reads the rest
                log.warning("similarities from %s not read (%s)", model, exc)
                continue
            for hit in hits:
                if hit.unit in found:
                    hit.sims[model] = found[hit.unit]

    @staticmethod
    def _focus(query: Query, lex: Lexical, fused: dict[str, float]) -> list[str]:
        """The paragraphs the last answer cited, for a follow-up: of the paper its citation names
        ("[2024-05-20 ¶8]"), or, unnamed ("[¶8]") in a library, of whichever papers the question
        itself finds best."""
        keys = []
        for label, paragraph in query.focus:
            named = lex.cited(label) or frozenset()
            keys += [key for key, unit in zip(lex.keys, lex.units) if unit.paragraph == paragraph
                     and (not named or unit.doc_id in named) and (not query.scope or unit.doc_id in query.scope)]
        return sorted(dict.fromkeys(keys), key=lambda key: -fused.get(key, 0.0))

    def _fuse(self, rankings: list[tuple[float, list[str]]]) -> dict[str, float]:
        fused: dict[str, float] = {}
        for weight, ranked in rankings:
            for rank, key in enumerate(ranked):
                fused[key] = fused.get(key, 0.0) + weight / (self.settings.rrf_k + rank + 1)
        return fused

    def _apart(self, query: Query, lex: Lexical, bm25: np.ndarray) -> list[tuple[float, list[int]]]:
        """BM25's rankings of some papers apart, each with its weight:
        - an English question's papers in Chinese: they match only the question's dictionary
          renderings, which weigh less than its own words, so in a library of both they would
          seldom reach the candidates at all (a Chinese question's English gloss weighs as much as
          its own words, and needs no such help);
        - a paper the question names by its year ("the 2013 report"), so that among a series of
          yearly papers that one's best paragraphs reach the judge."""
        s = self.settings
        masks = []
        if s.cross_language_weight and query.renderings and lex.both_languages:
            masks.append((s.cross_language_weight, lex.in_language("zh")))
        named = self._named_paper(query, lex)
        if named and s.named_paper_weight:
            masks.append((s.named_paper_weight, lex.in_scope(named)))
        out = []
        for weight, mask in masks:
            inside = np.where(mask, bm25, 0.0)
            out.append((weight, [i for i in top_units(inside, s.candidates) if inside[i] > 0]))
        return out

    @staticmethod
    def _named_paper(query: Query, lex: Lexical) -> frozenset[str]:
        """The papers dated in the year the question names a paper by, when some but not all are."""
        if not query.paper_year:
            return frozenset()
        docs = frozenset(d for d, date in lex.dates.items() if date[:4] == query.paper_year
                         and (not query.scope or d in query.scope))
        return docs if len({lex.paper(d) for d in docs}) < lex.papers else frozenset()

    @staticmethod
    def _period(query: Query, lex: Lexical) -> Period | None:
        """The question's period; "before this paper" needs one paper to be asked about."""
        if query.period is None or not query.period.paper:
            return query.period
        docs = sorted(query.scope) if query.scope else sorted(lex.dates) if lex.papers == 1 else []
        return query.period.anchored(lex.dates.get(docs[0], "")) if docs else None

    def _paper_rankings(self, query: Query, lex: Lexical, period: Period | None,
                        order: list[str]) -> list[tuple[float, list[str]]]:
        """Rankings of the candidates (in their fused order, so that equals keep it) by what the
        papers they come from say about the question: only those in the period; those whose paper's
        title uses the question's rarer words; newest (or oldest) paper first. With one paper the
        last two keep the order, so they change nothing."""
        s = self.settings
        chunks = [(key, lex.unit(key)) for key in order]
        chunks = [(key, c) for key, c in chunks if c is not None]
        out: list[tuple[float, list[str]]] = []
        if period is not None:
            out.append((s.period_weight, [key for key, c in chunks if period.covers(c.text, c.date, " ".join(c.heading_path))]))
        if len({c.doc_id for _, c in chunks}) > 1:
            total = sum(lex.weight(t) * w for t, w in query.terms.items() if lex.known(t)) or 1.0
            titled = {doc: sum(lex.weight(t) * w for t, w in query.terms.items() if t in title) / total
                      for doc, title in lex.title_terms.items()}
            ranked = sorted((key for key, c in chunks if titled.get(c.doc_id, 0.0) > 0),
                            key=lambda key: -titled[lex.unit(key).doc_id])  # type: ignore[union-attr]
            out.append((s.title_weight, ranked))
            if query.asked.extreme in ("latest", "first"):
                dated = sorted((key for key, c in chunks if c.date), key=lambda key: lex.unit(key).date,  # type: ignore[union-attr]
                               reverse=query.asked.extreme == "latest")
                out.append((s.recency_weight, dated))
        return [(w, r) for w, r in out if r]

    @staticmethod
    def _one_edition(query: Query, lex: Lexical, fused: dict[str, float], ranks: dict[str, dict[str, int]],
                     sims: dict[str, dict[str, float]]) -> None:
        """A paper indexed in English and Chinese is one paper: a paragraph found in either version
        counts for the version in the question's language, which is the one quoted (the other is
        a click away, see `Citation.other`)."""
        for key in list(fused):
            chunk = lex.unit(key)
            if chunk is None or lex.languages.get(chunk.doc_id) == query.lang:
                continue
            other = lex.counterpart(chunk, query.lang)
            if other is None or (query.scope and other.doc_id not in query.scope):
                continue
            fused[other.unit] = max(fused.get(other.unit, 0.0), fused.pop(key))
            ranks[other.unit] = {**ranks.pop(key, {}), **ranks.get(other.unit, {})}
            for table in sims.values():
                if key in table:
                    table[other.unit] = max(table.get(other.unit, -1.0), table[key])


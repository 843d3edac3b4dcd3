"""BM25 over the index's citable units, and what the answerer and the citation checker ask of it:
the terms of a unit, whether the papers use a term at all, and how much a term weighs (its rarity).
One `Lexical` is one snapshot of the index (also the versions and labels readers use with it); the
store builds a new one when the committed documents change."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

import bm25s
import numpy as np

from .chunk import embed_text
from .models import Chunk
from .text import terms

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it ships at DEBUG

_ACRONYM = re.compile(r"((?:[A-Z][\w'-]*\s+(?:(?:of|and|the|for|on)\s+)*){1,8})\(([A-Z][A-Za-z]{1,7})\)")


def find_acronyms(texts: list[str]) -> dict[str, list[str]]:
    """Acronyms the documents define ("the Chief Executive (CE)"), as stemmed term lists, so that a
    paragraph saying "the CE" matches a question about the Chief Executive, and back."""
    found: dict[str, list[str]] = {}
    for text in texts:
        for long_form, short in _ACRONYM.findall(text):
            capitals = [w for w in long_form.split() if w[0].isupper()]
            n = len(short)
            for start in range(len(capitals) - n, -1, -1):  # the words whose initials spell it
                if "".join(w[0] for w in capitals[start:start + n]).upper() == short.upper():
                    found.setdefault(short.lower(), terms(" ".join(capitals[start:start + n])))
                    break
    return found


class Lexical:
    """BM25 (bm25s) over whole citable units; heading text included, as for the dense models.
    One snapshot of the index: also the versions and document labels readers use with it."""

    def __init__(self, units: dict[str, Chunk], versions: list[str] | None = None,
                 labels: dict[str, str] | None = None, editions: dict[str, dict[str, str]] | None = None,
                 languages: dict[str, str] | None = None, about: dict[str, str] | None = None) -> None:
        self.units = list(units.values())
        self.keys = list(units.keys())
        self.position = {key: i for i, key in enumerate(self.keys)}
        self.versions = versions or []
        self.live = frozenset(self.versions)  # the complete versions readers may see
        self.labels = labels or {}  # doc id → short citation label, when more than one document
        self.editions = editions or {}  # doc id → {language: doc id} for papers in two languages
        self.languages = languages or {}  # doc id → "en" or "zh"
        self.doc_of = np.array([u.doc_id for u in self.units], dtype=object)
        self.dates = {u.doc_id: u.date for u in self.units}  # doc id → its date (ISO), "" when unknown
        # doc id → the terms of its title and committee: document-level evidence for the right paper
        self.title_terms = {u.doc_id: set(terms((about or {}).get(u.doc_id) or u.title)) for u in self.units}
        # papers, counting a paper's language versions once: "the paper does not say" or "the papers"
        self.papers = len({min(self.editions[d].values()) if d in self.editions else d
                           for d in set(self.doc_of.tolist())})
        self.acronyms = find_acronyms([u.text for u in self.units])
        docs = [self.expand(terms(embed_text(u))) for u in self.units]
        self.unit_terms = [set(d) for d in docs]
        self.df: dict[str, int] = {}
        # per document too: whether a paragraph answers is judged against its own paper's words,
        # which do not change as unrelated papers join the library
        self.doc_df: dict[str, dict[str, int]] = {}
        self.doc_n: dict[str, int] = {}
        for unit, doc in zip(self.units, self.unit_terms):
            own = self.doc_df.setdefault(unit.doc_id, {})
            self.doc_n[unit.doc_id] = self.doc_n.get(unit.doc_id, 0) + 1
            for term in doc:
                self.df[term] = self.df.get(term, 0) + 1
                own[term] = own.get(term, 0) + 1
        self.n = len(docs)
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75) if docs else None
        if self._bm25 is not None:
            self._bm25.index([d or ["\x00"] for d in docs], show_progress=False)


    def expand(self, words: list[str]) -> list[str]:
        extra = [t for w in words for t in self.acronyms.get(w, ())]
        return words + extra if extra else words

    def in_scope(self, scope: frozenset[str]) -> np.ndarray:
        """A mask over units: True where the unit's document is in scope (all, for an empty scope)."""
        if not scope:
            return np.ones(self.n, dtype=bool)
        return np.isin(self.doc_of, list(scope))

    def known(self, term: str) -> bool:
        """Whether any unit uses the term: a word the papers never use is evidence they do not answer."""
        return term in self.df

    def weight(self, term: str) -> float:
        """The term's rarity across units (BM25's idf): rare words say more about what is asked."""
        return float(np.log(1 + (self.n - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5)))

    def known_in(self, doc: str, term: str) -> bool:
        """Whether the document uses the term anywhere."""
        return term in self.doc_df.get(doc, {})

    def weight_in(self, doc: str, term: str) -> float:
        """The term's rarity across the document's own units (as `weight`, within one paper)."""
        n, df = self.doc_n.get(doc, 0), self.doc_df.get(doc, {}).get(term, 0)
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def share(self, term: str) -> float:
        """The fraction of units that use the term."""
        return self.df.get(term, 0) / self.n if self.n else 0.0

    def unit(self, key: str) -> Chunk | None:
        i = self.position.get(key)
        return self.units[i] if i is not None else None

    def counterpart(self, chunk: Chunk, lang: str) -> Chunk | None:
        """The same paragraph in the paper's version in `lang` (¶5 in English ↔ ¶5 in Chinese), if
        that version is indexed and has the paragraph; None for a chunk already in `lang`."""
        doc = self.editions.get(chunk.doc_id, {}).get(lang)
        if not doc or doc == chunk.doc_id:
            return None
        return self.unit(replace(chunk, doc_id=doc).unit)

    def terms_of(self, unit: str) -> set[str]:
        """The terms of one unit (heading included, acronyms expanded); empty for an unknown unit."""
        i = self.position.get(unit)
        return self.unit_terms[i] if i is not None else set()

    def scores(self, query_terms: list[str], weights: dict[str, float] | None = None) -> np.ndarray:
        known = [t for t in query_terms if t in self.df]
        if not known or self._bm25 is None:
            return np.zeros(self.n, dtype=np.float32)
        if not weights:
            return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
        total = np.zeros(self.n, dtype=np.float32)
        for term in set(known):
            total += weights.get(term, 1.0) * np.asarray(self._bm25.get_scores([term]), dtype=np.float32)
        return total

"""BM25 over the index's citable units, and what the answerer and the citation checker ask of it:
the terms of a unit, whether the papers use a term at all, and how much a term weighs (its rarity).
One `Lexical` is one snapshot of the index (also the versions and labels readers use with it); the
store builds a new one when the committed documents change, from the previous one: the documents
that did not change keep their terms, so a new paper in a library of 100k paragraphs costs its own
paragraphs, not the library's.

BM25 is Lucene's (k1 1.2, b 0.75, idf log(1 + (N - df + .5) / (df + .5))), kept as sparse term
counts per unit (CSR) from which the snapshot's scores are computed at once (CSC)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections import Counter
from dataclasses import fields, replace
from functools import cached_property, lru_cache
from importlib import metadata
from itertools import groupby
from pathlib import Path

import numpy as np

from . import text as _text
from .chunk import CHUNKER_VERSION, embed_text
from .models import Chunk
from .text import terms

K1, B = 1.2, 0.75
_CHUNK_FIELDS = [f.name for f in fields(Chunk)]
_HEADING = _CHUNK_FIELDS.index("heading_path")
_DOC_CACHE = 512  # documents whose own term counts are kept (those recent questions looked at)

_ACRONYM = re.compile(r"((?:[\w'’-]{1,40}\s{1,3}){1,10})\(([A-Z][A-Za-z]{1,7})\)")
_JOINING = frozenset("of and the for on in with to".split())


@lru_cache(maxsize=1)
def snapshot_format() -> str:
    """What a saved snapshot was made by: this module, the term reader and the chunker. A snapshot
    saved by other code is not used (terms would not match what questions are read as)."""
    digest = hashlib.sha256(CHUNKER_VERSION.encode())
    for source in (__file__, _text.__file__):
        digest.update(Path(source).read_bytes())
    for package in ("jieba", "opencc"):  # the segmenter and its script converter
        digest.update(metadata.version(package).encode())
    return digest.hexdigest()[:16]


def find_acronyms(texts: list[str]) -> dict[str, list[str]]:
    """Acronyms the documents define ("the Chief Executive (CE)", "the Department of Justice (DOJ)",
    "wheelchair accessible vehicles (WAVs)"), as stemmed term lists, so that a paragraph saying
    "the CE" matches a question about the Chief Executive, and back."""
    found: dict[str, list[str]] = {}
    for text in texts:
        for long_form, short in _ACRONYM.findall(text):
            letters = (short[:-1] if short.endswith("s") and len(short) > 2 else short).upper()  # WAVs
            words = long_form.split()
            key = (terms(short, keep_stopwords=True) or [short.lower()])[0]
            for start in range(len(words) - 1, -1, -1):  # the fewest last words whose initials spell it
                phrase = words[start:]
                content = [w for w in phrase if w.lower() not in _JOINING]
                parts = [p for w in content for p in re.split(r"[-‐]", w) if p]  # Pan-Pearl River Delta
                spelt = {"".join(w[0] for w in ws).upper() for ws in (phrase, content, parts)}
                if letters in spelt and phrase[0].lower() not in _JOINING:
                    found.setdefault(key, terms(" ".join(content)))
                    break
                if len(phrase) > 2 * len(letters):
                    break
            if key in found:
                continue
            # the initials of a run of capitalised words: "the Chief Secretary for Administration (CS)"
            capitals = [w for w in words if w[0].isupper()]
            for start in range(len(capitals) - len(letters), -1, -1):
                if "".join(w[0] for w in capitals[start:start + len(letters)]).upper() == letters:
                    found[key] = terms(" ".join(capitals[start:start + len(letters)]))
                    break
    return found


def top_units(scores: np.ndarray, n: int) -> list[int]:
    """The indices of the `n` best scores, best first, equal scores in index order (a partition,
    not a sort of the whole library)."""
    top = np.argpartition(-scores, n)[:n] if len(scores) > n else np.arange(len(scores))
    return top[np.lexsort((top, -scores[top]))].tolist()


class Lexical:
    """BM25 over whole citable units; heading text included, as for the dense models. One snapshot
    of the index: also the versions and document labels readers use with it. `previous` is the
    snapshot this one replaces: units it holds unchanged (the same objects) are not read again."""

    def __init__(self, units: dict[str, Chunk], versions: list[str] | None = None,
                 labels: dict[str, str] | None = None, editions: dict[str, dict[str, str]] | None = None,
                 languages: dict[str, str] | None = None, about: dict[str, str] | None = None,
                 previous: Lexical | None = None) -> None:
        self._describe(units, versions, labels, editions, languages)
        # doc id → its title and committee as written, and their terms: document-level evidence for
        # the right paper (and what the paper says of itself: "LegCo" of the Legislative Council Panel)
        self.about = {doc: (about or {}).get(doc) or self.units[start].title for doc, (start, _) in self._rows.items()}
        self.title_terms = {doc: set(terms(text)) for doc, text in self.about.items()}
        same = {doc for doc in self._rows if previous is not None and previous._holds(doc, self.units[slice(*self._rows[doc])])}
        self._doc_acronyms = {doc: previous._doc_acronyms[doc] if doc in same else
                              find_acronyms([u.text for u in self.units[slice(*self._rows[doc])]])
                              for doc in self._rows}
        self._merge_acronyms()
        self.vocab: dict[str, int] = dict(previous.vocab) if previous is not None else {}
        self.vocab_terms: list[str] = list(previous.vocab_terms) if previous is not None else []
        if previous is not None and previous.acronyms != self.acronyms:
            same -= previous._using({k for k in self.acronyms.keys() | previous.acronyms.keys()
                                     if self.acronyms.get(k) != previous.acronyms.get(k)})
        self._count_terms(previous, same)
        self._score()

    def _describe(self, units: dict[str, Chunk], versions: list[str] | None, labels: dict[str, str] | None,
                  editions: dict[str, dict[str, str]] | None, languages: dict[str, str] | None) -> None:
        self.units = list(units.values())
        self.keys = list(units.keys())
        self.position = {key: i for i, key in enumerate(self.keys)}
        self.versions = versions or []
        self.live = frozenset(self.versions)  # the complete versions readers may see
        self.labels = labels or {}  # doc id → short citation label, when more than one document
        self.editions = editions or {}  # doc id → {language: doc id} for papers in two languages
        self.languages = languages or {}  # doc id → "en" or "zh"
        self.doc_of = np.array([u.doc_id for u in self.units], dtype=object)
        self.n = len(self.units)
        # a document's units are contiguous: its rows, and what is kept per document
        self._rows: dict[str, tuple[int, int]] = {}
        for doc, group in groupby(range(self.n), key=lambda i: self.units[i].doc_id):
            rows = list(group)
            self._rows[doc] = (rows[0], rows[-1] + 1)
        self.doc_n = {doc: end - start for doc, (start, end) in self._rows.items()}
        self.dates = {doc: self.units[start].date for doc, (start, _) in self._rows.items()}  # ISO, "" when unknown
        # papers, counting a paper's language versions once: "the paper does not say" or "the papers"
        self.papers = len({self.paper(d) for d in self._rows})
        self.chinese = "zh" in set(self.languages.values())  # papers written in Chinese: English questions glossed
        self.both_languages = self.chinese and any(self.languages.get(doc) != "zh" for doc in self._rows)
        self.__dict__.pop("_chinese_units", None)  # read again for these units
        self._doc_counts: dict[str, dict[int, int]] = {}

    def paper(self, doc: str) -> str:
        """The paper a document is a version of, counted once whatever its languages: the first of
        its versions' ids."""
        return min(self.editions[doc].values()) if doc in self.editions else doc

    def cited(self, label: str) -> frozenset[str] | None:
        """The documents a citation's label names ("2024-05-20" of "[2024-05-20 ¶8]"), with their
        other language versions (which number their paragraphs alike); None when the citation names
        no paper ("[¶8]")."""
        if not label:
            return None
        # the label leads the marker's text, a part's name may follow ("2024-05-20 Annex A"), and a
        # month's label is not a day's ("2024-11" is not "2024-11-18")
        named = {doc for doc, short in self.labels.items() if short and (label == short or label.startswith(short + " "))}
        return frozenset(named | {d for doc in named for d in self.editions.get(doc, {}).values()})

    def _merge_acronyms(self) -> None:
        self.acronyms: dict[str, list[str]] = {}
        for found in self._doc_acronyms.values():  # the first definition in document order
            for short, long_terms in found.items():
                self.acronyms.setdefault(short, long_terms)

    # -- kept between runs: a start reads one file instead of every chunk ---------------------
    def save(self, path: Path, key: list[tuple[str, str]]) -> None:
        """Write the snapshot (atomically) for `load`; `key` is the (document, version) pairs it holds."""
        meta = {"format": snapshot_format(), "fields": _CHUNK_FIELDS, "key": key, "keys": self.keys,
                "units": [[getattr(u, f) for f in _CHUNK_FIELDS] for u in self.units],
                "versions": self.versions, "labels": self.labels, "editions": self.editions,
                "languages": self.languages, "about": self.about,
                "title_terms": {d: sorted(t) for d, t in self.title_terms.items()},
                "doc_acronyms": self._doc_acronyms, "vocab_terms": self.vocab_terms}
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with open(tmp, "wb") as fh:
                np.savez(fh, indices=self._indices, counts=self._counts, indptr=self._indptr, lengths=self._lengths,
                         meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8))
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> tuple[Lexical, list[tuple[str, str]]] | None:
        """The snapshot `save` wrote and its key; None if there is none, or it was written by another
        version of the code that reads terms (then it is built again)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(data["meta"].tobytes().decode())
                if meta.get("format") != snapshot_format() or meta.get("fields") != _CHUNK_FIELDS or "about" not in meta:
                    return None
                arrays = {name: data[name] for name in ("indices", "counts", "indptr", "lengths")}
        except (OSError, ValueError, KeyError):
            return None
        lex = cls.__new__(cls)
        units = {k: Chunk(**dict(zip(_CHUNK_FIELDS, u)) | {"heading_path": tuple(u[_HEADING])})
                 for k, u in zip(meta["keys"], meta["units"])}
        lex._describe(units, meta["versions"], meta["labels"], meta["editions"], meta["languages"])
        lex.title_terms = {d: set(t) for d, t in meta["title_terms"].items()}
        lex.about = meta["about"]
        lex._doc_acronyms = meta["doc_acronyms"]
        lex._merge_acronyms()
        lex.vocab_terms = meta["vocab_terms"]
        lex.vocab = {t: i for i, t in enumerate(lex.vocab_terms)}
        lex._indices, lex._counts = arrays["indices"], arrays["counts"]
        lex._indptr, lex._lengths = arrays["indptr"], arrays["lengths"]
        if len(lex._indptr) != lex.n + 1:
            return None
        lex._score()
        return lex, [(d, v) for d, v in meta["key"]]

    def _holds(self, doc: str, units: list[Chunk]) -> bool:
        """Whether this snapshot has exactly these unit objects for the document."""
        rows = self._rows.get(doc)
        return rows is not None and rows[1] - rows[0] == len(units) and all(
            a is b for a, b in zip(self.units[slice(*rows)], units))

    def _using(self, shorts: set[str]) -> set[str]:
        """The documents whose units use any of these words (acronyms whose meaning changed)."""
        ids = [self.vocab[s] for s in shorts if s in self.vocab]
        if not ids:
            return set()
        hit = np.isin(self._indices, ids)
        rows = np.unique(np.searchsorted(self._indptr, np.flatnonzero(hit), side="right") - 1)
        return set(self.doc_of[rows].tolist())

    def _count_terms(self, previous: Lexical | None, same: set[str]) -> None:
        """The term counts of every unit (CSR rows), kept from `previous` for documents in `same`."""
        indices: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        row_nnz = np.zeros(self.n, dtype=np.int64)
        lengths = np.ones(self.n, dtype=np.float32)
        for doc, (start, end) in self._rows.items():
            if doc in same:
                assert previous is not None
                a, b = previous._rows[doc]
                lo, hi = previous._indptr[a], previous._indptr[b]
                indices.append(previous._indices[lo:hi])
                counts.append(previous._counts[lo:hi])
                row_nnz[start:end] = np.diff(previous._indptr[a:b + 1])
                lengths[start:end] = previous._lengths[a:b]
                continue
            ids: list[int] = []
            tallies: list[int] = []
            for i in range(start, end):
                tokens = self.expand(terms(embed_text(self.units[i])))
                tally = Counter(tokens)
                ids.extend(map(self._term_id, tally))
                tallies.extend(tally.values())
                row_nnz[i], lengths[i] = len(tally), max(1, len(tokens))
            indices.append(np.array(ids, dtype=np.int32))
            counts.append(np.array(tallies, dtype=np.float32))
        self._indices = np.concatenate(indices) if indices else np.zeros(0, dtype=np.int32)
        self._counts = np.concatenate(counts) if counts else np.zeros(0, dtype=np.float32)
        self._indptr = np.concatenate([[0], np.cumsum(row_nnz)]).astype(np.int64)
        self._lengths = lengths

    def _score(self) -> None:
        """The snapshot's BM25 scores from the term counts: one column per term (CSC)."""
        from scipy import sparse  # here: a command that never searches (`qa index`) starts faster

        width = len(self.vocab_terms)
        self._df = np.bincount(self._indices, minlength=width) if width else np.zeros(0, dtype=np.int64)
        idf = np.log(1 + (self.n - self._df + 0.5) / (self._df + 0.5)).astype(np.float32)
        rows = np.repeat(np.arange(self.n), np.diff(self._indptr))
        norm = K1 * ((1 - B) + B * self._lengths / self._average_lengths())
        tf = self._counts
        data = idf[self._indices] * tf / (norm[rows] + tf)
        self._scores = sparse.csr_matrix((data, self._indices, self._indptr), shape=(self.n, width)).tocsc()

    def _average_lengths(self) -> np.ndarray:
        """Each unit's average length to be compared with: that of the units in its own language. A
        Chinese paragraph is read as character pairs and words, several terms to an English word's
        one, so against an English library's average every Chinese paragraph would look long and
        lose to any English one."""
        chinese = self.in_language("zh")
        out = np.ones(self.n, dtype=np.float32)
        for group in (chinese, ~chinese):
            if group.any():
                out[group] = self._lengths[group].mean()
        return out

    def _term_id(self, term: str) -> int:
        i = self.vocab.get(term)
        if i is None:
            i = self.vocab[term] = len(self.vocab_terms)
            self.vocab_terms.append(term)
        return i

    def _doc_df(self, doc: str) -> dict[int, int]:
        """How many of the document's units use each term (by term id), for the documents asked about."""
        got = self._doc_counts.get(doc)
        if got is None:
            start, end = self._rows.get(doc, (0, 0))
            ids, n = np.unique(self._indices[self._indptr[start]:self._indptr[end]], return_counts=True)
            got = dict(zip(ids.tolist(), n.tolist()))
            if len(self._doc_counts) >= _DOC_CACHE:
                self._doc_counts.clear()
            self._doc_counts[doc] = got
        return got

    def doc_units(self, doc: str) -> list[Chunk]:
        """A document's units, in reading order."""
        return self.units[slice(*self._rows.get(doc, (0, 0)))]

    def doc_terms(self, doc: str) -> set[str]:
        """Every term the document uses."""
        return {self.vocab_terms[i] for i in self._doc_df(doc)}

    def expand(self, words: list[str]) -> list[str]:
        extra = [t for w in words for t in self.acronyms.get(w, ())]
        return words + extra if extra else words

    def in_scope(self, scope: frozenset[str]) -> np.ndarray:
        """A mask over units: True where the unit's document is in scope (all, for an empty scope)."""
        if not scope:
            return np.ones(self.n, dtype=bool)
        mask = np.zeros(self.n, dtype=bool)
        for doc in scope:
            if doc in self._rows:
                mask[slice(*self._rows[doc])] = True
        return mask

    @cached_property
    def _chinese_units(self) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        for doc, (start, end) in self._rows.items():
            mask[start:end] = self.languages.get(doc) == "zh"
        return mask

    def in_language(self, lang: str) -> np.ndarray:
        """A mask over units: True where the unit's paper is written in `lang` ("en" or "zh")."""
        return self._chinese_units if lang == "zh" else ~self._chinese_units

    def _df_of(self, term: str) -> int:
        i = self.vocab.get(term)
        return int(self._df[i]) if i is not None and i < len(self._df) else 0

    def known(self, term: str) -> bool:
        """Whether any unit uses the term: a word the papers never use is evidence they do not answer."""
        return self._df_of(term) > 0

    def weight(self, term: str) -> float:
        """The term's rarity across units (BM25's idf): rare words say more about what is asked."""
        df = self._df_of(term)
        return float(np.log(1 + (self.n - df + 0.5) / (df + 0.5)))

    def known_in(self, doc: str, term: str) -> bool:
        """Whether the document uses the term anywhere."""
        i = self.vocab.get(term)
        return i is not None and i in self._doc_df(doc)

    def weight_in(self, doc: str, term: str) -> float:
        """The term's rarity across the document's own units (as `weight`, within one paper)."""
        i = self.vocab.get(term)
        n, df = self.doc_n.get(doc, 0), self._doc_df(doc).get(i, 0) if i is not None else 0
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def share(self, term: str) -> float:
        """The fraction of units that use the term."""
        return self._df_of(term) / self.n if self.n else 0.0

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

    def lead_in(self, unit: str) -> str | None:
        """The unit that introduces a labelled one (a table's row, a list's item): the nearest
        before it in its document without a label; None for a unit with no label."""
        i = self.position.get(unit)
        if i is None or not self.units[i].label:
            return None
        start = self._rows[self.units[i].doc_id][0]
        return next((self.keys[j] for j in range(i - 1, start - 1, -1) if not self.units[j].label), None)

    def terms_of(self, unit: str) -> set[str]:
        """The terms of one unit (heading included, acronyms expanded); empty for an unknown unit."""
        i = self.position.get(unit)
        if i is None:
            return set()
        return {self.vocab_terms[j] for j in self._indices[self._indptr[i]:self._indptr[i + 1]].tolist()}

    def scores(self, query_terms: list[str], weights: dict[str, float] | None = None) -> np.ndarray:
        """BM25 of every unit for the query's terms (each as often as it is given), or with
        `weights`, each distinct term's score scaled by its weight."""
        total = np.zeros(self.n, dtype=np.float32)
        listed = set(query_terms) if weights else query_terms
        for term in listed:
            i = self.vocab.get(term)
            if i is None or i >= self._scores.shape[1]:
                continue
            lo, hi = self._scores.indptr[i], self._scores.indptr[i + 1]
            if hi > lo:
                w = weights.get(term, 1.0) if weights else 1.0
                total[self._scores.indices[lo:hi]] += w * self._scores.data[lo:hi]
        return total

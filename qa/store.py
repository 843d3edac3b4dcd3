"""The index: one Chroma collection per dense model (embedded or a Chroma server), plus a BM25
index over the same citable units, rebuilt in memory from Chroma so the two can never disagree.

Plain chromadb, not `langchain_chroma`: we need collections created with our own registered embedding
function (LangChain's wrapper creates them with Chroma's downloading default), stable ids and
per-chunk hashes for diffing, which its vector-store API does not expose.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse

import bm25s
import chromadb
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function

from .chunk import CHUNKER_VERSION, units_of
from .config import Settings
from .embed import Embedder, get_embedder
from .models import Chunk
from .text import terms

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it ships at DEBUG


class IndexError_(RuntimeError):
    """The index is missing, built by something else, or damaged; the message says what to do."""


@register_embedding_function
class QAEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma-facing adapter over `qa.embed`. Its saved config holds only the model's registry
    name, never a path, so an index opens on any machine that has the package installed."""

    def __init__(self, model: str) -> None:
        self.model = model

    def __call__(self, input: Documents) -> Embeddings:
        return list(get_embedder(self.model).passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return list(get_embedder(self.model).queries(list(input)))

    @staticmethod
    def name() -> str:
        return "legco-qa"

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "QAEmbeddingFunction":
        return QAEmbeddingFunction(config["model"])

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model}

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"


def embed_text(chunk: Chunk) -> str:
    """What the models see: the heading path gives a paragraph its topic ("Hong Kong/Fujian …")."""
    context = " › ".join(chunk.heading_path)
    label = f"{chunk.label}: " if chunk.label and not chunk.text.startswith(chunk.label) else ""
    return f"{context}\n{label}{chunk.text}" if context else label + chunk.text


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    embedded: int = 0

    def __str__(self) -> str:
        return (f"{self.added} added, {self.updated} updated, {self.deleted} deleted, "
                f"{self.unchanged} unchanged ({self.embedded} embeddings computed)")


@dataclass
class DenseHit:
    chunk_id: str
    unit: str
    similarity: float


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
    """BM25 (bm25s) over whole citable units; heading text included, as for the dense models."""

    def __init__(self, units: dict[str, Chunk]) -> None:
        self.units = list(units.values())
        self.keys = list(units.keys())
        self.acronyms = find_acronyms([u.text for u in self.units])
        docs = [self.expand(terms(embed_text(u))) for u in self.units]
        self.unit_terms = [set(d) for d in docs]
        self.df: dict[str, int] = {}
        for doc in docs:
            for term in set(doc):
                self.df[term] = self.df.get(term, 0) + 1
        self.n = len(docs)
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75) if docs else None
        if self._bm25 is not None:
            self._bm25.index([d or ["\x00"] for d in docs], show_progress=False)
        self._vocab = set(self.df)

    def expand(self, words: list[str]) -> list[str]:
        extra = [t for w in words for t in self.acronyms.get(w, ())]
        return words + extra if extra else words

    def idf(self, term: str) -> float:
        return float(np.log(1 + (self.n - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5)))

    def scores(self, query_terms: list[str], weights: dict[str, float] | None = None) -> np.ndarray:
        known = [t for t in query_terms if t in self._vocab]
        if not known or self._bm25 is None:
            return np.zeros(self.n, dtype=np.float32)
        if not weights:
            return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
        total = np.zeros(self.n, dtype=np.float32)
        for term in set(known):
            total += weights.get(term, 1.0) * np.asarray(self._bm25.get_scores([term]), dtype=np.float32)
        return total


class Store:
    """All index I/O. Thread-safe for one writer and many readers: a sync builds the new lexical
    index aside and swaps it in, so queries keep being answered from the old state meanwhile."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._write_lock = threading.Lock()
        self._lexical: Lexical | None = None
        self._client = self._connect()

    # -- connection -------------------------------------------------------------------------
    def _connect(self) -> Any:
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        url = self.settings.chroma_url
        if url:
            parsed = urlparse(url if "://" in url else f"http://{url}")
            return chromadb.HttpClient(host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000,
                                       ssl=parsed.scheme == "https", settings=chroma_settings)
        return chromadb.PersistentClient(path=str(self.settings.index_dir), settings=chroma_settings)

    def collection_name(self, model: str) -> str:
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in model).strip("-_")
        return f"{self.settings.collection_prefix}-{safe}"[:60]

    def _collection(self, model: str, create: bool = False) -> Any:
        name = self.collection_name(model)
        ef = QAEmbeddingFunction(model)
        if create:
            embedder = get_embedder(model)
            return self._client.get_or_create_collection(
                name, embedding_function=ef, configuration={"hnsw": {"space": "cosine"}},
                metadata={"model": model, "dim": embedder.dim, "chunker": CHUNKER_VERSION})
        try:
            return self._client.get_collection(name, embedding_function=ef)
        except Exception as exc:  # chromadb raises NotFoundError/ValueError depending on backend
            raise IndexError_(
                f"no index for model {model!r} in {self.where}; run `qa index` first") from exc

    @property
    def where(self) -> str:
        return self.settings.chroma_url or str(self.settings.index_dir)

    # -- writing ----------------------------------------------------------------------------
    def sync(self, chunks: list[Chunk], progress: Callable[[int], None] | None = None,
             docs: set[str] | None = None) -> SyncReport:
        """Make the index equal `chunks`: embed only what is new or changed, delete what is gone.

        With `docs`, only those documents are touched (others are left as they are)."""
        report = SyncReport()
        with self._write_lock:
            for model in self.settings.embed_models:
                part = self._sync_model(model, chunks, progress, docs)
                part.embedded += report.embedded
                report = part  # counts are per chunk, the same for every model; embeddings add up
            self._lexical = None
            self.lexical()
        return report

    def _sync_model(self, model: str, chunks: list[Chunk], progress: Callable[[int], None] | None,
                    docs: set[str] | None) -> SyncReport:
        col = self._collection(model, create=True)
        meta = col.metadata or {}
        if meta.get("chunker") != CHUNKER_VERSION or meta.get("model") != model:
            log.info("index for %s was built by another chunker or model: rebuilding", model)
            self._client.delete_collection(col.name)
            col = self._collection(model, create=True)
        existing = col.get(include=["metadatas"])
        have = {i: (m or {}).get("hash") for i, m in zip(existing["ids"], existing["metadatas"] or [])}
        if docs is not None:
            have = {i: h for i, h in have.items() if i.split("#", 1)[0] in docs}
        want = {c.id: c for c in chunks}
        todo = [c for c in chunks if have.get(c.id) != c.hash]
        stale = [i for i in have if i not in want]
        report = SyncReport(
            added=sum(1 for c in todo if c.id not in have), updated=sum(1 for c in todo if c.id in have),
            deleted=len(stale), unchanged=len(want) - len(todo))
        embedder = get_embedder(model)
        batch = 32
        for i in range(0, len(todo), batch):
            part = todo[i:i + batch]
            vectors = embedder.passages([embed_text(c) for c in part])
            col.upsert(ids=[c.id for c in part], embeddings=[v.tolist() for v in vectors],
                       documents=[c.text for c in part], metadatas=[c.metadata() for c in part])
            report.embedded += len(part)
            if progress:
                progress(len(part))
        if stale:
            col.delete(ids=stale)
        return report

    def drop_unconfigured(self) -> list[str]:
        """Delete collections of models no longer configured (a model change re-embeds, never mixes)."""
        keep = {self.collection_name(m) for m in self.settings.embed_models}
        prefix = self.settings.collection_prefix + "-"
        dropped = []
        for col in self._client.list_collections():
            name = col if isinstance(col, str) else col.name
            if name.startswith(prefix) and name not in keep:
                self._client.delete_collection(name)
                dropped.append(name)
        return dropped

    # -- reading ----------------------------------------------------------------------------
    def chunks(self) -> list[Chunk]:
        col = self._collection(self.settings.embed_models[0])
        got = col.get(include=["documents", "metadatas"])
        return [Chunk.from_metadata(doc, meta) for doc, meta in
                zip(got["documents"] or [], got["metadatas"] or [])]

    def lexical(self) -> Lexical:
        lex = self._lexical
        if lex is None:
            lex = Lexical(units_of(self.chunks()))
            self._lexical = lex
        return lex

    def check(self) -> dict[str, int]:
        """Raise IndexError_ unless every configured model's collection exists and agrees."""
        counts = {}
        for model in self.settings.embed_models:
            col = self._collection(model)
            meta = col.metadata or {}
            if meta.get("model") != model or meta.get("chunker") != CHUNKER_VERSION:
                raise IndexError_(f"index in {self.where} was built by another version; run `qa index`")
            counts[model] = col.count()
        if len(set(counts.values())) > 1:
            raise IndexError_(f"index in {self.where} is incomplete ({counts}); run `qa index`")
        if not any(counts.values()):
            raise IndexError_(f"index in {self.where} is empty; run `qa index`")
        return counts

    def dense(self, model: str, vectors: np.ndarray, n: int) -> list[list[DenseHit]]:
        col = self._collection(model)
        res = col.query(query_embeddings=[v.tolist() for v in vectors], n_results=n,
                        include=["metadatas", "distances"])
        out = []
        for ids, metas, dists in zip(res["ids"], res["metadatas"], res["distances"]):
            hits = []
            for cid, meta, dist in zip(ids, metas, dists):
                chunk_unit = cid.rsplit("~", 1)[0]
                hits.append(DenseHit(cid, chunk_unit, 1.0 - float(dist)))
            out.append(hits)
        return out

    def embedder(self, model: str) -> Embedder:
        return get_embedder(model)


def remove_index_dir(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)

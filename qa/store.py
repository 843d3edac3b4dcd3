"""The index: one Chroma collection per dense model (embedded or a Chroma server), a small `docs`
collection recording each document's current version, and a BM25 index over the same citable units,
rebuilt in memory from Chroma so the two can never disagree.

Why versions: a document's chunks are written under a new version id first, and only then is the
document's record switched to that version (one atomic write); old versions are deleted last. A
crash at any point leaves every reader on a complete version, and the next run finishes the job.
Unchanged paragraphs of a changed document reuse their vectors (matched by content hash), so editing
one paragraph embeds one chunk.

Plain chromadb, not `langchain_chroma`: we need collections created with our own registered embedding
function (LangChain's wrapper creates them with Chroma's downloading default), stable ids and
metadata filters, which its vector-store API does not expose.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function
from filelock import FileLock

from .chunk import CHUNKER_VERSION, embed_text, units_of
from .config import Settings
from .embed import Embedder, get_embedder
from .models import Chunk, content_hash
from .lexical import Lexical

log = logging.getLogger(__name__)


class IndexError_(RuntimeError):
    """The index is missing, built by something else, or damaged; the message says what to do."""


class IndexDamaged(IndexError_):
    """The index is there but cannot be opened (a damaged file, an unreachable server)."""


def whole(index_dir: Path) -> None:
    """An embedded index whose database is missing, empty or not SQLite while its vector folders are
    there is damaged: Chroma would start an empty database in its place and leave the vectors
    orphaned, so it is refused (and `qa index` moves it aside) instead."""
    database = index_dir / "chroma.sqlite3"
    vectors = index_dir.exists() and any(p.is_dir() for p in index_dir.iterdir())
    try:
        with open(database, "rb") as fh:
            header = fh.read(16)
    except FileNotFoundError:
        header = None
    if header is None and not vectors:
        return  # a new index
    if header != b"SQLite format 3\x00":
        raise ValueError(f"its database, chroma.sqlite3, is {'missing' if header is None else 'empty' if not header else 'not SQLite'}")


def writable(index_dir: Path) -> None:
    """An embedded index is written even to be read (Chroma's database, our lock files): say so
    plainly when its folder is read-only, rather than fail somewhere inside."""
    folder = index_dir if index_dir.exists() else index_dir.parent
    if folder.exists() and not os.access(folder, os.W_OK):
        raise IndexError_(f"the index folder {index_dir} is read-only; make it writable, or set QA_INDEX_DIR "
                          "to a writable copy of it")


def serving_lock(settings: Settings) -> FileLock | None:
    """Held by a running app on an embedded store: another process writing to the same folder
    would not be seen by it (Chroma keeps vectors in memory), so the CLI refuses while it runs.
    Needs no open index, so a damaged one can still be checked and repaired."""
    if settings.chroma_url:
        return None
    writable(settings.index_dir)
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(settings.index_dir / ".serving.lock"))


@register_embedding_function
class QAEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma-facing adapter over `qa.embed`. Its saved config holds only the model's registry
    name, never a path, so an index opens on any machine that has the package installed."""

    def __init__(self, model: str) -> None:
        self.model = model

    def __call__(self, input: Documents) -> Embeddings:
        return list(get_embedder(self.model, "index").passages(list(input)))

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


@register_embedding_function
class NoEmbedding(EmbeddingFunction[Documents]):
    """For the `docs` bookkeeping collection, which is never searched by vector."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        return [np.ones(1, dtype=np.float32) for _ in input]

    @staticmethod
    def name() -> str:
        return "legco-qa-none"

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "NoEmbedding":
        return NoEmbedding()

    def get_config(self) -> dict[str, Any]:
        return {}


@dataclass
class DocRecord:
    """A document as indexed; its `version` names the chunk set that readers use."""

    doc: str
    version: str
    hash: str
    title: str = ""
    date: str = ""
    short: str = ""
    source: str = ""
    paragraphs: int = 0
    chunks: int = 0
    added: str = ""
    language: str = ""  # "en" or "zh"
    paper: str = ""  # shared by the language versions of one paper (front matter `paper:`)
    committee: str = ""  # the committee it was written for ("Panel on Constitutional Affairs", 政制事務委員會)
    stamp: str = ""  # the file as last read (qa/corpus.py `stamp`): while it is the same, it is not parsed again
    url: str = ""  # where it was fetched from (qa/sync.py), shown with its citations

    def metadata(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DocInput:
    """What to index for one document: its record and chunks."""

    record: DocRecord
    chunks: list[Chunk]


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    embedded: int = 0
    reused: int = 0
    docs: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # document id → why it could not be written

    def __str__(self) -> str:
        failed = f", {len(self.failed)} failed" if self.failed else ""
        return (f"{self.added} added, {self.updated} updated, {self.removed} removed, {self.unchanged} unchanged"
                f"{failed} document(s); {self.embedded} embeddings computed, {self.reused} reused")


@dataclass
class DenseHit:
    chunk_id: str
    unit: str
    similarity: float


def text_key(chunk: Chunk) -> str:
    """What a chunk's vector depends on: the text the models see. Equal keys share one vector."""
    return content_hash(embed_text(chunk))


def version_of(doc: str, doc_hash: str) -> str:
    return f"{doc}@{doc_hash[:12]}"


def chunk_id(version: str, chunk: Chunk) -> str:
    """Unique within a version because units are unique within a document (qa/chunk.py makes sure)."""
    return f"{version}#{chunk.unit.split('#', 1)[1]}~{chunk.window}"


class Store:
    """All index I/O. One writer at a time (a thread lock and a lock file); readers never wait:
    they use the snapshot of the last completed write until the next one is committed."""

    REFRESH_S = 2.0
    READ_VERSIONS = 20  # documents' chunks read per query when building a lexical snapshot
    SNAPSHOT = "lexical.npz"  # the last lexical snapshot, beside an embedded index: a start reads it

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._thread_lock = threading.RLock()
        self._writing = False  # the lock file is held (by the thread holding `_thread_lock`)
        self._lexical: Lexical | None = None
        self._lexical_key: tuple[tuple[str, str], ...] | None = None
        self._checked_at = 0.0
        self._generation = ""
        self._counts: dict[str, tuple[str, int]] = {}  # model -> (generation, chunks in its collection)
        self._readers: dict[str, tuple[str, Any]] = {}  # model -> (generation, its collection)
        self._unsaved: tuple[Lexical, tuple[tuple[str, str], ...]] | None = None
        self._saver: threading.Thread | None = None
        self._save_lock = threading.Lock()
        self._client = self._connect()

    # -- connection -------------------------------------------------------------------------
    def _connect(self) -> Any:
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        url = self.settings.chroma_url
        try:
            if url:
                parsed = urlparse(url if "://" in url else f"http://{url}")
                return chromadb.HttpClient(host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000,
                                           ssl=parsed.scheme == "https", settings=chroma_settings)
            writable(self.settings.index_dir)
            whole(self.settings.index_dir)  # raises, below, as a damaged index
            return chromadb.PersistentClient(path=str(self.settings.index_dir), settings=chroma_settings)
        except IndexError_:
            raise
        except Exception as exc:  # a damaged sqlite file, an unreachable server
            hint = "is the Chroma server running?" if url else \
                "`qa index` sets a damaged index aside and builds it again from the corpus folder"
            raise IndexDamaged(f"cannot open the index in {self.where} ({exc}); {hint}") from exc

    @property
    def where(self) -> str:
        return self.settings.chroma_url or str(self.settings.index_dir)

    def collection_name(self, model: str) -> str:
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in model).strip("-_")
        return f"{self.settings.collection_prefix}-{safe}"[:60]

    def _collection(self, model: str, create: bool = False) -> Any:
        name = self.collection_name(model)
        ef = QAEmbeddingFunction(model)
        try:
            if create:
                embedder = get_embedder(model)
                return self._client.get_or_create_collection(
                    name, embedding_function=ef, configuration={"hnsw": {"space": "cosine"}},
                    metadata={"model": model, "dim": embedder.dim, "chunker": CHUNKER_VERSION})
            return self._client.get_collection(name, embedding_function=ef)
        except Exception as exc:  # chromadb raises NotFoundError/ValueError depending on backend
            raise IndexError_(f"no index for model {model!r} in {self.where}; run `qa index` first") from exc

    def _docs_collection(self, create: bool = False) -> Any:
        name = f"{self.settings.collection_prefix}-docs"
        try:
            if create:
                return self._client.get_or_create_collection(name, embedding_function=NoEmbedding(),
                                                             metadata={"chunker": CHUNKER_VERSION})
            return self._client.get_collection(name, embedding_function=NoEmbedding())
        except Exception as exc:
            raise IndexError_(f"no index in {self.where}; run `qa index` first") from exc

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Serialise writers in this process and across processes on this machine. A writer may take
        it again inside (an upload holds it from checking what is indexed to its last file, and
        writes through `sync`): the lock file is taken once per thread that holds it."""
        if self.settings.chroma_url:
            # replicas on one machine meet in the temporary folder; on several, in QA_LOCK_DIR (shared)
            key = hashlib.sha256(self.settings.chroma_url.encode()).hexdigest()[:16]
            path = Path(self.settings.lock_dir or tempfile.gettempdir()) / f"legco-qa-{key}.lock"
        else:
            self.settings.index_dir.mkdir(parents=True, exist_ok=True)
            path = self.settings.index_dir / ".write.lock"
        with self._thread_lock:
            if self._writing:  # this thread holds it already (no other thread gets past the RLock)
                yield
                return
            with FileLock(str(path)):
                self._writing = True
                try:
                    yield
                finally:
                    self._writing = False

    # -- state ------------------------------------------------------------------------------
    def docs(self) -> dict[str, DocRecord]:
        """The committed documents, by id."""
        col = self._docs_collection()
        got = col.get(include=["metadatas"])
        records = {}
        for meta in got["metadatas"] or []:
            fields = {k: meta.get(k) for k in DocRecord.__dataclass_fields__ if k in meta}
            record = DocRecord(**fields)  # type: ignore[arg-type]
            records[record.doc] = record
        return records

    @staticmethod
    def editions(records: dict[str, DocRecord]) -> dict[str, dict[str, str]]:
        """The language versions of each paper: doc → {language: doc}, for papers indexed in more
        than one language. Versions are one paper when they name it (`paper:` in the front matter,
        the same id, or one names the other's document id), or, undeclared, when they share a date
        and the same number of paragraphs, one in each language (LegCo numbers both alike)."""
        def key(r: DocRecord) -> str:
            named = records.get(r.paper or r.doc)
            return (named.paper or named.doc) if named is not None and named is not r else r.paper or r.doc

        groups: dict[str, list[DocRecord]] = {}
        for r in records.values():
            groups.setdefault(key(r), []).append(r)
        undeclared: dict[tuple[str, int], list[DocRecord]] = {}
        for key, members in list(groups.items()):
            if len(members) == 1 and not members[0].paper and members[0].date and members[0].paragraphs >= 3:
                undeclared.setdefault((members[0].date, members[0].paragraphs), []).append(members[0])
        for members in undeclared.values():
            if len(members) == 2 and {m.language for m in members} == {"en", "zh"}:
                for m in members:
                    groups.pop(m.doc, None)
                groups[members[0].doc] = members
        out: dict[str, dict[str, str]] = {}
        for members in groups.values():
            by_lang = {m.language: m.doc for m in sorted(members, key=lambda m: m.doc) if m.language}
            if len(by_lang) > 1:
                for m in members:
                    out[m.doc] = by_lang
        return out

    def labels(self, records: dict[str, DocRecord]) -> dict[str, str]:
        """Short, unambiguous citation labels, needed only once there is more than one document. The
        language versions of a paper share its label; the Chinese one adds 中文 ("[中文 ¶5]")."""
        if len(records) < 2:
            return {}
        editions = self.editions(records)
        paper = {doc: editions[doc].get("en", doc) if doc in editions else doc for doc in records}
        wanted = {p: (records[p].short or records[p].date or p) for p in set(paper.values())}
        counts: dict[str, int] = {}
        for label in wanted.values():
            counts[label] = counts.get(label, 0) + 1
        base = {p: ("" if len(wanted) == 1 else label if counts[label] == 1 else p) for p, label in wanted.items()}
        return {doc: " ".join(x for x in [base[paper[doc]], "中文" if doc != paper[doc] else ""] if x)
                for doc in records if base[paper[doc]] or doc != paper[doc]}

    # -- writing ----------------------------------------------------------------------------
    def sync(self, inputs: list[DocInput], prune: bool = False, force: bool = False,
             progress: Callable[[int], None] | None = None, keep: frozenset[str] = frozenset(),
             started: Callable[[str], None] | None = None) -> SyncReport:
        """Bring the given documents up to date; with `prune`, remove every other document too (but
        those in `keep`: their files are there but could not be read this time). Each document is
        written on its own: one that fails is reported and left as it was, and the rest go on."""
        report = SyncReport()
        with self.write_lock():
            docs_col = self._docs_collection(create=True)
            current = self.docs()
            cols = {m: self._collection(m, create=True) for m in self.settings.embed_models}
            rebuilt = False
            rechunked = []
            for model, col in list(cols.items()):
                meta = col.metadata or {}
                if meta.get("model") != model:
                    log.info("collection for %s was built by another model: rebuilding", model)
                    self._client.delete_collection(col.name)
                    cols[model] = self._collection(model, create=True)
                    rebuilt = True
                elif meta.get("chunker") != CHUNKER_VERSION:
                    # another chunker: every document gets a new version (versions carry the chunker),
                    # and each paragraph whose text is unchanged takes its vector over (text_key)
                    log.info("collection for %s was chunked by another version: re-chunking", model)
                    rechunked.append(model)
            # a collection holding exactly the committed documents' chunks has every one of them
            # (chunks are written before their document is committed): no need to ask per document
            whole = {m for m, col in cols.items() if self._holds_only(col, current)}
            for item in inputs:
                if started:
                    started(item.record.doc)
                try:
                    self._sync_one(item, current.get(item.record.doc), cols, docs_col, force, progress, report,
                                   whole)
                except Exception as exc:  # this document stays as it was (its version never committed)
                    log.error("could not index %s: %s", item.record.source or item.record.doc, exc)
                    report.failed[item.record.doc] = f"{type(exc).__name__}: {exc}"
            if prune:
                keep = keep | {i.record.doc for i in inputs}
                for doc in current:
                    if doc not in keep:
                        self._remove(doc, cols.values(), docs_col)
                        report.removed += 1
            if not report.failed:
                for model in rechunked:
                    cols[model].modify(metadata={**(cols[model].metadata or {}), "chunker": CHUNKER_VERSION})
            changed = bool(report.added or report.updated or report.removed or rebuilt or rechunked)
            after = self.docs() if changed or report.failed else current
            self._collect_garbage([col for m, col in cols.items()
                                   if m not in whole or changed or report.failed], after)
            changed = bool(self._drop_unconfigured()) or changed
            if changed:
                self._bump(docs_col)
        if changed and self._lexical is not None:  # else the next reader builds it (from the documents that changed)
            self.refresh()
        return report

    def whole(self, records: dict[str, DocRecord]) -> bool:
        """Whether every configured model's collection was built by that model and chunker and holds
        exactly the committed documents' chunks (`records`, from `docs()`): then a document already
        committed needs nothing."""
        try:
            cols = [self._collection(m) for m in self.settings.embed_models]
        except IndexError_:
            return False
        return all((col.metadata or {}).get("model") == m and (col.metadata or {}).get("chunker") == CHUNKER_VERSION
                   and self._holds_only(col, records) for m, col in zip(self.settings.embed_models, cols))

    @staticmethod
    def _holds_only(col: Any, records: dict[str, DocRecord]) -> bool:
        """Whether the collection holds as many chunks as the documents committed: then exactly theirs."""
        return col.count() == sum(r.chunks for r in records.values())

    def _sync_one(self, item: DocInput, before: DocRecord | None, cols: dict[str, Any], docs_col: Any,
                  force: bool, progress: Callable[[int], None] | None, report: SyncReport,
                  whole: frozenset[str] | set[str] = frozenset()) -> None:
        record = item.record
        state = "unchanged"
        if before is None:
            state = "added"
        elif before.version != record.version or force:
            state = "updated"
        complete = state == "unchanged" and len(item.chunks) == before.chunks and set(cols) <= whole or \
            all(self._complete(col, record.version, len(item.chunks)) for col in cols.values())
        if state == "unchanged" and complete:
            report.unchanged += 1
            if record.stamp and record.stamp != before.stamp:  # read from new bytes (or first stamped)
                record.added = before.added
                docs_col.update(ids=[record.doc], metadatas=[record.metadata()])
            if progress:
                progress(len(item.chunks) * len(cols))
            return
        for model, col in cols.items():
            embedded, reused = self._write_chunks(model, col, record, item.chunks, force, progress)
            report.embedded += embedded
            report.reused += reused
        record.added = before.added if before and before.added else _now()
        docs_col.upsert(ids=[record.doc], embeddings=[[1.0]], documents=[record.title],
                        metadatas=[record.metadata()])  # the commit point for this document
        for col in cols.values():
            col.delete(where={"$and": [{"doc": record.doc}, {"version": {"$ne": record.version}}]})
        if state == "added":
            report.added += 1
        else:  # changed, forced, or finishing an interrupted run
            report.updated += 1
        report.docs.append(record.doc)

    def _complete(self, col: Any, version: str, expected: int) -> bool:
        return len(col.get(where={"version": version}, include=[])["ids"]) == expected

    def _write_chunks(self, model: str, col: Any, record: DocRecord, chunks: list[Chunk], force: bool,
                      progress: Callable[[int], None] | None) -> tuple[int, int]:
        """Write one version's chunks: keep those already written (a resumed run), copy vectors of
        unchanged text from older versions, embed the rest."""
        if progress:
            progress(0)  # a cancelled upload stops here, before any work on this document
        have = set() if force else set(col.get(where={"version": record.version}, include=[])["ids"])
        old = col.get(where={"doc": record.doc}, include=["embeddings", "metadatas"])
        by_hash = {} if force else {
            (m or {}).get("hash"): e for m, e in zip(old["metadatas"] or [], old["embeddings"]
                                                      if old["embeddings"] is not None else [])}
        todo = [c for c in chunks if chunk_id(record.version, c) not in have]
        if progress and len(todo) < len(chunks):
            progress(len(chunks) - len(todo))
        embedded = reused = 0
        embedder = get_embedder(model, "index")
        for i in range(0, len(todo), 16):
            part = todo[i:i + 16]
            keys = [text_key(c) for c in part]
            vectors: list[list[float] | None] = [None if by_hash.get(c.hash) is None else list(by_hash[c.hash])
                                                 for c in part]
            self._same_text(col, keys, vectors)
            missing = [j for j, v in enumerate(vectors) if v is None]
            if missing:
                fresh = embedder.passages([embed_text(part[j]) for j in missing])
                for j, vec in zip(missing, fresh):
                    vectors[j] = vec.tolist()
            embedded += len(missing)
            reused += len(part) - len(missing)
            col.upsert(ids=[chunk_id(record.version, c) for c in part], embeddings=vectors,  # type: ignore[arg-type]
                       documents=[c.text for c in part],
                       metadatas=[{**c.metadata(), "version": record.version, "text_key": key}
                                  for c, key in zip(part, keys)])
            if progress:
                progress(len(part))
        return embedded, reused

    @staticmethod
    def _same_text(col: Any, keys: list[str], vectors: list[list[float] | None]) -> None:
        """Fill in vectors of text the library already holds under another paper ("Members are
        invited to note the content of this paper." is embedded once, not once per paper)."""
        wanted = sorted({k for k, v in zip(keys, vectors) if v is None})
        if not wanted:
            return
        found = col.get(where={"text_key": {"$in": wanted}}, include=["embeddings", "metadatas"])
        known = {(m or {}).get("text_key"): e for m, e in zip(found["metadatas"] or [],
                                                               found["embeddings"] if found["embeddings"] is not None else [])}
        for j, key in enumerate(keys):
            if vectors[j] is None and known.get(key) is not None:
                vectors[j] = list(known[key])

    def remove(self, doc: str) -> bool:
        with self.write_lock():
            current = self.docs()
            if doc not in current:
                return False
            cols = [self._collection(m, create=True) for m in self.settings.embed_models]
            docs_col = self._docs_collection(create=True)
            self._remove(doc, cols, docs_col)
            self._bump(docs_col)
        self.refresh()
        return True

    def _remove(self, doc: str, cols: Any, docs_col: Any) -> None:
        docs_col.delete(ids=[doc])  # the commit point: readers stop seeing it here
        for col in cols:
            col.delete(where={"doc": doc})

    def _collect_garbage(self, cols: Any, records: dict[str, DocRecord]) -> None:
        """Delete chunks of versions no document points at (left by an interrupted run)."""
        live = {r.version for r in records.values()}
        for col in cols:
            if self._holds_only(col, records):
                continue
            metas = col.get(include=["metadatas"])
            stale = [i for i, m in zip(metas["ids"], metas["metadatas"] or [])
                     if (m or {}).get("version") not in live]
            for k in range(0, len(stale), 500):
                col.delete(ids=stale[k:k + 500])

    def _drop_unconfigured(self) -> list[str]:
        """Delete collections of models no longer configured (a model change re-embeds, never mixes)."""
        keep = {self.collection_name(m) for m in self.settings.embed_models}
        keep.add(f"{self.settings.collection_prefix}-docs")
        prefix = self.settings.collection_prefix + "-"
        dropped = []
        for col in self._client.list_collections():
            name = col if isinstance(col, str) else col.name
            if name.startswith(prefix) and name not in keep:
                self._client.delete_collection(name)
                dropped.append(name)
        return dropped

    # -- reading ----------------------------------------------------------------------------
    def chunks(self, versions: list[str] | None = None) -> list[Chunk]:
        if versions is None:
            versions = [r.version for r in self.docs().values()]
        if not versions:
            return []
        col = self._collection(self.settings.embed_models[0])
        out: list[Chunk] = []
        for i in range(0, len(versions), self.READ_VERSIONS):  # one read of 10k chunks held ~4× the memory
            got = col.get(where={"version": {"$in": versions[i:i + self.READ_VERSIONS]}},
                          include=["documents", "metadatas"])
            out += [Chunk.from_metadata(doc, meta) for doc, meta in zip(got["documents"] or [], got["metadatas"] or [])]
        return out

    @staticmethod
    def _bump(docs_col: Any) -> None:
        """Mark that the committed documents changed: readers (this process, other replicas on the
        same Chroma server) compare this one value instead of listing every document."""
        docs_col.modify(metadata={"chunker": CHUNKER_VERSION, "generation": uuid.uuid4().hex})

    def generation(self) -> str:
        try:
            return str((self._docs_collection().metadata or {}).get("generation") or "")
        except IndexError_:
            return ""

    def refresh(self, force: bool = False) -> Lexical:
        """Rebuild the lexical snapshot if the committed documents changed (also by another process
        writing to the same Chroma server)."""
        self._generation = self.generation()  # read first: a change after it is seen next time
        records = self.docs()
        key = tuple(sorted((d, r.version) for d, r in records.items()))
        if self._lexical is None and not force:  # a start: the snapshot saved last, brought up to date
            self._lexical, self._lexical_key = self._saved()
        if force or self._lexical is None or key != self._lexical_key:
            previous = None if force else self._lexical
            kept = dict(self._lexical_key) if previous is not None else {}
            units = units_of(self.chunks([r.version for d, r in records.items() if kept.get(d) != r.version]))
            if previous is not None:  # the documents that did not change keep their units (and terms)
                units.update((k, u) for k, u in zip(previous.keys, previous.units)
                             if u.doc_id in records and kept.get(u.doc_id) == records[u.doc_id].version)
                units = dict(sorted(units.items(), key=lambda item: item[1].doc_id))  # stable: document order
            versions = [v for _, v in key]
            lex = Lexical(units, versions, self.labels(records), self.editions(records),
                          {d: r.language for d, r in records.items()},
                          {d: f"{r.title} {r.committee}" for d, r in records.items()}, previous)
            self._lexical, self._lexical_key = lex, key
            self._keep(lex, key)
        self._checked_at = time.monotonic()
        return self._lexical

    def _snapshot_path(self) -> Path | None:
        return self.settings.index_dir / self.SNAPSHOT if self.settings.persistent else None

    def _saved(self) -> tuple[Lexical | None, tuple[tuple[str, str], ...] | None]:
        path = self._snapshot_path()
        loaded = Lexical.load(path) if path is not None and path.is_file() else None
        return (loaded[0], tuple(loaded[1])) if loaded else (None, None)

    def _keep(self, lex: Lexical, key: tuple[tuple[str, str], ...]) -> None:
        """Save the snapshot for the next start, in the background (at 100k paragraphs it takes
        seconds); only the newest is saved when several come while one is being written."""
        path = self._snapshot_path()
        if path is None or not path.parent.is_dir():
            return
        with self._save_lock:
            self._unsaved = (lex, key)
            if self._saver is None:
                # not a daemon: a process that ends while it writes waits for it
                self._saver = threading.Thread(target=self._save_snapshots, args=(path,), name="qa-lexical-save")
                self._saver.start()

    def _save_snapshots(self, path: Path) -> None:
        while True:
            with self._save_lock:
                item, self._unsaved = self._unsaved, None
                if item is None:
                    self._saver = None
                    return
            try:
                item[0].save(path, list(item[1]))
            except OSError as exc:  # a full or read-only disk: the next start reads the chunks instead
                log.warning("could not save the lexical snapshot to %s: %s", path, exc)

    def saved(self, timeout: float = 60.0) -> None:
        """Wait until the newest snapshot is saved (for a clean exit, and tests)."""
        saver = self._saver
        if saver is not None:
            saver.join(timeout)

    def lexical(self) -> Lexical:
        """The current snapshot; every REFRESH_S, one cheap read tells whether it is still current."""
        lex = self._lexical
        if lex is None:
            return self.refresh()
        if time.monotonic() - self._checked_at > self.REFRESH_S:
            generation = self.generation()
            if not generation or generation != self._generation:
                return self.refresh()
            self._checked_at = time.monotonic()
        return lex

    def check(self) -> dict[str, int]:
        """Raise IndexError_ unless there is a committed, searchable index."""
        records = self.docs()
        if not records:
            raise IndexError_(f"index in {self.where} is empty; run `qa index`")
        counts = {}
        for model in self.settings.embed_models:
            col = self._collection(model)
            meta = col.metadata or {}
            if meta.get("model") != model or meta.get("chunker") != CHUNKER_VERSION:
                raise IndexError_(f"index in {self.where} was built by another version; run `qa index`")
            counts[model] = col.count()
        return counts

    def dense(self, model: str, vectors: np.ndarray, n: int, live: frozenset[str],
              scope: frozenset[str] = frozenset()) -> list[list[DenseHit]]:
        """The `n` nearest chunks of live versions for each vector. Chroma is not given the versions
        (a filter listing every document's version costs time in proportion to the library): it
        returns a few more than `n`, and chunks of versions no document points at (a write in
        progress, or left by an interrupted one) are dropped here; the rare query where too many
        were dropped asks again for more. A `scope` of a few documents is a filter on them."""
        col = self._reader(model)
        total = self._count(model, col)
        where = ({"doc": next(iter(scope))} if len(scope) == 1 else {"doc": {"$in": sorted(scope)}}) if scope else None
        fetch = min(total, n + max(8, n // 2))
        while True:
            res = col.query(query_embeddings=[v.tolist() for v in vectors], n_results=max(1, fetch), where=where,
                            include=["metadatas", "distances"])
            out = [[DenseHit(cid, Chunk.from_metadata("", meta).unit, 1.0 - float(dist))
                    for cid, meta, dist in zip(ids, metas, dists) if meta.get("version") in live][:n]
                   for ids, metas, dists in zip(res["ids"], res["metadatas"], res["distances"])]
            exhausted = all(len(hits) >= n or len(ids) < fetch for hits, ids in zip(out, res["ids"]))
            if exhausted or fetch >= total:
                return out
            fetch = min(total, fetch * 4)

    def similarity(self, model: str, vectors: np.ndarray, units: list[Chunk], live: frozenset[str],
                   windows: int = 4) -> dict[str, float]:
        """The dense similarity of each given unit to the nearest of the query vectors, from the
        vectors the index holds (its best window): for paragraphs another ranking found that the
        dense search did not return, so every candidate is weighed on the same scale."""
        version = {v.rpartition("@")[0]: v for v in live}
        ids = [chunk_id(version[u.doc_id], replace(u, window=w)) for u in units if u.doc_id in version
               for w in range(windows)]
        if not ids:
            return {}
        got = self._reader(model).get(ids=ids, include=["embeddings", "metadatas"])
        if got["embeddings"] is None or not len(got["embeddings"]):
            return {}
        sims = np.asarray(got["embeddings"], dtype=np.float32) @ np.asarray(vectors, dtype=np.float32).T
        out: dict[str, float] = {}
        for meta, row in zip(got["metadatas"], sims.max(axis=1)):
            unit = Chunk.from_metadata("", meta).unit
            out[unit] = max(out.get(unit, -1.0), float(row))
        return out

    def _reader(self, model: str) -> Any:
        """The model's collection for searching, looked up again only when the committed documents
        change (a rebuilt collection is a change): a round trip less per question."""
        seen = self._readers.get(model)
        if seen is None or seen[0] != self._generation or not self._generation:
            seen = (self._generation, self._collection(model))
            self._readers[model] = seen
        return seen[1]

    def _count(self, model: str, col: Any) -> int:
        """The collection's size, read again only when the committed documents change: one round trip
        less per question on a Chroma server."""
        seen = self._counts.get(model)
        if seen is None or seen[0] != self._generation or not self._generation:
            seen = (self._generation, col.count())
            self._counts[model] = seen
        return seen[1]

    def embedder(self, model: str) -> Embedder:
        return get_embedder(model)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")

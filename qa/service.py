"""The one entry point every front end uses: `ask(question, history) -> Answer` and `index(paths)`.
Models and the index load lazily, once per process."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .answer import ExtractiveAnswerer
from .chunk import CHUNKER_VERSION, chunk_document
from .corpus import Corpus, safe_name
from .config import Settings, get_settings
from .embed import get_embedder
from .ingest import IngestError, discover, load, load_bytes
from .models import Answer, Chunk, Document, Turn, content_hash
from .query import QuestionError, analyse, translate
from .retrieve import Retriever
from .store import DocInput, DocRecord, IndexError_, Store, SyncReport, version_of

__all__ = ["QA", "QuestionError", "IngestError", "IndexError_", "IndexResult"]


@dataclass
class IndexResult:
    documents: list[Document] = field(default_factory=list)
    chunks: int = 0
    report: SyncReport = field(default_factory=SyncReport)
    skipped: list[str] = field(default_factory=list)  # files refused, with the reason


def skipped_all(inputs: list[DocInput], skipped: list[str]) -> bool:
    """Never prune the index because every file failed to read (a broken mount, say)."""
    return not inputs and bool(skipped)


def parse_history(history: Iterable[object] | None) -> list[Turn]:
    """Accept `[{"role", "content"}]` (the JSON contract) or Turn objects; ignore anything else."""
    turns: list[Turn] = []
    for item in history or []:
        if isinstance(item, Turn):
            turns.append(item)
        elif isinstance(item, dict) and item.get("role") in ("user", "assistant") \
                and isinstance(item.get("content"), str):
            turns.append(Turn(item["role"], item["content"]))
        else:
            raise QuestionError("history must be a list of {role: user|assistant, content: text}")
    return turns[-8:]


class QA:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self._store: Store | None = None
        self._lock = threading.Lock()
        self.answerer = ExtractiveAnswerer(self.settings)

    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = Store(self.settings)
            return self._store

    # -- indexing ---------------------------------------------------------------------------
    def window_tokens(self) -> int:
        """Sentence windows must fit every configured model, with room for the heading line."""
        return min(get_embedder(m).max_tokens for m in self.settings.embed_models) - 40

    @property
    def corpus(self) -> Corpus:
        return Corpus(self.settings.corpus_dir)

    def prepare(self, doc: Document, source: str = "", title: str | None = None,
                date: str | None = None) -> DocInput:
        """Chunks and the index record for one parsed document."""
        if title:
            doc.title = title
        if date:
            doc.date = date
        chunks = chunk_document(doc, self.window_tokens())
        if not chunks:
            raise IngestError(f"{source or doc.id}: no paragraphs found")
        version = version_of(doc.id, content_hash("\x1f".join([doc.hash, doc.title, doc.date, CHUNKER_VERSION])))
        record = DocRecord(doc=doc.id, version=version, hash=doc.hash, title=doc.title, date=doc.date,
                           short=doc.meta.get("short", ""), source=source,
                           paragraphs=len({c.paragraph for c in chunks}), chunks=len(chunks))
        return DocInput(record, chunks)

    def read(self, paths: list[Path]) -> tuple[list[Document], list[DocInput], list[str]]:
        """Parse files (skipping, with a reason, what cannot be read or is there twice)."""
        docs, inputs, skipped = [], [], []
        seen_id: dict[str, str] = {}
        seen_hash: dict[str, str] = {}
        for path in discover(paths):
            try:
                over = self.corpus.overrides(path) if self.corpus.contains(path) else {}
                doc = load(path, over.get("id"), self.settings.max_upload_mb * 1024 * 1024)
                item = self.prepare(doc, path.name, over.get("title"), over.get("date"))
            except IngestError as exc:
                skipped.append(str(exc))
                continue
            if doc.id in seen_id:
                skipped.append(f"{path.name}: same document id as {seen_id[doc.id]}; skipped")
                continue
            if doc.hash in seen_hash:
                skipped.append(f"{path.name}: same content as {seen_hash[doc.hash]}; skipped")
                continue
            seen_id[doc.id], seen_hash[doc.hash] = path.name, path.name
            docs.append(doc)
            inputs.append(item)
        return docs, inputs, skipped

    def index(self, paths: list[Path] | None = None, progress: Callable[[int], None] | None = None,
              on_total: Callable[[int], None] | None = None, force: bool = False) -> IndexResult:
        """Make the index equal the corpus folder (default), or bring the given files up to date."""
        docs, inputs, skipped = self.read(paths or [self.settings.corpus_dir])
        if on_total:
            on_total(sum(len(i.chunks) for i in inputs) * len(self.settings.embed_models))
        report = self.store.sync(inputs, prune=paths is None and not skipped_all(inputs, skipped),
                                 force=force, progress=progress)
        return IndexResult(docs, sum(len(i.chunks) for i in inputs), report, skipped)

    def add(self, files: list[tuple[str, bytes]], doc_id: str | None = None, title: str | None = None,
            date: str | None = None, progress: Callable[[int], None] | None = None,
            on_total: Callable[[int], None] | None = None) -> IndexResult:
        """Add or replace documents: each file is parsed first (a bad file changes nothing), then
        placed in the corpus folder, then indexed."""
        if doc_id and len(files) > 1:
            raise IngestError("an explicit document id needs exactly one file")
        current = {r.hash: r.doc for r in self.store.docs().values()} if self._has_index() else {}
        ready: list[tuple[str, bytes, Document, DocInput]] = []
        skipped: list[str] = []
        for name, data in files:
            try:
                clean = safe_name(name)
                doc = load_bytes(data, clean, doc_id, self.settings.max_upload_mb * 1024 * 1024)
                item = self.prepare(doc, clean, title, date)
            except IngestError as exc:
                skipped.append(str(exc))
                continue
            if doc.hash in current and current[doc.hash] != doc.id:
                skipped.append(f"{clean}: already indexed as {current[doc.hash]}")
                continue
            if any(d.hash == doc.hash for _, _, d, _ in ready):
                skipped.append(f"{clean}: same content given twice; indexed once")
                continue
            if any(d.id == doc.id for _, _, d, _ in ready):
                skipped.append(f"{clean}: another file in this upload has the document id {doc.id!r}")
                continue
            ready.append((clean, data, doc, item))
        for clean, data, _, _ in ready:
            path = self.corpus.place(clean, data)
            self.corpus.set_overrides(path, id=doc_id, title=title, date=date)
        inputs = [item for _, _, _, item in ready]
        if on_total:
            on_total(sum(len(i.chunks) for i in inputs) * len(self.settings.embed_models))
        report = self.store.sync(inputs, progress=progress) if inputs else SyncReport()
        return IndexResult([d for _, _, d, _ in ready], sum(len(i.chunks) for i in inputs), report, skipped)

    def remove(self, doc_id: str) -> bool:
        """Remove a document from the index, and move its file out of the corpus folder."""
        record = self.store.docs().get(doc_id)
        if record is None or not self.store.remove(doc_id):
            return False
        if record.source:
            self.corpus.trash(self.settings.corpus_dir / Path(record.source).name)
        return True

    def list_documents(self) -> list[DocRecord]:
        return sorted(self.store.docs().values(), key=lambda r: (r.date, r.doc))

    def _has_index(self) -> bool:
        try:
            self.store.docs()
            return True
        except IndexError_:
            return False

    def status(self) -> dict[str, object]:
        self.store.check()
        records = self.store.docs()
        return {"chunks": sum(r.chunks for r in records.values()), "units": len(self.store.lexical().units),
                "documents": sorted(records), "models": list(self.settings.embed_models)}

    # -- asking -----------------------------------------------------------------------------
    def warm(self) -> None:
        """Load models, the lexical index and the dictionary now rather than on the first question."""
        self.store.check()
        self.store.lexical()
        for model in self.settings.embed_models:
            get_embedder(model).queries(["warm up"])
        translate("香港")

    def stream(self, question: str, history: Iterable[object] | None = None) -> Iterator[str | Answer]:
        """The answer's text in small pieces (for chat UIs and server-sent events), then the Answer.

        The extractive answer is complete before the first piece; streaming keeps one protocol for
        every answerer, so a generative one can stream real tokens through the same path."""
        answer = self.ask(question, history)
        for piece in re.findall(r"\S+\s*|\s+", answer.answer):
            yield piece
        yield answer

    def documents(self) -> list[dict[str, object]]:
        """What is indexed, for listings: one entry per document."""
        return [{"doc": r.doc, "title": r.title, "date": r.date, "paragraphs": r.paragraphs, "chunks": r.chunks,
                 "hash": r.hash, "added": r.added, "source": r.source} for r in self.list_documents()]

    def paragraph(self, doc: str, paragraph: str, label: str = "") -> Chunk | None:
        """A whole citable unit, for showing a cited paragraph."""
        for unit in self.store.lexical().units:
            if unit.doc_id == doc and unit.paragraph == paragraph and unit.label == label:
                return unit
        return None

    def ask(self, question: str, history: Iterable[object] | None = None) -> Answer:
        t0 = time.perf_counter()
        query = analyse(question, parse_history(history), self.settings.max_question_chars,
                        gloss=self.settings.zh_gloss)
        t1 = time.perf_counter()
        retrieval = Retriever(self.store, self.settings).search(query)
        t2 = time.perf_counter()
        answer = self.answerer.answer(query, retrieval)
        t3 = time.perf_counter()
        answer.query = query.standalone
        answer.timing_ms = {"query": (t1 - t0) * 1000, **retrieval.timing_ms,
                            "answer": (t3 - t2) * 1000, "total": (t3 - t0) * 1000}
        return answer

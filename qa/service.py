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
from .chunk import chunk_document
from .config import Settings, get_settings
from .embed import get_embedder
from .ingest import IngestError, discover, load
from .models import Answer, Chunk, Document, Turn
from .query import QuestionError, analyse, translate
from .retrieve import Retriever
from .store import IndexError_, Store, SyncReport

__all__ = ["QA", "QuestionError", "IngestError", "IndexError_", "IndexResult"]


@dataclass
class IndexResult:
    documents: list[Document] = field(default_factory=list)
    chunks: int = 0
    report: SyncReport = field(default_factory=SyncReport)
    skipped: list[str] = field(default_factory=list)  # files refused, with the reason


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

    def read(self, paths: list[Path]) -> tuple[list[Document], list[Chunk], list[str]]:
        docs, chunks, skipped = [], [], []
        seen: dict[str, str] = {}
        for path in discover(paths):
            try:
                doc = load(path)
            except IngestError as exc:
                skipped.append(str(exc))
                continue
            if doc.id in seen:
                skipped.append(f"{path.name}: same document id as {seen[doc.id]}; skipped")
                continue
            seen[doc.id] = path.name
            docs.append(doc)
            chunks.extend(chunk_document(doc, self.window_tokens()))
        return docs, chunks, skipped

    def index(self, paths: list[Path] | None = None,
              progress: Callable[[int], None] | None = None,
              on_total: Callable[[int], None] | None = None) -> IndexResult:
        """Make the index equal the given files (default: the corpus folder)."""
        docs, chunks, skipped = self.read(paths or [self.settings.corpus_dir])
        if on_total:
            on_total(len(chunks) * len(self.settings.embed_models))
        report = self.store.sync(chunks, progress=progress)
        self.store.drop_unconfigured()
        return IndexResult(docs, len(chunks), report, skipped)

    def status(self) -> dict[str, object]:
        counts = self.store.check()
        units = self.store.lexical().units
        return {"chunks": max(counts.values()), "units": len(units),
                "documents": sorted({u.doc_id for u in units}), "models": list(counts)}

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
        """What is indexed: one entry per document, with its paragraph and chunk counts."""
        docs: dict[str, dict[str, object]] = {}
        for chunk in self.store.chunks():
            d = docs.setdefault(chunk.doc_id, {"doc": chunk.doc_id, "title": chunk.title, "date": chunk.date,
                                               "paragraphs": set(), "chunks": 0})
            d["paragraphs"].add(chunk.paragraph)  # type: ignore[union-attr]
            d["chunks"] = int(d["chunks"]) + 1  # type: ignore[call-overload]
        return [{**d, "paragraphs": len(d["paragraphs"])} for d in docs.values()]  # type: ignore[arg-type]

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

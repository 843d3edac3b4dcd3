"""The one entry point every front end uses: `ask(question, history) -> Answer` and `index(paths)`.
Models and the index load lazily, once per process."""

from __future__ import annotations

import ctypes
import gc
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterable, Iterator, Sequence

from anyio import to_thread

from .answer import ExtractiveAnswerer
from .cite import cited_paragraphs, marker
from .chunk import CHUNKER_VERSION, chunk_document
from .corpus import Corpus, document_id, id_key, safe_name, stamp
from .config import Settings, get_settings
from .embed import get_embedder, multilingual
from .feedback import Feedback
from .generate import GenerativeAnswerer, pieces
from .llm import Abort, ChatModel, LLMError
from .ingest import IngestError, discover, load_bytes, parser_version, read_file
from .models import Answer, Chunk, Document, Turn, content_hash, unit_key
from .parse import find_committee
from .fetch import web_url
from .gloss import chinese_for, translate
from .query import Query, QuestionError, analyse, in_english, parts, plain, rewritten
from .lexical import Lexical
from .retrieve import Retrieval, Retriever
from .store import DocInput, DocRecord, IndexDamaged, IndexError_, Store, SyncReport, serving_lock, version_of
from .text import is_cjk, language_code, language_of, terms
from .verify import DenseSimilarity

log = logging.getLogger(__name__)

__all__ = ["QA", "QuestionError", "IngestError", "IndexError_", "IndexResult", "AnswerListener"]

# Told of every question the service takes: the answer (None when the question was refused) and its
# outcome (answered, abstained, fallback, refused). Metrics and logs listen; answers never wait on them.
AnswerListener = Callable[["Answer | None", str], None]


@dataclass
class Reading:
    """The files of one indexing run, read: documents to index (`inputs`), documents whose file is
    as it was when indexed (`unchanged`, not parsed), and files that could not be read."""

    docs: list[Document] = field(default_factory=list)  # every document read or unchanged
    inputs: list[DocInput] = field(default_factory=list)
    unchanged: set[str] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)  # "file: reason"
    unreadable: set[str] = field(default_factory=set)  # their file names
    whole: bool = False  # the index held exactly the indexed documents' chunks when read


@dataclass
class IndexResult:
    documents: list[Document] = field(default_factory=list)  # indexed (or already up to date)
    chunks: int = 0
    report: SyncReport = field(default_factory=SyncReport)
    skipped: list[str] = field(default_factory=list)  # files refused, as "file: reason"
    failed: list[str] = field(default_factory=list)  # files read but not written, as "file: reason"
    repaired: str = ""  # what was done to a damaged index before indexing

    @property
    def files(self) -> list[dict[str, str]]:
        """Per-file status, for the admin job: indexed, skipped (not read) or failed (not written)."""
        rows = [{"file": Path(d.source).name, "doc": d.id, "status": "indexed", "reason": ""} for d in self.documents]
        for status, messages in (("skipped", self.skipped), ("failed", self.failed)):
            for message in messages:
                name, _, reason = message.partition(": ")
                rows.append({"file": name, "doc": "", "status": status, "reason": reason})
        return rows


def release_memory() -> None:
    """Give the memory a large indexing job used back to the system: CPython frees it, but glibc keeps
    freed pages in its arenas unless asked (a 20 MB upload kept the app at 2 GB without this)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to ask
        pass


def origin(doc: Document, kept: dict[str, str]) -> None:
    """Where a fetched file came from, as kept beside it, is part of its document."""
    doc.meta.update({k: kept[k] for k in ("url", "paper") if kept.get(k)})


def settle(docs: list[Document], inputs: list[DocInput], report: SyncReport) -> tuple[list[Document], list[str]]:
    """Split what was given to the store into what it indexed and what failed (with the reason)."""
    source = {i.record.doc: i.record.source or i.record.doc for i in inputs}
    failed = [f"{source[doc]}: {reason}" for doc, reason in report.failed.items()]
    return [d for d in docs if d.id not in report.failed], failed


_DATE_BOUND = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
MAX_TURNS, MAX_TURN_CHARS = 8, 20_000  # what a follow-up can use; the rest is never read


def parse_history(history: Iterable[object] | None) -> list[Turn]:
    """Accept `[{"role", "content"}]` (the JSON contract) or Turn objects; refuse anything else. Only
    the last turns are kept, each cut to a bounded length, whichever route they came through."""
    turns: list[Turn] = []
    for item in list(history or [])[-MAX_TURNS:]:
        if isinstance(item, Turn):
            turns.append(Turn(item.role, plain(item.content[:MAX_TURN_CHARS])))
        elif isinstance(item, dict) and item.get("role") in ("user", "assistant") \
                and isinstance(item.get("content"), str):
            turns.append(Turn(item["role"], plain(item["content"][:MAX_TURN_CHARS])))
        else:
            raise QuestionError("history must be a list of {role: user|assistant, content: text}")
    return turns


class QA:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self._store: Store | None = None
        self._lock = threading.Lock()
        self.answerer = ExtractiveAnswerer(self.settings)
        self._generator: GenerativeAnswerer | None = None
        self._local = None  # the bundled model's server, when QA_LLM=local
        self._llm_error = ""
        self._llm_thread: threading.Thread | None = None
        self._similarity: DenseSimilarity | None = None
        self._urls: tuple[object, dict[str, str]] = (None, {})  # (lexical snapshot, doc → source URL)
        self.listeners: list[AnswerListener] = []
        self._serving = None  # the serving lock, while this process serves the index
        self._feedback: Feedback | None = None

    @property
    def feedback(self) -> Feedback:
        """Where every front end's votes go (made on first use, from the settings of that time)."""
        with self._lock:
            if self._feedback is None:
                s = self.settings
                self._feedback = Feedback(s.feedback_path, s.feedback_max_mb * 1024 * 1024, s.feedback_per_minute)
            return self._feedback

    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = Store(self.settings)
            return self._store

    # -- who may write ----------------------------------------------------------------------
    def serve_lock(self) -> bool:
        """Claim the index for this serving process (embedded store); False if another app has it."""
        lock = self._claim()
        if lock is False:
            return False
        self._serving = lock  # held for the life of the process
        return True

    def app_is_serving(self) -> bool:
        """Another process serves this embedded index, so this one must not write to it."""
        lock = self._claim()
        if lock:
            lock.release()
        return lock is False

    def _claim(self) -> Any:
        """The serving lock, taken; None when there is none to take (a Chroma server); False if taken."""
        from filelock import Timeout

        lock = serving_lock(self.settings)
        if lock is None:
            return None
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return False
        return lock

    # -- indexing ---------------------------------------------------------------------------
    def window_tokens(self) -> int:
        """Sentence windows must fit every configured model, with room for the heading line."""
        return min(get_embedder(m).max_tokens for m in self.settings.embed_models) - 40

    @property
    def corpus(self) -> Corpus:
        return Corpus(self.settings.corpus_dir)

    def prepare(self, doc: Document, source: str = "", title: str | None = None,
                date: str | None = None) -> DocInput:
        """Chunks and the index record for one parsed document (its id made usable here)."""
        doc.id = document_id(doc.id, source or doc.source)
        if title:
            doc.title = title
        if date:
            doc.date = date
        chunks = chunk_document(doc, self.window_tokens())
        if not chunks:
            raise IngestError(f"{source or doc.id}: no paragraphs found")
        if len(chunks) > self.settings.max_doc_chunks:
            raise IngestError(f"{source or doc.id}: {len(chunks):,} passages, over the limit of "
                              f"{self.settings.max_doc_chunks:,} for one document; split it into parts")
        language = language_code(doc.meta.get("language", "")) or \
            language_of(" ".join(c.text for c in chunks[:40]))
        paper = doc.meta.get("paper", "")
        committee = doc.meta.get("committee") or find_committee("\n".join(b.text for b in doc.blocks[:6]))
        version = version_of(doc.id, content_hash("\x1f".join([doc.hash, doc.title, doc.date, language, paper,
                                                               CHUNKER_VERSION])))
        record = DocRecord(doc=doc.id, version=version, hash=doc.hash, title=doc.title, date=doc.date,
                           short=doc.meta.get("short", ""), source=source,
                           paragraphs=len({c.paragraph for c in chunks}), chunks=len(chunks),
                           language=language, paper=paper, committee=committee,
                           url=web_url(doc.meta.get("url", "")))
        return DocInput(record, chunks)

    def read(self, paths: list[Path], force: bool = False, records: dict[str, DocRecord] | None = None) -> Reading:
        """Parse files (skipping, with a reason, what cannot be read or is there twice). A file read
        before, unchanged, is not parsed again (unless `force`, or the index is missing chunks): its
        document is as indexed (`records`, the indexed documents, when the caller has them)."""
        reading = Reading()
        records = self._records() if records is None else records
        trusted = reading.whole = not force and self._whole(records)
        by_source = {r.source: r for r in records.values() if r.source and r.stamp} if trusted else {}
        seen_id: dict[str, str] = {}
        seen_hash: dict[str, str] = {}
        limit = self.settings.max_upload_mb * 1024 * 1024
        corpus = self.corpus
        for path in discover(paths):
            try:
                over = corpus.overrides(path) if corpus.contains(path) else {}
                raw = read_file(path, limit)
                stamped = stamp(raw, over, self.reader(path.name))
                known = by_source.get(path.name)
                if known is not None and known.stamp == stamped:
                    doc, item = Document(known.doc, known.title, known.date, source=str(path), hash=known.hash), None
                else:
                    doc = load_bytes(raw, path.name, over.get("id"), limit, self.settings.max_doc_chunks)
                    doc.source = str(path)
                    origin(doc, over)
                    item = self.prepare(doc, path.name, over.get("title"), over.get("date"))
                    item.record.stamp = stamped
            except IngestError as exc:
                reading.skipped.append(str(exc))
                reading.unreadable.add(path.name)
                continue
            except Exception as exc:  # a parser bug on one odd file must not stop the others
                log.exception("could not read %s", path)
                reading.skipped.append(f"{path.name}: could not be read ({type(exc).__name__}: {exc})")
                reading.unreadable.add(path.name)
                continue
            if id_key(doc.id) in seen_id:
                reading.skipped.append(f"{path.name}: same document id as {seen_id[id_key(doc.id)]}; skipped")
                continue
            if doc.hash in seen_hash:
                reading.skipped.append(f"{path.name}: same content as {seen_hash[doc.hash]}; skipped")
                continue
            seen_id[id_key(doc.id)], seen_hash[doc.hash] = path.name, path.name
            reading.docs.append(doc)
            if item is None:
                reading.unchanged.add(doc.id)
            else:
                reading.inputs.append(item)
        return reading

    def reader(self, name: str) -> str:
        """The version of what turns this file into indexed chunks (its format's parser, chunker,
        window, models): a file stamped by another is read again, and its chunks embedded by a
        newly configured model."""
        parser = parser_version(name)
        return f"{CHUNKER_VERSION}/{self.window_tokens()}/{','.join(self.settings.embed_models)}" + \
            (f"/{parser}" if parser else "")

    def index(self, paths: list[Path] | None = None, progress: Callable[[int], None] | None = None,
              on_total: Callable[[int], None] | None = None, force: bool = False) -> IndexResult:
        """Make the index equal the corpus folder (default), or bring the given files up to date."""
        repaired = self._set_aside_if_damaged()
        with self.store.write_lock():  # the folder read and the index written as one step (see `add`)
            records = self._records()
            reading = self.read(paths or [self.settings.corpus_dir], force, records)
            inputs = reading.inputs
            if on_total:
                on_total(sum(len(i.chunks) for i in inputs) * len(self.settings.embed_models))
            # a file that is there but unreadable this time keeps its last good version in the index
            keep = frozenset(r.doc for r in records.values() if r.source in reading.unreadable) | reading.unchanged
            prune = paths is None and not (reading.skipped and not reading.docs)  # not when no file could be read
            gone = set(records) - {d.id for d in reading.docs} - keep if prune else set()
            if inputs or gone or not reading.whole:
                report = self.store.sync(inputs, prune=prune, force=force, progress=progress, keep=keep)
            else:  # every file as it was indexed, and the index whole: nothing to write
                report = SyncReport()
            report.unchanged += len(reading.unchanged)
            indexed, failed = settle(reading.docs, inputs, report)
            if inputs:  # parsing and embedding are what leave freed memory behind
                release_memory()
            chunks = sum(len(i.chunks) for i in inputs if i.record.doc not in report.failed) + \
                sum(records[d].chunks for d in reading.unchanged)
            return IndexResult(indexed, chunks, report, reading.skipped, failed, repaired)

    def check(self, progress: Callable[[int], None] | None = None,
              on_total: Callable[[int], None] | None = None) -> IndexResult:
        """At start-up, settle what a crash (a `kill -9` mid-upload or mid-removal) left between the
        corpus folder and the index: a file not yet indexed is indexed, a document whose file is
        gone is removed, a half-written upload is deleted. The corpus folder is the source of truth,
        and a run with nothing to settle reads bytes, not documents."""
        self.corpus.sweep()
        return self.index(progress=progress, on_total=on_total)

    def _set_aside_if_damaged(self) -> str:
        """An embedded index that cannot be opened is moved aside (never deleted) so that a fresh one
        can be built from the corpus folder, which is the source of truth."""
        try:
            self.store
            return ""
        except IndexDamaged as exc:
            if not self.settings.persistent:
                raise
            index = self.settings.index_dir
            aside = index.with_name(f"{index.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
            index.rename(aside)
            log.warning("%s; moved it to %s", exc, aside)
            return f"the index in {index} could not be opened; it was moved to {aside} and built again"

    def add(self, files: list[tuple[str, bytes]], doc_id: str | None = None, title: str | None = None,
            date: str | None = None, progress: Callable[[int], None] | None = None,
            on_total: Callable[[int], None] | None = None, replace: bool = False,
            on_plan: Callable[[list[tuple[str, str, int]]], None] | None = None,
            started: Callable[[str], None] | None = None,
            origins: dict[str, dict[str, str]] | None = None) -> IndexResult:
        """Add documents: each file is parsed first (a bad file changes nothing), then placed in the
        corpus folder, then indexed; a file that fails to index is taken out again. A file whose
        document id or name is taken is refused, unless `replace`: then the old file goes to
        `.removed/` (and comes back if the new one fails). `on_plan` hears (file, document id,
        embeddings to compute) for each file to be indexed, `started` each document id as its turn comes.
        `origins` gives, by file name, where a fetched file came from (`url`, and the `paper` it is a
        language version of): kept beside the file like the overrides."""
        if doc_id and len(files) > 1:
            raise IngestError("an explicit document id needs exactly one file")
        # what is indexed is read, and files placed and written, by one writer at a time across
        # replicas: a removal through another cannot fall between the check and the write
        with self.store.write_lock():
            records = self._records()
            by_hash = {r.hash: r.doc for r in records.values()}
            by_key = {id_key(r.doc): r.doc for r in records.values()}
            by_source = {r.source: r.doc for r in records.values() if r.source}
            ready: list[tuple[str, bytes, Document, DocInput]] = []
            skipped: list[str] = []
            kept: dict[str, dict[str, str]] = {}  # clean file name → its origin
            for name, data in files:
                try:
                    clean = safe_name(name)
                    doc = load_bytes(data, clean, doc_id, self.settings.max_upload_mb * 1024 * 1024,
                                     self.settings.max_doc_chunks)
                    kept[clean] = (origins or {}).get(name, {})
                    origin(doc, kept[clean])
                    item = self.prepare(doc, clean, title, date)
                except IngestError as exc:
                    skipped.append(str(exc))
                    continue
                if by_key.get(id_key(doc.id), doc.id) != doc.id:
                    skipped.append(f"{clean}: the id {doc.id!r} is too like that of {by_key[id_key(doc.id)]!r} "
                                   "already indexed; use that id to replace it, or give another")
                    continue
                if doc.hash in by_hash and by_hash[doc.hash] != doc.id:
                    skipped.append(f"{clean}: already indexed as {by_hash[doc.hash]}")
                    continue
                taken = doc.id if doc.id in records else by_source.get(clean)
                if taken and records[taken].hash == doc.hash and records[taken].source != clean:
                    skipped.append(f"{clean}: the same document is already indexed as {taken!r}")
                    continue
                if taken and not replace and records[taken].hash != doc.hash:
                    skipped.append(f"{clean}: the document {taken!r} (from {records[taken].source or 'another file'}) "
                                   "already has this id or file name; replace it explicitly, or give another id")
                    continue
                if any(d.hash == doc.hash for _, _, d, _ in ready):
                    skipped.append(f"{clean}: same content given twice; indexed once")
                    continue
                if any(d.id == doc.id for _, _, d, _ in ready):
                    skipped.append(f"{clean}: another file in this upload has the document id {doc.id!r}")
                    continue
                ready.append((clean, data, doc, item))
            placed: dict[str, tuple[Path, Path | None]] = {}  # doc id → (new file, the old one in .removed/)
            for clean, data, doc, item in ready:
                old = records.get(doc.id) or records.get(by_source.get(clean, ""))
                trashed = None
                if old is not None and old.source and old.hash != doc.hash:
                    trashed = self.corpus.trash(self.settings.corpus_dir / Path(old.source).name)
                path = self.corpus.place(clean, data)
                self.corpus.set_overrides(path, id=doc_id, title=title, date=date, **kept.get(clean, {}))
                item.record.stamp = stamp(data, self.corpus.overrides(path), self.reader(path.name))
                placed[doc.id] = (path, trashed)
            inputs = [item for _, _, _, item in ready]
            models = len(self.settings.embed_models)
            if on_total:
                on_total(sum(len(i.chunks) for i in inputs) * models)
            if on_plan:
                on_plan([(clean, doc.id, len(item.chunks) * models) for clean, _, doc, item in ready])
            report = self.store.sync(inputs, progress=progress, started=started) if inputs else SyncReport()
            for doc in report.failed:  # a rejected upload is not left behind; a replaced file comes back
                path, trashed = placed[doc]
                self.corpus.trash(path, keep=False)
                if trashed is not None:
                    self.corpus.restore(trashed)
            indexed, failed = settle([d for _, _, d, _ in ready], inputs, report)
            release_memory()
            return IndexResult(indexed, sum(len(i.chunks) for i in inputs if i.record.doc not in report.failed),
                               report, skipped, failed)

    def remove(self, doc_id: str) -> bool:
        """Remove a document from the index, and move its file out of the corpus folder (both under
        the writers' lock, so an upload of the same paper through another replica comes before or after)."""
        with self.store.write_lock():
            record = self.store.docs().get(doc_id)
            if record is None or not self.store.remove(doc_id):
                return False
            if record.source:
                self.corpus.trash(self.settings.corpus_dir / Path(record.source).name)
            return True

    def list_documents(self) -> list[DocRecord]:
        return sorted(self.store.docs().values(), key=lambda r: (r.date, r.doc))

    def _whole(self, records: dict[str, DocRecord]) -> bool:
        try:
            return self.store.whole(records)
        except IndexError_:
            return False

    def _records(self) -> dict[str, DocRecord]:
        """The indexed documents, or none when there is no index yet."""
        try:
            return self.store.docs()
        except IndexError_:
            return {}

    def status(self) -> dict[str, object]:
        self.store.check()
        records = self.store.docs()
        return {"chunks": sum(r.chunks for r in records.values()), "units": len(self.store.lexical().units),
                "documents": sorted(records), "models": list(self.settings.embed_models)}

    # -- asking -----------------------------------------------------------------------------
    def warm(self) -> None:
        """Load models, the lexical index and the dictionary now rather than on the first question;
        start the language model's server in the background (answers are extractive until it is up)."""
        self.store.check()
        self.store.lexical()
        for model in self.settings.embed_models:
            get_embedder(model).queries(["warm up"])
        translate("香港")
        terms("粵港合作聯席會議")  # the Chinese word segmenter's dictionary
        if self.store.lexical().chinese:
            chinese_for("civil servants")  # the dictionary read backwards, for English questions
        self.start_llm(wait=False)

    # -- the language model -----------------------------------------------------------------
    def start_llm(self, wait: bool = True) -> GenerativeAnswerer | None:
        """The generative answerer, if one is configured and reachable. `wait=False` starts the
        bundled model's server in a thread and returns at once."""
        s = self.settings
        if not s.generative or self._generator is not None:
            return self._generator
        if s.llm_url:
            key = s.llm_api_key.get_secret_value() if s.llm_api_key else None
            return self._make_generator(s.llm_url, s.llm_model, key)
        with self._lock:
            if self._llm_thread is None:
                self._llm_thread = threading.Thread(target=self._start_local, name="llm-start", daemon=True)
                self._llm_thread.start()
        if wait:
            self._llm_thread.join()
        return self._generator

    def _start_local(self) -> None:
        from .llm_local import MODEL_NAME, LocalServer

        try:
            self._local = LocalServer(self.settings)
            url = self._local.start()
            self._make_generator(url, self.settings.llm_model or MODEL_NAME, None)
        except LLMError as exc:
            self._llm_error = str(exc)
            log.error("the local language model is not available: %s", exc)

    def _make_generator(self, url: str, model: str, key: str | None) -> GenerativeAnswerer:
        chat = ChatModel(url, model, self.settings, key)
        self._generator = GenerativeAnswerer(self.settings, chat, self.answerer, self.similarity())
        return self._generator

    def similarity(self) -> DenseSimilarity | None:
        """Claim-to-paragraph similarity for citation checks (a multilingual model, when one is configured)."""
        model = next((m for m in self.settings.embed_models if multilingual(m)), None)
        if model is None:
            return None
        if self._similarity is None:
            self._similarity = DenseSimilarity(get_embedder(model))
        return self._similarity

    def llm_status(self) -> dict[str, str]:
        s = self.settings
        if not s.generative:
            return {"answerer": "extractive", "llm": "off"}
        if self._generator is not None:
            return {"answerer": "generative", "llm": "ready", "url": self._generator.chat.base_url}
        state = "failed" if self._llm_error else "starting"
        return {"answerer": "extractive", "llm": state, "error": self._llm_error}

    def stop(self) -> None:
        if self._local is not None:
            self._local.stop()

    def documents(self) -> list[dict[str, object]]:
        """What is indexed, for listings: one entry per document."""
        editions = self.store.editions(self.store.docs())
        return [{"doc": r.doc, "title": r.title, "date": r.date, "language": r.language, "committee": r.committee,
                 "paragraphs": r.paragraphs,
                 "chunks": r.chunks, "hash": r.hash, "added": r.added, "source": r.source, "url": r.url,
                 "editions": {lang: d for lang, d in editions.get(r.doc, {}).items() if d != r.doc}}
                for r in self.list_documents()]

    def units_of(self, doc: str) -> list[Chunk]:
        """A document's citable units in reading order, for reading it whole."""
        lex = self.store.lexical()
        return sorted((u for u in lex.units if u.doc_id == doc), key=lambda u: (u.start, u.label))

    def paragraph(self, doc: str, paragraph: str, label: str = "", part: str = "") -> Chunk | None:
        """A whole citable unit, for showing a cited paragraph."""
        lex = self.store.lexical()
        return lex.unit(unit_key(doc, paragraph, label, part))

    def search(self, text: str, k: int = 5, scope: Sequence[str] | None = None, since: str = "", until: str = "",
               language: str = "") -> list[dict[str, object]]:
        """The best citable units for a query, best first, with the marker that cites each (for
        assistants that read and cite for themselves); scoped as `stream` is."""
        query = analyse(text, [], self.settings.max_question_chars, gloss=self.settings.zh_gloss,
                        scope=self._checked_scope(scope, since, until, language),
                        chinese_papers=self.store.lexical().chinese)
        retrieval = Retriever(self.store, self.settings).search(query, k)
        return [{"marker": marker(retrieval.lexical, h.chunk), **h.chunk.to_json(), "score": round(h.score, 4)}
                for h in retrieval.hits]

    def ask(self, question: str, history: Iterable[object] | None = None, generate: bool = True,
            scope: Sequence[str] | None = None, since: str = "", until: str = "", language: str = "") -> Answer:
        answer = None
        for piece in self.stream(question, history, generate, scope, since, until, language):
            if isinstance(piece, Answer):
                answer = piece
        assert answer is not None
        return answer

    def stream(self, question: str, history: Iterable[object] | None = None, generate: bool = True,
               scope: Sequence[str] | None = None, since: str = "", until: str = "",
               language: str = "") -> Iterator[str | Answer]:
        """The answer's text in pieces as it is written (for chat UIs and server-sent events), then
        the final Answer, whose text replaces the pieces: a generated answer's citations are
        checked only once it is complete. Bad input raises QuestionError before the first piece.
        `generate=False` gives the extractive answer even when a language model is configured;
        `scope` limits the search to these document ids, `since` and `until` (YYYY, YYYY-MM or
        YYYY-MM-DD, both inclusive) to papers dated in that range."""
        t0 = time.perf_counter()
        try:
            turns = parse_history(history)
            query = analyse(question, turns, self.settings.max_question_chars, gloss=self.settings.zh_gloss,
                            scope=self._checked_scope(scope, since, until, language),
                            chinese_papers=self.store.lexical().chinese)
        except QuestionError:
            self._tell(None, "refused")
            raise
        generator = self.start_llm(wait=False) if generate else None
        timing: dict[str, float] = {}
        return self._answer(query, turns, generator if generate else None, generate, t0, timing)

    async def astream(self, question: str, history: Iterable[object] | None = None,
                      **scope: Any) -> AsyncIterator[str | Answer]:
        """`stream` for async front ends (the chat, server-sent events), each step in a worker thread.
        When the reader goes away mid-answer (Stop, a closed connection) the step under way is left
        to finish on its own and the answer's connections to the language model are cut, so neither
        the reader's worker nor the model waits on an answer no one will read."""
        abort = Abort()
        pieces = await to_thread.run_sync(abort.run, lambda: self.stream(question, history, **scope))
        try:
            while True:
                running = True
                piece = await to_thread.run_sync(abort.run, next, pieces, None, abandon_on_cancel=True)
                running = False
                if piece is None:
                    return
                yield piece
        finally:
            abort()
            if not running:
                pieces.close()

    def _answer(self, query: Query, turns: list[Turn], generator: GenerativeAnswerer | None, generate: bool,
                t0: float, timing: dict[str, float]) -> Iterator[str | Answer]:
        if generator is not None and query.followup:
            query = self._condense(query, turns, generator, timing)
        retrieval, answer = self._retrieve(query, timing, t0)
        if answer.abstained and generator is not None and query.lang == "zh" and self.settings.llm_translate:
            # the dictionary found nothing: a translation by the model gets one more try
            query, retrieval, answer = self._translated(query, generator, timing) or (query, retrieval, answer)
        final = answer
        # a list is made from every paragraph the judge accepts, more than the model is shown: it
        # stays quoted. Otherwise a configured model reads the best passages and decides, whatever
        # the judge's gate said.
        if generator is None or answer.items:
            if generate and self.settings.generative and not answer.abstained and not answer.items:
                answer.fallback = self._why_no_llm()
            yield from pieces(answer.answer)
        else:
            for piece in generator.stream(query, retrieval, answer):
                if isinstance(piece, Answer):
                    final = piece
                else:
                    yield piece
        self._other_editions(final, retrieval.lexical)
        self._source_urls(final, retrieval.lexical)
        final.question, final.query, final.scope = query.question, query.standalone, sorted(query.scope)
        final.timing_ms = {**timing, **final.timing_ms, "total": (time.perf_counter() - t0) * 1000}
        self._tell(final, final.outcome)
        yield final

    @staticmethod
    def _other_editions(answer: Answer, lex: Lexical) -> None:
        """Each cited paragraph of a paper indexed in two languages also points at its other version."""
        if not lex.editions:
            return
        for c in answer.citations + answer.nearby:
            chunk = lex.unit(c.unit)
            for lang in lex.editions.get(c.doc, {}):
                other = lex.counterpart(chunk, lang) if chunk is not None else None
                if other is not None:
                    c.with_other(other, lang)
                    break

    def _source_urls(self, answer: Answer, lex: Lexical) -> None:
        """Each citation of a fetched paper links where it was published. The URLs are read once
        per version of the index (a new lexical snapshot is a new version)."""
        if self._urls[0] is not lex:
            self._urls = (lex, {d: r.url for d, r in self.store.docs().items() if r.url})
        for c in answer.citations + answer.nearby:
            c.url = self._urls[1].get(c.doc, "")

    def _checked_scope(self, scope: Sequence[str] | None, since: str = "", until: str = "",
                       language: str = "") -> list[str]:
        """The document ids to search (empty = all): those named, within the dates given, in the
        language given ("en" or "zh")."""
        if not scope and not since and not until and not language:
            return []
        if language and language_code(language) != language:
            raise QuestionError(f"{language!r} is not a language of the papers: use en or zh")
        known = self.store.docs()
        unknown = [d for d in scope or [] if d not in known]
        if unknown:
            raise QuestionError(f"no document {unknown[0]!r} is indexed (see /api/documents)")
        for bound in (since, until):
            if bound and not _DATE_BOUND.match(bound):
                raise QuestionError(f"{bound!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
        chosen = [d for d in (scope or known) if
                  (not since or known[d].date[:len(since)] >= since) and
                  (not until or (known[d].date and known[d].date[:len(until)] <= until)) and
                  (not language or known[d].language == language)]
        if not chosen and language:
            raise QuestionError(f"no indexed paper in that scope is written in {language}")
        if not chosen:
            raise QuestionError(f"no indexed paper is dated {'from ' + since if since else ''}"
                                f"{' ' if since and until else ''}{'until ' + until if until else ''}")
        return chosen

    def _tell(self, answer: Answer | None, outcome: str) -> None:
        for listener in self.listeners:
            try:
                listener(answer, outcome)
            except Exception:  # a metrics or log failure must never cost the reader the answer
                log.exception("answer listener failed")

    def _retrieve(self, query: Query, timing: dict[str, float], t0: float) -> tuple[Retrieval, Answer]:
        t1 = time.perf_counter()
        timing.setdefault("query", (t1 - t0) * 1000 - sum(timing.values()))
        retriever = Retriever(self.store, self.settings)
        k = self.settings.judge_candidates
        retrieval = retriever.search(query, k)
        t2 = time.perf_counter()
        asks = parts(query, self.settings.max_question_chars)
        if len(asks) > 1:  # two questions in one: each searched and answered, the second as a follow-up
            answered: list[tuple[Query, Answer]] = []
            for ask in asks:
                if answered and not answered[-1][1].abstained:
                    ask.focus = cited_paragraphs(answered[-1][1].answer)
                answered.append((ask, self.answerer.answer(ask, retriever.search(ask, k))))
            answer = self.answerer.combine(query, retrieval, answered)
        else:
            answer = self.answerer.answer(query, retrieval)
        timing.update({**retrieval.timing_ms, "answer": (time.perf_counter() - t2) * 1000})
        return retrieval, answer

    def _condense(self, query: Query, turns: list[Turn], generator: GenerativeAnswerer,
                  timing: dict[str, float]) -> Query:
        """A follow-up rewritten by the model as a standalone question (see `query.rewritten`)."""
        t = time.perf_counter()
        try:
            standalone = generator.condense(query.question, turns)
            if standalone:
                query = rewritten(query, standalone, self.settings.max_question_chars)
        except (LLMError, QuestionError) as exc:
            log.warning("follow-up not condensed: %s", exc)
        timing["condense"] = (time.perf_counter() - t) * 1000
        return query

    def _translated(self, query: Query, generator: GenerativeAnswerer,
                    timing: dict[str, float]) -> tuple[Query, Retrieval, Answer] | None:
        """A Chinese question the dictionary gloss found no support for, translated by the model and
        tried once more in English. The answer is still written in Chinese, to the Chinese question."""
        t = time.perf_counter()
        try:
            english = generator.translate(query.question)
            if not english or is_cjk(english):
                return None
            translated = in_english(query, english, self.settings.max_question_chars)
        except (LLMError, QuestionError) as exc:
            log.warning("question not translated: %s", exc)
            return None
        finally:
            timing["translate"] = (time.perf_counter() - t) * 1000
        step: dict[str, float] = {}
        retrieval, answer = self._retrieve(translated, step, time.perf_counter())
        if answer.abstained:
            return None
        timing.update({k: v for k, v in step.items() if k != "query"})
        return translated, retrieval, answer

    def _why_no_llm(self) -> str:
        status = self.llm_status()
        if status["llm"] == "starting":
            return "the language model is still starting"
        return f"the language model is not available: {status.get('error') or 'unknown error'}"

"""Indexing: files read, compared with what is indexed, written to the store, removed; a damaged
index set aside and built again; the memory a large job used given back. The CLI (`qa index`), the
admin job queue, the sources sync and the folder watcher all call one `Indexer`; questions never do.

A file is read only when it changed (its stamp: bytes, overrides, and the version of what reads
it), so the place a document is re-read after it changes is `Indexer.read`."""

from __future__ import annotations

import ctypes
import gc
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .chunk import CHUNKER_VERSION, chunk_document
from .config import Settings
from .corpus import Corpus, document_id, id_key, safe_name, stamp
from .embed import get_embedder
from .fetch import web_url
from .ingest import IngestError, discover, load_bytes, parser_version, read_file
from .models import Document, content_hash
from .parse import find_committee
from .store import DocInput, DocRecord, IndexDamaged, IndexError_, Store, SyncReport, serving_lock, version_of
from .text import language_code, language_of

log = logging.getLogger(__name__)

__all__ = ["Indexer", "IndexResult", "Reading", "release_memory"]


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


# an upload's file that passed the checks: (clean file name, bytes, its document, its chunks and record)
Vetted = tuple[str, bytes, Document, DocInput]


class Indexer:
    """Keeps the index equal to the corpus folder. One writer at a time across processes and
    replicas (the store's write lock); a serving app holds the serving lock so that other processes
    on the machine leave its embedded index alone."""

    def __init__(self, settings: Settings, store: Callable[[], Store]) -> None:
        self.settings = settings
        self._store = store  # opened lazily by the owner; opening may find the index damaged
        self._serving: Any = None  # the serving lock, while this process serves the index

    @property
    def store(self) -> Store:
        return self._store()

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
            ready, skipped, kept = self._vet(files, records, doc_id, title, date, replace, origins)
            by_source = {r.source: r.doc for r in records.values() if r.source}
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

    def _vet(self, files: list[tuple[str, bytes]], records: dict[str, DocRecord], doc_id: str | None,
             title: str | None, date: str | None, replace: bool,
             origins: dict[str, dict[str, str]] | None) -> tuple[list[Vetted], list[str], dict[str, dict[str, str]]]:
        """Each upload parsed and checked against what is indexed and against the rest of the upload:
        the files to place (with their parsed document and chunks), the refusals with their reasons,
        and where each fetched file came from."""
        by_hash = {r.hash: r.doc for r in records.values()}
        by_key = {id_key(r.doc): r.doc for r in records.values()}
        by_source = {r.source: r.doc for r in records.values() if r.source}
        ready: list[Vetted] = []
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
        return ready, skipped, kept

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

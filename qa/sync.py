"""Papers added by URL, and kept current from where they are published.

`Library.add_urls` (for `qa index add URL`, the admin page, `POST /api/documents {"urls"}`) and
`Library.sync` (for `qa sync` and the app's schedule) share one path: each source is fetched
(`qa.fetch`), a feed or a page listing papers is read for its documents (`qa.sources`), each
document is fetched, and what came is handed to `QA.add`, as an upload is. So a fetched paper is a
file in `corpus/` like any other (its URL kept beside it), the same content is stored once, a
changed paper replaces the old one (which goes to `corpus/.removed/`), and a URL already in the
library is refreshed under its own name, never added twice.

Requests are conditional: each URL's ETag and Last-Modified are kept in a small JSON file beside the
index (`QA_SYNC_STATE`), and a source that answers 304 Not Modified costs neither a download nor an
embedding. A source that fails is reported with its reason; nothing is ever removed by a sync."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from .corpus import safe_name
from .fetch import FetchError, Fetched, Fetcher, clean_url
from .ingest import IngestError
from .indexing import IndexResult
from .service import QA
from .sources import Link, Source, feed_links, page_links
from .store import DocRecord, IndexError_, SyncReport

log = logging.getLogger(__name__)

PAGES = ("feed", "listing")  # sources that name documents rather than being one


@dataclass
class Seen:
    """What is known of one URL since it was last fetched."""

    etag: str = ""
    last_modified: str = ""
    kind: str = ""  # pdf, docx, html, text; or feed, listing
    doc: str = ""  # the document it gave
    hash: str = ""  # that document's content hash, when it was indexed
    links: list[list[str]] = field(default_factory=list)  # a feed's or listing's documents: [url, paper]
    checked: str = ""
    status: str = ""


class SyncState:
    """The sync state file: one JSON object, written whole and atomically (a crash leaves the old one)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.urls: dict[str, Seen] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            for url, seen in (data.get("urls") or {}).items():
                self.urls[url] = Seen(**{k: v for k, v in seen.items() if k in Seen.__dataclass_fields__})
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError, AttributeError) as exc:  # unreadable: every request unconditional
            log.warning("ignoring the sync state in %s (%s)", path, exc)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"version": 1, "urls": {u: asdict(s) for u, s in sorted(self.urls.items())}}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".sources-", suffix=".part")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


@dataclass
class Checked:
    """What became of one URL: added, updated, unchanged, not modified (304), skipped or failed."""

    url: str
    status: str
    doc: str = ""
    reason: str = ""

    def __str__(self) -> str:
        doc = f" → {self.doc}" if self.doc else ""
        return f"{self.status:12} {self.url}{doc}{f' ({self.reason})' if self.reason else ''}"

    @property
    def ok(self) -> bool:
        return self.status not in ("skipped", "failed")


@dataclass
class SyncResult(IndexResult):
    """An indexing result (as the job queue and the CLI read it) with each URL's outcome."""

    checked: list[Checked] = field(default_factory=list)

    @property
    def files(self) -> list[dict[str, str]]:
        return [{"file": c.url, "doc": c.doc, "status": c.status, "reason": c.reason} for c in self.checked]

    @property
    def reached(self) -> bool:
        """Some URL gave a document, or said that the one held is current."""
        return any(c.ok for c in self.checked)


@dataclass
class Got:
    """A fetched document on its way into the library."""

    link: Link
    fetched: Fetched
    name: str = ""  # its file name in corpus/
    record: DocRecord | None = None  # the document this URL gave before


@dataclass
class Progress:
    """The callbacks `QA.add` takes, carried over the several calls one run may make."""

    progress: Callable[[int], None] | None = None
    on_total: Callable[[int], None] | None = None
    on_plan: Callable[[list[tuple[str, str, int]]], None] | None = None
    started: Callable[[str], None] | None = None
    total: int = 0
    plan: list[tuple[str, str, int]] = field(default_factory=list)

    def callbacks(self) -> dict[str, Any]:
        base = self.total

        def on_total(n: int) -> None:
            self.total = base + n
            if self.on_total:
                self.on_total(self.total)

        def on_plan(rows: list[tuple[str, str, int]]) -> None:
            self.plan += rows
            if self.on_plan:
                self.on_plan(list(self.plan))

        return {"progress": self.progress, "on_total": on_total, "on_plan": on_plan, "started": self.started}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def indexed(qa: QA) -> dict[str, DocRecord]:
    """The indexed documents; none before the first index is built."""
    try:
        return qa.store.docs()
    except IndexError_:
        return {}


def merged(results: list[IndexResult], checked: list[Checked], skipped: list[str]) -> SyncResult:
    report = SyncReport()
    for r in results:
        for name in ("added", "updated", "removed", "unchanged", "embedded", "reused"):
            setattr(report, name, getattr(report, name) + getattr(r.report, name))
        report.docs += r.report.docs
        report.failed.update(r.report.failed)
    return SyncResult([d for r in results for d in r.documents], sum(r.chunks for r in results), report,
                      skipped + [s for r in results for s in r.skipped], [f for r in results for f in r.failed],
                      checked=checked)


class Library:
    """Fetched papers into one library (a `QA`), remembering what each URL gave in the state file."""

    def __init__(self, qa: QA, fetcher: Fetcher | None = None) -> None:
        self.qa = qa
        self.fetcher = fetcher or Fetcher(qa.settings)
        self.limit = qa.settings.feed_max_items
        self.state = SyncState(qa.settings.sync_state_path)

    def add_urls(self, urls: list[str], follow: bool = False, doc_id: str | None = None,
                 title: str | None = None, date: str | None = None, **progress: Any) -> SyncResult:
        """Add what these URLs are or list (a document; with `follow`, the papers a page links to;
        a feed's items). `doc_id`, `title` and `date` apply to the new documents, as for files (an
        id to one only)."""
        return self.sync([Source(u, follow) for u in urls], doc_id, title, date, **progress)

    def sync(self, sources: list[Source], doc_id: str | None = None, title: str | None = None,
             date: str | None = None, **progress: Any) -> SyncResult:
        """Check each source (conditionally), add what is new, replace what changed."""
        records = indexed(self.qa)
        checked: list[Checked] = []
        skipped: list[str] = []
        links: dict[str, Link] = {}
        got: dict[str, Got] = {}
        given = bool(doc_id or title or date)  # a new override: fetched again, whatever the validators say
        for source in sources:
            try:
                source = Source(clean_url(source.url), source.follow)
                fetched = self._fetch(source.url, records, given)
                for link in self._documents(source, fetched, checked, got, records):
                    links.setdefault(link.url, link)
            except (FetchError, IngestError) as exc:
                self._failed(source.url, str(exc), checked, skipped)
        for url, link in links.items():
            if url in got:
                continue
            try:
                fetched = self._fetch(url, records, given)
            except (FetchError, IngestError) as exc:
                self._failed(url, str(exc), checked, skipped)
                continue
            if fetched.kind in PAGES:
                self._failed(url, f"{url}: not a document (a {fetched.kind})", checked, skipped)
            elif fetched.not_modified:
                seen = self.state.urls[url]
                checked.append(Checked(url, "not modified", seen.doc))
                seen.checked, seen.status = now(), "not modified"
            else:
                got[url] = Got(link, fetched)
        results = self._index(list(got.values()), records, checked, Progress(**progress), doc_id, title, date)
        self.state.save()
        return merged(results, checked, skipped)

    def _failed(self, url: str, reason: str, checked: list[Checked], skipped: list[str]) -> None:
        """A source that could not be read: reported, and nothing it gave before is touched."""
        checked.append(Checked(url, "failed", reason=reason.removeprefix(f"{url}: ")))
        skipped.append(reason if reason.startswith(url) else f"{url}: {reason}")
        seen = self.state.urls.setdefault(url, Seen())
        seen.checked, seen.status = now(), f"failed: {reason.removeprefix(f'{url}: ')}"

    def _fetch(self, url: str, records: dict[str, DocRecord], fresh: bool) -> Fetched:
        """Fetch, conditionally when the copy held is still what this URL last gave."""
        seen = self.state.urls.get(url)
        current = seen is not None and not fresh and (
            seen.kind in PAGES or (seen.doc in records and records[seen.doc].hash == seen.hash != ""))
        fetched = self.fetcher.fetch(url, seen.etag if current else "", seen.last_modified if current else "")
        if fetched.not_modified:
            assert seen is not None
            fetched.kind = seen.kind
        return fetched

    def _documents(self, source: Source, fetched: Fetched, checked: list[Checked], got: dict[str, Got],
                   records: dict[str, DocRecord]) -> list[Link]:
        """The documents a source names (a feed's items, a listing's links), or the source itself."""
        seen = self.state.urls.setdefault(source.url, Seen())
        if fetched.not_modified and fetched.kind in PAGES:
            checked.append(Checked(source.url, "not modified",
                                   reason=f"{fetched.kind}, {len(seen.links)} document(s)"))
            seen.checked, seen.status = now(), "not modified"
            return [Link(url, paper=paper) for url, paper in seen.links]
        if fetched.not_modified:
            checked.append(Checked(source.url, "not modified", seen.doc))
            seen.checked, seen.status = now(), "not modified"
            return []
        if fetched.kind == "feed":
            links = feed_links(fetched.data, fetched.final, self.limit)
        elif fetched.kind == "html" and source.follow:
            links = page_links(fetched.data.decode("utf-8", "replace"), fetched.final, self.limit)
        else:
            got[source.url] = Got(Link(source.url), fetched)
            return []
        seen.etag, seen.last_modified, seen.kind = fetched.etag, fetched.last_modified, \
            "feed" if fetched.kind == "feed" else "listing"
        seen.links = [[link.url, link.paper] for link in links]
        seen.checked = now()
        seen.status = f"{len(links)} document(s)"
        checked.append(Checked(source.url, "read", reason=f"{seen.kind}, {len(links)} document(s)"))
        return links

    # -- into the library -------------------------------------------------------------------
    def _index(self, got: list[Got], records: dict[str, DocRecord], checked: list[Checked], progress: Progress,
               doc_id: str | None, title: str | None, date: str | None) -> list[IndexResult]:
        """Hand the fetched documents to `QA.add`: new ones in one call, refreshed ones in place
        (under their own file name and id, with the overrides they had)."""
        by_url = {r.url: r for r in records.values() if r.url}
        used: set[str] = set()
        for g in got:
            g.record = by_url.get(g.link.url)
            g.name = self._name(g, records, used)
        ids = {g.link.url: (g.record.doc if g.record else Path(g.name).stem) for g in got} | \
            {url: r.doc for url, r in by_url.items()}
        results = []
        fresh = [g for g in got if g.record is None]
        if fresh:
            results.append(self._add(fresh, ids, checked, progress, replace=False, doc_id=doc_id, title=title,
                                     date=date))
        plain = [g for g in got if g.record is not None and not self._overrides(g)]
        if plain:
            results.append(self._add(plain, ids, checked, progress, replace=True))
        for g in got:
            if g.record is not None and (over := self._overrides(g)):
                results.append(self._add([g], ids, checked, progress, replace=True, doc_id=over.get("id"),
                                         title=over.get("title"), date=over.get("date")))
        return results

    def _overrides(self, g: Got) -> dict[str, str]:
        """A refreshed document's own id, title and date overrides, which the new version keeps."""
        assert g.record is not None
        over = self.qa.indexer.corpus.overrides(self.qa.settings.corpus_dir / g.name)
        kept = {k: v for k, v in over.items() if k in ("id", "title", "date")}
        if g.record.doc != Path(g.name).stem:
            kept["id"] = g.record.doc
        return kept

    def _paper(self, g: Got, ids: dict[str, str]) -> str:
        """The document id of the paper this one is a language version of: as its source pairs it
        now, or as it was paired before (a feed that lists one version keeps the pair)."""
        if g.link.paper:
            return ids.get(g.link.paper, "")
        return self.qa.indexer.corpus.overrides(self.qa.settings.corpus_dir / g.name).get("paper", "") if g.record else ""

    def _name(self, g: Got, records: dict[str, DocRecord], used: set[str]) -> str:
        """The file name in corpus/: a refreshed URL's own; a new URL's, unless another document
        has it (then the URL's hash tells them apart)."""
        if g.record is not None and g.record.source:
            used.add(g.record.source)
            return g.record.source
        name = safe_name(g.fetched.name)
        by_source = {r.source: r for r in records.values() if r.source}

        def free(candidate: str) -> bool:
            stem = Path(candidate).stem
            return candidate not in used and stem not in records and candidate not in by_source and \
                not any(Path(u).stem == stem for u in used) and \
                not (self.qa.settings.corpus_dir / candidate).exists()

        if not free(name):
            path = Path(name)
            name = f"{path.stem[:90]}-{hashlib.sha256(g.link.url.encode()).hexdigest()[:8]}{path.suffix}"
        used.add(name)
        return name

    def _add(self, got: list[Got], ids: dict[str, str], checked: list[Checked], progress: Progress,
             replace: bool, **given: Any) -> IndexResult:
        origins = {g.name: {"url": g.link.url, "paper": self._paper(g, ids)} for g in got}
        try:
            result = self.qa.indexer.add([(g.name, g.fetched.data) for g in got], replace=replace, origins=origins,
                                 **given, **progress.callbacks())
        except IngestError as exc:  # e.g. an explicit id for more than one document
            for g in got:
                checked.append(Checked(g.link.url, "skipped", reason=str(exc)))
            return IndexResult(skipped=[str(exc)])
        by_name = {g.name: g for g in got}
        written = set(result.report.docs)
        for d in result.documents:
            g = by_name.get(Path(d.source).name)
            if g is None:
                continue
            status = ("updated" if g.record else "added") if d.id in written else "unchanged"
            checked.append(Checked(g.link.url, status, d.id))
            self.state.urls[g.link.url] = Seen(g.fetched.etag, g.fetched.last_modified, g.fetched.kind, d.id,
                                               d.hash, checked=now(), status=status)
        for status, lines in (("skipped", result.skipped), ("failed", result.failed)):
            for line in lines:
                name, _, reason = line.partition(": ")
                if (g := by_name.get(name)) is not None:
                    checked.append(Checked(g.link.url, status, reason=reason))
                    self.state.urls[g.link.url] = Seen(kind=g.fetched.kind, checked=now(), status=f"{status}: {reason}")
        return result

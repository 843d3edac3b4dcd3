"""The corpus folder kept indexed as files come and go (`qa index --watch`, `QA_WATCH=true` in the
app), with `watchfiles`: a file dropped in is indexed, a changed one re-indexed (only its changed
paragraphs embedded), a deleted one's document removed, within seconds.

A file still being copied is left alone until its size and modification time have stayed the same
for `QA_WATCH_SETTLE_S`: a half-written PDF is never indexed. Dotfiles and dot-folders (`.removed/`,
`.qa-meta/`, the `.upload-*.part` files of uploads in progress) are not watched."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .ingest import SUPPORTED_SUFFIXES
from .indexing import IndexResult
from .service import QA
from .stoppable import Stoppable

log = logging.getLogger(__name__)

Signature = tuple[int, int] | None  # (size, modification time in ns); None once the file is gone


@dataclass
class Batch:
    """Files whose change has settled: to index (added or changed) and gone (deleted)."""

    changed: list[Path] = field(default_factory=list)
    gone: list[Path] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.changed] + [f"{p.name} (deleted)" for p in self.gone]


def signature(path: Path) -> Signature:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class Settling:
    """Changed paths, each held back until it has not changed for `settle_s`."""

    def __init__(self, settle_s: float) -> None:
        self.settle_s = settle_s
        self.pending: dict[Path, tuple[Signature, float]] = {}

    def saw(self, path: Path, now: float) -> None:
        self.pending[path] = (signature(path), now)

    def ready(self, now: float) -> Batch:
        batch = Batch()
        for path, (seen, since) in list(self.pending.items()):
            current = signature(path)
            if current != seen:  # still being written (or gone, or back again): wait from now
                self.pending[path] = (current, now)
            elif now - since >= self.settle_s:
                del self.pending[path]
                (batch.changed if current is not None else batch.gone).append(path)
        return batch


class Watcher(Stoppable):
    """Watches one library's corpus folder until stopped. What a settled batch does is `apply`'s
    (default: index it now; the app queues it as a job)."""

    name = "qa-watch"

    def __init__(self, qa: QA, apply: Callable[[Batch], Any] | None = None,
                 report: Callable[[str], None] | None = None, settle_s: float | None = None) -> None:
        super().__init__()
        self.qa = qa
        self.root = qa.settings.corpus_dir
        self._root = self.root.resolve()  # as watchfiles reports paths
        self.settle_s = qa.settings.watch_settle_s if settle_s is None else settle_s
        self.apply = apply or self.index
        self.report = report or (lambda line: log.info("%s", line))
        self.ready = threading.Event()  # set once the folder is being watched: later changes are seen

    def wanted(self, _change: object, path: str) -> bool:
        """A document file, not under a dot-folder and not a dotfile."""
        try:
            parts = Path(path).relative_to(self._root).parts
        except ValueError:
            return False
        return bool(parts) and not any(p.startswith(".") for p in parts) and \
            Path(path).suffix.lower() in SUPPORTED_SUFFIXES

    def run(self) -> None:
        """Watch until `stop()` (or Ctrl-C, in a terminal)."""
        import watchfiles

        self.root.mkdir(parents=True, exist_ok=True)
        settling = Settling(self.settle_s)
        tick = int(min(max(self.settle_s / 2, 0.1), 1.0) * 1000)  # how often a quiet folder is looked at again
        for changes in watchfiles.watch(self._root, watch_filter=self.wanted, stop_event=self._stop,
                                        yield_on_timeout=True, rust_timeout=tick, debounce=tick):
            self.ready.set()
            now = time.monotonic()
            for _, path in changes:
                settling.saw(Path(path), now)
            batch = settling.ready(now)
            if batch.changed or batch.gone:
                try:
                    self.apply(batch)
                except Exception:  # one bad batch must not end the watch
                    log.exception("could not index the changes in %s", self.root)

    def index(self, batch: Batch, progress: Callable[[int], None] | None = None,
              on_total: Callable[[int], None] | None = None) -> IndexResult:
        """Index the changed files and remove the documents of deleted ones."""
        changed = [p for p in batch.changed if p.is_file()]
        result = self.qa.indexer.index(changed, progress=progress, on_total=on_total) if changed else IndexResult()
        for d in result.documents:
            self.report(f"indexed      {Path(d.source).name} → {d.id}")
        for line in result.skipped + result.failed:
            self.report(f"not indexed  {line}")
        for doc in self.remove([p for p in batch.gone if not p.exists()]):
            result.report.removed += 1
            self.report(f"removed      {doc} (its file was deleted)")
        return result

    def remove(self, gone: list[Path]) -> list[str]:
        """Remove the documents whose file was deleted (and has not come back under that name)."""
        if not gone:
            return []
        names = {p.name for p in gone}
        removed = []
        for doc, record in self.qa.store.docs().items():
            if record.source in names and not (self.root / record.source).exists() and self.qa.indexer.remove(doc):
                removed.append(doc)
        return removed

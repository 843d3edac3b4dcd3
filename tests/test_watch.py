"""The corpus folder watched: a dropped file is indexed within seconds, a file still being written
waits until it is complete, a deleted file's document goes, and the watcher stops cleanly."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from qa.config import Settings
from qa.ingest import load
from qa.service import QA
from qa.sync import indexed
from qa.watch import Batch, Settling, Watcher

from conftest import PAPER


def wait_for(check, timeout: float = 10.0) -> float:
    t = time.monotonic()
    while time.monotonic() - t < timeout:
        if check():
            return time.monotonic() - t
        time.sleep(0.1)
    raise AssertionError("not within %.0f s" % timeout)


@pytest.fixture()
def watched(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    qa = QA(Settings(index_dir=tmp_path / "index", corpus_dir=corpus, embed_models="e5-small", watch_settle_s=0.5))
    lines: list[str] = []
    batches: list[Batch] = []

    def apply(batch: Batch) -> None:
        batches.append(batch)
        watcher.index(batch)

    watcher = Watcher(qa, apply=apply, report=lines.append).start()
    assert watcher.ready.wait(5)
    yield qa, corpus, watcher, lines, batches
    watcher.stop()
    assert not watcher.alive


def test_a_dropped_file_is_indexed_and_a_deleted_one_removed(watched):
    qa, corpus, watcher, lines, batches = watched  # noqa
    (corpus / PAPER.name).write_bytes(PAPER.read_bytes())
    (corpus / ".notes.txt").write_text("a dotfile is never indexed\n\n1. Nothing here.", encoding="utf-8")
    (corpus / ".removed").mkdir()
    (corpus / ".removed" / "old.txt").write_text("1. A removed paper.", encoding="utf-8")
    took = wait_for(lambda: PAPER.stem in indexed(qa))
    assert took < 10
    wait_for(lambda: any(line.startswith("indexed") for line in lines))  # reported once the run is over
    assert set(indexed(qa)) == {PAPER.stem}
    assert qa.ask("How many Mainland Offices does the HKSAR Government have?").citations[0].paragraph == "3"
    (corpus / PAPER.name).unlink()
    wait_for(lambda: any(line.startswith("removed") for line in lines))
    assert PAPER.stem not in indexed(qa)
    assert all(p.name != ".notes.txt" and ".removed" not in p.parts for b in batches for p in b.changed)


def test_a_file_still_being_written_waits_until_it_is_complete(watched):
    qa, corpus, watcher, lines, batches = watched  # noqa
    text = PAPER.read_text(encoding="utf-8")
    target = corpus / "copying.md"
    with target.open("w", encoding="utf-8") as fh:  # a slow copy: a piece every 0.2 s, for ~2 s
        step = len(text) // 10 + 1
        for i in range(0, len(text), step):
            fh.write(text[i:i + step])
            fh.flush()
            time.sleep(0.2)
    wait_for(lambda: "copying" in indexed(qa))
    written = [b for b in batches if any(p.name == "copying.md" for p in b.changed)]
    assert len(written) == 1  # once, when complete: never half a paper
    whole = qa.prepare(load(PAPER)).record
    assert (indexed(qa)["copying"].paragraphs, indexed(qa)["copying"].chunks) == (whole.paragraphs, whole.chunks)


def test_settling_holds_a_changing_file_back(tmp_path):
    settling = Settling(1.0)
    path = tmp_path / "paper.txt"
    path.write_text("1. Part", encoding="utf-8")
    settling.saw(path, 0.0)
    assert settling.ready(0.5).changed == []
    path.write_text("1. Part of a longer paper", encoding="utf-8")
    assert settling.ready(1.2).changed == []  # changed since: waits again from now
    assert settling.ready(2.3).changed == [path]
    settling.saw(path, 3.0)
    path.unlink()
    assert settling.ready(3.1).gone == [] and settling.ready(4.2).gone == [path]


def test_the_watcher_stops_promptly(tmp_path):
    qa = QA(Settings(index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus"))
    watcher = Watcher(qa, apply=lambda batch: None).start()
    time.sleep(0.3)
    t = time.monotonic()
    watcher.stop()
    assert not watcher.alive and time.monotonic() - t < 3
    assert not [t for t in threading.enumerate() if t.name == "qa-watch"]
    assert isinstance(qa.settings.corpus_dir, Path) and qa.settings.corpus_dir.is_dir()

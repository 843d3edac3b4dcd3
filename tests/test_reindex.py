"""Adding, replacing and removing documents while the index keeps serving (real files, real index)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qa.config import Settings
from qa.service import QA

from conftest import PAPER, ROOT, dies_with_us
from docgen import make_pdf

ZH_DOC = """---
title: 閩港合作會議第四次全體會議新聞稿
date: 2023-06-28
---

# 閩港合作會議第四次全體會議

政務司司長與福建省常務副省長郭寧寧於二〇二三年六月二十八日在香港舉行「閩港合作會議」第四次全體會議。

雙方簽署了合作備忘錄，同意在十個範疇推進共二十一項合作事項。

兩地政府部門和法定機構亦簽署了三份合作協議，涵蓋文化、教育及經貿範疇。
"""


def make_service(tmp_path: Path, models: str = "e5-small") -> QA:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    shutil.copy(PAPER, corpus / PAPER.name)
    qa = QA(Settings(index_dir=tmp_path / "index", corpus_dir=corpus, embed_models=models))
    qa.index()
    return qa


def test_add_replace_remove_keep_index_equal_to_corpus(tmp_path):
    qa = make_service(tmp_path)
    pdf = make_pdf(tmp_path / "copy.pdf")
    result = qa.add([("regional-pdf.pdf", pdf.read_bytes())], title="PDF edition", date="2024-05-21")
    assert result.report.added == 1 and not result.skipped
    assert (tmp_path / "corpus" / "regional-pdf.pdf").exists()
    docs = {d["doc"]: d for d in qa.documents()}
    assert docs["regional-pdf"]["title"] == "PDF edition" and docs["regional-pdf"]["paragraphs"] == 15

    # two documents: citations name the document as well as the paragraph
    answer = qa.ask("When was the PPRD Joint Conference held in Guiyang?")
    assert {c.marker for c in answer.citations} <= {"[2024-05-20 ¶9]", "[2024-05-21 ¶9]"}
    assert answer.citations[0].marker in answer.answer

    # the same content again, under another name, is stored once
    again = qa.add([("another-name.pdf", pdf.read_bytes())])
    assert again.report.added == 0 and "already indexed as regional-pdf" in again.skipped[0]
    assert not (tmp_path / "corpus" / "another-name.pdf").exists()

    # re-running on an unchanged corpus does no embedding work, and keeps the override
    noop = qa.index()
    assert noop.report.embedded == 0 and noop.report.unchanged == 2
    assert {d["doc"]: d for d in qa.documents()}["regional-pdf"]["title"] == "PDF edition"

    assert qa.remove("regional-pdf")
    assert not (tmp_path / "corpus" / "regional-pdf.pdf").exists()
    assert list((tmp_path / "corpus" / ".removed").iterdir())  # kept aside, not lost
    assert [d["doc"] for d in qa.documents()] == [PAPER.stem]
    assert all(c.doc_id == PAPER.stem for c in qa.store.chunks())
    assert "[¶9]" in qa.ask("When was the PPRD Joint Conference held in Guiyang?").answer
    assert not qa.remove("regional-pdf")

    # a file deleted from the corpus by hand leaves the index on the next run
    (tmp_path / "corpus" / PAPER.name).rename(tmp_path / "elsewhere.txt")
    (tmp_path / "corpus" / "note.md").write_text("# Note\n\nThe note says hello.", encoding="utf-8")
    report = qa.index().report
    assert (report.added, report.removed) == (1, 1)
    assert [d["doc"] for d in qa.documents()] == ["note"]


def test_hostile_names_stay_inside_the_corpus(tmp_path):
    qa = make_service(tmp_path)
    result = qa.add([("../../escape.md", b"# Escape\n\nNothing to see."),
                     ("/etc/passwd.txt", b"root line one.")])
    assert not result.skipped
    assert (tmp_path / "corpus" / "escape.md").exists() and (tmp_path / "corpus" / "passwd.txt").exists()
    assert not (tmp_path / "escape.md").exists() and not (tmp_path.parent / "escape.md").exists()
    refused = qa.add([("evil.sh", b"rm -rf /"), ("empty.txt", b""), ("fake.pdf", b"MZ\x90\x00")])
    assert len(refused.skipped) == 3 and refused.report.added == 0
    assert {p.name for p in (tmp_path / "corpus").iterdir() if not p.name.startswith(".")} == {
        PAPER.name, "escape.md", "passwd.txt"}
    assert qa.ask("When was the PPRD Joint Conference held in Guiyang?").citations  # nothing lost


def test_chinese_documents_index_and_answer(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "fujian-zh.md").write_text(ZH_DOC, encoding="utf-8")
    qa = QA(Settings(index_dir=tmp_path / "index", corpus_dir=corpus, embed_models="e5-small"))
    qa.index()
    answer = qa.ask("兩地政府部門簽署了多少份合作協議？")
    assert not answer.abstained
    first = answer.citations[0]
    assert first.doc == "fujian-zh" and "三份合作協議" in answer.answer
    assert first.quote in first.text
    assert qa.ask("2023年香港馬拉松的冠軍是誰？").abstained


def test_queries_are_answered_while_a_reindex_runs_and_writers_are_serialised(tmp_path):
    qa = make_service(tmp_path)
    big = make_pdf(tmp_path / "big.pdf", repeat=3).read_bytes()
    errors: list[BaseException] = []
    results = []

    def add(name: str, data: bytes) -> None:
        try:
            results.append(qa.add([(name, data)]))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    writers = [threading.Thread(target=add, args=("big.pdf", big)),
               threading.Thread(target=add, args=("note.md", b"# Note\n\n1. The note is short."))]
    for w in writers:
        w.start()
    answered = 0
    while any(w.is_alive() for w in writers):
        answer = qa.ask("Who is the Mayor of Shanghai named in the paper?")
        assert "Gong Zheng" in answer.answer
        answered += 1
    for w in writers:
        w.join()
    assert not errors and answered > 3
    assert sorted(r.report.added for r in results) == [1, 1]
    records = {r.doc: r for r in qa.list_documents()}
    assert set(records) == {PAPER.stem, "big", "note"}
    chunks = qa.store.chunks()
    assert len(chunks) == sum(r.chunks for r in records.values())  # nothing half-written or doubled


@pytest.mark.slow
def test_a_killed_reindex_leaves_a_consistent_index_and_the_next_run_completes_it(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(PAPER, corpus / PAPER.name)
    big = make_pdf(tmp_path / "big.pdf", repeat=3)
    env = {**os.environ, "QA_INDEX_DIR": str(tmp_path / "index"), "QA_CORPUS_DIR": str(corpus),
           "QA_EMBED_MODELS": "e5-small"}
    # separate processes, as a user would run them (an embedded store is opened by one process at a time)
    subprocess.run([sys.executable, "-m", "qa.cli", "index", "-q"], cwd=ROOT, env=env, check=True)
    proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "index", "add", str(big)], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, preexec_fn=dies_with_us)
    seen = b""
    deadline = time.time() + 120
    while time.time() < deadline:  # wait until embedding is under way, then kill it hard
        data = os.read(proc.stderr.fileno(), 4096)
        seen += data
        counts = re.findall(rb" (\d+)/(\d+) ", seen)
        if not data or (counts and 16 <= int(counts[-1][0]) < int(counts[-1][1])):
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done, total = (int(x) for x in re.findall(rb" (\d+)/(\d+) ", seen)[-1])
    assert 0 < done < total, seen[-300:]

    after = QA(Settings(index_dir=tmp_path / "index", corpus_dir=corpus, embed_models="e5-small"))
    assert [r.doc for r in after.list_documents()] == [PAPER.stem]  # the new document was never committed
    assert len(after.store.chunks()) == after.list_documents()[0].chunks
    answer = after.ask("Who is the Mayor of Shanghai named in the paper?")
    assert "Gong Zheng" in answer.answer and answer.citations[0].doc == PAPER.stem

    finish = after.index()  # the file reached the corpus before embedding; this run completes it
    assert finish.report.added == 1
    assert finish.report.embedded < finish.chunks  # what the killed run wrote is kept
    docs = {r.doc: r for r in after.list_documents()}
    assert set(docs) == {PAPER.stem, "big"}
    assert len(after.store.chunks()) == sum(r.chunks for r in docs.values())


def _serve(env: dict[str, str], url: str, log: Path) -> subprocess.Popen:
    import httpx

    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env,
                            stdout=log.open("a"), stderr=subprocess.STDOUT, preexec_fn=dies_with_us)
    deadline = time.time() + 180
    while time.time() < deadline:
        assert proc.poll() is None, log.read_text()[-2000:]
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise AssertionError("the app did not start")


@pytest.mark.slow
def test_an_upload_killed_with_the_app_is_indexed_by_the_next_start(tmp_path):
    """`kill -9` while an upload is embedded leaves its file in corpus/ and nothing in the index; the
    next start's check indexes it, so corpus/, the index and /admin agree."""
    import httpx

    from conftest import free_port

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(PAPER, corpus / PAPER.name)
    (corpus / ".upload-crash.part").write_bytes(b"half an upload")
    os.utime(corpus / ".upload-crash.part", (time.time() - 3600, time.time() - 3600))
    port = free_port()
    url, auth = f"http://127.0.0.1:{port}", {"authorization": "Bearer t0ken"}
    env = {**os.environ, "QA_INDEX_DIR": str(tmp_path / "index"), "QA_CORPUS_DIR": str(corpus),
           "QA_PORT": str(port), "QA_ADMIN_TOKEN": "t0ken", "QA_INDEX_NICE": "0"}
    proc = _serve(env, url, tmp_path / "app.log")
    try:
        job = httpx.post(url + "/api/documents", headers=auth, timeout=30,
                         files={"files": ("kill-nine.pdf", make_pdf(tmp_path / "k.pdf", repeat=3).read_bytes())}).json()
        deadline = time.time() + 120
        while time.time() < deadline:  # embedding under way: kill the app hard
            state = httpx.get(url + job["status"], headers=auth).json()
            if state["total"] and 0 < state["done"] < state["total"]:
                break
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert state["state"] == "running" and 0 < state["done"] < state["total"], state
    assert (corpus / "kill-nine.pdf").exists()

    proc = _serve(env, url, tmp_path / "app.log")
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            check = httpx.get(url + "/api/jobs", headers=auth).json()["jobs"][-1]
            if check["state"] not in ("queued", "running"):
                break
            time.sleep(0.3)
        assert check["state"] == "done" and sorted(check["result"]["documents"]) == sorted([PAPER.stem, "kill-nine"])
        listed = {d["doc"] for d in httpx.get(url + "/api/documents").json()["documents"]}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert listed == {PAPER.stem, "kill-nine"}
    assert sorted(p.name for p in corpus.iterdir() if p.is_file()) == sorted([PAPER.name, "kill-nine.pdf"])


def test_a_document_that_fails_to_write_is_reported_and_the_rest_are_indexed(tmp_path, monkeypatch):
    qa = make_service(tmp_path)
    corpus = qa.settings.corpus_dir
    (corpus / "good.md").write_text("# Good\n\n1. Ports are busy this year.", encoding="utf-8")
    (corpus / "bad.md").write_text("# Bad\n\n1. A paragraph.\n\n2. Another paragraph.", encoding="utf-8")
    write = qa.store._write_chunks

    def failing(model, col, record, chunks, force, progress):  # the disk fills up mid-document
        if record.doc == "bad":
            col.upsert(ids=["bad-partial"], embeddings=[[0.0] * 384], documents=["x"],
                       metadatas=[{"doc": "bad", "version": record.version}])
            raise OSError("No space left on device")
        return write(model, col, record, chunks, force, progress)

    monkeypatch.setattr(qa.store, "_write_chunks", failing)
    result = qa.index()
    assert sorted(d.id for d in result.documents) == sorted([PAPER.stem, "good"])
    assert result.failed == ["bad.md: OSError: No space left on device"]
    assert {f["file"]: f["status"] for f in result.files} == {PAPER.name: "indexed", "good.md": "indexed",
                                                                "bad.md": "failed"}
    assert sorted(qa.store.docs()) == sorted([PAPER.stem, "good"])
    col = qa.store._collection("e5-small")
    assert col.get(where={"doc": "bad"}, include=[])["ids"] == []  # nothing of it half-written
    assert qa.ask("Which ports are busy?").citations[0].doc == "good"
    monkeypatch.undo()
    assert sorted(d.id for d in qa.index().documents) == sorted([PAPER.stem, "good", "bad"])


def test_a_file_as_it_was_indexed_is_not_parsed_again(tmp_path, monkeypatch):
    import qa.ingest
    import qa.indexing

    qa_ = make_service(tmp_path)
    note = qa_.settings.corpus_dir / "note.md"
    note.write_text("# Note\n\n1. The harbour tunnel opened in 1972.", encoding="utf-8")
    qa_.index()
    parsed: list[str] = []
    real = qa.indexing.load_bytes
    monkeypatch.setattr(qa.indexing, "load_bytes", lambda raw, name, *a: parsed.append(name) or real(raw, name, *a))

    noop = qa_.index()
    assert parsed == [] and noop.report.unchanged == 2 and noop.report.embedded == 0
    assert sorted(d.id for d in noop.documents) == sorted(["note", PAPER.stem]) and noop.chunks == len(qa_.store.chunks())

    # bytes that parse to the same text: read once more, nothing re-embedded, then stamped
    note.write_text("# Note\n\n1. The harbour tunnel opened in 1972.\n\n", encoding="utf-8")
    assert qa_.index().report.embedded == 0 and parsed == ["note.md"]
    qa_.index()
    assert parsed == ["note.md"]

    # new words, a new title: read again
    note.write_text("# Note\n\n1. The harbour tunnel opened in August 1972.", encoding="utf-8")
    assert qa_.index().report.updated == 1 and "August 1972" in qa_.ask("When did the harbour tunnel open?").answer
    qa_.corpus.set_overrides(note, title="Tunnel note")
    qa_.index()
    assert parsed == ["note.md"] * 3 and qa_.store.docs()["note"].title == "Tunnel note"

    # forced, every file is read
    qa_.index(force=True)
    assert sorted(parsed[3:]) == sorted(["note.md", PAPER.name])

    # a new version of one format's parser: its files are read again, and only they
    monkeypatch.setitem(qa.ingest.PARSER_VERSIONS, ".md", "99")
    qa_.index()
    assert parsed[5:] == ["note.md"]
    qa_.index()
    assert parsed[5:] == ["note.md"]


def test_a_file_that_turns_unreadable_keeps_its_last_good_version(tmp_path):
    qa = make_service(tmp_path)
    note = qa.settings.corpus_dir / "note.md"
    note.write_text("# Note\n\n1. The harbour tunnel opened in 1972.", encoding="utf-8")
    qa.index()
    note.write_bytes(b"")  # a sync tool truncated it
    result = qa.index()
    assert result.skipped and "note.md" in result.skipped[0]
    assert "note" in qa.store.docs() and "1972" in qa.ask("When did the harbour tunnel open?").answer


def test_uploads_never_replace_a_document_silently(tmp_path, monkeypatch):
    qa = make_service(tmp_path)
    corpus = qa.settings.corpus_dir
    original = (corpus / PAPER.name).read_bytes()
    other = b"# Something else\n\n1. A different paper under the same name."
    for name in (PAPER.name, PAPER.stem + ".md", PAPER.name.replace("-", " ")):
        result = qa.add([(name, other)])
        assert result.documents == [] and "replace it explicitly" in result.skipped[0], name
    assert (corpus / PAPER.name).read_bytes() == original and not (corpus / ".removed").exists()
    assert sorted(p.name for p in corpus.iterdir() if not p.name.startswith(".")) == [PAPER.name]
    assert qa.ask("How many Mainland Offices does the HKSAR Government have?").citations[0].paragraph == "3"

    # replacing is explicit; the old file is kept, and comes back if the new one cannot be indexed
    write = qa.store._write_chunks

    def failing(model, col, record, chunks, force, progress):
        raise OSError("No space left on device")

    monkeypatch.setattr(qa.store, "_write_chunks", failing)
    failed = qa.add([(PAPER.stem + ".md", other)], replace=True)
    assert failed.documents == [] and "No space left" in failed.failed[0]
    assert (corpus / PAPER.name).read_bytes() == original and not (corpus / (PAPER.stem + ".md")).exists()
    monkeypatch.setattr(qa.store, "_write_chunks", write)
    replaced = qa.add([(PAPER.stem + ".md", other)], replace=True)
    assert [d.id for d in replaced.documents] == [PAPER.stem]
    assert not (corpus / PAPER.name).exists() and (corpus / (PAPER.stem + ".md")).read_bytes() == other
    kept = [p for p in (corpus / ".removed").iterdir() if p.name.endswith(PAPER.name)]
    assert len(kept) == 1 and kept[0].read_bytes() == original

"""Document administration over HTTP: token, uploads with progress, removal, refusals."""

import time

import pytest
from fastapi.testclient import TestClient

from qa.config import Settings
from qa.service import QA
from qa.web import create_app

from conftest import PAPER
from docgen import make_docx, make_html


@pytest.fixture()
def admin(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / PAPER.name).write_bytes(PAPER.read_bytes())
    settings = Settings(index_dir=tmp_path / "index", corpus_dir=corpus, embed_models="e5-small",
                        admin_token="s3cret", max_upload_mb=1)
    qa = QA(settings)
    qa.index()
    with TestClient(create_app(qa)) as client:
        yield client, qa, tmp_path


def wait(client, url, token="s3cret"):
    for _ in range(1200):
        job = client.get(url, headers={"authorization": f"Bearer {token}"}).json()
        if job["state"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def test_admin_is_disabled_without_a_token(index_dir):
    from conftest import CORPUS

    with TestClient(create_app(QA(Settings(index_dir=index_dir, corpus_dir=CORPUS)))) as c:
        assert c.get("/admin").status_code == 404
        assert c.post("/api/documents", files={"files": ("a.txt", b"x")}).status_code == 404
        assert c.delete("/api/documents/x").status_code == 404


def test_upload_list_and_remove(admin):
    client, qa, tmp = admin
    assert client.get("/admin").status_code == 200
    files = [("files", ("paper.docx", make_docx(tmp / "p.docx").read_bytes())),
             ("files", ("paper-web.html", make_html(tmp / "p.html").read_bytes()))]
    assert client.post("/api/documents", files=files).status_code == 401
    assert client.post("/api/documents", files=files,
                       headers={"authorization": "Bearer wrong"}).status_code == 401
    res = client.post("/api/documents", files=files, data={"date": "2024-05-22"},
                      headers={"authorization": "Bearer s3cret"})
    assert res.status_code == 202
    job = wait(client, res.json()["status"])
    assert job["state"] == "done" and sorted(job["result"]["documents"]) == ["paper", "paper-web"]
    assert job["result"]["skipped"] == []
    docs = {d["doc"]: d for d in client.get("/api/documents").json()["documents"]}
    assert docs["paper"]["date"] == docs["paper-web"]["date"] == "2024-05-22"
    assert job["done"] == job["total"] > 0
    answer = client.post("/api/ask", json={"question": "When was the PPRD Joint Conference held in Guiyang?"}).json()
    assert {c["doc"] for c in answer["citations"]} <= {"paper", "paper-web", PAPER.stem}
    assert all(" ¶" in c["marker"] for c in client.post("/api/ask?full=true", json={
        "question": "When was the PPRD Joint Conference held in Guiyang?"}).json()["citations"])
    assert client.delete("/api/documents/paper", headers={"authorization": "Bearer s3cret"}).json() == {
        "removed": "paper"}
    assert client.delete("/api/documents/paper", headers={"authorization": "Bearer s3cret"}).status_code == 404
    assert sorted(d["doc"] for d in client.get("/api/documents").json()["documents"]) == [PAPER.stem, "paper-web"]


def test_bad_uploads_change_nothing(admin):
    client, qa, tmp = admin
    auth = {"authorization": "Bearer s3cret"}
    before = client.get("/api/documents").json()
    big = client.post("/api/documents", files={"files": ("big.txt", b"word " * 300_000)}, headers=auth)
    assert big.status_code == 413 and "limit" in big.json()["error"]
    # a page words the refusal in its own language from its code, not from the English sentence
    assert big.json()["code"] == "too_large" and big.json()["params"] == {"file": "big.txt", "mb": 1}
    res = client.post("/api/documents", headers=auth, files=[
        ("files", ("../../../../tmp/evil.pdf", b"%PDF-1.4 broken")),
        ("files", ("virus.exe", b"MZ")),
        ("files", ("blank.docx", b"PK\x03\x04")),
    ])
    job = wait(client, res.json()["status"])
    assert job["state"] == "done" and len(job["result"]["skipped"]) == 3 and job["result"]["documents"] == []
    assert client.get("/api/documents").json() == before
    assert sorted(p.name for p in (tmp / "corpus").iterdir() if not p.name.startswith(".")) == [PAPER.name]
    cross = client.post("/api/documents", files={"files": ("a.md", b"# A\n\nText.")},
                        headers={**auth, "origin": "http://elsewhere.example"})
    assert cross.status_code == 403


def test_indexing_jobs_show_in_metrics(admin):
    client, qa, tmp = admin
    auth = {"authorization": "Bearer s3cret"}
    res = client.post("/api/documents", files={"files": ("note.md", b"# A note\n\n1. Hong Kong has five offices.")},
                      headers=auth)
    assert wait(client, res.json()["status"])["state"] == "done"
    text = client.get("/metrics").text
    assert 'qa_index_jobs_total{state="done"} 1.0' in text and "qa_index_job_duration_seconds_count 1.0" in text
    assert "qa_index_documents 2.0" in text


def test_a_colliding_upload_is_refused_and_replacing_is_explicit(admin):
    client, qa, tmp = admin
    auth = {"authorization": "Bearer s3cret"}
    corpus = tmp / "corpus"
    original = (corpus / PAPER.name).read_bytes()
    other = b"# Another paper\n\n1. Nothing to do with the Mainland Offices."
    res = client.post("/api/documents", files={"files": (PAPER.stem.replace("-", " ") + ".txt", other)}, headers=auth)
    job = wait(client, res.json()["status"])
    assert job["result"]["documents"] == [] and job["result"]["files"][0]["status"] == "skipped"
    assert "replace it explicitly" in job["result"]["files"][0]["reason"]
    assert (corpus / PAPER.name).read_bytes() == original
    res = client.post("/api/documents", files={"files": (PAPER.stem + ".md", other)}, data={"replace": "true"},
                      headers=auth)
    job = wait(client, res.json()["status"])
    assert job["result"]["documents"] == [PAPER.stem] and job["result"]["files"][0]["status"] == "indexed"
    assert any(p.name.endswith(PAPER.name) for p in (corpus / ".removed").iterdir())


def test_uploads_queue_show_progress_and_can_be_cancelled(admin):
    client, qa, tmp = admin
    auth = {"authorization": "Bearer s3cret"}
    paragraphs = "\n\n".join(f"{n}. Paragraph {n} of a long report on harbour works, pier {n} and its repairs."
                               for n in range(1, 400))
    big = client.post("/api/documents", files={"files": ("long-report.md", f"# Long report\n\n{paragraphs}".encode())},
                      headers=auth).json()
    small = client.post("/api/documents", files={"files": ("note.md", b"# Note\n\n1. The ferry pier opens at six.")},
                        headers=auth).json()
    later = client.post("/api/documents", files={"files": ("later.md", b"# Later\n\n1. The bus depot closes.")},
                        headers=auth).json()
    assert small["position"] >= 1 and later["position"] >= 2  # behind the long report
    # the queue shows each job, the running one with its progress and time left per file
    for _ in range(300):
        running = client.get(big["status"], headers=auth).json()
        if running["state"] == "running" and running["done"] > 0 and running["rate_per_s"] > 0:
            break
        time.sleep(0.1)
    assert running["progress"][0]["file"] == "long-report.md" and running["progress"][0]["eta_s"] > 0
    listed = {j["id"]: j for j in client.get("/api/jobs", headers=auth).json()["jobs"]}
    assert listed[small["job"]]["state"] == "queued" and listed[later["job"]]["position"] == 2
    # cancel the queued one, then the running one: the note behind them is indexed at once
    assert client.delete(f"/api/jobs/{later['job']}", headers=auth).json()["state"] == "cancelled"
    assert client.delete(f"/api/jobs/{big['job']}", headers=auth).status_code == 200
    assert wait(client, big["status"])["state"] == "cancelled"
    assert wait(client, small["status"])["state"] == "done"
    assert client.get(later["status"], headers=auth).json()["state"] == "cancelled"
    docs = sorted(d["doc"] for d in client.get("/api/documents").json()["documents"])
    assert docs == sorted([PAPER.stem, "note"])  # nothing of the cancelled ones is indexed…
    names = {p.name for p in (tmp / "corpus").iterdir() if not p.name.startswith(".")}
    assert names == {PAPER.name, "note.md"}  # …or left in the corpus folder
    assert client.delete(f"/api/jobs/{small['job']}", headers=auth).status_code == 409
    assert client.delete("/api/jobs/nope", headers=auth).status_code == 404
    assert client.delete("/api/jobs/nope", headers=auth).json()["code"] == "no_job"
    assert client.get("/api/jobs").status_code == 401


@pytest.mark.skipif(not hasattr(__import__("os"), "getpriority"), reason="thread priorities are Linux's")
def test_indexing_runs_below_the_questions():
    import os
    import threading

    from qa.web.admin import Jobs

    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: list[int] = []

    def work(progress, total, plan, started):
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        raise RuntimeError("measured")

    job = Jobs(nice=7).start(work)
    for _ in range(100):
        if job.state not in ("queued", "running"):
            break
        time.sleep(0.05)
    assert seen == [min(19, mine + 7)] and job.state == "failed"
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine  # this thread is untouched


@pytest.mark.parametrize("cancel_at", ["end", "between"])
def test_a_job_s_state_tells_what_was_written(tmp_path, cancel_at):
    """A cancel that comes once every embedding is done stops nothing: the job is done and the paper
    kept. One that comes between two papers keeps the first, and says so."""
    from qa.web.admin import Jobs

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    qa = QA(Settings(index_dir=tmp_path / "index", corpus_dir=corpus))
    jobs = Jobs()
    notes = [("first-note.md", b"# First\n\n1. The first note says the pier reopens in March.\n"),
             ("second-note.md", b"# Second\n\n1. The second note says the tunnel toll rises.\n")]
    seen = {"done": 0, "total": 0, "docs": 0}

    def work(progress, total, plan, started):
        def counted(n):
            progress(n)
            seen["done"] += n
            if cancel_at == "end" and seen["done"] == seen["total"]:
                jobs.cancel(job.id)  # the last embedding is in; the commit is still to come

        def begun(doc):
            started(doc)
            seen["docs"] += 1
            if cancel_at == "between" and seen["docs"] == 2:
                jobs.cancel(job.id)

        def totalled(n):
            total(n)
            seen["total"] = n

        return qa.add(notes, progress=counted, on_total=totalled, on_plan=plan, started=begun)

    job = jobs.start(work, names=[n for n, _ in notes])
    for _ in range(600):
        if job.state not in ("queued", "running"):
            break
        time.sleep(0.1)
    indexed = sorted(qa.store.docs())
    on_disk = sorted(p.name for p in corpus.iterdir() if p.is_file())
    if cancel_at == "end":
        assert job.state == "done" and indexed == ["first-note", "second-note"]
        assert on_disk == ["first-note.md", "second-note.md"]
    else:
        assert job.state == "cancelled" and job.result["documents"] == ["first-note"] == indexed
        assert on_disk == ["first-note.md"]


def test_document_ids_are_made_usable_in_one_place(admin):
    """A front-matter `id:` with a slash becomes one path segment (so the paper can be read and
    removed); an empty one means the file's name; one that differs from a paper's only in case or
    `_`/`-` is refused rather than indexed as a lookalike second paper."""
    client, qa, tmp = admin
    auth = {"authorization": "Bearer s3cret"}

    def upload(name: str, text: str) -> dict:
        res = client.post("/api/documents", files={"files": (name, text.encode())}, headers=auth)
        return wait(client, res.json()["status"])

    job = upload("slashed.md", "---\nid: a/b\n---\n# Slashed\n\n1. The slashed note is about ferries.\n")
    assert job["result"]["documents"] == ["a-b"]
    assert client.get("/read/a-b").status_code == 200
    assert client.delete("/api/documents/a-b", headers=auth).status_code == 200
    job = upload("empty-id.md", "---\nid:\n---\n# Empty\n\n1. The note with an empty id is about piers.\n")
    assert job["result"]["documents"] == ["empty-id"]
    lookalike = PAPER.stem.upper().replace("-", "_")
    job = upload("lookalike.md", f"---\nid: {lookalike}\n---\n# Offices\n\n1. There are 99 Mainland Offices.\n")
    assert job["result"]["documents"] == [] and "too like" in job["result"]["files"][0]["reason"]
    assert sorted(qa.store.docs()) == sorted([PAPER.stem, "empty-id"])
    assert sorted(p.name for p in qa.settings.corpus_dir.iterdir() if p.is_file()) == \
        sorted([PAPER.name, "empty-id.md"])

"""Two app replicas sharing one `chroma run` server, started by deploy/replicas.sh as an operator
would: a paper uploaded through one is answered by the other within seconds, writers take turns,
and both answer concurrent users (slow)."""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from conftest import CORPUS, ROOT, dies_with_us, free_port

pytestmark = pytest.mark.slow
TOKEN = "replica-admin-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
NOTE = b"# Ferry note\n\n1. The Tsing Yi ferry pier reopened on 3 March 2025 after repairs.\n"


class Replicas(list):
    """The replicas' URLs, and the corpus folder they share."""

    corpus: Path


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("replicas")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for f in CORPUS.iterdir():
        if f.is_file():
            shutil.copy(f, corpus / f.name)
    base = free_port()  # the replicas take this port and the next
    env = {**os.environ, "REPLICAS": "2", "BASE_PORT": str(base), "CHROMA_PORT": str(free_port()),
           "CHROMA_PATH": str(tmp / "chroma"), "QA_CORPUS_DIR": str(corpus), "QA_ADMIN_TOKEN": TOKEN,
           "LOG_DIR": str(tmp), "QA_LOCK_DIR": str(tmp), "QA_INDEX_DIR": str(tmp / "unused")}
    proc = subprocess.Popen(["bash", str(ROOT / "deploy" / "replicas.sh")], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=dies_with_us)
    urls = [f"http://127.0.0.1:{base + i}" for i in range(2)]
    deadline = time.time() + 300
    try:
        while time.time() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"replicas stopped: {proc.stdout.read() if proc.stdout else ''}")
            try:
                if all(httpx.get(u + "/healthz", timeout=1).status_code == 200 for u in urls):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("replicas did not start")
        replicas_ = Replicas(urls)
        replicas_.corpus = corpus
        yield replicas_
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        time.sleep(1)
        left = subprocess.run(["pgrep", "-f", str(tmp / "chroma")], capture_output=True, text=True).stdout
        assert not left.strip(), "the Chroma server outlived the replicas"


def wait_job(url: str, status: str) -> dict:
    for _ in range(1200):
        job = httpx.get(url + status, headers=AUTH, timeout=10).json()
        if job["state"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def test_an_upload_through_one_replica_is_answered_by_the_other(replicas):
    a, b = replicas
    question = {"question": "When did the Tsing Yi ferry pier reopen?"}
    assert httpx.post(b + "/api/ask", json=question, timeout=30).json()["abstained"]
    res = httpx.post(a + "/api/documents", files={"files": ("ferry-note.md", NOTE)}, headers=AUTH, timeout=30)
    assert wait_job(a, res.json()["status"])["state"] == "done"
    done = time.time()
    while True:
        answer = httpx.post(b + "/api/ask", json=question, timeout=30).json()
        if not answer["abstained"]:
            break
        assert time.time() - done < 5, "the other replica did not see the new paper within 5 s"
        time.sleep(0.25)
    assert "3 March 2025" in answer["answer"] and answer["citations"][0]["doc"] == "ferry-note"


def test_writers_on_two_replicas_take_turns(replicas):
    a, b = replicas
    files = [("bus-note.md", b"# Bus note\n\n1. The Sha Tin bus depot closed in June 2024.\n"),
             ("tram-note.md", b"# Tram note\n\n1. The North Point tram depot has 12 sidings.\n")]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        posted = list(pool.map(lambda args: httpx.post(args[0] + "/api/documents", files={"files": args[1]},
                                                       headers=AUTH, timeout=30).json(), zip((a, b), files)))
    assert [wait_job(u, p["status"])["state"] for u, p in zip((a, b), posted)] == ["done", "done"]
    time.sleep(2.5)
    for url in (a, b):
        docs = {d["doc"] for d in httpx.get(url + "/api/documents", timeout=10).json()["documents"]}
        assert {"bus-note", "tram-note"} <= docs


def test_both_replicas_answer_concurrent_users(replicas):
    questions = ["How many Mainland Offices does the HKSAR Government have?", "Who is the Mayor of Beijing?"]

    def ask(i: int) -> int:
        url = replicas[i % 2]
        return httpx.post(url + "/api/ask", json={"question": questions[i % 2]}, timeout=60).status_code

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(ask, range(60)))
    assert codes.count(200) == 60


def test_an_upload_on_one_replica_and_a_removal_on_the_other_leave_them_agreeing(replicas):
    """The same paper replaced through one replica while the other removes it, the removal arriving
    while the new version is being embedded: afterwards both replicas list the same papers, and
    corpus/ holds a file for exactly the papers listed (the writers' lock orders the two)."""
    a, b = replicas
    name = "race-note.md"

    def version(n: int) -> bytes:
        return ("# Race\n\n" + "\n\n".join(f"{p}. Version {n} of the race note, paragraph {p}, about pier {p} "
                                            "and the ferries that call there." for p in range(1, 120))).encode()

    for round_ in range(2):
        res = httpx.post(a + "/api/documents", files={"files": (name, version(round_))}, data={"replace": "true"},
                         headers=AUTH, timeout=30).json()
        if round_ == 0:
            assert wait_job(a, res["status"])["state"] == "done"
            continue
        for _ in range(600):  # the new version is being embedded: remove the paper through the other replica
            job = httpx.get(a + res["status"], headers=AUTH, timeout=10).json()
            if job["state"] == "running" and job["done"] > 0:
                break
            time.sleep(0.05)
        assert job["state"] == "running" and job["done"] < job["total"], job
        removed = httpx.delete(b + "/api/documents/race-note", headers=AUTH, timeout=120).status_code
        state = wait_job(a, res["status"])["state"]
        assert removed == 200 and state == "done"
        time.sleep(2.5)  # each replica reloads what the other wrote
        listed = [{d["doc"] for d in httpx.get(u + "/api/documents", timeout=10).json()["documents"]} for u in (a, b)]
        on_disk = (replicas.corpus / name).exists()
        assert listed[0] == listed[1] and ("race-note" in listed[0]) == on_disk, (listed[0], on_disk)
        assert "race-note" not in listed[0]  # the removal came last: it waited for the upload it overlapped

"""The app keeping its library current: URLs added on /admin and through the API, its sources synced
on a schedule and the corpus folder watched, all through the upload job queue, and every thread
stopped with the app."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from qa.config import Settings
from qa.service import QA
from qa.web import create_app

from conftest import PAPER
from localsite import page

AUTH = {"authorization": "Bearer s3cret"}
FERRY = b"# Harbour ferry subsidies\n\n20 May 2024\n\n1. The Harbour Ferry Fund supported 14 routes in 2024.\n\n" \
        b"2. Operators asked for the subsidy to follow fuel prices.\n"
TUNNEL = b"# Tunnel tolls\n\n3 June 2024\n\n1. Tolls at the three road tunnels were changed in 2023.\n"


def background_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name in ("qa-sync-schedule", "qa-watch") and t.is_alive()]


@pytest.fixture()
def app(tmp_path, site):
    site.routes["/feed.xml"] = page(b"<?xml version='1.0'?><rss version='2.0'><channel><title>Papers</title>"
                                    b"<item><title>Ferries</title><link>/papers/ferry.txt</link></item></channel></rss>",
                                    "application/rss+xml")
    site.routes["/papers/ferry.txt"] = lambda seen: (304, {}, b"") if seen.headers.get("if-none-match") == '"f1"' \
        else page(FERRY, "text/plain", ETag='"f1"')
    site.routes["/papers/tunnel.md"] = page(TUNNEL, "text/markdown")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / PAPER.name).write_bytes(PAPER.read_bytes())
    settings = Settings(index_dir=tmp_path / "index", corpus_dir=corpus, embed_models="e5-small",
                        admin_token="s3cret", fetch_allow_private=True, sync_sources=site.url + "/feed.xml",
                        sync_every="1h", watch=True, watch_settle_s=0.3)
    qa = QA(settings)
    qa.index()
    with TestClient(create_app(qa)) as client:
        yield client, qa, corpus
    assert background_threads() == []  # the schedule and the watcher stop with the app


def wait(client, check, timeout=30.0):
    t = time.monotonic()
    while time.monotonic() - t < timeout:
        if (found := check()):
            return found
        time.sleep(0.1)
    raise AssertionError("not in time")


def done(client, url):
    return wait(client, lambda: (job := client.get(url, headers=AUTH).json())["state"] not in ("queued", "running")
                and job)


def test_sources_sync_at_start_and_on_demand_through_the_job_queue(app, site):
    client, qa, corpus = app
    assert sorted(background_threads()) == ["qa-sync-schedule", "qa-watch"]
    status = wait(client, lambda: (s := client.get("/api/sync", headers=AUTH).json())["last"]
                  and s["last"]["state"] == "done" and s)
    assert status["sources"] == [site.url + "/feed.xml"] and status["every_s"] == 3600 and status["next_at"]
    assert {u["url"]: u["status"] for u in status["urls"]} == {site.url + "/feed.xml": "1 document(s)",
                                                              site.url + "/papers/ferry.txt": "added"}
    assert status["last"]["result"]["files"][1] == {"file": site.url + "/papers/ferry.txt", "doc": "ferry",
                                                    "status": "added", "reason": ""}
    assert "ferry" in {d["doc"] for d in client.get("/api/documents").json()["documents"]}
    again = client.post("/api/sync", headers=AUTH)
    assert again.status_code == 202
    job = done(client, again.json()["status"])
    assert {f["status"] for f in job["result"]["files"]} == {"read", "not modified"}
    assert site.requests[-1].headers["if-none-match"] == '"f1"'
    assert client.get("/api/sync").status_code == 401 and client.post("/api/sync").status_code == 401
    assert 'id="urls"' in client.get("/admin").text


def test_urls_through_the_api_and_files_dropped_in_the_folder(app, site):
    client, qa, corpus = app
    refused = [client.post("/api/documents", headers=AUTH, json={"urls": [url]})
               for url in ("file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "http://[::ffff:a9fe:a9fe]/")]
    assert [r.status_code for r in refused] == [422, 422, 422]
    assert "only http and https" in refused[0].json()["error"] and "metadata" in refused[1].json()["error"]
    assert "metadata" in refused[2].json()["error"]
    assert client.post("/api/documents", headers=AUTH, json={"urls": []}).status_code == 422
    assert client.post("/api/documents", json={"urls": [site.url + "/papers/tunnel.md"]}).status_code == 401
    res = client.post("/api/documents", headers=AUTH, json={"urls": [site.url + "/papers/tunnel.md"]})
    assert res.status_code == 202
    job = done(client, res.json()["status"])
    assert job["state"] == "done" and job["result"]["documents"] == ["tunnel"], job
    docs = {d["doc"]: d for d in client.get("/api/documents").json()["documents"]}
    assert docs["tunnel"]["url"] == site.url + "/papers/tunnel.md"
    assert "Published at <a" in client.get("/read/tunnel").text and site.url + "/papers/tunnel.md" in \
        client.get("/read/tunnel").text
    assert {p.name for p in corpus.iterdir() if p.is_file()} - {"ferry.txt"} == {PAPER.name, "tunnel.md"}

    (corpus / "bridge.txt").write_text("# Bridge works\n\n1. The bridge was resurfaced in 2022.\n", encoding="utf-8")
    wait(client, lambda: "bridge" in {d["doc"] for d in client.get("/api/documents").json()["documents"]}, 10)
    jobs = client.get("/api/jobs", headers=AUTH).json()["jobs"]
    assert any(j["files"] == ["watch: bridge.txt"] or "watch: bridge.txt" in j["files"] for j in jobs)

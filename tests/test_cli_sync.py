"""`qa index add URL` and `qa sync` as a user runs them: real processes, a real index, documents on
a real server on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from docgen import paper_page
from localsite import page

OFFICES = "How many Mainland Offices does the HKSAR Government have?"


def run(args, tmp_path, **env):
    env = {**os.environ, "QA_INDEX_DIR": str(tmp_path / "index"), "QA_CORPUS_DIR": str(tmp_path / "corpus"), **env}
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=180)


@pytest.mark.slow
def test_a_paper_added_by_url_is_answerable_and_cited_with_its_url(tmp_path, site):
    site.routes["/paper.html"] = page(paper_page())
    url = site.url + "/paper.html"
    out = run(["index", "-q", "add", url], tmp_path, QA_FETCH_ALLOW_PRIVATE="true")
    assert out.returncode == 0, out.stderr
    assert f"added        {url} → paper" in out.stdout and "Traceback" not in out.stderr
    answer = json.loads(run(["ask", "--json", OFFICES], tmp_path).stdout)
    cited = answer["citations"][0]
    assert (cited["doc"], cited["paragraph"], cited["url"]) == ("paper", "3", url)
    assert "five Mainland Offices" in answer["answer"]


@pytest.mark.parametrize("url,why", [
    ("{site}/paper.html", "127.0.0.1 is a loopback address (set QA_FETCH_ALLOW_PRIVATE=true"),
    ("http://localhost:{port}/paper.html", "localhost is "),
    ("file:///etc/passwd", "only http and https URLs are fetched"),
])
def test_a_refused_url_exits_2_with_one_line_and_adds_nothing(tmp_path, site, url, why):
    site.routes["/paper.html"] = page(paper_page())
    out = run(["index", "add", url.format(site=site.url, port=site.port)], tmp_path)
    assert out.returncode == 2, out.stderr
    assert why in out.stderr and out.stderr.startswith("error: ") and len(out.stderr.strip().splitlines()) == 1
    assert site.requests == [] and not (tmp_path / "corpus").exists() and out.stdout == ""


@pytest.mark.slow
def test_sync_a_feed_twice(tmp_path, site):
    def paper(seen):
        if seen.headers.get("if-none-match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return page(paper_page(), "text/html", ETag='"v1"')

    site.routes["/paper.html"] = paper
    site.routes["/feed.xml"] = page(b"<?xml version='1.0'?><rss version='2.0'><channel><title>Papers</title>"
                                    b"<item><title>A paper</title><link>/paper.html</link></item></channel></rss>",
                                    "application/rss+xml")
    sources = tmp_path / "sources.txt"
    sources.write_text(f"# the panel's papers\n{site.url}/feed.xml\n", encoding="utf-8")
    first = run(["sync", "-q", str(sources)], tmp_path, QA_FETCH_ALLOW_PRIVATE="true")
    assert first.returncode == 0, first.stderr
    assert f"added        {site.url}/paper.html → paper" in first.stdout
    again = run(["sync", "-q"], tmp_path, QA_FETCH_ALLOW_PRIVATE="true", QA_SYNC_SOURCES=str(sources))
    assert again.returncode == 0, again.stderr
    assert f"not modified {site.url}/paper.html → paper" in again.stdout and "0 embeddings computed" in again.stdout
    assert site.requests[-1].headers["if-none-match"] == '"v1"'


def test_sync_without_sources_or_with_a_bad_list_exits_2(tmp_path):
    out = run(["sync"], tmp_path, QA_SYNC_SOURCES="")
    assert out.returncode == 2 and "set QA_SYNC_SOURCES" in out.stderr
    bad = tmp_path / "sources.txt"
    bad.write_text("https://example.org/a.pdf follow please\n", encoding="utf-8")
    out = run(["sync", str(bad)], tmp_path)
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and "line 1" in out.stderr

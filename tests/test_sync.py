"""Papers by URL into a real index, from real servers on loopback: answerable and cited with their
URL, refreshed rather than duplicated, listing pages and their language versions, feeds synced with
conditional requests, and sources that fail without removing anything."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from qa.config import Settings
from qa.service import QA
from qa.sources import Source
from qa.sync import Library, SyncState
from qa.web import render

from conftest import DATA
from docgen import make_pdf, paper_page
from localsite import endless, page

OFFICES = "How many Mainland Offices does the HKSAR Government have?"


@pytest.fixture()
def qa(tmp_path) -> QA:
    return QA(Settings(index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus", embed_models="e5-small",
                       fetch_allow_private=True, max_upload_mb=2, fetch_read_timeout_s=1.0,
                       fetch_total_timeout_s=10.0))


def files(qa: QA) -> list[str]:
    root = qa.settings.corpus_dir
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")  # scripts/system-deps.sh installs it


def make_zh_pdf(path: Path, paragraphs: int) -> Path:
    """The Chinese version of the shipped paper as a PDF (fewer paragraphs than the English one, so
    only the listing page can say that they are one paper)."""
    from fpdf import FPDF

    if not CJK_FONT.exists():
        pytest.skip(f"needs a CJK font ({CJK_FONT}; scripts/system-deps.sh installs it)")
    body = (DATA / "bilingual" / "legco-panel-ca-2024-05-20-regional-cooperation-zh.md").read_text(encoding="utf-8")
    blocks = [b.strip() for b in body.split("---\n", 2)[2].split("\n\n") if b.strip()]
    pdf = FPDF()
    pdf.add_font("zh", fname=str(CJK_FONT))
    pdf.add_page()
    pdf.set_font("zh", size=11)
    numbered = 0
    for block in blocks:
        numbered += bool(re.match(r"^\d+\.", block))
        if numbered > paragraphs:
            break
        pdf.multi_cell(0, 6, block.replace("*", ""))
        pdf.ln(3)
    pdf.output(str(path))
    return path


@pytest.mark.slow
def test_a_url_is_indexed_like_an_upload_and_cited_with_its_url(qa, site, tmp_path):
    site.routes["/papers/paper.html"] = page(paper_page())
    site.routes["/mirror/copy.html"] = site.routes["/papers/paper.html"]
    url = site.url + "/papers/paper.html"
    result = Library(qa).add_urls([url])
    assert [str(c) for c in result.checked] == [f"added        {url} → paper"]
    answer = qa.ask(OFFICES)
    first = answer.citations[0]
    assert (first.doc, first.paragraph, first.url) == ("paper", "3", url)
    assert first.to_json()["url"] == url and url in answer.plain_text()
    doc = next(d for d in qa.documents() if d["doc"] == "paper")
    assert doc["url"] == url and f'href="{url}"' in render.reading_page(doc, qa.units_of("paper"))
    assert f'href="{url}"' in render.source_card(first)
    assert files(qa) == [".qa-meta/paper.html.json", "paper.html"]
    assert json.loads((qa.settings.corpus_dir / ".qa-meta" / "paper.html.json").read_text())["url"] == url

    again = Library(qa).add_urls([url, site.url + "/mirror/copy.html"])  # refreshed; the same content stored once
    assert {c.url: c.status for c in again.checked} == {url: "unchanged", site.url + "/mirror/copy.html": "skipped"}
    assert "already indexed as paper" in again.checked[-1].reason if again.checked[-1].status == "skipped" else True
    assert again.report.embedded == 0 and [d["doc"] for d in qa.documents()] == ["paper"]
    assert files(qa) == [".qa-meta/paper.html.json", "paper.html"]

    QA(qa.settings).index(force=True)  # a rebuild from the folder keeps where each paper came from
    assert QA(qa.settings).store.docs()["paper"].url == url


@pytest.mark.slow
def test_a_listing_page_adds_its_papers_paired_and_none_of_its_navigation(qa, site, tmp_path):
    english, chinese = make_pdf(tmp_path / "e.pdf").read_bytes(), make_zh_pdf(tmp_path / "c.pdf", 3).read_bytes()
    site.routes["/english/papers/cb4-123-3-e.pdf"] = page(english, "application/pdf")
    site.routes["/chinese/papers/cb4-123-3-c.pdf"] = page(chinese, "application/pdf")
    for path in ("/guide.pdf", "/panel/annual-report.pdf", "/privacy.pdf", "/related.pdf", "/about"):
        site.routes[path] = page(english, "application/pdf")
    site.routes["/agenda.htm"] = page(
        "<html><body><header><a href='/guide.pdf'>Guide</a></header>"
        "<nav><a href='/panel/annual-report.pdf'>Annual report</a></nav><main><h1>Agenda, 20 May 2024</h1>"
        "<p><a href='#item2'>Item 2</a> <a href='mailto:clerk@example.org'>Clerk</a> <a href='/about'>About</a>"
        " <a href='javascript:print()'>Print</a> <a href='/photo.jpg'>Photo</a></p>"
        "<table><tr><td>Strengthening Regional Co-operation with the Mainland</td>"
        "<td><a href='english/papers/cb4-123-3-e.pdf'>English</a></td>"
        "<td><a href='/chinese/papers/cb4-123-3-c.pdf'>中文</a></td></tr></table></main>"
        "<aside><a href='/related.pdf'>Related</a></aside><footer><a href='/privacy.pdf'>Privacy</a></footer>"
        "</body></html>")
    result = Library(qa).add_urls([site.url + "/agenda.htm"], follow=True)
    assert sorted(site.paths()) == ["/agenda.htm", "/chinese/papers/cb4-123-3-c.pdf",
                                    "/english/papers/cb4-123-3-e.pdf"]
    assert sorted(d.id for d in result.documents) == ["cb4-123-3-c", "cb4-123-3-e"]
    docs = {d["doc"]: d for d in qa.documents()}
    assert docs["cb4-123-3-e"]["editions"] == {"zh": "cb4-123-3-c"} and docs["cb4-123-3-c"]["language"] == "zh"
    assert docs["cb4-123-3-e"]["paragraphs"] != docs["cb4-123-3-c"]["paragraphs"]  # paired by the page alone
    assert all(not name.endswith(("guide.pdf", "privacy.pdf")) for name in files(qa))
    cited = qa.ask(OFFICES).citations[0]
    assert cited.doc == "cb4-123-3-e" and cited.other and cited.other["doc"] == "cb4-123-3-c"
    Library(qa).add_urls([site.url + "/chinese/papers/cb4-123-3-c.pdf"])  # refreshed alone, still one paper
    assert {d["doc"]: d for d in qa.documents()}["cb4-123-3-e"]["editions"] == {"zh": "cb4-123-3-c"}


def paper_text(title: str, *paragraphs: str) -> bytes:
    return "\n\n".join([f"# {title}", "20 May 2024", *(f"{i}. {p}" for i, p in enumerate(paragraphs, 1))]).encode()


def rss(*links: str) -> bytes:
    items = "".join(f"<item><title>{link}</title><link>{link}</link></item>" for link in links)
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Papers</title><link>/</link>"
            f"<description>new papers</description>{items}</channel></rss>").encode()


def versioned(body: bytes, etag: str, content_type: str):
    """A document that answers 304 to a request naming its current ETag."""
    def answer(seen):
        if seen.headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return page(body, content_type, ETag=etag)
    return answer


def test_a_feed_is_synced_with_conditional_requests(qa, site, tmp_path):
    ferry = paper_text("Harbour ferry subsidies", "The Harbour Ferry Fund supported 14 routes in 2024.",
                       "Operators asked for the subsidy to follow fuel prices.")
    site.routes["/feed.xml"] = versioned(rss("/papers/paper.html", "/papers/ferry.txt"), '"f1"', "application/rss+xml")
    site.routes["/papers/paper.html"] = versioned(paper_page(), '"p1"', "text/html")
    site.routes["/papers/ferry.txt"] = versioned(ferry, '"t1"', "text/plain")
    library = Library(qa)
    first = library.sync([Source(site.url + "/feed.xml")])
    assert {c.url.removeprefix(site.url): c.status for c in first.checked} == {
        "/feed.xml": "read", "/papers/paper.html": "added", "/papers/ferry.txt": "added"}
    before = qa.store.docs()

    # the feed changes: a new item, a changed paper, and one as it was
    site.routes["/feed.xml"] = versioned(rss("/papers/paper.html", "/papers/ferry.txt", "/papers/tunnel.md"), '"f2"',
                                         "application/rss+xml")
    site.routes["/papers/ferry.txt"] = versioned(paper_text(
        "Harbour ferry subsidies", "The Harbour Ferry Fund supported 15 routes in 2025.",
        "Operators asked for the subsidy to follow fuel prices."), '"t2"', "text/plain")
    site.routes["/papers/tunnel.md"] = page(paper_text("Tunnel tolls", "Tolls at the three tunnels were changed in 2023."),
                                            "text/markdown")
    seen = len(site.requests)
    second = Library(qa).sync([Source(site.url + "/feed.xml")])
    assert {c.url.removeprefix(site.url): (c.status, c.doc) for c in second.checked} == {
        "/feed.xml": ("read", ""), "/papers/paper.html": ("not modified", "paper"),
        "/papers/ferry.txt": ("updated", "ferry"), "/papers/tunnel.md": ("added", "tunnel")}
    asked = {r.path: r.headers for r in site.requests[seen:]}
    assert asked["/papers/paper.html"]["if-none-match"] == '"p1"' and asked["/feed.xml"]["if-none-match"] == '"f1"'
    after = qa.store.docs()
    assert after["paper"].version == before["paper"].version and after["paper"].added == before["paper"].added
    assert after["ferry"].version != before["ferry"].version
    assert second.report.added == 1 and second.report.updated == 1
    assert second.report.embedded <= after["ferry"].chunks + after["tunnel"].chunks  # nothing of the paper again
    assert [p.name.split("-", 1)[1] for p in (qa.settings.corpus_dir / ".removed").iterdir()
            if not p.name.endswith(".json")] == ["ferry.txt"]
    assert "15 routes" in qa.ask("How many routes did the Harbour Ferry Fund support?").answer

    # nothing changed anywhere: every request conditional, every answer 304 (but from the server that
    # sends no ETag: read again, found unchanged), nothing embedded
    seen = len(site.requests)
    third = Library(qa).sync([Source(site.url + "/feed.xml")])
    assert {c.url.removeprefix(site.url): c.status for c in third.checked} == {
        "/feed.xml": "not modified", "/papers/paper.html": "not modified", "/papers/ferry.txt": "not modified",
        "/papers/tunnel.md": "unchanged"}
    assert third.report.embedded == 0
    assert all("if-none-match" in r.headers for r in site.requests[seen:] if r.path != "/papers/tunnel.md")
    state = SyncState(qa.settings.sync_state_path)
    assert state.urls[site.url + "/papers/ferry.txt"].etag == '"t2"' and state.urls[site.url + "/feed.xml"].kind == "feed"


def test_failing_sources_are_reported_and_remove_nothing(qa, site, tmp_path):
    site.routes["/papers/paper.html"] = page(paper_page())
    Library(qa).add_urls([site.url + "/papers/paper.html"])
    kept, docs = files(qa), qa.store.docs()
    site.routes["/papers/paper.html"] = (404, {}, b"gone")
    site.routes["/slow.pdf"] = (200, {"Content-Type": "application/pdf"}, endless(b"%PDF", pause=2))
    site.routes["/photo.pdf"] = page(b"\x89PNG\r\n\x1a\n", "image/png")
    site.routes["/notes.pdf"] = page(b"<html><body>Sign in</body></html>", "application/pdf")
    t = time.monotonic()
    result = Library(qa).sync([Source(site.url + p) for p in ("/papers/paper.html", "/slow.pdf", "/photo.pdf",
                                                              "/notes.pdf")] + [Source("file:///etc/passwd")])
    reasons = {c.url.removeprefix(site.url): c.reason for c in result.checked}
    assert {c.status for c in result.checked} == {"failed"} and not result.reached
    assert reasons["/papers/paper.html"] == "HTTP 404" and "timed out" in reasons["/slow.pdf"]
    assert reasons["/photo.pdf"] == "not a document (image/png)"
    assert "declared application/pdf but its content is not a PDF" in reasons["/notes.pdf"]
    assert "only http and https" in reasons["file:///etc/passwd"]
    assert files(qa) == kept and qa.store.docs() == docs and time.monotonic() - t < 10


def test_a_feed_of_100000_items_fetches_nothing(qa, site):
    items = "".join(f"<item><title>{i}</title><link>/p{i}.pdf</link></item>" for i in range(100_000))
    site.routes["/big.xml"] = page(f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{items}"
                                   "</channel></rss>", "application/rss+xml")
    t = time.monotonic()
    roomy = QA(qa.settings.model_copy(update={"max_upload_mb": 50}))  # under the size limit: the item cap refuses it
    result = Library(roomy).sync([Source(site.url + "/big.xml")])
    assert "more than 500 items" in result.checked[0].reason and not result.reached
    assert site.paths() == ["/big.xml"] and files(qa) == [] and time.monotonic() - t < 5


def test_refusals_leave_nothing(tmp_path, site):
    strict = QA(Settings(index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus"))
    site.routes["/paper.html"] = page(b"<html><body><p>1. Text.</p></body></html>")
    result = Library(strict).add_urls([site.url + "/paper.html"])
    assert result.checked[0].status == "failed" and "loopback" in result.checked[0].reason
    assert site.requests == [] and not (tmp_path / "corpus").exists()

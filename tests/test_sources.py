"""Reading where papers are published: a listing page's documents (not its navigation), language
versions paired, feeds read by feedparser (and refused, quickly, when too long), sources lists."""

from __future__ import annotations

import time

import pytest

from qa.fetch import FetchError
from qa.sources import Source, edition_key, feed_links, page_links, read_sources

BASE = "https://www.legco.gov.hk/yr2024/english/panels/ca/agenda/ca20240520.htm"
AGENDA = """<!doctype html><html><head><title>Panel on Constitutional Affairs: 20 May 2024</title>
<base href="https://www.legco.gov.hk/yr2024/"></head><body>
<header><a href="/index.htm">Home</a> <a href="/papers/guide.pdf">Guide to the website (PDF)</a></header>
<nav><ul><li><a href="/yr2024/english/panels/ca/general/ca.htm">Panel</a></li>
<li><a href="/yr2024/english/panels/ca/papers/ca-annual-report.pdf">Annual report</a></li></ul></nav>
<div class="breadcrumb"><a href="/yr2024/english/panels/ca/ca_agenda.htm">Agendas</a></div>
<main>
 <h1>Agenda</h1>
 <p><a href="#item3">Jump to item 3</a> · <a href="mailto:panel_ca@legco.gov.hk">Clerk</a>
    · <a href="javascript:window.print()">Print</a> · <a href="english/panels/ca/agenda/ca20240520.htm">This page</a></p>
 <table>
  <tr><td>Strengthening Regional Co-operation with the Mainland</td>
      <td><a href="english/panels/ca/papers/ca20240520cb4-123-3-e.pdf">English</a></td>
      <td><a href="chinese/panels/ca/papers/ca20240520cb4-123-3-c.pdf">中文</a></td></tr>
  <tr><td>Background brief</td>
      <td><a href="english/panels/ca/papers/ca20240520cb4-123-4-e.pdf">Background brief (English)</a></td>
      <td><a href="chinese/panels/ca/papers/ca20240520cb4-123-4-c.pdf#page=2">Background brief (Chinese)</a></td></tr>
  <tr><td>Minutes</td><td><a href="https://www.legco.gov.hk/yr2024/english/panels/ca/minutes/ca20240415.pdf">Minutes</a></td>
      <td><a href="english/panels/ca/minutes/ca20240415.pdf">again</a></td></tr>
  <tr><td>Webcast</td><td><a href="https://webcast.legco.gov.hk/view?id=1">Webcast</a></td>
      <td><a href="english/panels/ca/papers/photo.jpg">Photo</a></td><td><a href="/papers/list.zip">All</a></td></tr>
 </table>
 <ul><li><a href="english/panels/ca/papers/ca20240520-note.docx">Note</a></li>
     <li><a href="english/panels/ca/papers/summary.html">Summary</a></li></ul>
</main>
<aside><a href="/yr2024/english/sidebar.pdf">Related</a></aside>
<footer><a href="/privacy.htm">Privacy</a> <a href="/yr2024/english/footer.pdf">Disclaimer</a></footer>
</body></html>"""


def test_a_listing_page_gives_its_papers_not_its_navigation():
    links = page_links(AGENDA, BASE, limit=50)
    got = [link.url for link in links]
    papers = "https://www.legco.gov.hk/yr2024/{}/panels/ca/papers/"
    assert got == [papers.format("english") + "ca20240520cb4-123-3-e.pdf",
                   papers.format("chinese") + "ca20240520cb4-123-3-c.pdf",
                   papers.format("english") + "ca20240520cb4-123-4-e.pdf",
                   papers.format("chinese") + "ca20240520cb4-123-4-c.pdf",
                   "https://www.legco.gov.hk/yr2024/english/panels/ca/minutes/ca20240415.pdf",
                   papers.format("english") + "ca20240520-note.docx",
                   papers.format("english") + "summary.html"]
    by_url = {link.url: link for link in links}
    # English and Chinese versions are one paper: in one row as "English" and "中文", or by their URLs
    for n in ("3", "4"):
        en, zh = by_url[papers.format("english") + f"ca20240520cb4-123-{n}-e.pdf"], \
            by_url[papers.format("chinese") + f"ca20240520cb4-123-{n}-c.pdf"]
        assert en.paper == zh.paper == en.url and (en.language, zh.language) == ("en", "zh")
    assert by_url["https://www.legco.gov.hk/yr2024/english/panels/ca/minutes/ca20240415.pdf"].paper == ""


def test_too_many_links_are_refused():
    page = "<main>" + "".join(f'<a href="/p{i}.pdf">{i}</a>' for i in range(30)) + "</main>"
    assert len(page_links(page, "https://example.org/", limit=30)) == 30
    with pytest.raises(FetchError, match="more than 29 documents"):
        page_links(page, "https://example.org/", limit=29)


def test_edition_keys():
    assert edition_key("https://x.org/english/p/cb1-2-e.pdf") == edition_key("https://x.org/chinese/p/cb1-2-c.pdf")[:1] \
        + ("en",)
    assert edition_key("https://x.org/p/report_chi.pdf")[1] == "zh"
    assert edition_key("https://x.org/p/annex-b.pdf") == ("x.org/p/annex-b.pdf?", "")


def rss(items: list[str]) -> bytes:
    return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Papers</title>"
            "<link>https://example.org/</link><description>d</description>" + "".join(items) +
            "</channel></rss>").encode()


def test_feed_items_give_their_documents():
    data = rss([
        "<item><title>A</title><link>/papers/a-e.html</link></item>",
        "<item><title>A (Chinese)</title><link>https://example.org/papers/a-c.html</link></item>",
        "<item><title>B</title><link>https://example.org/news/b</link>"
        "<enclosure url='https://example.org/papers/b.pdf' type='application/pdf' length='10'/></item>",
        "<item><title>again</title><link>https://example.org/papers/a-e.html#top</link></item>",
    ])
    links = feed_links(data, "https://example.org/feed.xml", limit=10)
    assert [link.url for link in links] == ["https://example.org/papers/a-e.html",
                                            "https://example.org/papers/a-c.html", "https://example.org/papers/b.pdf"]
    assert links[0].paper == links[1].paper == links[0].url
    atom = (b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>"
            b"<entry><title>x</title><link href='https://example.org/x.pdf'/><id>1</id></entry></feed>")
    assert [link.url for link in feed_links(atom, "https://example.org/atom", 5)] == ["https://example.org/x.pdf"]


def test_a_feed_of_100000_items_is_refused_without_parsing_it():
    data = rss([f"<item><title>{i}</title><link>https://example.org/p{i}.pdf</link></item>" for i in range(100_000)])
    t = time.monotonic()
    with pytest.raises(FetchError, match="more than 500 items"):
        feed_links(data, "https://example.org/feed.xml", limit=500)
    assert time.monotonic() - t < 2


def test_a_broken_feed_is_refused_and_a_cut_one_read_for_what_it_has():
    with pytest.raises(FetchError, match="not a readable feed"):
        feed_links(b"\x00\x01 not a feed", "https://example.org/feed", 10)
    assert feed_links(b"<rss><channel><item><link>", "https://example.org/feed", 10) == []


def test_sources_lists(tmp_path):
    listed = tmp_path / "sources.txt"
    listed.write_text("# LegCo, Panel on Constitutional Affairs\n"
                      "https://www.legco.gov.hk/yr2024/english/panels/ca/agenda/ca20240520.htm  follow\n"
                      "\n"
                      "https://example.org/feed.xml   # the Secretariat's feed\n"
                      "https://example.org/paper.pdf#page=2\n", encoding="utf-8")
    assert read_sources(str(listed)) == [
        Source("https://www.legco.gov.hk/yr2024/english/panels/ca/agenda/ca20240520.htm", True),
        Source("https://example.org/feed.xml"), Source("https://example.org/paper.pdf")]
    assert read_sources("https://a.org/x.pdf, https://b.org/feed") == [Source("https://a.org/x.pdf"),
                                                                      Source("https://b.org/feed")]
    assert read_sources("") == []
    listed.write_text("https://example.org/a.pdf twice over\n", encoding="utf-8")
    with pytest.raises(FetchError, match="line 1: expected `URL` or `URL follow`"):
        read_sources(str(listed))
    with pytest.raises(FetchError, match="only http and https"):
        read_sources("file:///etc/passwd, https://a.org/x.pdf")
    with pytest.raises(FetchError, match="cannot read the sources file"):
        read_sources(str(tmp_path / "missing.txt"))

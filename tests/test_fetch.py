"""Fetching what users name, against real servers on loopback addresses: what is refused (and that
nothing was requested), redirects, limits, timeouts, content checks and conditional requests."""

from __future__ import annotations

import ipaddress
import re
import time

import pytest

from qa.config import Settings
from qa.fetch import FetchError, Fetcher, Policy, check_url, file_name, kind_of

from localsite import Site, endless, page

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture()
def inner():
    """A second server on 127.0.0.1: what a redirect or a rebound name must never reach."""
    s = Site()
    yield s
    s.stop()


def settings(**kw) -> Settings:
    return Settings(**{"max_upload_mb": 1, "fetch_read_timeout_s": 2.0, "fetch_total_timeout_s": 10.0, **kw})


def refused(url: str, **kw) -> str:
    with pytest.raises(FetchError) as err:
        Fetcher(settings(**kw.pop("s", {})), **kw).fetch(url)
    return str(err.value)


@pytest.mark.parametrize("url,why", [
    ("file:///etc/passwd", "only http and https"),
    ("ftp://127.0.0.1/paper.pdf", "only http and https"),
    ("javascript:alert(1)", "only http and https"),
    ("gopher://127.0.0.1:70/_x", "only http and https"),
    ("http:///paper.pdf", "no host"),
])
def test_only_http_and_https_urls(url, why):
    message = refused(url)
    assert why in message and "\n" not in message


def test_loopback_is_refused_unless_private_addresses_are_allowed(site):
    site.routes["/paper.pdf"] = page(PDF, "application/pdf")
    message = refused(site.url + "/paper.pdf")
    assert "127.0.0.1 is a loopback address" in message and "QA_FETCH_ALLOW_PRIVATE" in message
    assert site.requests == []  # refused before any connection
    got = Fetcher(settings(fetch_allow_private=True)).fetch(site.url + "/paper.pdf")
    assert got.kind == "pdf" and got.data == PDF and got.name == "paper.pdf"


@pytest.mark.parametrize("address,why", [
    ("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.10", "private"), ("172.16.5.4", "private"),
    ("169.254.10.1", "link-local"), ("100.64.0.1", "non-public"), ("0.0.0.0", "unspecified"),
    ("224.0.0.1", "multicast"), ("240.0.0.1", "private"), ("::1", "loopback"), ("fe80::1", "link-local"),
    ("fc00::5", "private"), ("::", "unspecified"), ("ff02::1", "multicast"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"), ("2002:7f00:1::", "loopback"),
    ("64:ff9b::a00:1", "private"), ("169.254.169.254", "metadata"), ("fd00:ec2::254", "metadata"),
    ("::ffff:169.254.169.254", "metadata"),
])
def test_non_public_addresses_are_refused(address, why):
    assert why in Policy().refusal(ipaddress.ip_address(address))


def test_public_addresses_pass_and_metadata_stays_refused_when_private_is_allowed():
    assert Policy().refusal(ipaddress.ip_address("8.8.8.8")) == ""
    assert Policy().refusal(ipaddress.ip_address("2001:4860:4860::8888")) == ""
    lenient = Policy(allow_private=True)
    assert lenient.refusal(ipaddress.ip_address("10.0.0.1")) == ""
    assert "metadata" in lenient.refusal(ipaddress.ip_address("169.254.169.254"))
    assert "metadata" in lenient.refusal(ipaddress.ip_address("::ffff:169.254.169.254"))
    assert "multicast" in lenient.refusal(ipaddress.ip_address("224.0.0.1"))
    chosen = Policy(allow=(ipaddress.ip_network("10.20.0.0/16"),))
    assert chosen.refusal(ipaddress.ip_address("10.20.3.4")) == ""
    assert "private" in chosen.refusal(ipaddress.ip_address("10.21.3.4"))


def test_names_are_judged_by_what_they_resolve_to(site):
    site.routes["/paper.pdf"] = page(PDF, "application/pdf")
    asked = []

    def resolve(host, port):
        asked.append(host)
        return {"intranet.example": ["10.0.0.7"], "mixed.example": ["8.8.8.8", "192.168.1.1"]}[host]

    assert "intranet.example is 10.0.0.7, a private address" in refused("http://intranet.example/p.pdf",
                                                                       resolve=resolve)
    assert "192.168.1.1, a private" in refused("https://mixed.example/p.pdf", resolve=resolve)
    # the system resolver: names and number forms that mean loopback
    for url in (f"http://localhost:{site.port}/paper.pdf", f"http://2130706433:{site.port}/paper.pdf",
                f"http://[::ffff:127.0.0.1]:{site.port}/paper.pdf", f"http://0x7f.1:{site.port}/paper.pdf"):
        assert "refused" in refused(url), url
    assert site.requests == [] and asked == ["intranet.example", "mixed.example"]
    with pytest.raises(FetchError, match="refused"):
        check_url(f"http://localhost:{site.port}/", settings())


def test_a_redirect_to_loopback_is_refused(inner):
    outer = Site(host="127.0.0.2")  # trusted by QA_FETCH_ALLOW_NETWORKS, as an intranet server would be
    try:
        outer.routes["/paper.pdf"] = (302, {"Location": f"http://127.0.0.1:{inner.port}/secret.pdf"}, b"")
        inner.routes["/secret.pdf"] = page(PDF, "application/pdf")
        message = refused(outer.url + "/paper.pdf", s={"fetch_allow_networks": ["127.0.0.2/32"]})
        assert "127.0.0.1 is a loopback address" in message
        assert outer.paths() == ["/paper.pdf"] and inner.requests == []
    finally:
        outer.stop()


def test_redirects_are_followed_without_cookies_or_credentials_and_at_most_five(site):
    site.routes["/start"] = (302, {"Location": "/next", "Set-Cookie": "session=abc; Path=/"}, b"")
    site.routes["/next"] = (301, {"Location": site.url + "/paper.pdf"}, b"")
    site.routes["/paper.pdf"] = page(PDF, "application/pdf")
    url = f"http://user:secret@127.0.0.1:{site.port}/start#part"
    got = Fetcher(settings(fetch_allow_private=True)).fetch(url)
    assert got.data == PDF and got.url == site.url + "/start" and got.final == site.url + "/paper.pdf"
    assert site.paths() == ["/start", "/next", "/paper.pdf"]
    for request in site.requests:
        assert "cookie" not in request.headers and "authorization" not in request.headers
        assert request.headers["host"] == f"127.0.0.1:{site.port}"
    for n in range(7):
        site.routes[f"/loop{n}"] = (307, {"Location": f"/loop{n + 1}"}, b"")
    assert "more than 5 redirects" in refused(site.url + "/loop0", s={"fetch_allow_private": True})
    assert "/loop6" not in site.paths()


def test_the_checked_address_is_the_one_connected_to(inner):
    """DNS rebinding: the name is resolved once per request and the connection made to that address;
    a second answer (loopback) is never asked for nor used."""
    outer = Site(host="127.0.0.2")
    try:
        inner_same_port = Site(host="127.0.0.1", port=outer.port)
    except OSError:
        outer.stop()
        pytest.skip("the port is taken on 127.0.0.1")
    answers = [["127.0.0.2"], ["127.0.0.1"]]
    calls = []

    def resolve(host, port):
        calls.append(host)
        return answers[min(len(calls) - 1, 1)]

    try:
        outer.routes["/paper.pdf"] = page(PDF, "application/pdf")
        inner_same_port.routes["/paper.pdf"] = page(b"%PDF-1.4 the wrong one", "application/pdf")
        got = Fetcher(settings(fetch_allow_networks=["127.0.0.2/32"]), resolve=resolve).fetch(
            f"http://papers.example:{outer.port}/paper.pdf")
        assert got.data == PDF and calls == ["papers.example"]
        assert inner_same_port.requests == [] and outer.requests[0].headers["host"] == f"papers.example:{outer.port}"
    finally:
        outer.stop()
        inner_same_port.stop()


def test_a_response_claiming_2_gb_is_refused_before_it_is_read(site):
    site.routes["/huge.pdf"] = (200, {"Content-Type": "application/pdf", "Content-Length": str(2 * 1024 ** 3)},
                                endless())
    t = time.monotonic()
    message = refused(site.url + "/huge.pdf", s={"fetch_allow_private": True})
    assert "too large (2,048 MB; the limit is 1 MB)" in message and time.monotonic() - t < 5


def test_an_endless_response_is_cut_at_the_size_limit(site):
    site.routes["/stream.pdf"] = (200, {"Content-Type": "application/pdf"}, endless(b"%PDF" + b"x" * 65532))
    t = time.monotonic()
    message = refused(site.url + "/stream.pdf", s={"fetch_allow_private": True})
    assert "over the 1 MB limit; stopped reading" in message and time.monotonic() - t < 5


def test_slow_servers_time_out(site):
    site.routes["/slow.pdf"] = (200, {"Content-Type": "application/pdf"}, endless(b"%PDF", pause=3))
    t = time.monotonic()
    message = refused(site.url + "/slow.pdf", s={"fetch_allow_private": True, "fetch_read_timeout_s": 0.5})
    assert "timed out" in message and time.monotonic() - t < 5
    site.routes["/drip.pdf"] = (200, {"Content-Type": "application/pdf"}, endless(b"%PDF", pause=0.05))
    message = refused(site.url + "/drip.pdf", s={"fetch_allow_private": True, "fetch_total_timeout_s": 1.0})
    assert "timed out (took over 1 s)" in message


@pytest.mark.parametrize("declared,body,kind", [
    ("application/pdf", PDF, "pdf"),
    ("application/octet-stream", PDF, "pdf"),
    ("", b"PK\x03\x04rest", "docx"),
    ("text/html; charset=utf-8", b"<!doctype html><p>x</p>", "html"),
    ("text/plain", b"\xef\xbb\xbf  <html><body>x</body></html>", "html"),
    ("text/html", b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>", "feed"),
    ("application/xml", b"<?xml version='1.0'?>\n<feed xmlns='http://www.w3.org/2005/Atom'>", "feed"),
    ("text/plain", "1. 香港特區政府".encode(), "text"),
])
def test_what_a_response_is_comes_from_its_bytes(declared, body, kind):
    assert kind_of(declared, body, "u") == kind


@pytest.mark.parametrize("declared,body,why", [
    ("application/pdf", b"<html><body>Not found</body></html>", "declared application/pdf but its content is not a PDF"),
    ("text/html", PDF, "not text"),
    ("image/png", b"\x89PNG\r\n", "not a document (image/png)"),
    ("application/octet-stream", b"\x7fELF\x02\x01", "binary"),
    ("application/msword", b"\xd0\xcf\x11\xe0", "not a document"),
])
def test_content_that_is_not_what_it_says_is_refused(declared, body, why):
    with pytest.raises(FetchError, match=re.escape(why)):
        kind_of(declared, body, "u")


def test_conditional_requests_get_304(site):
    def paper(seen):
        if seen.headers.get("if-none-match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return page(PDF, "application/pdf", ETag='"v1"', Last_Modified="Mon, 20 May 2024 08:00:00 GMT")

    site.routes["/paper.pdf"] = paper
    fetcher = Fetcher(settings(fetch_allow_private=True))
    first = fetcher.fetch(site.url + "/paper.pdf")
    assert first.etag == '"v1"' and first.last_modified.startswith("Mon, 20 May 2024")
    again = fetcher.fetch(site.url + "/paper.pdf", first.etag, first.last_modified)
    assert again.not_modified and again.data == b""
    assert site.requests[1].headers["if-none-match"] == '"v1"'
    assert site.requests[1].headers["if-modified-since"] == first.last_modified
    site.routes["/gone.pdf"] = (404, {}, b"")
    assert "HTTP 404" in refused(site.url + "/gone.pdf", s={"fetch_allow_private": True})


@pytest.mark.parametrize("url,kind,name", [
    ("https://www.legco.gov.hk/yr2024/english/panels/ca/papers/ca20240520cb2-123-3-e.pdf", "pdf",
     "ca20240520cb2-123-3-e.pdf"),
    ("https://example.org/papers/", "html", "papers.html"),
    ("https://example.org/", "html", "example.org.html"),
    ("https://example.org/view.aspx?id=3", "pdf", "view.pdf"),
    ("https://example.org/notes.md", "text", "notes.md"),
    ("https://example.org/a%20paper.htm", "html", "a-paper.htm"),
])
def test_file_names_come_from_the_url_and_suffixes_from_the_content(url, kind, name):
    assert file_name(url, kind) == name

"""Fetching what a user names by URL, safely: this server fetches on other people's behalf, so a URL
must not reach what only the server can reach (SSRF) nor fill its memory or disk.

- http and https only; user names and passwords in a URL are dropped, never sent;
- the host is resolved here, and every address it has must be public (no loopback, private,
  link-local, multicast, reserved or unspecified address, IPv4 or IPv6, IPv4 hidden in IPv6
  included); then the connection is made to that checked address itself, so a name that resolves
  differently a moment later (DNS rebinding) changes nothing, and the peer address is checked again;
- redirects are followed here, each one checked the same way, at most `QA_FETCH_MAX_REDIRECTS`;
- the body is streamed and abandoned as soon as it passes `QA_MAX_UPLOAD_MB`; connect, read and
  total timeouts;
- a fresh client for every request: no cookies, no credentials, no proxy or .netrc from the
  environment;
- what came back must be what it says it is, judged by its bytes (`%PDF`, a zip for Word, HTML or
  a feed by its first tags).

`QA_FETCH_ALLOW_PRIVATE=true` (or `QA_FETCH_ALLOW_NETWORKS` for chosen networks) lets an intranet be
fetched; cloud metadata addresses stay refused whatever the settings say."""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from typing import Callable, Sequence
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from .config import Settings
from .corpus import slug

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# host, port → the addresses to check and connect to (tests give their own; no network needed)
Resolver = Callable[[str, int], list[str]]

SCHEMES = ("http", "https")
REDIRECTS = (301, 302, 303, 307, 308)
# instance metadata services: credentials for the machine itself, never fetched whatever is allowed
METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "168.63.129.16", "fd00:ec2::254"))
# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64)
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))

# what a document's declared type says it is; everything else (images, archives, .doc) is refused
DECLARED = {
    "application/pdf": "pdf", "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/html": "html", "application/xhtml+xml": "html",
    "text/plain": "text", "text/markdown": "text", "text/x-markdown": "text",
    "application/rss+xml": "feed", "application/atom+xml": "feed", "application/rdf+xml": "feed",
    "application/xml": "feed", "text/xml": "feed",
}
UNDECLARED = ("", "application/octet-stream", "binary/octet-stream", "application/download",
              "application/force-download")
BINARY = ("pdf", "docx")
SUFFIX = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "text": ".txt"}
_HTML = re.compile(rb"^(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|title|meta|p|div|h[1-6]|table|article)[\s>/]",
                   re.I | re.S)
_FEED = re.compile(rb"^(?:<\?xml[^>]{0,200}\?>\s*)?(?:<!--.*?-->\s*|<\?[^>]{0,200}\?>\s*)*<(?:rss|feed|rdf:rdf)[\s>]",
                   re.I | re.S)
_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"BZh", b"7z\xbc\xaf", b"Rar!", b"\xd0\xcf\x11\xe0",
                 b"MZ", b"\x7fELF", b"OggS", b"ID3", b"RIFF")


class FetchError(ValueError):
    """A URL that was refused or could not be fetched; the message (one line, naming the URL) is
    meant for the user."""


@dataclass
class Fetched:
    """What a URL gave: its bytes and what they are, or `not_modified` (HTTP 304) when the copy
    held is still current."""

    url: str  # as asked (without credentials): the identity of a source
    final: str  # where it was found, after redirects
    data: bytes = b""
    kind: str = ""  # pdf, docx, html, text or feed ("" when not modified)
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False

    @property
    def name(self) -> str:
        """A file name for the corpus folder: the URL's own, with the suffix of what it is."""
        return file_name(self.final, self.kind)


def clean_url(url: str) -> str:
    """The URL with no user name, password or fragment; refused unless http(s) with a host."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # a malformed port raises here
    except ValueError as exc:
        raise FetchError(f"{url[:200]}: not a valid URL ({exc})") from exc
    if parts.scheme.lower() not in SCHEMES:
        raise FetchError(f"{url[:200]}: refused, only http and https URLs are fetched")
    if not parts.hostname:
        raise FetchError(f"{url[:200]}: not a valid URL (no host)")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def web_url(text: str) -> str:
    """`text` when it is an http(s) URL, else "" (a link shown to readers is never `javascript:`)."""
    try:
        return clean_url(text) if text else ""
    except FetchError:
        return ""


def embedded_ipv4(ip: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, 6to4, Teredo, NAT64), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True)
class Policy:
    """Which addresses may be fetched from."""

    allow_private: bool = False
    allow: tuple[Network, ...] = ()  # networks trusted even though they are not public

    @classmethod
    def of(cls, settings: Settings) -> "Policy":
        return cls(settings.fetch_allow_private, tuple(ipaddress.ip_network(n, strict=False)
                                                        for n in settings.fetch_allow_networks))

    def refusal(self, ip: Address) -> str:
        """Why this address may not be fetched from ("a loopback address …"), or "" when it may."""
        inner = embedded_ipv4(ip)
        candidates = [ip] if inner is None else [inner, ip]  # the IPv4 inside says most
        for c in candidates:
            if c in METADATA:
                return "a cloud metadata address"
            if c.is_multicast or c.is_unspecified:
                return "a multicast address" if c.is_multicast else "an unspecified address"
        if any(c in net for c in candidates for net in self.allow):
            return ""
        for c in candidates:
            kind = ("a loopback" if c.is_loopback else "a link-local" if c.is_link_local
                    else "a private" if c.is_private else "a reserved" if c.is_reserved
                    else "a non-public" if not c.is_global else "")
            if kind and not self.allow_private:
                return f"{kind} address (set QA_FETCH_ALLOW_PRIVATE=true to fetch from such addresses)"
            if c.is_reserved and not c.is_private:
                return "a reserved address"
        return ""


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))


def checked_address(url: str, policy: Policy, resolve: Resolver = system_resolver) -> Address:
    """The address to connect to for this URL: every address its host resolves to must be allowed
    (a name with one public and one private address is refused), and the first is used."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = [ipaddress.ip_address(a) for a in resolve(host, port)]
    except (OSError, UnicodeError, ValueError) as exc:
        raise FetchError(f"{url}: cannot resolve {host} ({getattr(exc, 'strerror', None) or exc})") from exc
    if not found:
        raise FetchError(f"{url}: cannot resolve {host}")
    for ip in found:
        if reason := policy.refusal(ip):
            named = f"{host} is {ip}," if host.strip("[]") != str(ip) else f"{ip} is"
            raise FetchError(f"{url}: refused, {named} {reason}")
    return found[0]


def check_url(url: str, settings: Settings, resolve: Resolver = system_resolver) -> str:
    """The clean URL, if it may be fetched (scheme, host, address); else FetchError. Fetching checks
    again, on every redirect: this is for refusing at once, before a job is queued."""
    clean = clean_url(url)
    checked_address(clean, Policy.of(settings), resolve)
    return clean


def sniff(data: bytes) -> str:
    """What the bytes are: pdf, docx (a zip), html, feed, text, or binary."""
    head = data[:4096]
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if body.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text: judged by its characters
        try:
            body = head.decode("utf-16", "ignore").encode("utf-8").lstrip(b"\xef\xbb\xbf \t\r\n")
        except UnicodeError:
            return "binary"
    if _FEED.match(body[:2048]):
        return "feed"
    if _HTML.match(body[:2048]):
        return "html"
    return "text"


def kind_of(declared: str, data: bytes, url: str) -> str:
    """What a response is, when its declared type and its bytes agree; FetchError when they do not
    (a "PDF" that is an HTML error page, an image, a program)."""
    mime = declared.split(";", 1)[0].strip().lower()
    found = sniff(data)
    if mime not in DECLARED and mime not in UNDECLARED:
        raise FetchError(f"{url}: not a document ({mime})")
    said = DECLARED.get(mime, "")
    if found == "binary":
        raise FetchError(f"{url}: not a document (its content is binary{', declared ' + mime if mime else ''})")
    if said in BINARY or found in BINARY:
        if said and said != found:
            raise FetchError(f"{url}: declared {mime} but its content is not "
                             f"{'a PDF' if said == 'pdf' else 'a Word document' if said == 'docx' else 'text'}")
        return found
    # text of some kind: the bytes say which (HTML served as text/xml, a feed served as text/html)
    return found


def file_name(url: str, kind: str) -> str:
    """`.../papers/cb2-123-3-e.pdf` → `cb2-123-3-e.pdf`; a page without a name of its own gets its
    host and folder (`www.legco.gov.hk-papers.html`). The suffix is always what the content is."""
    parts = urlsplit(url)
    segments = [unquote(s) for s in parts.path.split("/") if s]
    last = segments[-1] if segments else ""
    stem, dot, suffix = last.rpartition(".")
    if not dot:
        stem, suffix = last, ""
    if not stem:
        stem = "-".join([parts.hostname or "page", *segments[-1:]])
    suffix = suffix.lower()
    if kind == "text" and suffix in ("md", "markdown", "txt"):
        ext = "." + suffix
    elif kind == "html" and suffix == "htm":
        ext = ".htm"
    else:
        ext = SUFFIX.get(kind, ".txt")
    stem = slug(stem, 100) or "document"
    return stem + ext


class Fetcher:
    """Fetches URLs under one policy. Each request goes out on a client of its own (nothing carried
    from one request, or one redirect, to the next)."""

    def __init__(self, settings: Settings, resolve: Resolver = system_resolver) -> None:
        self.settings = settings
        self.policy = Policy.of(settings)
        self.resolve = resolve
        self.limit = settings.max_upload_mb * 1024 * 1024

    def fetch(self, url: str, etag: str = "", last_modified: str = "",
              accept: Sequence[str] = ("pdf", "docx", "html", "text", "feed")) -> Fetched:
        """GET a URL (conditionally, when validators are given): the body if it is one of `accept`."""
        asked = clean_url(url)
        deadline = time.monotonic() + self.settings.fetch_total_timeout_s
        current = asked
        for _ in range(self.settings.fetch_max_redirects + 1):
            status, headers, data, location = self._get(current, etag, last_modified, deadline)
            if status in REDIRECTS and location:
                current = clean_url(urljoin(current, location))
                continue
            if status == 304 and (etag or last_modified):
                return Fetched(asked, current, etag=headers.get("etag", etag),
                               last_modified=headers.get("last-modified", last_modified), not_modified=True)
            if status in REDIRECTS:
                raise FetchError(f"{asked}: redirect without a Location")
            if status != 200:
                raise FetchError(f"{asked}: HTTP {status}" + (f" from {current}" if current != asked else ""))
            kind = kind_of(headers.get("content-type", ""), data, asked)
            if kind not in accept:
                raise FetchError(f"{asked}: not a document (it is {kind})")
            return Fetched(asked, current, data, kind, headers.get("etag", ""), headers.get("last-modified", ""))
        raise FetchError(f"{asked}: more than {self.settings.fetch_max_redirects} redirects")

    def _get(self, url: str, etag: str, last_modified: str,
             deadline: float) -> tuple[int, dict[str, str], bytes, str]:
        """One request to the checked address: (status, headers, body, Location)."""
        import httpx

        ip = checked_address(url, self.policy, self.resolve)
        target = httpx.URL(url)
        headers = {"Host": target.netloc.decode("ascii"), "User-Agent": self.settings.fetch_user_agent,
                   "Accept": "*/*", "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        s = self.settings
        timeout = httpx.Timeout(connect=s.fetch_connect_timeout_s, read=s.fetch_read_timeout_s,
                                write=s.fetch_read_timeout_s, pool=s.fetch_connect_timeout_s)
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        try:
            with httpx.Client(trust_env=False, follow_redirects=False, timeout=timeout) as client, \
                    client.stream("GET", target.copy_with(host=str(ip)), headers=headers,
                                  extensions=extensions) as response:
                self._same_peer(response, ip, url)
                got = {k.lower(): v for k, v in response.headers.items()}
                if response.status_code != 200:
                    return response.status_code, got, b"", got.get("location", "")
                return 200, got, self._body(response, url, deadline), ""
        except httpx.TimeoutException as exc:
            raise FetchError(f"{url}: timed out ({type(exc).__name__.replace('Timeout', '').lower() or 'total'})") \
                from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{url}: could not be fetched ({type(exc).__name__}: {exc})") from exc

    @staticmethod
    def _same_peer(response: object, ip: Address, url: str) -> None:
        """The connection went to the address that was checked, and nowhere else."""
        stream = getattr(response, "extensions", {}).get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if peer and ipaddress.ip_address(str(peer[0]).split("%", 1)[0]) != ip:
            raise FetchError(f"{url}: refused, connected to {peer[0]} instead of {ip}")

    def _body(self, response: object, url: str, deadline: float) -> bytes:
        """The body, read only while it stays under the size limit and the time left."""
        length = getattr(response, "headers", {}).get("content-length", "")
        mb = self.settings.max_upload_mb
        if length.isdigit() and int(length) > self.limit:
            raise FetchError(f"{url}: too large ({int(length) // 1024 // 1024:,} MB; the limit is {mb} MB)")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():  # type: ignore[attr-defined]
            size += len(chunk)
            if size > self.limit:
                raise FetchError(f"{url}: too large (over the {mb} MB limit; stopped reading)")
            if time.monotonic() > deadline:
                raise FetchError(f"{url}: timed out (took over {self.settings.fetch_total_timeout_s:g} s)")
            chunks.append(chunk)
        return b"".join(chunks)


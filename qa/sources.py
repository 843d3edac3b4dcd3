"""Where papers are published, read: the documents a page listing papers links to (not its
navigation), the items of an RSS or Atom feed (read by `feedparser`), and the list of sources a
library is kept current from. Nothing here fetches; `qa.sync` does, through `qa.fetch`.

LegCo lists a meeting's papers with both language versions side by side
(`…/english/…/ca20240520cb2-123-3-e.pdf`, `…/chinese/…/ca20240520cb2-123-3-c.pdf`): links that
differ only in such language marks, or that sit in one row as "English" and "中文", are one paper,
and are indexed as its two editions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from .fetch import FetchError, clean_url

# the kinds of file a listing page's link must name to be taken for a paper
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".html", ".htm", ".txt", ".md", ".markdown")
_NAVIGATION = ["nav", "header", "footer", "aside", "script", "style", "template", "noscript", "form", "menu"]
_NAV_ROLES = re.compile(r"^(navigation|banner|contentinfo|menu|menubar|search)$", re.I)
_NAV_CLASS = re.compile(r"(^|[\s_-])(nav|navbar|menu|breadcrumbs?|sidebar|footer|header|skip)([\s_-]|$)", re.I)
_NOT_FETCHED = ("mailto", "javascript", "tel", "data", "ftp", "file", "about", "blob")
# a folder or a file name's ending that names a language
_LANG_FOLDER = {"english": "en", "eng": "en", "en": "en", "chinese": "zh", "chi": "zh", "zh": "zh",
                "tc": "zh", "sc": "zh", "zh-hk": "zh", "zh-hant": "zh", "zh-tw": "zh", "zh-cn": "zh", "big5": "zh"}
_LANG_ENDING = re.compile(r"(?i)[-_.](e|c|en|eng|english|zh|tc|sc|chi|chinese)$")
_LANG_ENDINGS = {"e": "en", "en": "en", "eng": "en", "english": "en",
                 "c": "zh", "zh": "zh", "tc": "zh", "sc": "zh", "chi": "zh", "chinese": "zh"}
_LANG_TEXT = {"english": "en", "eng": "en", "en": "en", "e": "en", "english version": "en",
              "中文": "zh", "chinese": "zh", "chi": "zh", "中": "zh", "c": "zh", "中文版": "zh", "中文本": "zh",
              "繁體": "zh", "繁體中文": "zh", "简体": "zh", "簡體": "zh", "chinese version": "zh"}
_COMMENT = re.compile(r"(?:^|\s)#")
_FEED_ITEM = re.compile(rb"<(?:[A-Za-z][\w.-]{0,30}:)?(?:item|entry)[\s>/]")


@dataclass
class Link:
    """A document a source names, and the paper it is one language version of ("" when alone)."""

    url: str
    language: str = ""  # what the link says of its language (en, zh), "" when it does not
    paper: str = ""  # shared by the links that are one paper's language versions


@dataclass
class Source:
    """One line of a sources list: a URL, and whether it is a page listing papers (`follow`)."""

    url: str
    follow: bool = False

    def __str__(self) -> str:
        return self.url + (" follow" if self.follow else "")


def _in_navigation(tag: object) -> bool:
    """Inside a menu, a breadcrumb trail, a sidebar (by role, class or id), below the page's content."""
    for parent in [tag, *getattr(tag, "parents", [])]:
        if getattr(parent, "name", "") in ("main", "article", "body", "html", "[document]"):
            return False
        attrs = getattr(parent, "attrs", None) or {}
        if _NAV_ROLES.match(str(attrs.get("role", ""))):
            return True
        classes = attrs.get("class") or []
        ident = " ".join([*(classes if isinstance(classes, list) else [classes]), str(attrs.get("id", ""))])
        if ident.strip() and _NAV_CLASS.search(ident):
            return True
    return False


def page_links(html: str, page_url: str, limit: int) -> list[Link]:
    """The papers a page lists: links in its content (not in its navigation, header, footer or
    sidebars) to PDF, Word, HTML or text files, resolved against the page, each once; no link to
    the page itself, mail, scripts or other kinds of file. Language versions are paired."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    base = page_url
    if (tag := soup.find("base", href=True)) is not None:
        base = urljoin(page_url, str(tag["href"]))
    for tag in soup.find_all(_NAVIGATION):
        tag.decompose()
    here = page_url.split("#", 1)[0]
    found: dict[str, tuple[Link, object]] = {}
    for a in soup.find_all("a", href=True):
        href = str(a["href"]).strip()
        scheme = urlsplit(href).scheme.lower()
        if not href or href.startswith("#") or scheme in _NOT_FETCHED or _in_navigation(a):
            continue
        try:
            url = clean_url(urljoin(base, href))
        except FetchError:
            continue
        if url == here or not _is_document(url) or url in found:
            continue
        found[url] = (Link(url, _language(a.get_text(" ", strip=True))), a.find_parent(["tr", "li", "p", "dd"]))
        if len(found) > limit:
            raise FetchError(f"{page_url}: lists more than {limit} documents (QA_FEED_MAX_ITEMS); refused")
    links = [link for link, _ in found.values()]
    _pair_rows([(link, row) for link, row in found.values()])
    pair_editions(links)
    return links


def _is_document(url: str) -> bool:
    return PurePosixPath(unquote(urlsplit(url).path)).suffix.lower() in DOCUMENT_SUFFIXES


def _language(text: str) -> str:
    return _LANG_TEXT.get(" ".join(text.lower().split()).strip("()[]（）"), "")


def _pair_rows(rows: list[tuple[Link, object]]) -> None:
    """A row of a table or list with one link named "English" and one named "中文" is one paper."""
    by_row: dict[int, list[Link]] = {}
    for link, row in rows:
        if row is not None and link.language:
            by_row.setdefault(id(row), []).append(link)
    for links in by_row.values():
        langs = [link.language for link in links]
        if sorted(langs) == ["en", "zh"]:
            for link in links:
                link.paper = links[langs.index("en")].url


def edition_key(url: str) -> tuple[str, str]:
    """The URL with its language marks taken out, and the language they named:
    `…/english/…/cb2-123-3-e.pdf` → (`…/*/…/cb2-123-3*.pdf`, "en")."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    language = ""
    for i, segment in enumerate(segments[:-1]):
        if segment.lower() in _LANG_FOLDER:
            language = language or _LANG_FOLDER[segment.lower()]
            segments[i] = "*"
    stem, dot, suffix = segments[-1].rpartition(".")
    if dot and (m := _LANG_ENDING.search(stem)):
        language = language or _LANG_ENDINGS[m.group(1).lower()]
        segments[-1] = stem[:m.start()] + "*." + suffix
    return f"{parts.netloc}{'/'.join(segments)}?{parts.query}", language


def pair_editions(links: list[Link]) -> None:
    """Links whose URLs differ only in their language marks are one paper's English and Chinese
    versions; each is given the English one's URL as the paper it belongs to."""
    groups: dict[str, list[tuple[Link, str]]] = {}
    for link in links:
        key, language = edition_key(link.url)
        if language:
            groups.setdefault(key, []).append((link, language))
    for members in groups.values():
        if sorted(lang for _, lang in members) == ["en", "zh"] and not any(link.paper for link, _ in members):
            english = next(link for link, lang in members if lang == "en")
            for link, lang in members:
                link.paper, link.language = english.url, lang


def feed_links(data: bytes, feed_url: str, limit: int) -> list[Link]:
    """The documents an RSS or Atom feed's items point at (an item's document enclosure, else its
    link), each once, language versions paired. A feed of more than `limit` items is refused
    before it is parsed: a feed of 100,000 items costs a count, not a parse."""
    import feedparser

    if len(_FEED_ITEM.findall(data)) > limit:
        raise FetchError(f"{feed_url}: the feed has more than {limit} items (QA_FEED_MAX_ITEMS); refused")
    parsed = feedparser.parse(data, response_headers={"content-location": feed_url})
    if parsed.bozo and not parsed.entries:
        raise FetchError(f"{feed_url}: not a readable feed ({parsed.get('bozo_exception', 'no items')})")
    if len(parsed.entries) > limit:
        raise FetchError(f"{feed_url}: the feed has more than {limit} items (QA_FEED_MAX_ITEMS); refused")
    found: dict[str, Link] = {}
    for entry in parsed.entries:
        enclosures = [e.get("href", "") for e in entry.get("enclosures", []) if _is_document(e.get("href", ""))]
        for href in enclosures or [entry.get("link", "")]:
            try:
                url = clean_url(urljoin(feed_url, href)) if href else ""
            except FetchError:
                continue
            if url:
                found.setdefault(url, Link(url))
    links = list(found.values())
    pair_editions(links)
    return links


def read_sources(spec: str) -> list[Source]:
    """Sources from a `QA_SYNC_SOURCES` value or a command-line argument: URLs separated by commas,
    or the path of a file with one source a line. A line is a URL, followed by `follow` when it
    is a page listing papers; `#` starts a comment. Feeds are recognised by what they are."""
    spec = spec.strip()
    if not spec:
        return []
    if "://" in spec.split(",", 1)[0] or "," in spec:
        lines = spec.split(",")
        where = "QA_SYNC_SOURCES"
    else:
        path = Path(spec).expanduser()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise FetchError(f"{spec}: cannot read the sources file ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise FetchError(f"{spec}: the sources file is not UTF-8 text") from exc
        where = str(path)
    sources: list[Source] = []
    for number, line in enumerate(lines, 1):
        words = _COMMENT.split(line, 1)[0].split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].lower() != "follow"):
            raise FetchError(f"{where}, line {number}: expected `URL` or `URL follow`, got {line.strip()[:120]!r}")
        sources.append(Source(clean_url(words[0]), len(words) == 2))
    return list({s.url: s for s in sources}.values())

"""HTML pages: the main content only (<main>, <article> or the body without navigation, headers,
footers, scripts and styles), headings kept as Markdown headings, paragraphs and list items as blocks."""

from __future__ import annotations

import re

from . import ParseError, from_paragraphs, markdown_table
from ..dates import find_date
from ..models import Document

_DROP = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe",
         "svg", "button"]


def _table(table) -> list[str]:  # type: ignore[no-untyped-def]
    """A table's rows; the first is the header when it is made of <th> cells (or looks like one)."""
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    cells = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"], recursive=False)] for tr in rows]
    th = bool(rows) and all(c.name == "th" for c in rows[0].find_all(["th", "td"], recursive=False))
    return markdown_table(cells, True if th else None)


_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = _HEADINGS | {"p", "li", "pre", "blockquote"}
_CONTAINERS = {"p", "li", "blockquote"}  # blocks taken whole: of what is inside, only list items (and tables)


def _blocks(root, max_blocks: int | None, size: int, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The page's blocks in order, in one walk of the tree (its cost grows with the page, however
    deeply it nests): headings as Markdown headings, paragraphs, list items (also those nested in
    another block) and tables' rows; nothing else inside a block or a table. Stops, refusing the
    page, once it has more than `max_blocks` paragraphs (each is at least one passage), or has
    repeated more text than it holds."""
    from bs4 import Tag

    paragraphs: list[str] = []
    taken = passages = 0  # characters taken (nested list items can take some twice); paragraphs
    stack = [(iter(root.children), False)]  # (children, inside a block)
    while stack:
        el = next(stack[-1][0], None)
        if el is None:
            stack.pop()
            continue
        if not isinstance(el, Tag):
            continue
        inside = stack[-1][1]
        if el.name == "table":
            paragraphs.extend(_table(el))
            continue  # what is inside it is taken with it
        if el.name in _BLOCKS and (not inside or el.name == "li"):
            words = " ".join(el.get_text(" ", strip=True).split())
            if words:
                paragraphs.append("#" * int(el.name[1]) + " " + words if el.name in _HEADINGS else words)
                taken += len(words)
                passages += el.name not in _HEADINGS
            if max_blocks is not None and passages > max_blocks:
                raise ParseError(f"{name}: over {max_blocks:,} passages, the limit for one document; split it into parts")
            if taken > 2 * size + 10_000:
                raise ParseError(f"{name}: its blocks nest so deeply that their text repeats; not read")
        stack.append((iter(el.children), inside or el.name in _CONTAINERS))
    return paragraphs


def parse(text: str, doc_id: str, name: str, max_blocks: int | None = None) -> Document:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    meta_date = ""
    for key in ("date", "dc.date", "article:published_time", "dcterms.created"):
        tag = soup.find("meta", attrs={"name": key}) or soup.find("meta", attrs={"property": key})
        if tag and tag.get("content"):
            meta_date = find_date(str(tag["content"])) or str(tag["content"])[:10]
            break
    root = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.find("article") or soup.body or soup
    for tag in root.find_all(_DROP):
        tag.decompose()
    paragraphs = _blocks(root, max_blocks, len(text), name)
    if not paragraphs:  # text directly in divs
        paragraphs = [p for p in re.split(r"\n\s*\n", root.get_text("\n")) if p.strip()]
    if not paragraphs:
        raise ParseError(f"{name}: no text found in this page")
    h1 = root.find("h1")
    return from_paragraphs(paragraphs, doc_id, title=(h1.get_text(" ", strip=True) if h1 else "") or title,
                           date=meta_date or find_date("\n".join(paragraphs[:6])), source=name,
                           meta={"format": "html"})

"""HTML pages: the main content only (<main>, <article> or the body without navigation, headers,
footers, scripts and styles), headings kept as Markdown headings, paragraphs and list items as blocks."""

from __future__ import annotations

import re

from . import ParseError, find_date, from_paragraphs, markdown_table
from ..models import Document

_DROP = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe",
         "svg", "button"]


def _table(table) -> list[str]:  # type: ignore[no-untyped-def]
    """A table's rows; the first is the header when it is made of <th> cells (or looks like one)."""
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    cells = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"], recursive=False)] for tr in rows]
    th = bool(rows) and all(c.name == "th" for c in rows[0].find_all(["th", "td"], recursive=False))
    return markdown_table(cells, True if th else None)


def parse(text: str, doc_id: str, name: str) -> Document:
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
    paragraphs: list[str] = []
    for el in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "blockquote", "table"]):
        if el.find_parent("table") is not None:
            continue  # taken with its table
        if el.name == "table":
            paragraphs.extend(_table(el))
            continue
        if el.find_parent(["p", "li", "blockquote"]) is not None and el.name != "li":
            continue  # nested in a block we already take whole
        words = " ".join(el.get_text(" ", strip=True).split())
        if not words:
            continue
        if el.name[0] == "h":
            paragraphs.append("#" * int(el.name[1]) + " " + words)
        else:
            paragraphs.append(words)
    if not paragraphs:  # text directly in divs
        paragraphs = [p for p in re.split(r"\n\s*\n", root.get_text("\n")) if p.strip()]
    if not paragraphs:
        raise ParseError(f"{name}: no text found in this page")
    h1 = root.find("h1")
    return from_paragraphs(paragraphs, doc_id, title=(h1.get_text(" ", strip=True) if h1 else "") or title,
                           date=meta_date or find_date("\n".join(paragraphs[:6])), source=name,
                           meta={"format": "html"})

"""Answers as the chat shows them: `[¶5]` markers become links that open the cited paragraph, and
the sources panel shows each cited paragraph with the quoted sentence highlighted."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from ..cite import CITED
from ..fetch import web_url
from ..models import Answer, Chunk, Citation

# everything Markdown (or the HTML inside it) could turn into markup, a link, an image or a style
_MD_ACTIVE = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>:])")


def as_text(text: str) -> str:
    """Document or user text shown in the chat as text, never as markup: a paragraph carrying
    `<a style="position:fixed">`, `<img src=https://…>` or `![](https://…)` must not reach the page
    as an element (or make the browser fetch from outside)."""
    return _MD_ACTIVE.sub(r"\\\1", html.escape(text, quote=False))


_ESCAPED = re.compile(r"\\" + _MD_ACTIVE.pattern)  # one escape as_text wrote


def from_text(shown: str) -> str:
    """What `as_text` was given, read back from the chat (a user's question, to be asked again)."""
    return html.unescape(_ESCAPED.sub(r"\1", shown))


def cite_href(c: Citation) -> str:
    """The link a citation becomes: the unit, and the quoted words, so that an earlier answer's
    citation can still highlight what it quoted."""
    pieces = (c.doc, c.paragraph, c.label, c.part, c.quote[:300])
    return "#cite/" + "/".join(quote(piece, safe="") for piece in pieces)


def citation_for(citations: list[Citation], marker: str, paragraph: str, sentence: str) -> Citation | None:
    """The citation a marker belongs to: same marker (document and paragraph), and quoting the
    sentence before it (¶13's bullets share a number, so the number alone is not enough)."""
    same = [c for c in citations if (c.marker == marker if c.marker else c.paragraph == paragraph)]
    for c in same:
        if any(part and part in sentence for part in c.quote.split(" … ")):
            return c
    return same[0] if same else None


def _linked(text: str, citations: list[Citation]) -> str:
    """Text as text, its markers as links that open the paragraph they cite."""
    out, last = [], 0
    for m in CITED.finditer(text):
        sentence = text[last:m.start()]
        c = citation_for(citations, m.group(0), m.group(2), sentence)
        out.append(as_text(sentence))
        out.append(f"[{as_text(m.group(0))}]({cite_href(c)})" if c else as_text(m.group(0)))
        last = m.end()
    out.append(as_text(text[last:]))
    return "".join(out)


_LEAD = re.compile(r"\*\*(.+?)\*\*")


def answer_markdown(answer: Answer) -> str:
    """Chat text with clickable citations. The answer's own layout (a bold lead line, "- " list
    items) becomes Markdown; everything quoted from a paper stays text. Abstentions are in italics,
    so they read as deliberate; a near miss links the paragraphs that speak of the subject."""
    citations = answer.citations or answer.nearby
    lines = []
    for line in answer.answer.split("\n"):
        bullet = line.startswith("- ")
        body = line[2:] if bullet else line
        m = _LEAD.match(body)
        rendered = f"**{_linked(m.group(1), citations)}**{_linked(body[m.end():], citations)}" if m \
            else _linked(body, citations)
        lines.append(("- " if bullet else "") + rendered)
    text = "\n".join(lines)
    return f"*{text}*" if answer.abstained else text


def unit_anchor(c: Citation | Chunk) -> str:
    """The id of a unit on its paper's reading page (/read/<doc>#…)."""
    return _anchor(c.part, c.paragraph, c.label)


def _anchor(part: str, paragraph: str, label: str) -> str:
    return "p-" + re.sub(r"[^\w]+", "-", f"{part} {paragraph} {label}".strip()).strip("-")


EDITION = {"en": "English version", "zh": "中文本"}


def other_edition(other: dict[str, str] | None) -> str:
    """The cited paragraph in the paper's other language, under the quoted one."""
    if not other or not other.get("text"):
        return ""
    lang = other["language"]
    where = f"{other['part'] + ' ' if other.get('part') else ''}¶{other['paragraph']}"
    href = f"/read/{quote(other['doc'], safe='')}#{_anchor(other.get('part', ''), other['paragraph'], other.get('label', ''))}"
    return (f'<div class="qa-other" lang="{"zh-Hant" if lang == "zh" else "en"}">'
            f'<div class="qa-other-head">{html.escape(EDITION.get(lang, lang))} · {html.escape(where)}</div>'
            f'<p>{html.escape(other["text"])}</p>'
            f'<a class="qa-read" href="{href}" target="_blank">{html.escape(EDITION.get(lang, lang))}</a></div>')


def source_link(url: object, text: str = "Where it was published") -> str:
    """A link to where a fetched paper was published (only ever an http(s) URL)."""
    href = web_url(str(url or ""))
    return (f'<a class="qa-read qa-url" href="{html.escape(href)}" rel="noopener noreferrer nofollow" '
            f'target="_blank">{html.escape(text)}</a>') if href else ""


def reading_page(doc: dict[str, object], units: list[Chunk]) -> str:
    """A whole paper with its paragraph numbers, as text (never as the document's own markup)."""
    esc = html.escape
    rows, heading = [], ()
    for u in units:
        if u.heading_path and u.heading_path != heading:
            heading = u.heading_path
            rows.append(f"<h2>{esc(' › '.join(heading))}</h2>")
        label = f" · {esc(u.label)}" if u.label else ""
        rows.append(f'<p id="{unit_anchor(u)}"><a class="n" href="#{unit_anchor(u)}">{esc(u.where)}{label}</a> '
                    f"{esc(u.text)}</p>")
    title, date = esc(str(doc.get("title") or "")), esc(str(doc.get("date") or ""))
    editions = doc.get("editions") or {}
    other = "".join(f" · <a href='/read/{quote(str(d), safe='')}'>{esc(EDITION.get(str(lang), str(lang)))}</a>"
                    for lang, d in editions.items())  # type: ignore[union-attr]
    return ("<!doctype html><html><head><meta charset=utf-8><meta name=viewport content='width=device-width, "
            f"initial-scale=1'><title>{title}</title><style>body{{font:16px/1.6 system-ui,-apple-system,'Segoe UI',"
            "'Noto Sans CJK TC',sans-serif;max-width:780px;margin:0 auto;padding:24px;color:#0f172a}"
            "h2{font-size:1.05rem;margin:1.6rem 0 .4rem;color:#334155}.n{font-weight:700;color:#0f766e;"
            "text-decoration:none;margin-right:.3rem}p:target{background:#fef3c7;outline:4px solid #fef3c7}"
            "@media (prefers-color-scheme:dark){body{background:#0f172a;color:#e2e8f0}h2{color:#cbd5e1}"
            "p:target{background:#78350f;outline-color:#78350f}.n{color:#5eead4}}</style></head><body>"
            f"<p><a href='/chat/'>← Ask the papers</a></p><h1>{title}</h1><p>{date} · {len(units)} citable "
            f"paragraphs{other}</p>{_published(doc.get('url'))}{''.join(rows)}</body></html>")


def _published(url: object) -> str:
    link = source_link(url, str(url or ""))
    return f"<p>Published at {link}</p>" if link else ""


def highlight(text: str, quote_text: str) -> str:
    body = html.escape(text)
    for part in quote_text.split(" … "):
        part_html = html.escape(part)
        if part_html and part_html in body:
            body = body.replace(part_html, f"<mark>{part_html}</mark>", 1)
    return body


def source_card(c: Citation, index: int | None = None) -> str:
    where = " › ".join(x for x in [c.heading] if x)
    label = f" · {html.escape(c.label)}" if c.label else ""
    return (
        f'<article class="qa-source" data-unit="{html.escape(c.unit)}" id="src-{index if index is not None else 0}">'
        f'<header><span class="qa-para">{html.escape(c.part + " " if c.part else "")}¶{html.escape(c.paragraph)}{label}</span>'
        f'<span class="qa-doc">{html.escape(c.title)}{" · " + html.escape(c.date) if c.date else ""}</span></header>'
        f'{f"<div class=qa-heading>{html.escape(where)}</div>" if where else ""}'
        f'<p>{highlight(c.text or c.quote, c.quote)}</p>'
        f'<a class="qa-read" href="/read/{quote(c.doc, safe="")}#{unit_anchor(c)}" target="_blank">Read the paper</a>'
        f'{" " + source_link(c.url) if c.url else ""}{other_edition(c.other)}</article>'
    )


PANEL = {
    "en": {"empty": "Sources appear here. Click a citation such as <b>[¶5]</b> in an answer to read the "
                    "paragraph it quotes.",
           "none": "No paragraph of the indexed papers answers the last question.",
           "title": "Sources of the last answer", "close": "Back to the conversation",
           "nearby": "Where the papers speak of the subject"},
    "zh": {"empty": "出處會在這裡顯示。按答案中的引用（例如 <b>[¶5]</b>）即可閱讀所引段落。",
           "none": "已索引的文件中沒有段落回答上一個問題。",
           "title": "最近答案的出處", "close": "返回對話", "nearby": "文件提及這個題目的段落"},
}


def sources_html(answer: Answer | None, lang: str = "en") -> str:
    t = PANEL.get(lang, PANEL["en"])
    close = f'<button type="button" class="qa-sheet-close" aria-label="{t["close"]}">×</button>'
    return f'<div class="qa-sources" data-close="{t["close"]}">{close}{_sources_body(answer, t)}</div>'


def _sources_body(answer: Answer | None, t: dict[str, str]) -> str:
    if answer is None:
        return f'<div class="qa-sources-empty">{t["empty"]}</div>'
    if answer.abstained and answer.nearby:
        cards = "".join(source_card(c, i) for i, c in enumerate(answer.nearby))
        return f'<div class="qa-sources-empty">{t["none"]}</div><div class="qa-sources-title">{t["nearby"]}</div>{cards}'
    if answer.abstained or not answer.citations:
        return f'<div class="qa-sources-empty">{t["none"]}</div>'
    cards = "".join(source_card(c, i) for i, c in enumerate(answer.citations))
    return f'<div class="qa-sources-title">{t["title"]}</div>{cards}'

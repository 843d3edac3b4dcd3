"""Answers as the chat shows them: `[¶5]` markers become links that open the cited paragraph, and
the sources panel shows each cited paragraph with the quoted sentence highlighted."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from ..models import Answer, Citation

_MARKER = re.compile(r"\[(?:[^\[\]¶]*?\s)?¶(\d+)\]")
# everything Markdown (or the HTML inside it) could turn into markup, a link, an image or a style
_MD_ACTIVE = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>:])")


def as_text(text: str) -> str:
    """Document or user text shown in the chat as text, never as markup: a paragraph carrying
    `<a style="position:fixed">`, `<img src=https://…>` or `![](https://…)` must not reach the page
    as an element (or make the browser fetch from outside)."""
    return _MD_ACTIVE.sub(r"\\\1", html.escape(text, quote=False))


def cite_href(c: Citation) -> str:
    """The link a citation becomes: the unit, and the quoted words, so that an earlier answer's
    citation can still highlight what it quoted."""
    pieces = (c.doc, c.paragraph, c.label, c.part, c.quote[:300])
    return "#cite/" + "/".join(quote(piece, safe="") for piece in pieces)


def unit_key(c: Citation) -> str:
    """The same key as `Chunk.unit`, which the page's script rebuilds from a citation link."""
    return f"{c.doc}#{c.part + ' ' if c.part else ''}{c.paragraph}" + (f"|{c.label}" if c.label else "")


def citation_for(answer: Answer, marker: str, paragraph: str, sentence: str) -> Citation | None:
    """The citation a marker belongs to: same marker (document and paragraph), and quoting the
    sentence before it (¶13's bullets share a number, so the number alone is not enough)."""
    same = [c for c in answer.citations if (c.marker == marker if c.marker else c.paragraph == paragraph)]
    for c in same:
        if any(part and part in sentence for part in c.quote.split(" … ")):
            return c
    return same[0] if same else None


def answer_markdown(answer: Answer) -> str:
    """Chat text with clickable citations; abstentions stay plain, in italics, so they read as
    deliberate."""
    if answer.abstained:
        return f"*{as_text(answer.answer)}*"
    out, last = [], 0
    for m in _MARKER.finditer(answer.answer):
        sentence = answer.answer[last:m.start()]
        c = citation_for(answer, m.group(0), m.group(1), sentence)
        out.append(as_text(sentence))
        out.append(f"[{as_text(m.group(0))}]({cite_href(c)})" if c else as_text(m.group(0)))
        last = m.end()
    out.append(as_text(answer.answer[last:]))
    return "".join(out)


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
        f'<article class="qa-source" data-unit="{html.escape(unit_key(c))}" id="src-{index if index is not None else 0}">'
        f'<header><span class="qa-para">{html.escape(c.part + " " if c.part else "")}¶{html.escape(c.paragraph)}{label}</span>'
        f'<span class="qa-doc">{html.escape(c.title)}{" · " + html.escape(c.date) if c.date else ""}</span></header>'
        f'{f"<div class=qa-heading>{html.escape(where)}</div>" if where else ""}'
        f'<p>{highlight(c.text or c.quote, c.quote)}</p></article>'
    )


PANEL = {
    "en": {"empty": "Sources appear here. Click a citation such as <b>[¶5]</b> in an answer to read the "
                    "paragraph it quotes.",
           "none": "No paragraph of the indexed papers answers the last question.",
           "title": "Sources of the last answer", "close": "Back to the conversation"},
    "zh": {"empty": "出處會在這裡顯示。按答案中的引用（例如 <b>[¶5]</b>）即可閱讀所引段落。",
           "none": "已索引的文件中沒有段落回答上一個問題。",
           "title": "最近答案的出處", "close": "返回對話"},
}


def sources_html(answer: Answer | None, lang: str = "en") -> str:
    t = PANEL.get(lang, PANEL["en"])
    close = f'<button type="button" class="qa-sheet-close" aria-label="{t["close"]}">×</button>'
    return f'<div class="qa-sources" data-close="{t["close"]}">{close}{_sources_body(answer, t)}</div>'


def _sources_body(answer: Answer | None, t: dict[str, str]) -> str:
    if answer is None:
        return f'<div class="qa-sources-empty">{t["empty"]}</div>'
    if answer.abstained or not answer.citations:
        return f'<div class="qa-sources-empty">{t["none"]}</div>'
    cards = "".join(source_card(c, i) for i, c in enumerate(answer.citations))
    return f'<div class="qa-sources-title">{t["title"]}</div>{cards}'

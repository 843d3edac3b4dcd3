"""Answers as the chat shows them: `[¶5]` markers become links that open the cited paragraph, and
the sources panel shows each cited paragraph with the quoted sentence highlighted."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from ..cite import CITED
from ..fetch import web_url
from ..models import Answer, Chunk, Citation
from .strings import EDITION, PANEL, html_lang

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


# A part's name in Chinese, for the zh-HK interface; the letter or number that follows is kept ("附件 A").
# Display only: stored chunks and the API keep the English names the chunker gives.
PART_ZH = {"Question": "問題", "Answer": "答覆", "Annex": "附件", "Appendix": "附錄", "Footnotes": "註腳"}
_PART_WORD = re.compile(r"\b(" + "|".join(PART_ZH) + r")\b")


def part_name(part: str, lang: str = "en") -> str:
    """A citation's part as the interface says it: "Annex A" in English, "附件 A" in zh-HK."""
    return _PART_WORD.sub(lambda m: PART_ZH[m.group(1)], part) if lang == "zh" and part else part


def _part_shown(marker: str, c: Citation | None, lang: str) -> str:
    """A marker with its citation's part in the interface's language (the label before it kept)."""
    if lang != "zh" or c is None or not c.part or c.part not in marker:
        return marker
    head, _, tail = marker.rpartition(c.part)
    return head + part_name(c.part, lang) + tail


def readable(m: re.Match[str], c: Citation | None, labels: dict[str, str] | None) -> str:
    """A marker as the reader sees it: the paper's short label or date, never its file id
    ("[2024-05-20 ¶5]"; "[¶5]" when the library holds one paper)."""
    named = (m.group(1) or "").strip()
    if labels is None or not [w for w in named.split() if w != "中文" and (c is None or w not in c.part.split())]:
        return m.group(0)  # no paper named ("[¶5]", "[中文 ¶5]", "[Annex A ¶1]"): nothing to make readable
    if c is not None:
        extra = [x for x in ["中文" if "中文" in named.split() else "", c.part] if x]
        name = " ".join([labels.get(c.doc) or c.date or c.title[:24], *extra])
    else:  # a marker no citation backs (an abstention's words): its label made readable if it is an id
        doc = next((d for d in sorted(labels, key=len, reverse=True) if named == d or named.startswith(d + " ")), "")
        name = labels[doc] + named[len(doc):] if doc else named
    return f"[{name} ¶{m.group(2)}{m.group(3)}]"


def _linked(text: str, citations: list[Citation], labels: dict[str, str] | None = None, lang: str = "en") -> str:
    """Text as text, its markers as links that open the paragraph they cite."""
    out, last = [], 0
    for m in CITED.finditer(text):
        sentence = text[last:m.start()]
        c = citation_for(citations, m.group(0), m.group(2), sentence)
        out.append(as_text(sentence))
        shown = as_text(_part_shown(readable(m, c, labels), c, lang))
        out.append(f"[{shown}]({cite_href(c)})" if c else shown)
        last = m.end()
    out.append(as_text(text[last:]))
    return "".join(out)


_LEAD = re.compile(r"\*\*(.+?)\*\*")


def answer_markdown(answer: Answer, labels: dict[str, str] | None = None, lang: str = "en") -> str:
    """Chat text with clickable citations. The answer's own layout (a bold lead line, "- " list
    items) becomes Markdown; everything quoted from a paper stays text. Abstentions are in italics,
    so they read as deliberate; a near miss links the paragraphs that speak of the subject. With
    `labels` (doc id → short label) markers name papers by label, and a numbered list of the
    sources (title, date, ¶) ends the answer."""
    citations = answer.citations or answer.nearby
    lines = []
    for line in answer.answer.split("\n"):
        bullet = line.startswith("- ")
        body = line[2:] if bullet else line
        m = _LEAD.match(body)
        rendered = f"**{_linked(m.group(1), citations, labels, lang)}**{_linked(body[m.end():], citations, labels, lang)}" \
            if m else _linked(body, citations, labels, lang)
        lines.append(("- " if bullet else "") + rendered)
    text = "\n".join(lines)
    text = f"*{text}*" if answer.abstained else text
    return text + (source_list(citations, lang) if labels is not None else "")


def source_list(citations: list[Citation], lang: str = "en") -> str:
    """The numbered sources under an answer: title, date and paragraph, each opening its card."""
    seen: dict[str, Citation] = {}
    for c in citations:
        seen.setdefault(c.unit, c)
    if not seen:
        return ""
    rows = [f"{n}. [{as_text(c.title or c.date)}]({cite_href(c)}) · "
            f"{as_text(' · '.join(x for x in [c.date, (part_name(c.part, lang) + ' ' if c.part else '') + '¶' + c.paragraph] if x))}"
            for n, c in enumerate(seen.values(), 1)]
    return f"\n\n**{PANEL.get(lang, PANEL['en'])['sources']}:**\n\n" + "\n".join(rows)


def unit_anchor(c: Citation | Chunk) -> str:
    """The id of a unit on its paper's reading page (/read/<doc>#…)."""
    return _anchor(c.part, c.paragraph, c.label)


def _anchor(part: str, paragraph: str, label: str) -> str:
    return "p-" + re.sub(r"[^\w]+", "-", f"{part} {paragraph} {label}".strip()).strip("-")


def other_edition(other: dict[str, str] | None, lang: str = "en") -> str:
    """The cited paragraph in the paper's other language, under the quoted one, marked as the
    same passage (the quote's words are only known in the language it was taken from)."""
    if not other or not other.get("text"):
        return ""
    version = other["language"]
    where = f"{part_name(other['part'], lang) + ' ' if other.get('part') else ''}¶{other['paragraph']}"
    href = f"/read/{quote(other['doc'], safe='')}#{_anchor(other.get('part', ''), other['paragraph'], other.get('label', ''))}"
    name = html.escape(EDITION.get(version, version))
    return (f'<div class="qa-other" lang="{"zh-Hant" if version == "zh" else "en"}">'
            f'<div class="qa-other-head">{name} · {html.escape(where)}</div>'
            f'<p><mark class="qa-other-mark">{html.escape(other["text"])}</mark></p>'
            f'<a class="qa-read" href="{href}" target="_blank">{PANEL.get(lang, PANEL["en"])["read"]} · {name}</a></div>')


def source_link(url: object, text: str = "Where it was published") -> str:
    """A link to where a fetched paper was published (only ever an http(s) URL)."""
    href = web_url(str(url or ""))
    return (f'<a class="qa-read qa-url" href="{html.escape(href)}" rel="noopener noreferrer nofollow" '
            f'target="_blank">{html.escape(text)}</a>') if href else ""


READING_CSS = ("body{font:16px/1.6 system-ui,-apple-system,'Segoe UI','Noto Sans CJK TC',sans-serif;max-width:780px;"
               "margin:0 auto;padding:24px;color:#0f172a}h2{font-size:1.05rem;margin:1.6rem 0 .4rem;color:#334155}"
               ".n{font-weight:700;color:#0f766e;text-decoration:none;margin-right:.3rem}"
               "p:target{background:#fef3c7;outline:4px solid #fef3c7}a:focus-visible{outline:3px solid #b45309;"
               "outline-offset:2px}@media (prefers-color-scheme:dark){body{background:#0f172a;color:#e2e8f0}"
               "h2{color:#cbd5e1}p:target{background:#78350f;outline-color:#78350f}.n{color:#5eead4}a{color:#93c5fd}}")


def reading_page(doc: dict[str, object], units: list[Chunk]) -> str:
    """A whole paper with its paragraph numbers, as text (never as the document's own markup), in
    the paper's own language (`<html lang>`), so a screen reader reads it with the right voice."""
    esc = html.escape
    lang = "zh" if str(doc.get("language") or "") == "zh" else "en"
    t = PANEL[lang]
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
    other = "".join(f" · <a href='/read/{quote(str(d), safe='')}' lang='{html_lang(str(v))}'>"
                    f"{esc(EDITION.get(str(v), str(v)))}</a>"
                    for v, d in editions.items())  # type: ignore[union-attr]
    count = f"{len(units)} {t['paragraphs']}" if lang == "en" else f"{len(units)} {t['paragraphs']}"
    return (f"<!doctype html><html lang='{html_lang(lang)}'><head><meta charset=utf-8><meta name=viewport "
            f"content='width=device-width, initial-scale=1'><title>{title}</title><style>{READING_CSS}</style>"
            f"</head><body><p><a href='/chat/'>{t['back']}</a></p><h1>{title}</h1><p>{date} · {count}{other}</p>"
            f"{_published(doc.get('url'), t)}{''.join(rows)}</body></html>")


def _published(url: object, t: dict[str, str] = PANEL["en"]) -> str:
    link = source_link(url, str(url or ""))
    return f"<p>{t['published_at']} {link}</p>" if link else ""


def highlight(text: str, quote_text: str) -> str:
    body = html.escape(text)
    for part in quote_text.split(" … "):
        part_html = html.escape(part)
        if part_html and part_html in body:
            body = body.replace(part_html, f"<mark>{part_html}</mark>", 1)
    return body


def source_card(c: Citation, index: int | None = None, lang: str = "en") -> str:
    t = PANEL.get(lang, PANEL["en"])
    where = " › ".join(x for x in [c.heading] if x)
    label = f" · {html.escape(c.label)}" if c.label else ""
    number = f'<span class="qa-num">{index + 1}</span>' if index is not None else ""
    return (
        f'<article class="qa-source" data-unit="{html.escape(c.unit)}" id="src-{index if index is not None else 0}">'
        f'<header>{number}<span class="qa-para">{html.escape(part_name(c.part, lang) + " " if c.part else "")}¶{html.escape(c.paragraph)}{label}</span>'
        f'<span class="qa-doc">{html.escape(c.title)}{" · " + html.escape(c.date) if c.date else ""}</span></header>'
        f'{f"<div class=qa-heading>{html.escape(where)}</div>" if where else ""}'
        f'<p>{highlight(c.text or c.quote, c.quote)}</p>'
        f'<a class="qa-read" href="/read/{quote(c.doc, safe="")}#{unit_anchor(c)}" target="_blank">{t["read"]}</a>'
        f'{" " + source_link(c.url, t["published"]) if c.url else ""}{other_edition(c.other, lang)}</article>'
    )


def sources_html(answer: Answer | None, lang: str = "en") -> str:
    """The sources panel; on a phone a sheet whose bar (a grip to swipe down, a × to close) stays
    put while the cards under it scroll."""
    t = PANEL.get(lang, PANEL["en"])
    bar = (f'<div class="qa-sheet-bar"><span class="qa-grip" aria-hidden="true"></span>'
           f'<button type="button" class="qa-sheet-close" aria-label="{t["close"]}" title="{t["close"]}">×</button></div>')
    return (f'<div class="qa-sources" data-close="{t["close"]}" lang="{html_lang(lang)}">{bar}'
            f'<div class="qa-sources-list">{_sources_body(answer, t, lang)}</div></div>')


def _sources_body(answer: Answer | None, t: dict[str, str], lang: str = "en") -> str:
    if answer is None:
        return f'<div class="qa-sources-empty">{t["empty"]}</div>'
    if answer.abstained and answer.nearby:
        cards = "".join(source_card(c, i, lang) for i, c in enumerate(answer.nearby))
        return f'<div class="qa-sources-empty">{t["none"]}</div><div class="qa-sources-title">{t["nearby"]}</div>{cards}'
    if answer.abstained or not answer.citations:
        return f'<div class="qa-sources-empty">{t["none"]}</div>'
    cards = "".join(source_card(c, i, lang) for i, c in enumerate(answer.citations))
    return f'<div class="qa-sources-title">{t["title"]}</div>{cards}'

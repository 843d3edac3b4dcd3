"""Citation markers: how an answer cites a paragraph (`[¶5]`, `[2024-05-20 ¶5]`, `[Annex A ¶1]`), and
every pattern that reads markers back (follow-ups, the citation checker, the page, word counts).

One home, so that what the answerer writes and what the readers of answers expect cannot drift
apart. Every pattern is bounded (no nested repetition, limited runs), so a hostile text of
thousands of brackets is read in linear time."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .models import Chunk

if TYPE_CHECKING:
    from .lexical import Lexical

# a marker as the answerer writes it: [¶5], [2024-05-20 ¶5], [Annex A ¶1], [中文 ¶5 · 2nd]
MARKER = re.compile(r"\[[^\[\]¶\n]{0,80}¶[^\[\]\n]{0,40}\]")
# the parts of one: its label (a paper's date or short name, with a part's name), its paragraph
CITED = re.compile(r"\[(?:([^\[\]¶\n]{0,80}?)\s)?¶\s?(\d+(?:\.\d+)*)([^\[\]\n]{0,40})\]")
# what a language model writes: [¶5], [¶5, ¶6], [2024-05-20 ¶5], (¶5), 【¶5】, or a bare ¶5
LOOSE = re.compile(r"[\[【(（][^\]】)）\[【(（\n]{0,120}?¶[^\]】)）\[【(（\n]{0,120}[\]】)）]|¶\s?\d+(?:\([a-z]+\))?")
# one reference inside a loose marker; the label may be several words or a document's id ("IF12929.2")
REFERENCE = re.compile(r"(?:([\w.-]{1,40}(?:\s{1,3}[\w.-]{1,40}){0,5})\s{1,3})?¶\s?(\d{1,4}(?:\.\d{1,4}){0,3})(?:\s?\(([a-z]{1,3})\))?")


def marker(lex: "Lexical", chunk: Chunk) -> str:
    """`[¶5]`, or `[2024-05-20 ¶5]` once more than one document is indexed."""
    label = lex.labels.get(chunk.doc_id)
    return f"[{label} {chunk.where}]" if label else f"[{chunk.where}]"


def cited_paragraphs(text: str) -> list[tuple[str, str]]:
    """The (label, paragraph) of each citation in an answer: ("2024-05-20", "8") for [2024-05-20 ¶8],
    ("", "8") for [¶8]."""
    return list(dict.fromkeys(((m.group(1) or "").strip(), m.group(2)) for m in CITED.finditer(text)))


def strip_markers(text: str) -> str:
    """The text without any marker a model or the answerer may have written."""
    return " ".join(LOOSE.sub(" ", text).split())


def without_markers(text: str) -> str:
    """The answerer's text without its markers (for counting an answer's words)."""
    return MARKER.sub(" ", text)

"""The data that crosses module boundaries, and its JSON form (the `qa ask --json` contract)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Block:
    """A run of source text between blank lines, with its character span in the source file."""

    text: str
    start: int
    end: int


@dataclass
class Document:
    id: str
    title: str
    date: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    source: str = ""
    hash: str = ""


def unit_key(doc: str, paragraph: str, label: str = "", part: str = "") -> str:
    """The key of a citable unit, the same for a chunk and for a citation of it (the page's script
    rebuilds it from a citation link)."""
    return f"{doc}#{part + ' ' if part else ''}{paragraph}" + (f"|{label}" if label else "")


@dataclass(frozen=True)
class Chunk:
    """One citable unit: a paragraph, a labelled bullet of a paragraph, or a sentence window of either.

    `unit` identifies the citable unit (paragraph + label); several windows may share it."""

    doc_id: str
    paragraph: str
    label: str
    heading_path: tuple[str, ...]
    text: str
    start: int
    end: int
    window: int = 0
    title: str = ""
    date: str = ""
    # the numbering the paragraph belongs to when a document restarts it ("Annex A"); "" = the main one
    part: str = ""

    @property
    def unit(self) -> str:
        return unit_key(self.doc_id, self.paragraph, self.label, self.part)

    @property
    def where(self) -> str:
        """How a reader finds it in the document: "¶5", or "Annex A ¶1"."""
        return f"{self.part} ¶{self.paragraph}" if self.part else f"¶{self.paragraph}"

    @property
    def id(self) -> str:
        return f"{self.unit}~{self.window}"

    @property
    def hash(self) -> str:
        return content_hash("\x1f".join([self.text, self.part, self.paragraph, self.label, *self.heading_path]))

    def to_json(self) -> dict[str, str]:
        """A whole paragraph as the API shows it."""
        return {"doc": self.doc_id, "title": self.title, "date": self.date, "paragraph": self.paragraph,
                "part": self.part, "label": self.label, "where": self.where,
                "heading": " › ".join(self.heading_path), "text": self.text}

    def metadata(self) -> dict[str, str | int]:
        return {
            "doc": self.doc_id,
            "title": self.title,
            "date": self.date,
            "paragraph": self.paragraph,
            "part": self.part,
            "label": self.label,
            "heading": " › ".join(self.heading_path),
            "start": self.start,
            "end": self.end,
            "window": self.window,
            "hash": self.hash,
        }

    @classmethod
    def from_metadata(cls, text: str, meta: dict[str, Any]) -> "Chunk":
        heading = str(meta.get("heading") or "")
        return cls(
            doc_id=str(meta["doc"]),
            paragraph=str(meta["paragraph"]),
            label=str(meta.get("label") or ""),
            heading_path=tuple(heading.split(" › ")) if heading else (),
            text=text,
            start=int(meta.get("start", 0)),
            end=int(meta.get("end", 0)),
            window=int(meta.get("window", 0)),
            title=str(meta.get("title") or ""),
            date=str(meta.get("date") or ""),
            part=str(meta.get("part") or ""),
        )


@dataclass
class Hit:
    """A citable unit and how each retriever ranked it."""

    unit: str
    chunk: Chunk  # the whole unit's text (windows re-joined)
    score: float = 0.0
    ranks: dict[str, int] = field(default_factory=dict)
    sims: dict[str, float] = field(default_factory=dict)


@dataclass
class Citation:
    doc: str
    title: str
    paragraph: str
    label: str
    quote: str
    score: float
    heading: str = ""
    date: str = ""
    text: str = ""  # the full paragraph, for the sources panel
    marker: str = ""  # how the answer text cites it: "[¶5]" or "[2024-05-20 ¶5]"
    part: str = ""  # "Annex A" when the paragraph is numbered within an annex (see Chunk.part)
    # the same paragraph in the paper's other language: doc, language, title, paragraph, text
    other: dict[str, str] | None = None
    url: str = ""  # where the paper was fetched from, when it was added by URL

    @classmethod
    def of(cls, chunk: Chunk, quote: str, score: float, marker: str) -> "Citation":
        """The one way a citation is made from the unit it cites."""
        return cls(doc=chunk.doc_id, title=chunk.title, paragraph=chunk.paragraph, label=chunk.label,
                   quote=quote, score=score, heading=" › ".join(chunk.heading_path), date=chunk.date,
                   text=chunk.text, marker=marker, part=chunk.part)

    def to_json(self, full: bool = False) -> dict[str, Any]:
        data = asdict(self)
        data["score"] = round(self.score, 4)
        if not full:
            for key in ("text", "marker"):
                data.pop(key)
            if self.other:
                data["other"] = {k: v for k, v in self.other.items() if k != "text"}
        if not self.other:
            data.pop("other")
        if not self.url:
            data.pop("url")
        return data

    @property
    def unit(self) -> str:
        return unit_key(self.doc, self.paragraph, self.label, self.part)

    def with_other(self, chunk: Chunk, language: str) -> None:
        """Point at the same paragraph in the paper's version in another language."""
        self.other = {"doc": chunk.doc_id, "language": language, "title": chunk.title,
                      "paragraph": chunk.paragraph, "label": chunk.label, "part": chunk.part, "text": chunk.text}


@dataclass
class Item:
    """One entry of a list or comparison answer: the thing, its date, the figure compared, and the
    words of the paper that make it qualify."""

    name: str
    quote: str
    marker: str
    date: str = ""
    value: str = ""  # the figure a comparison compares ("65 items")

    def to_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class Check:
    """One claim of a generated answer and what became of it."""

    claim: str
    cited: list[str]  # paragraph numbers the model gave
    status: str  # verified (as cited) | recited (moved, or added where none was given) | unsupported
    paragraph: str = ""  # where it is cited now
    coverage: float = 0.0
    similarity: float = 0.0
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["coverage"] = round(self.coverage, 3)
        data["similarity"] = round(self.similarity, 3)
        return data


@dataclass
class Turn:
    role: Literal["user", "assistant"]
    content: str


class HistoryTurn(BaseModel):
    """An earlier turn as every front end takes it on the wire (the REST API, the MCP tool);
    the service reads it as a `Turn`. One model, so every route bounds and refuses the same way."""

    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


SOURCES = "\n\nSources:\n"


def without_sources(text: str) -> str:
    """An earlier answer as a client sends it back in the conversation, without its sources list."""
    return text.split(SOURCES, 1)[0]


@dataclass
class Answer:
    answer: str
    citations: list[Citation]
    abstained: bool
    answerer: str = "extractive"
    timing_ms: dict[str, float] = field(default_factory=dict)
    question: str = ""  # as asked (after cleaning)
    scope: list[str] = field(default_factory=list)  # the documents searched; empty = all
    query: str = ""  # what retrieval actually searched for (after follow-up and translation handling)
    model: str = ""  # the LLM, for generated answers
    fallback: str = ""  # why a generated answer was not given, when the extractive one stands in
    checks: list[Check] = field(default_factory=list)  # citation checks of a generated answer
    draft: str = ""  # the model's text before checking
    lead: str = ""  # the answer itself, first line, verbatim from a paper ("22 February 2023")
    items: list[Item] = field(default_factory=list)  # a list or comparison answer's entries
    # when the papers speak of the subject but not the detail asked: the paragraphs that do speak of it
    nearby: list[Citation] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """answered, abstained, or fallback (quoted because the language model could not be used)."""
        if self.abstained:
            return "abstained"
        return "fallback" if self.fallback else "answered"

    @property
    def note(self) -> str:
        """One line telling the reader how this answer was made, for every front end."""
        if self.answerer == "generative" and self.abstained:
            return f"A language model ({self.model}) read the paragraphs pointed at and found no answer in them."
        if self.answerer == "generative":
            dropped = sum(c.status == "unsupported" for c in self.checks)
            moved = sum(c.status == "recited" for c in self.checks)
            text = f"Written by a language model ({self.model}) from the cited paragraphs; every citation was checked"
            if moved:
                text += f", {moved} corrected"
            if dropped:
                text += f"; {dropped} sentence{'s' if dropped > 1 else ''} without support removed"
            return text + "."
        if self.fallback:
            return f"Quoted from the papers word for word ({self.fallback})."
        return "Quoted from the papers word for word; nothing is generated."

    def plain_text(self) -> str:
        """The answer with its inline markers and a list of sources, for clients that show only text
        (OpenAI-compatible chats, MCP assistants): every marker can be looked up below it (for a near
        miss, the paragraphs that speak of the subject)."""
        sources = self.citations or self.nearby
        if not sources:
            return self.answer
        lines = []
        for c in sources:
            where = ", ".join(x for x in (c.title, c.date, c.label, c.url) if x)
            lines.append(f"{c.marker} {where}: “{c.quote}”" if c.quote else f"{c.marker} {where}")
        return self.answer + SOURCES + "\n".join(lines)

    def to_json(self, full: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "answer": self.answer,
            "citations": [c.to_json(full) for c in self.citations],
            "abstained": self.abstained,
            "answerer": self.answerer,
            "note": self.note,
            "scope": self.scope or "all",
            "timing_ms": {k: round(v, 2) for k, v in self.timing_ms.items()},
        }
        if self.lead:
            data["lead"] = self.lead
        if self.items:
            data["items"] = [i.to_json() for i in self.items]
        if self.nearby:
            data["nearby"] = [c.to_json(full) for c in self.nearby]
        if self.model:
            data["model"] = self.model
        if self.fallback:
            data["fallback"] = self.fallback
        if self.checks:
            data["checks"] = [c.to_json() for c in self.checks]
        if full and self.draft:
            data["draft"] = self.draft
        return data

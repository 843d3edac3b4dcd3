"""What the chat says about the library: the papers to pick from (one entry per paper, both language
versions together), the line saying what is covered, and readable citation labels. Read from the
service's document listing, so the pages never show a raw file id where a title or date will do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..service import QA
from .strings import TEXTS


@dataclass
class Library:
    """One snapshot of the indexed papers, as the pages show them."""

    docs: list[dict[str, Any]]
    shorts: dict[str, str] = field(default_factory=dict)  # doc id → `short:` label from the front matter

    @classmethod
    def of(cls, service: QA) -> "Library":
        try:
            docs = service.documents()
            shorts = {r.doc: r.short for r in service.list_documents() if r.short}
        except Exception:  # no index yet: an empty library, the page still loads
            return cls([], {})
        return cls(docs, shorts)

    def papers(self) -> list[dict[str, Any]]:
        """One entry per paper: the English version stands for a bilingual pair (it comes first in the
        picker's value); `docs` lists every language version."""
        seen: set[str] = set()
        out = []
        for d in self.docs:
            if d["doc"] in seen:
                continue
            versions = {str(d["language"] or ""): d["doc"], **(d.get("editions") or {})}
            lead = next((x for x in self.docs if x["doc"] == versions.get("en")), d)
            seen.update(versions.values())
            out.append({**lead, "docs": list(dict.fromkeys([lead["doc"], *versions.values()])),
                        "languages": sorted(k for k in versions if k)})
        return out

    def choices(self, lang: str) -> list[tuple[str, str]]:
        """The "Search in" picker: title (date · languages · ¶), valued by the paper's first version."""
        names = {"en": "English", "zh": "中文"}
        out = []
        for p in self.papers():
            langs = " + ".join(names.get(x, x) for x in p["languages"])
            about = " · ".join(str(x) for x in [p["date"], langs, f"{p['paragraphs']} ¶"] if x)
            out.append((f"{p['title']} ({about})", str(p["doc"])))
        return out

    def expand(self, chosen: list[str] | None) -> list[str] | None:
        """A choice of papers as the service's scope: each with its other language versions, so a
        Chinese question about a picked paper quotes its Chinese version."""
        if not chosen:
            return None
        docs: list[str] = []
        for p in self.papers():
            if set(p["docs"]) & set(chosen):
                docs += p["docs"]
        return list(dict.fromkeys(docs + [c for c in chosen if c not in docs]))

    def coverage(self, lang: str) -> str:
        """"36 papers, 2019–2024, English and Chinese": what a question is asked of."""
        t = TEXTS[lang]
        papers = self.papers()
        if not papers:
            return ""
        years = sorted(str(d["date"])[:4] for d in self.docs if d.get("date"))
        span = (years[0] if years[0] == years[-1] else f"{years[0]}–{years[-1]}") if years else ""
        langs = {str(d["language"]) for d in self.docs}
        words = t["both"] if {"en", "zh"} <= langs else t["zh_only"] if langs == {"zh"} else t["en_only"]
        count = t["paper"] if len(papers) == 1 else t["papers"].format(n=len(papers))
        return ", ".join(x for x in [count, span, words] if x)

    def label(self, doc: str) -> str:
        """A paper's short label: its `short:` front matter, else its date, else the start of its title."""
        d = next((x for x in self.docs if x["doc"] == doc), None)
        if d is None:
            return ""
        lead = next((p for p in self.papers() if doc in p["docs"]), d)
        return self.shorts.get(str(lead["doc"])) or self.shorts.get(doc) or str(d.get("date") or "") \
            or str(d.get("title") or "")[:24]

    def titles(self) -> dict[str, dict[str, str]]:
        """doc id → title, date, label: what a citation's preview shows."""
        return {str(d["doc"]): {"title": str(d["title"]), "date": str(d.get("date") or ""),
                                "label": self.label(str(d["doc"]))} for d in self.docs}

"""What the chat page does: asking, streaming the answer, keeping conversations in the reader's
browser (with confirmation and undo for removing them), regenerating and editing, the interface
language, and votes. Logic about answers lives in `qa.service`; this only moves it to the page."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, AsyncIterator

import gradio as gr

from .. import feedback
from ..models import Answer
from ..service import QA, QuestionError
from .clients import client_of
from .layout import Parts, header
from .library import Library
from .render import answer_markdown, as_text, from_text, sources_html
from .strings import EXAMPLES, TEXTS
from urllib.parse import quote

MAX_SAVED = 50  # conversations kept in the browser; the oldest go first
PRIVATE = {"api_visibility": "private"}


def message_text(content: object) -> str:
    """Chat message content as plain text (Gradio may hand it over as a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(message_text(p.get("text", "") if isinstance(p, dict) else p) for p in content)
    if isinstance(content, dict):
        return str(content.get("text", ""))
    return "" if content is None else str(content)


def said(message: dict[str, Any]) -> str:
    """What a message says. A person's words are shown as text (escaped, so that a share link's
    `<img src=…>` or `[notice](…)` stays words) and read back as they were typed."""
    text = message_text(message.get("content"))
    return from_text(text) if message.get("role") == "user" else text


def share_link(question: str, earlier: list[str], lang: str) -> str:
    """A link that asks the same question again, after the same earlier questions (for follow-ups).
    Relative here; the page script points it at the chat itself when the chat is embedded."""
    link = "?q=" + quote(question, safe="")
    if earlier:
        link += "&ctx=" + quote(json.dumps(earlier[-3:], ensure_ascii=False), safe="")
    return f"\n\n[{TEXTS[lang]['share']}]({link})"


def titles(saved: list[dict[str, Any]], search: str = "") -> list[tuple[str, str]]:
    """The saved conversations' titles, those matching a search when one is typed."""
    words = search.strip().lower()
    return [(c.get("title") or "…", c["id"]) for c in saved if not words or words in (c.get("title") or "").lower()]


def language(stored: str, accept: str) -> str:
    """The reader's choice when made, else the browser's first language (zh-HK, zh-TW, zh … → 中文)."""
    if stored in TEXTS:
        return stored
    first = (accept or "").split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"


def answerer_line(service: QA, lang: str = "en") -> str:
    return TEXTS[lang]["extractive" if service.llm_status()["llm"] == "off" else "generative"]


class Events:
    """The handlers; `wire` connects them to the page's parts."""

    def __init__(self, service: QA, parts: Parts) -> None:
        self.service, self.p = service, parts
        self.limit = service.settings.max_question_chars

    # -- asking ---------------------------------------------------------------------------
    def add_user(self, message: str, history: list[dict[str, Any]], lang_: str) -> tuple[Any, Any]:
        """A question joins the conversation; an empty one changes nothing, a long one is refused
        with the reason, and stays in the box to be shortened."""
        message = (message or "").strip()
        if not message:
            return gr.update(), history
        if len(message) > self.limit:
            gr.Warning(TEXTS[lang_]["too_long"].format(n=len(message), limit=self.limit))
            return gr.update(), history
        return "", history + [{"role": "user", "content": as_text(message)}]

    async def respond(self, history: list[dict[str, Any]], stored: list[dict[str, Any]], lang_: str,
                      searched: list[str] | None = None) -> AsyncIterator[Any]:
        if not history or history[-1]["role"] != "user":
            yield gr.update(), gr.update(), gr.update(), gr.update()
            return
        question = said(history[-1])
        turns = [{"role": t["role"], "content": said(t)} for t in history[:-1]]
        earlier = [t["content"] for t in turns if t["role"] == "user"]
        history = history + [{"role": "assistant", "content": ""}]
        library = Library.of(self.service)
        labels = {d: library.label(d) for d in library.titles()}
        if self.service.llm_status()["llm"] == "ready":  # the model reads the papers before its first word
            yield gr.update(), gr.update(), gr.update(), TEXTS[lang_]["writing"]
        try:
            async for piece in self.service.astream(question, turns, scope=library.expand(searched)):
                if isinstance(piece, Answer):
                    history[-1]["content"] = answer_markdown(piece, labels, lang_) + share_link(question, earlier, lang_)
                    stored = stored + [{"question": question, **piece.to_json()}]
                    note_ = TEXTS[lang_]["extractive"] if piece.answerer == "extractive" and not piece.fallback \
                        else piece.note
                    yield history, stored, sources_html(piece, lang_), f"**{TEXTS[lang_]['last']}:** {note_}"
                else:
                    history[-1]["content"] += as_text(piece)
                    yield history, stored, gr.update(), gr.update()
        except QuestionError as exc:
            history[-1]["content"] = f"⚠️ {as_text(str(exc))}"
            stored = stored + [{"question": question, "error": str(exc)}]
            yield history, stored, gr.update(), gr.update()

    @staticmethod
    def until(history: list[dict[str, Any]], stored: list[dict[str, Any]], index: int,
              text: str | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The conversation up to and with the question at `index` (its words replaced by `text`
        when edited), and the answers before it: what regenerating or editing asks again."""
        while index >= 0 and history[index]["role"] != "user":
            index -= 1
        if index < 0:
            return history, stored
        kept = [dict(m) for m in history[: index + 1]]
        if text is not None and text.strip():
            kept[-1]["content"] = as_text(text.strip()[: 20_000])
        answered = sum(1 for m in kept if m["role"] == "assistant")
        return kept, stored[:answered]

    def regenerate(self, history: list[dict[str, Any]], stored: list[dict[str, Any]], data: gr.RetryData):
        return self.until(history, stored, int(data.index if isinstance(data.index, int) else data.index[0]))

    def edited(self, history: list[dict[str, Any]], stored: list[dict[str, Any]], data: gr.EditData):
        index = int(data.index if isinstance(data.index, int) else data.index[0])
        return self.until(history, stored, index, message_text(data.value))

    # -- keeping conversations ------------------------------------------------------------
    def remember(self, history: list[dict[str, Any]], stored: list[dict[str, Any]], conv_id: str,
                 all_saved: list[dict[str, Any]], panel: str, search: str):
        """Keep the conversation in the browser (localStorage), newest first, with its sources panel."""
        if not history:
            return all_saved, conv_id, gr.update()
        conv_id = conv_id or uuid.uuid4().hex[:12]
        first = next((said(m) for m in history if m["role"] == "user"), "")
        entry = {"id": conv_id, "title": first[:80], "messages": history, "answers": stored,
                 "panel": panel if isinstance(panel, str) else "", "updated": time.time()}
        all_saved = [entry] + [c for c in (all_saved or []) if c.get("id") != conv_id][: MAX_SAVED - 1]
        return all_saved, conv_id, gr.update(choices=titles(all_saved, search or ""), value=conv_id)

    @staticmethod
    def open_conversation(conv_id: str, all_saved: list[dict[str, Any]], lang_: str):
        found = next((c for c in all_saved or [] if c.get("id") == conv_id), None)
        if found is None:
            return gr.update(), gr.update(), gr.update(), gr.update()
        return found["messages"], found["answers"], conv_id, found.get("panel") or sources_html(None, lang_)

    @staticmethod
    def ask_first(kind: str, conv_id: str, lang_: str):
        """Delete and Clear all ask first; nothing is removed until the reader says yes."""
        if kind == "delete" and not conv_id:
            return "", gr.update(visible=False), gr.update()
        words = TEXTS[lang_]["confirm_delete" if kind == "delete" else "confirm_clear"]
        return kind, gr.update(visible=True), words

    @staticmethod
    def remove(kind: str, conv_id: str, all_saved: list[dict[str, Any]], lang_: str):
        """Remove what was confirmed, keeping it to be undone until the next removal."""
        if kind not in ("delete", "clear"):
            return (gr.update(),) * 6 + (None, gr.update(visible=False), gr.update(visible=False), "")
        all_saved = all_saved or []
        rest = [] if kind == "clear" else [c for c in all_saved if c.get("id") != conv_id]
        return (rest, [], [], "", gr.update(choices=titles(rest), value=None), sources_html(None, lang_),
                all_saved, gr.update(visible=False), gr.update(visible=True), "")

    @staticmethod
    def restore(trash: list[dict[str, Any]] | None, lang_: str):
        """Undo: the conversations as they were before the removal, the newest reopened."""
        if not trash:
            return (gr.update(),) * 6 + (None, gr.update(visible=False))
        first = trash[0]
        return (trash, first["messages"], first["answers"], first["id"],
                gr.update(choices=titles(trash), value=first["id"]),
                first.get("panel") or sources_html(None, lang_), None, gr.update(visible=False))

    # -- language and loading -------------------------------------------------------------
    def relabel(self, lang_: str, loading: bool = False) -> tuple[Any, ...]:
        """The interface's words in a language; on page load also the papers, and the box switched on."""
        t = TEXTS[lang_]
        library = Library.of(self.service)
        picker = gr.update(label=t["scope"], choices=library.choices(lang_))
        ready = {"interactive": True} if loading else {}
        return (header(lang_, self.limit, library.coverage(lang_)), gr.update(label=t["saved"]), picker,
                gr.update(value=t["new"]), gr.update(value=t["delete"]), gr.update(value=t["clear_all"]),
                gr.update(label=t["label"], placeholder=t["placeholder"], **ready),
                gr.update(value=t["ask"], **ready), gr.update(value=t["stop"]),
                gr.update(placeholder=t["placeholder_chat"]), t["try"], answerer_line(self.service, lang_),
                gr.update(placeholder=t["search"], label=t["search"]), gr.update(value=t["yes"]),
                gr.update(value=t["no"]), gr.update(value=t["undo"]), t["keys"],
                *[gr.update(value=q) for q in EXAMPLES[lang_]])

    def start(self, all_saved: list[dict[str, Any]], chosen: str, request: gr.Request):
        """On page load: the interface language, the saved conversations, the last one reopened (with
        its sources), or a shared question asked afresh (with the questions before it)."""
        lang_ = language(chosen, request.headers.get("accept-language", "") if request else "")
        params = dict(request.query_params) if request else {}
        all_saved = all_saved or []
        history: list[dict[str, Any]] = []
        stored: list[dict[str, Any]] = []
        conv_id, panel = "", sources_html(None, lang_)
        if params.get("q"):
            history, stored = self.replay(params, lang_)
        elif all_saved:
            first = all_saved[0]
            conv_id, history, stored = first["id"], first["messages"], first["answers"]
            panel = first.get("panel") or panel
        picked = gr.update(value="中文" if lang_ == "zh" else "English", label=TEXTS[lang_]["language"])
        return (lang_, lang_, picked, history, stored, conv_id,
                gr.update(choices=titles(all_saved), value=conv_id or None), panel,
                *self.relabel(lang_, loading=True))

    def replay(self, params: dict[str, str], lang_: str = "en") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """A share link's earlier questions answered again, so a follow-up means the same; its
        question is left for `respond`."""
        try:
            earlier = [q for q in json.loads(params.get("ctx") or "[]") if isinstance(q, str)][-3:]
        except ValueError:
            earlier = []
        history: list[dict[str, Any]] = []
        stored: list[dict[str, Any]] = []
        library = Library.of(self.service)
        labels = {d: library.label(d) for d in library.titles()}
        for q in earlier:
            try:
                answer = self.service.ask(q, [{"role": m["role"], "content": said(m)} for m in history])
            except QuestionError:
                continue
            history += [{"role": "user", "content": as_text(q)},
                        {"role": "assistant", "content": answer_markdown(answer, labels, lang_)}]
            stored.append({"question": q, **answer.to_json()})
        history.append({"role": "user", "content": as_text(params["q"][: self.limit])})
        return history, stored

    def on_like(self, stored: list[dict[str, Any]], lang_: str, data: gr.LikeData, request: gr.Request) -> None:
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        assistant_no = (int(index) - 1) // 2 if isinstance(index, int) else -1
        if not 0 <= assistant_no < len(stored):
            return
        item = stored[assistant_no]
        try:
            self.service.feedback.vote(client_of(request), item.get("question", ""), item.get("answer", ""),
                                       item.get("citations", []), "up" if data.liked else "down", {"source": "chat"})
        except feedback.TooMany:
            gr.Warning(TEXTS[lang_]["too_many_votes"])

"""The Gradio chat, chat first: the conversation with its question box pinned under it, sources
beside it (a sheet on a phone), conversations and papers in a sidebar, in English and Traditional
Chinese (zh-HK). Where things are is `layout.py`, what they do `events.py`, their words
`strings.py`; this file puts them together."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

import gradio as gr

from ..service import QA, QuestionError
from .events import PRIVATE, Events, answerer_line, language, message_text, said, share_link, titles  # noqa: F401
from .layout import Parts, header, layout  # noqa: F401
from .render import sources_html
from .strings import EXAMPLES, LANGS, TEXTS  # noqa: F401

STATIC = Path(__file__).parent / "static"


def theme() -> gr.themes.Base:
    # System fonts: a theme's web fonts would be fetched from a CDN, which this service never does.
    return gr.themes.Soft(
        primary_hue="teal", neutral_hue="slate",
        font=[gr.themes.Font("system-ui"), gr.themes.Font("-apple-system"), gr.themes.Font("Segoe UI"),
              gr.themes.Font("Noto Sans CJK TC"), gr.themes.Font("Microsoft JhengHei"), "sans-serif"],
        font_mono=[gr.themes.Font("ui-monospace"), gr.themes.Font("Consolas"), "monospace"],
    )


def css() -> str:
    return (STATIC / "chat.css").read_text(encoding="utf-8")


def js() -> str:
    return (STATIC / "ui.js").read_text(encoding="utf-8")


def browser_secret(settings: Any) -> str:
    """The key the reader's browser storage is sealed with. Every process serving the chat must use
    the same one, or a restart (or another replica) cannot read the conversations kept: so
    `QA_BROWSER_SECRET`, or one made once and kept beside the index folder (so it outlives a rebuilt
    index; replicas on one machine share it)."""
    if settings.browser_secret:
        return settings.browser_secret.get_secret_value()
    index = Path(settings.index_dir).resolve()
    path = index.parent / f".{index.name}.browser-secret"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # made by whichever process comes first; the others read it
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # written by another process a moment ago
            if (kept := path.read_text(encoding="ascii").strip()):
                return kept
            time.sleep(0.1)
        raise RuntimeError(f"{path} is empty: remove it, or set QA_BROWSER_SECRET")
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_urlsafe(32))
    return path.read_text(encoding="ascii").strip()


def wire_asking(ev: Events, p: Parts) -> tuple[dict[str, Any], dict[str, Any]]:
    """Asking by Enter, Ask, an example, regenerating or editing; Stop (and Escape) ends an answer."""
    # queued, so that a refusal's warning reaches the page
    submit = dict(fn=ev.add_user, inputs=[p.box, p.chat, p.lang], outputs=[p.box, p.chat], **PRIVATE)
    reply = dict(fn=ev.respond, inputs=[p.chat, p.answers, p.lang, p.scope], outputs=[p.chat, p.answers, p.panel,
                                                                                       p.note], **PRIVATE)
    keep = dict(fn=ev.remember, inputs=[p.chat, p.answers, p.conv, p.saved, p.panel, p.search],
                outputs=[p.saved, p.conv, p.convs], queue=False, **PRIVATE)
    # while an answer is written: Ask is off, Stop is on; Stop cancels the answer and keeps the rest
    busy = dict(fn=lambda: (gr.update(interactive=False), gr.update(visible=True)), outputs=[p.send, p.stop],
                queue=False, **PRIVATE)
    idle = dict(fn=lambda: (gr.update(interactive=True), gr.update(visible="hidden")), outputs=[p.send, p.stop],
                queue=False, **PRIVATE)
    answering = []
    starts = [p.box.submit(**submit), p.send.click(**submit),
              p.chat.retry(ev.regenerate, inputs=[p.chat, p.answers], outputs=[p.chat, p.answers], queue=False,
                           **PRIVATE),
              p.chat.edit(ev.edited, inputs=[p.chat, p.answers], outputs=[p.chat, p.answers], queue=False,
                          **PRIVATE)]
    for button in p.example_buttons:  # an example asks, it does not just fill the box
        starts.append(button.click(lambda q, h, l: ev.add_user(q, h, l)[1], inputs=[button, p.chat, p.lang],
                                   outputs=[p.chat], queue=False, **PRIVATE))
    for trigger in starts:
        answering.append(trigger.then(**busy).then(**reply))
        answering[-1].then(**keep).then(**idle)
    p.stop.click(idle["fn"], outputs=[p.send, p.stop], cancels=answering, queue=False, **PRIVATE).then(**keep)
    return reply, keep


def wire_conversations(ev: Events, p: Parts) -> None:
    """New, open, search, Delete and Clear all (each confirmed, then undoable)."""
    p.new.click(lambda l: ([], [], "", sources_empty(l), gr.update(value=None)), inputs=[p.lang],
                outputs=[p.chat, p.answers, p.conv, p.panel, p.convs], queue=False, **PRIVATE)
    p.convs.input(ev.open_conversation, inputs=[p.convs, p.saved, p.lang], outputs=[p.chat, p.answers, p.conv, p.panel],
                  queue=False, **PRIVATE)
    p.search.input(lambda words, all_saved, conv: gr.update(choices=titles(all_saved or [], words), value=conv or None),
                   inputs=[p.search, p.saved, p.conv], outputs=[p.convs], queue=False, **PRIVATE)
    for button, kind in ((p.delete, "delete"), (p.clear_all, "clear")):
        button.click(lambda c, l, k=kind: ev.ask_first(k, c, l), inputs=[p.conv, p.lang],
                     outputs=[p.pending, p.confirm_row, p.confirm_text], queue=False, **PRIVATE)
    p.no.click(lambda: ("", gr.update(visible=False)), outputs=[p.pending, p.confirm_row], queue=False, **PRIVATE)
    p.yes.click(ev.remove, inputs=[p.pending, p.conv, p.saved, p.lang],
                outputs=[p.saved, p.chat, p.answers, p.conv, p.convs, p.panel, p.trash, p.confirm_row, p.undo_row,
                         p.pending], queue=False, **PRIVATE)
    p.undo.click(ev.restore, inputs=[p.trash, p.lang],
                 outputs=[p.saved, p.chat, p.answers, p.conv, p.convs, p.panel, p.trash, p.undo_row], queue=False,
                 **PRIVATE)


def sources_empty(lang: str) -> str:
    return sources_html(None, lang)


def build(service: QA) -> gr.Blocks:
    with gr.Blocks(title="LegCo papers · Q&A", analytics_enabled=False, fill_height=True) as demo:
        p = layout(service.settings.max_question_chars, browser_secret(service.settings), answerer_line(service))
        ev = Events(service, p)
        reply, keep = wire_asking(ev, p)
        wire_conversations(ev, p)
        p.chat.like(ev.on_like, inputs=[p.answers, p.lang], outputs=None, **PRIVATE)

        def pick_language(choice: str):
            lang_ = LANGS.get(choice, "en")
            return (lang_, lang_, *ev.relabel(lang_), gr.update(label=TEXTS[lang_]["language"]))

        p.lang_pick.input(pick_language, inputs=[p.lang_pick],
                          outputs=[p.lang, p.chosen_lang, *p.labelled(), p.lang_pick],
                          queue=False, **PRIVATE)
        demo.load(ev.start, inputs=[p.saved, p.chosen_lang],
                  outputs=[p.lang, p.chosen_lang, p.lang_pick, p.chat, p.answers, p.conv, p.convs, p.panel,
                           *p.labelled()], **PRIVATE).then(**reply).then(**keep)

        def api_ask(question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
            try:
                return service.ask(question, history or []).to_json()
            except QuestionError as exc:
                return {"error": str(exc)}

        gr.api(api_ask, api_name="ask")
    return demo

"""The chat page's parts, chat first: a header line saying what is covered, the conversation filling
the page with the question box pinned under it (examples just above), sources beside it on a
desktop (a sheet on a phone), and conversations, papers and language in a sidebar that is a
drawer on a phone. Only where things are; what they do is `events.py`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from .render import sources_html
from .strings import EXAMPLES, TEXTS, html_lang


@dataclass
class Parts:
    """Every component the events read or write."""

    answers: Any
    conv: Any
    lang: Any
    chosen_lang: Any
    saved: Any
    trash: Any
    pending: Any
    top: Any
    lang_pick: Any
    new: Any
    search: Any
    convs: Any
    delete: Any
    clear_all: Any
    confirm_row: Any
    confirm_text: Any
    yes: Any
    no: Any
    undo_row: Any
    undo: Any
    scope: Any
    note: Any
    keys: Any
    chat: Any
    example_label: Any
    example_buttons: list[Any]
    box: Any
    send: Any
    stop: Any
    panel: Any

    def labelled(self) -> list[Any]:
        """The parts whose words change with the interface language (in `relabel`'s order)."""
        return [self.top, self.convs, self.scope, self.new, self.delete, self.clear_all, self.box, self.send,
                self.stop, self.chat, self.example_label, self.note, self.search, self.yes, self.no, self.undo,
                self.keys, *self.example_buttons]


def header(lang: str, limit: int, covered: str = "") -> str:
    """The page's title and what is covered; it also tells the page script the interface language
    and the question limit."""
    t = TEXTS[lang]
    choose = f' · <button type="button" class="qa-choose">{t["choose"]}</button>' if covered else ""
    menu = (f'<button type="button" class="qa-menu" aria-controls="qa-history" aria-expanded="false" '
            f'aria-label="{t["history"]}" title="{t["history"]}">☰</button>')
    line = f'<p class="qa-covered">{covered}{choose}</p>' if covered else f'<p>{t["intro"]}</p>'
    return (f'<div class="qa-top" lang="{html_lang(lang)}" data-limit="{limit}">'
            f'<div class="qa-title">{menu}<h1>{t["title"]}</h1></div>{line}</div>')


def sidebar(t: dict[str, str], answerer: str = "") -> dict[str, Any]:
    """Conversations (with a search over their titles), their removal with confirmation and undo,
    the papers searched, and the answerer's note: a column on a desktop, a drawer on a phone (the
    page script opens and collapses it)."""
    with gr.Column(scale=0, min_width=250, elem_id="qa-history"):
        search = gr.Textbox(label=t["search"], show_label=False, placeholder=t["search"], elem_id="qa-search",
                            container=False, lines=1, max_lines=1)
        convs = gr.Dropdown(choices=[], value=None, label=t["saved"], elem_id="qa-convs")
        with gr.Row(elem_id="qa-bar"):
            delete = gr.Button(t["delete"], size="md", variant="secondary", elem_id="qa-delete", min_width=80)
            clear_all = gr.Button(t["clear_all"], size="md", variant="secondary", elem_id="qa-clear-all",
                                  min_width=80)
        with gr.Group(visible=False, elem_id="qa-confirm") as confirm_row:
            confirm_text = gr.Markdown(t["confirm_delete"], elem_id="qa-confirm-text")
            with gr.Row():
                yes = gr.Button(t["yes"], variant="stop", size="md", elem_id="qa-yes", min_width=80)
                no = gr.Button(t["no"], variant="secondary", size="md", elem_id="qa-no", min_width=80)
        with gr.Row(visible=False, elem_id="qa-undo-row") as undo_row:
            undo = gr.Button(t["undo"], variant="secondary", size="md", elem_id="qa-undo", min_width=80)
        scope = gr.Dropdown(choices=[], value=[], multiselect=True, label=t["scope"], elem_id="qa-scope")
        note = gr.Markdown(answerer, elem_id="qa-answerer")
        keys = gr.Markdown(t["keys"], elem_id="qa-keys")
    return dict(search=search, convs=convs, delete=delete, clear_all=clear_all, confirm_row=confirm_row,
                confirm_text=confirm_text, yes=yes, no=no, undo_row=undo_row, undo=undo, scope=scope, note=note,
                keys=keys)


def conversation(t: dict[str, str], lang: str) -> dict[str, Any]:
    """The conversation, the examples and the pinned question box; the sources beside them."""
    with gr.Column(scale=3, min_width=300, elem_id="qa-conv"):
        chat = gr.Chatbot(elem_id="qa-chat", height="calc(100dvh - 250px)", min_height=180, buttons=["copy"],
                          show_label=False, feedback_options=("Like", "Dislike"), sanitize_html=True,
                          line_breaks=True, placeholder=t["placeholder_chat"], editable="user")
        with gr.Row(elem_id="qa-examples"):
            example_label = gr.Markdown(t["try"], elem_id="qa-try")
            example_buttons = [gr.Button(q, size="sm", variant="secondary", elem_classes=["qa-example"])
                               for q in EXAMPLES[lang]]
        with gr.Row(equal_height=True, elem_id="qa-ask-row"):
            # off until the page has loaded the reader's saved conversation, which would otherwise
            # replace a question typed in the meantime
            box = gr.Textbox(label=t["label"], placeholder=t["placeholder"], lines=1, max_lines=6,
                             elem_id="qa-input", autofocus=True, scale=6, interactive=False)
            send = gr.Button(t["ask"], variant="primary", elem_id="qa-send", scale=0, min_width=80,
                             interactive=False)
            stop = gr.Button(t["stop"], variant="stop", elem_id="qa-stop", scale=0, min_width=80, visible="hidden")
    with gr.Column(scale=2, min_width=280, elem_id="qa-side"):
        panel = gr.HTML(sources_html(None, lang), elem_id="qa-sources")
    return dict(chat=chat, example_label=example_label, example_buttons=example_buttons, box=box, send=send,
                stop=stop, panel=panel)


def layout(limit: int, secret: str, answerer: str = "") -> Parts:
    """The page, in English until the load event has read the reader's language; `answerer` says
    how answers are made (quoted, or written by a model) from the start."""
    t = TEXTS["en"]
    states = dict(answers=gr.State([]), conv=gr.State(""), lang=gr.State("en"), trash=gr.State(None),
                  pending=gr.State(""),
                  chosen_lang=gr.BrowserState("", storage_key="qa-lang", secret=secret),
                  saved=gr.BrowserState([], storage_key="qa-conversations", secret=secret))
    with gr.Row(equal_height=False, elem_id="qa-head"):
        top = gr.HTML(header("en", limit), elem_id="qa-top")
        new = gr.Button(t["new"], size="md", variant="secondary", elem_id="qa-clear", scale=0, min_width=120)
        lang_pick = gr.Radio(["English", "中文"], value="English", label="Language / 語言", show_label=False,
                             elem_id="qa-lang", container=False, scale=0, min_width=160)
    with gr.Row(equal_height=False, elem_id="qa-main"):
        side = sidebar(t, answerer)
        main = conversation(t, "en")
    return Parts(top=top, lang_pick=lang_pick, new=new, **states, **side, **main)

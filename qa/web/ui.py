"""The Gradio chat: a chat column and a sources panel. Logic lives in `qa.service`; this file only
turns answers into what the page shows, keeps conversations in the reader's browser, and offers the
interface in English and Traditional Chinese (zh-HK)."""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from pathlib import Path
from typing import Any, AsyncIterator
from urllib.parse import quote

import gradio as gr

from .. import feedback
from ..models import Answer
from ..service import QA, QuestionError
from .clients import client_of
from .render import answer_markdown, as_text, from_text, sources_html

STATIC = Path(__file__).parent / "static"
EXAMPLES = [
    "How many Mainland Offices does the HKSAR Government have?",
    "What did Hong Kong and Shanghai agree in April 2024?",
    "閩港合作會議第四次全體會議達成了多少項合作事項？",
    "Which areas does legal co-operation cover?",
]
MAX_SAVED = 50  # conversations kept in the browser; the oldest go first

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Ask the LegCo papers",
        "intro": "Every answer cites the paragraphs it comes from. Click a citation such as <b>[¶5]</b> to read "
                 "the paragraph. English or 中文.",
        "label": "Your question", "placeholder": "Type a question and press Enter", "ask": "Ask", "stop": "Stop",
        "new": "New conversation", "delete": "Delete", "clear_all": "Clear all", "saved": "Saved conversations",
        "try": "Try:", "share": "Link to this answer", "scope": "Search in (all papers when empty)",
        "too_long": "Your question is {n:,} characters long; the limit is {limit:,}. Please shorten it.",
        "too_many_votes": "Thank you: that is as many votes as a minute takes. Please try again shortly.",
        "placeholder_chat": "Ask about the papers, e.g. which meetings the Chief Executive attended.",
        "extractive": "Answers quote the papers word for word; nothing is generated.",
        "generative": "Answers are written by a language model from the papers, and every citation is checked "
                      "against its paragraph; when the model is unavailable, answers quote the papers word for word.",
        "writing": "*Writing; the citations are checked when the answer is complete…*", "last": "Last answer",
    },
    "zh": {
        "title": "立法會文件問答",
        "intro": "每個答案都註明出處段落。按引用（例如 <b>[¶5]</b>）即可閱讀該段原文。可用中文或英文提問。",
        "label": "你的問題", "placeholder": "輸入問題後按 Enter", "ask": "提問", "stop": "停止",
        "new": "新對話", "delete": "刪除", "clear_all": "全部清除", "saved": "已儲存的對話",
        "try": "試試：", "share": "此答案的連結", "scope": "搜尋範圍（留空即搜尋所有文件）",
        "too_long": "你的問題有 {n:,} 個字元，上限為 {limit:,} 個。請縮短問題。",
        "too_many_votes": "多謝！一分鐘內的評分已達上限，請稍後再試。",
        "placeholder_chat": "就文件提問，例如行政長官出席了哪些會議。",
        "extractive": "答案逐字引用文件原文，不會生成內容。",
        "generative": "答案由語言模型根據文件撰寫，每個引用均已與原段落核對；模型無法使用時，答案會逐字引用原文。",
        "writing": "*撰寫中；答案完成後會核對引用……*", "last": "最近答案",
    },
}
LANGS = {"English": "en", "中文": "zh"}


def language(stored: str, accept: str) -> str:
    """The reader's choice when made, else the browser's first language (zh-HK, zh-TW, zh … → 中文)."""
    if stored in TEXTS:
        return stored
    first = (accept or "").split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"


def answerer_line(service: QA, lang: str = "en") -> str:
    return TEXTS[lang]["extractive" if service.llm_status()["llm"] == "off" else "generative"]


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
    """A link that asks the same question again, after the same earlier questions (for follow-ups)."""
    link = "?q=" + quote(question, safe="")
    if earlier:
        link += "&ctx=" + quote(json.dumps(earlier[-3:], ensure_ascii=False), safe="")
    return f"\n\n[{TEXTS[lang]['share']}]({link})"


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


def header(lang: str, limit: int) -> str:
    """The page's title; it also tells the page script the interface language and the question limit."""
    t = TEXTS[lang]
    return (f'<div class="qa-top" lang="{"zh-HK" if lang == "zh" else "en"}" data-limit="{limit}">'
            f'<h1>{t["title"]}</h1><p>{t["intro"]}</p></div>')


def titles(saved: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(c.get("title") or "…", c["id"]) for c in saved]


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


def build(service: QA) -> gr.Blocks:
    limit = service.settings.max_question_chars
    with gr.Blocks(title="LegCo papers · Q&A", analytics_enabled=False) as demo:
        answers = gr.State([])  # Answer JSON per assistant message, for feedback
        conv = gr.State("")  # the open conversation's id
        lang = gr.State("en")
        secret = browser_secret(service.settings)
        chosen_lang = gr.BrowserState("", storage_key="qa-lang", secret=secret)
        saved = gr.BrowserState([], storage_key="qa-conversations", secret=secret)
        with gr.Row(equal_height=False, elem_id="qa-head"):
            top = gr.HTML(header("en", limit))
            lang_pick = gr.Radio(list(LANGS), value="English", label="Language / 語言", show_label=False,
                                 elem_id="qa-lang", container=False, scale=0, min_width=180)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                with gr.Row(elem_id="qa-bar", equal_height=True):
                    convs = gr.Dropdown(choices=[], value=None, label=TEXTS["en"]["saved"], elem_id="qa-convs",
                                        scale=3, min_width=200)
                    new = gr.Button(TEXTS["en"]["new"], size="sm", variant="secondary", elem_id="qa-clear",
                                    scale=0, min_width=90)
                    delete = gr.Button(TEXTS["en"]["delete"], size="sm", variant="secondary", elem_id="qa-delete",
                                       scale=0, min_width=70)
                    clear_all = gr.Button(TEXTS["en"]["clear_all"], size="sm", variant="secondary",
                                          elem_id="qa-clear-all", scale=0, min_width=80)
                scope = gr.Dropdown(choices=[], value=[], multiselect=True, label=TEXTS["en"]["scope"],
                                    elem_id="qa-scope")
                chat = gr.Chatbot(
                    elem_id="qa-chat", height=520, buttons=["copy"], show_label=False,
                    feedback_options=("Like", "Dislike"), sanitize_html=True, line_breaks=True,
                    placeholder=TEXTS["en"]["placeholder_chat"],
                )
                with gr.Row(equal_height=True, elem_id="qa-ask-row"):
                    # off until the page has loaded the reader's saved conversation, which would otherwise
                    # replace a question typed in the meantime
                    box = gr.Textbox(label=TEXTS["en"]["label"], placeholder=TEXTS["en"]["placeholder"], lines=1,
                                     max_lines=6, elem_id="qa-input", autofocus=True, scale=6, interactive=False)
                    send = gr.Button(TEXTS["en"]["ask"], variant="primary", elem_id="qa-send", scale=0, min_width=80,
                                     interactive=False)
                    stop = gr.Button(TEXTS["en"]["stop"], variant="stop", elem_id="qa-stop", scale=0, min_width=80,
                                     visible=False)
                with gr.Row(elem_id="qa-examples"):
                    example_label = gr.Markdown(TEXTS["en"]["try"], elem_id="qa-try")
                    example_buttons = [gr.Button(q, size="sm", variant="secondary", elem_classes=["qa-example"])
                                       for q in EXAMPLES]
            with gr.Column(scale=2, min_width=280, elem_id="qa-side"):
                panel = gr.HTML(sources_html(None), elem_id="qa-sources")
                note = gr.Markdown(answerer_line(service), elem_id="qa-answerer")

        def add_user(message: str, history: list[dict[str, Any]], lang_: str):
            """A question joins the conversation; an empty one changes nothing, a long one is refused
            with the reason, and stays in the box to be shortened."""
            message = (message or "").strip()
            if not message:
                return gr.update(), history
            if len(message) > limit:
                gr.Warning(TEXTS[lang_]["too_long"].format(n=len(message), limit=limit))
                return gr.update(), history
            return "", history + [{"role": "user", "content": as_text(message)}]

        async def respond(history: list[dict[str, Any]], stored: list[dict[str, Any]], lang_: str,
                          searched: list[str] | None = None) -> AsyncIterator[Any]:
            if not history or history[-1]["role"] != "user":
                yield gr.update(), gr.update(), gr.update(), gr.update()
                return
            question = said(history[-1])
            turns = [{"role": t["role"], "content": said(t)} for t in history[:-1]]
            earlier = [t["content"] for t in turns if t["role"] == "user"]
            history = history + [{"role": "assistant", "content": ""}]
            if service.llm_status()["llm"] == "ready":  # the model reads the papers before its first word
                yield gr.update(), gr.update(), gr.update(), TEXTS[lang_]["writing"]
            try:
                async for piece in service.astream(question, turns, scope=searched or None):
                    if isinstance(piece, Answer):
                        history[-1]["content"] = answer_markdown(piece) + share_link(question, earlier, lang_)
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

        def remember(history: list[dict[str, Any]], stored: list[dict[str, Any]], conv_id: str,
                     all_saved: list[dict[str, Any]]):
            """Keep the conversation in the browser (localStorage), newest first."""
            if not history:
                return all_saved, conv_id, gr.update()
            conv_id = conv_id or uuid.uuid4().hex[:12]
            first = next((said(m) for m in history if m["role"] == "user"), "")
            entry = {"id": conv_id, "title": first[:80], "messages": history, "answers": stored,
                     "updated": time.time()}
            all_saved = [entry] + [c for c in (all_saved or []) if c.get("id") != conv_id][: MAX_SAVED - 1]
            return all_saved, conv_id, gr.update(choices=titles(all_saved), value=conv_id)

        def on_like(stored: list[dict[str, Any]], lang_: str, data: gr.LikeData, request: gr.Request) -> None:
            index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            assistant_no = (int(index) - 1) // 2 if isinstance(index, int) else -1
            if not 0 <= assistant_no < len(stored):
                return
            item = stored[assistant_no]
            try:
                service.feedback.vote(client_of(request), item.get("question", ""), item.get("answer", ""),
                                      item.get("citations", []), "up" if data.liked else "down", {"source": "chat"})
            except feedback.TooMany:
                gr.Warning(TEXTS[lang_]["too_many_votes"])

        def relabel(lang_: str, loading: bool = False) -> tuple[Any, ...]:
            """The interface's words in a language; on page load also the papers, and the box switched on."""
            t = TEXTS[lang_]
            picker = gr.update(label=t["scope"], **({"choices": papers()} if loading else {}))
            ready = {"interactive": True} if loading else {}
            return (header(lang_, limit), gr.update(label=t["saved"]), picker, gr.update(value=t["new"]),
                    gr.update(value=t["delete"]), gr.update(value=t["clear_all"]),
                    gr.update(label=t["label"], placeholder=t["placeholder"], **ready), gr.update(value=t["ask"], **ready),
                    gr.update(value=t["stop"]), gr.update(placeholder=t["placeholder_chat"]), t["try"],
                    answerer_line(service, lang_))

        labelled = [top, convs, scope, new, delete, clear_all, box, send, stop, chat, example_label, note]

        def start(all_saved: list[dict[str, Any]], chosen: str, request: gr.Request):
            """On page load: the interface language, the saved conversations, the last one reopened,
            or a shared question asked afresh (with the questions before it)."""
            lang_ = language(chosen, request.headers.get("accept-language", "") if request else "")
            params = dict(request.query_params) if request else {}
            all_saved = all_saved or []
            history: list[dict[str, Any]] = []
            stored: list[dict[str, Any]] = []
            conv_id = ""
            if params.get("q"):
                try:
                    earlier = [q for q in json.loads(params.get("ctx") or "[]") if isinstance(q, str)][-3:]
                except ValueError:
                    earlier = []
                for q in earlier:  # replay the questions before it, so a follow-up means the same
                    try:
                        answer = service.ask(q, [{"role": m["role"], "content": said(m)} for m in history])
                    except QuestionError:
                        continue
                    history += [{"role": "user", "content": as_text(q)},
                                {"role": "assistant", "content": answer_markdown(answer)}]
                    stored.append({"question": q, **answer.to_json()})
                history.append({"role": "user", "content": as_text(params["q"][:limit])})
            elif all_saved:
                conv_id, history, stored = all_saved[0]["id"], all_saved[0]["messages"], all_saved[0]["answers"]
            return (lang_, lang_, "中文" if lang_ == "zh" else "English", history, stored, conv_id,
                    gr.update(choices=titles(all_saved), value=conv_id or None), *relabel(lang_, loading=True))

        def papers() -> list[tuple[str, str]]:
            """The papers to pick from, as the index has them now."""
            def about(d: dict[str, Any]) -> str:
                language = {"zh": "中文", "en": "English"}.get(str(d["language"]), "")
                return " · ".join(str(x) for x in [d["date"], language, f"{d['paragraphs']} ¶"] if x)

            return [(f"{d['title']} ({about(d)})", str(d["doc"])) for d in service.documents()]

        def open_conversation(conv_id: str, all_saved: list[dict[str, Any]], lang_: str):
            found = next((c for c in all_saved or [] if c.get("id") == conv_id), None)
            if found is None:
                return gr.update(), gr.update(), gr.update(), gr.update()
            return found["messages"], found["answers"], conv_id, sources_html(None, lang_)

        def forget(conv_id: str, all_saved: list[dict[str, Any]], lang_: str):
            rest = [c for c in all_saved or [] if c.get("id") != conv_id]
            return rest, [], [], "", gr.update(choices=titles(rest), value=None), sources_html(None, lang_)

        def pick_language(choice: str):
            lang_ = LANGS.get(choice, "en")
            return (lang_, lang_, *relabel(lang_))

        # queued, so that a refusal's warning reaches the page
        submit = dict(fn=add_user, inputs=[box, chat, lang], outputs=[box, chat], api_visibility="private")
        reply = dict(fn=respond, inputs=[chat, answers, lang, scope], outputs=[chat, answers, panel, note],
                     api_visibility="private")
        keep = dict(fn=remember, inputs=[chat, answers, conv, saved], outputs=[saved, conv, convs], queue=False,
                    api_visibility="private")
        # while an answer is written: Ask is off, Stop is on; Stop cancels the answer and keeps the rest
        busy = dict(fn=lambda: (gr.update(interactive=False), gr.update(visible=True)), outputs=[send, stop],
                    queue=False, api_visibility="private")
        idle = dict(fn=lambda: (gr.update(interactive=True), gr.update(visible=False)), outputs=[send, stop],
                    queue=False, api_visibility="private")
        answering = []
        for trigger in (box.submit(**submit), send.click(**submit)):
            answering.append(trigger.then(**busy).then(**reply))
            answering[-1].then(**keep).then(**idle)
        for button, question in zip(example_buttons, EXAMPLES):  # an example asks, it does not just fill the box
            asked = button.click(lambda h, l, q=question: add_user(q, h, l)[1], inputs=[chat, lang], outputs=[chat],
                                 queue=False, api_visibility="private").then(**busy).then(**reply)
            asked.then(**keep).then(**idle)
            answering.append(asked)
        stop.click(idle["fn"], outputs=[send, stop], cancels=answering, queue=False, api_visibility="private") \
            .then(**keep)
        chat.like(on_like, inputs=[answers, lang], outputs=None, api_visibility="private")
        new.click(lambda l: ([], [], "", sources_html(None, l), gr.update(value=None)), inputs=[lang],
                  outputs=[chat, answers, conv, panel, convs], queue=False, api_visibility="private")
        convs.input(open_conversation, inputs=[convs, saved, lang], outputs=[chat, answers, conv, panel], queue=False,
                    api_visibility="private")
        delete.click(forget, inputs=[conv, saved, lang], outputs=[saved, chat, answers, conv, convs, panel],
                     queue=False, api_visibility="private")
        clear_all.click(lambda l: ([], [], [], "", gr.update(choices=[], value=None), sources_html(None, l)),
                        inputs=[lang], outputs=[saved, chat, answers, conv, convs, panel], queue=False,
                        api_visibility="private")
        lang_pick.input(pick_language, inputs=[lang_pick], outputs=[lang, chosen_lang, *labelled], queue=False,
                        api_visibility="private")
        demo.load(start, inputs=[saved, chosen_lang],
                  outputs=[lang, chosen_lang, lang_pick, chat, answers, conv, convs, *labelled],
                  api_visibility="private").then(**reply).then(**keep)

        def api_ask(question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
            try:
                return service.ask(question, history or []).to_json()
            except QuestionError as exc:
                return {"error": str(exc)}

        gr.api(api_ask, api_name="ask")
    return demo

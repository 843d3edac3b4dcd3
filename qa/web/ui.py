"""The Gradio chat: a chat column and a sources panel. Logic lives in `qa.service`; this file only
turns answers into what the page shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import gradio as gr

from .. import feedback
from ..models import Answer
from ..service import QA, QuestionError
from .render import answer_markdown, sources_html

STATIC = Path(__file__).parent / "static"
EXAMPLES = [
    "How many Mainland Offices does the HKSAR Government have?",
    "What did Hong Kong and Shanghai agree in April 2024?",
    "閩港合作會議第四次全體會議達成了多少項合作事項？",
    "Which areas does legal co-operation cover?",
]


def answerer_line(service: QA) -> str:
    status = service.llm_status()
    if status["llm"] == "off":
        return "Answers quote the papers word for word; nothing is generated."
    return ("Answers are written by a language model from the papers, and every citation is checked "
            "against its paragraph; when the model is unavailable, answers quote the papers word for word.")


def message_text(content: object) -> str:
    """Chat message content as plain text (Gradio may hand it over as a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(message_text(p.get("text", "") if isinstance(p, dict) else p) for p in content)
    if isinstance(content, dict):
        return str(content.get("text", ""))
    return "" if content is None else str(content)


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


def build(service: QA) -> gr.Blocks:
    with gr.Blocks(title="LegCo papers · Q&A", analytics_enabled=False) as demo:
        answers = gr.State([])  # Answer JSON per assistant message, for feedback
        gr.HTML('<div class="qa-top"><h1>Ask the LegCo papers</h1>'
                '<p>Every answer cites the paragraphs it comes from. Click a citation such as '
                '<b>[¶5]</b> to read the paragraph. English or 中文.</p></div>')
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chat = gr.Chatbot(
                    elem_id="qa-chat", height=560, buttons=["copy"], show_label=False,
                    feedback_options=("Like", "Dislike"), sanitize_html=True, line_breaks=True,
                    placeholder="Ask about the paper, e.g. which meetings the Chief Executive attended.",
                )
                with gr.Row():
                    box = gr.Textbox(placeholder="Type a question and press Enter", show_label=False,
                                     scale=6, max_lines=6, max_length=service.settings.max_question_chars,
                                     elem_id="qa-input", autofocus=True)
                    send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="qa-send")
                with gr.Row():
                    clear = gr.Button("Clear conversation", size="sm", variant="secondary", elem_id="qa-clear")
                gr.Examples(EXAMPLES, inputs=box, label="Try")
            with gr.Column(scale=2, min_width=280):
                panel = gr.HTML(sources_html(None), elem_id="qa-sources")
                note = gr.Markdown(answerer_line(service), elem_id="qa-answerer")

        def add_user(message: str, history: list[dict[str, Any]]):
            message = (message or "").strip()
            if not message:
                return gr.update(), history
            return "", history + [{"role": "user", "content": message}]

        def respond(history: list[dict[str, Any]], stored: list[dict[str, Any]]) -> Iterator[Any]:
            if not history or history[-1]["role"] != "user":
                return
            question = message_text(history[-1]["content"])
            turns = [{"role": t["role"], "content": message_text(t["content"])} for t in history[:-1]]
            history = history + [{"role": "assistant", "content": ""}]
            writing = "*Writing; the citations are checked when the answer is complete…*" \
                if service.llm_status()["llm"] == "ready" else gr.update()
            try:
                for piece in service.stream(question, turns):
                    if isinstance(piece, Answer):
                        history[-1]["content"] = answer_markdown(piece)
                        stored = stored + [{"question": question, **piece.to_json()}]
                        yield history, stored, sources_html(piece), f"**Last answer:** {piece.note}"
                    else:
                        first = not history[-1]["content"]
                        history[-1]["content"] += piece
                        yield history, stored, gr.update(), writing if first else gr.update()
            except QuestionError as exc:
                history[-1]["content"] = f"⚠️ {exc}"
                stored = stored + [{"question": question, "error": str(exc)}]
                yield history, stored, gr.update(), gr.update()

        def on_like(stored: list[dict[str, Any]], data: gr.LikeData) -> None:
            index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            assistant_no = (int(index) - 1) // 2 if isinstance(index, int) else -1
            if not 0 <= assistant_no < len(stored):
                return
            item = stored[assistant_no]
            vote = "up" if data.liked else "down"
            try:
                feedback.record(service.settings.feedback_path, item.get("question", ""), item.get("answer", ""),
                                item.get("citations", []), vote, {"source": "chat"},
                                max_bytes=service.settings.feedback_max_mb * 1024 * 1024)
            except feedback.FeedbackFull:
                gr.Warning("Feedback is not being accepted right now.")

        def api_ask(question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
            try:
                return service.ask(question, history or []).to_json()
            except QuestionError as exc:
                return {"error": str(exc)}

        submit = dict(fn=add_user, inputs=[box, chat], outputs=[box, chat], queue=False, api_visibility="private")
        reply = dict(fn=respond, inputs=[chat, answers], outputs=[chat, answers, panel, note],
                     api_visibility="private")
        box.submit(**submit).then(**reply)
        send.click(**submit).then(**reply)
        chat.like(on_like, inputs=[answers], outputs=None, api_visibility="private")
        clear.click(lambda: ([], [], sources_html(None)), outputs=[chat, answers, panel], queue=False,
                    api_visibility="private")
        gr.api(api_ask, api_name="ask")
    return demo

"""The web chat: a thin Gradio shell over `qa.service` (no retrieval or answer logic here).

Run with `python app.py`; it builds the index from corpus/ first if there is none.
"""

from __future__ import annotations

import sys

import qa  # noqa: F401  (offline environment before gradio is imported)
from qa.service import QA, IndexError_, QuestionError

import gradio as gr


def build(service: QA) -> gr.Blocks:
    def respond(message: str, history: list[dict]) -> str:
        try:
            answer = service.ask(message, [{"role": t["role"], "content": _text(t["content"])} for t in history])
        except QuestionError as exc:
            return f"⚠️ {exc}"
        if not answer.citations:
            return answer.answer
        sources = "\n".join(
            f"- **¶{c.paragraph}**{' · ' + c.label if c.label else ''} — {c.title}: “{c.quote}”"
            for c in answer.citations)
        return f"{answer.answer}\n\n**Sources**\n{sources}"

    return gr.ChatInterface(
        respond,
        title="Ask the LegCo papers",
        description="Answers quote the paper and cite its paragraphs (¶). Questions in English or Chinese.",
        examples=["How many Mainland Offices does the HKSAR Government have?",
                  "閩港合作會議第四次全體會議達成了多少項合作事項？"],
    )


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(_text(part.get("text", "") if isinstance(part, dict) else part) for part in content)
    return str(content)


def main() -> None:
    service = QA()
    try:
        service.warm()
    except IndexError_:
        print("building the index from", service.settings.corpus_dir, file=sys.stderr)
        service.index()
        service.warm()
    build(service).launch(server_name=service.settings.host, server_port=service.settings.port,
                          show_error=False)


if __name__ == "__main__":
    main()

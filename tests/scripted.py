"""A chat model that plays back scripted replies, for fast tests of everything around the model:
prompting, follow-up rewriting, falling back, abstaining, re-citing. In the spirit of the `llm`
package's MockModel: each call takes the next reply from the script and records the messages it
was given. It satisfies `qa.llm.ChatModel`, as the OpenAI-compatible client does."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterator

from qa.llm import LLMError, Usage


@dataclass
class Reply:
    """One scripted reply. `delay_s` is waited before each piece (a slow model); `cut_after` pieces
    are sent before the stream breaks, as a dropped connection does (None: it never breaks)."""

    text: str
    delay_s: float = 0.0
    cut_after: int | None = None
    fail: str = ""  # the model refuses at once, with this reason (an LLMError)

    def pieces(self) -> list[str]:
        words = self.text.split(" ")
        return [w + " " for w in words[:-1]] + words[-1:]


@dataclass
class ScriptedChat:
    replies: list[Reply | str]
    base_url: str = ""
    model: str = "scripted"
    prompts: list[list[dict[str, str]]] = field(default_factory=list)  # every call's messages, in order
    closed: int = 0  # streams that ended before the reply was complete (cut, or closed by their reader)

    def stream(self, messages: list[dict[str, str]], max_tokens: int | None = None,
               usage: Usage | None = None) -> Iterator[str]:
        self.prompts.append(messages)
        if not self.replies:
            raise LLMError("the scripted model has no reply left")
        reply = self.replies.pop(0)
        reply = Reply(reply) if isinstance(reply, str) else reply
        if reply.fail:
            raise LLMError(reply.fail)
        if usage is not None:
            usage.prompt_tokens = sum(len(m["content"].split()) for m in messages)
            usage.completion_tokens = len(reply.pieces())
        done = False
        try:
            for i, piece in enumerate(reply.pieces()):
                if reply.cut_after is not None and i == reply.cut_after:
                    raise LLMError("the language model failed: connection refused or lost")
                time.sleep(reply.delay_s)
                yield piece
            done = True
        finally:
            if not done:
                self.closed += 1

    def complete(self, messages: list[dict[str, str]], max_tokens: int = 80) -> str:
        return "".join(self.stream(messages, max_tokens)).strip()

"""Talking to a chat model over the OpenAI-compatible HTTP API, which Ollama, vLLM, llama.cpp's
server and hosted APIs all speak. The `openai` client brings timeouts, retries and streaming.

Every failure becomes `LLMError`, so the caller has one thing to catch before falling back to the
extractive answer."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Iterator

import httpx

from .config import Settings

log = logging.getLogger(__name__)


class LLMError(RuntimeError):
    """The model could not answer (down, too slow, refused the request); the message says why."""


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


class ChatModel:
    """One OpenAI-compatible chat endpoint."""

    def __init__(self, base_url: str, model: str, settings: Settings, api_key: str | None = None) -> None:
        self.settings = settings
        self.base_url = base_url.rstrip("/")
        self._model = model
        self._lock = threading.Lock()
        import openai  # here, not at the top: a second off every start that uses no model

        self.client = openai.OpenAI(
            base_url=self.base_url, api_key=api_key or "not-needed", max_retries=settings.llm_retries,
            timeout=httpx.Timeout(settings.llm_timeout_s, connect=min(5.0, settings.llm_timeout_s)))

    @property
    def model(self) -> str:
        """The configured name, or the first model the server lists (llama.cpp serves one)."""
        import openai

        with self._lock:
            if not self._model:
                try:
                    models = self.client.models.list().data
                except openai.OpenAIError as exc:
                    raise LLMError(f"cannot reach the language model at {self.base_url}: {_reason(exc)}") from exc
                if not models:
                    raise LLMError(f"the server at {self.base_url} lists no model")
                self._model = models[0].id
            return self._model

    def stream(self, messages: list[dict[str, str]], max_tokens: int | None = None,
               usage: Usage | None = None) -> Iterator[str]:
        """The reply's text as it is generated."""
        import openai

        response = None
        try:
            response = self.client.chat.completions.create(
                model=self.model, messages=messages,  # type: ignore[arg-type]
                max_tokens=max_tokens or self.settings.llm_max_tokens,
                temperature=self.settings.llm_temperature, stream=True,
                stream_options={"include_usage": True})
            for event in response:
                if usage is not None and getattr(event, "usage", None):
                    usage.prompt_tokens = event.usage.prompt_tokens or 0
                    usage.completion_tokens = event.usage.completion_tokens or 0
                for choice in event.choices:
                    if choice.delta and choice.delta.content:
                        yield choice.delta.content
        except openai.OpenAIError as exc:
            raise LLMError(f"the language model failed: {_reason(exc)}") from exc
        except httpx.HTTPError as exc:  # a broken stream mid-answer
            raise LLMError(f"the language model failed: {exc.__class__.__name__}") from exc
        finally:
            # an answer abandoned mid-way (the user pressed Stop, the client went away) closes the
            # connection, so the server stops writing it instead of keeping others waiting
            if response is not None:
                response.close()

    def complete(self, messages: list[dict[str, str]], max_tokens: int = 80) -> str:
        return "".join(self.stream(messages, max_tokens)).strip()


def _reason(exc: Exception) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "connection refused or lost"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    return exc.__class__.__name__

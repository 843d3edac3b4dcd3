"""Talking to a chat model. `ChatModel` is what answering needs of one (stream a reply, complete a
short one); `OpenAIChat` speaks the OpenAI-compatible HTTP API, which Ollama, vLLM, llama.cpp's
server (the bundled model's too, see `qa.llm_local`) and hosted APIs all speak. The `openai` client
brings timeouts, retries and streaming. Tests give the answerer a scripted model instead.

Every failure becomes `LLMError`, so the caller has one thing to catch before falling back to the
extractive answer."""

from __future__ import annotations

import logging
import socket
import threading
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol, TypeVar, runtime_checkable

import httpx2

from .config import Settings

log = logging.getLogger(__name__)


class LLMError(RuntimeError):
    """The model could not answer (down, too slow, refused the request); the message says why."""


T = TypeVar("T")


class Abort:
    """One answer's hold on the language model, to be cut from another thread. A reader who stops an
    answer (Stop in the chat, a closed stream) frees the model for everyone else at once: the model's
    server notices the closed connection at its next prompt step, instead of reading the whole prompt
    for nobody while the worker waits for a first token that no one will read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.aborted = False

    def __call__(self) -> None:
        with self._lock:
            self.aborted = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _cut(sock)

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)`, with the model calls it makes (in this thread) cut by this abort."""
        token = _ABORT.set(self)
        try:
            return fn(*args)
        finally:
            _ABORT.reset(token)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if not self.aborted:
                self._sockets = [s for s in self._sockets if s.fileno() != -1] + [sock]
                return
        _cut(sock)


_ABORT: ContextVar[Abort | None] = ContextVar("qa_llm_abort", default=None)


def _cut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked reading it, unlike close()
    except OSError:
        pass  # already closed: that request is over


def _watched(request: httpx2.Request) -> None:
    """Each request made under an `Abort` reports the connection it opens (connections are not
    kept alive, so every request opens one), and a request after the abort is not sent at all."""
    abort = _ABORT.get()
    if abort is None:
        return
    if abort.aborted:
        raise LLMError("the answer was stopped")  # not an httpx error, so the client does not retry it

    def trace(event: str, info: dict[str, Any]) -> None:
        if event.endswith("connect_tcp.complete") and info.get("return_value") is not None:
            abort.watch(info["return_value"].get_extra_info("socket"))

    request.extensions = {**request.extensions, "trace": trace}


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


@runtime_checkable
class ChatModel(Protocol):
    """A chat model as the generative answerer uses it. `stream` yields the reply's text as it is
    written and raises `LLMError` when the model fails (before or during the reply)."""

    base_url: str  # where it is, for /healthz ("" when it is not reached over HTTP)

    @property
    def model(self) -> str: ...

    def stream(self, messages: list[dict[str, str]], max_tokens: int | None = None,
               usage: Usage | None = None) -> Iterator[str]: ...

    def complete(self, messages: list[dict[str, str]], max_tokens: int = 80) -> str: ...


class OpenAIChat:
    """One OpenAI-compatible chat endpoint."""

    def __init__(self, base_url: str, model: str, settings: Settings, api_key: str | None = None) -> None:
        self.settings = settings
        self.base_url = base_url.rstrip("/")
        self._model = model
        self._lock = threading.Lock()
        import openai  # here, not at the top: a second off every start that uses no model

        timeout = httpx2.Timeout(settings.llm_timeout_s, connect=min(5.0, settings.llm_timeout_s))
        # a connection per request (no keep-alive), so that an abort knows which socket to cut
        http = httpx2.Client(timeout=timeout, limits=httpx2.Limits(max_keepalive_connections=0),
                             follow_redirects=True, event_hooks={"request": [_watched]})
        self.client = openai.OpenAI(base_url=self.base_url, api_key=api_key or "not-needed",
                                    max_retries=settings.llm_retries, timeout=timeout, http_client=http)

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
        except (openai.OpenAIError, httpx2.HTTPError) as exc:  # the latter: a broken stream mid-answer
            abort = _ABORT.get()
            if abort is not None and abort.aborted:
                raise LLMError("the answer was stopped") from exc
            raise LLMError(f"the language model failed: {_reason(exc)}") from exc
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

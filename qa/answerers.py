"""The answerers a question can go to, and the language model's life: the extractive answerer is
always there; the generative one exists once its model is reachable (a configured URL at once, the
bundled llama.cpp server after it has started in the background). `QA` is given one `Answerers`
and never builds an answerer itself."""

from __future__ import annotations

import logging
import threading

from .answer import ExtractiveAnswerer
from .config import Settings
from .embed import get_embedder, multilingual
from .generate import GenerativeAnswerer
from .llm import ChatModel, LLMError, OpenAIChat
from .verify import DenseSimilarity

log = logging.getLogger(__name__)


class Answerers:
    """`chat`: a chat model to answer with at once, instead of the one the settings name."""

    def __init__(self, settings: Settings, extractive: ExtractiveAnswerer | None = None,
                 chat: ChatModel | None = None) -> None:
        self.settings = settings
        self.extractive = extractive or ExtractiveAnswerer(settings)
        self._generator: GenerativeAnswerer | None = None
        self._local = None  # the bundled model's server, when QA_LLM=local
        self._llm_error = ""
        self._llm_thread: threading.Thread | None = None
        self._similarity: DenseSimilarity | None = None
        self._lock = threading.Lock()
        if chat is not None:
            self._make_generator(chat)

    @property
    def generative(self) -> GenerativeAnswerer | None:
        """The generative answerer if it is up now (never waits for it)."""
        return self._generator

    def start_llm(self, wait: bool = True) -> GenerativeAnswerer | None:
        """The generative answerer, if one is configured and reachable. `wait=False` starts the
        bundled model's server in a thread and returns at once."""
        s = self.settings
        if not s.generative or self._generator is not None:
            return self._generator
        if s.llm_url:
            key = s.llm_api_key.get_secret_value() if s.llm_api_key else None
            return self._make_generator(OpenAIChat(s.llm_url, s.llm_model, s, key))
        with self._lock:
            if self._llm_thread is None:
                self._llm_thread = threading.Thread(target=self._start_local, name="llm-start", daemon=True)
                self._llm_thread.start()
        if wait:
            self._llm_thread.join()
        return self._generator

    def _start_local(self) -> None:
        from .llm_local import LocalServer

        try:
            self._local = LocalServer(self.settings)
            self._make_generator(self._local.chat(self.settings.llm_model))
        except LLMError as exc:
            self._llm_error = str(exc)
            log.error("the local language model is not available: %s", exc)

    def _make_generator(self, chat: ChatModel) -> GenerativeAnswerer:
        self._generator = GenerativeAnswerer(self.settings, chat, self.extractive, self.similarity())
        return self._generator

    def similarity(self) -> DenseSimilarity | None:
        """Claim-to-paragraph similarity for citation checks (a multilingual model, when one is configured)."""
        model = next((m for m in self.settings.embed_models if multilingual(m)), None)
        if model is None:
            return None
        if self._similarity is None:
            self._similarity = DenseSimilarity(get_embedder(model))
        return self._similarity

    def llm_status(self) -> dict[str, str]:
        s = self.settings
        if not s.generative:
            return {"answerer": "extractive", "llm": "off"}
        if self._generator is not None:
            return {"answerer": "generative", "llm": "ready", "url": self._generator.chat.base_url}
        state = "failed" if self._llm_error else "starting"
        return {"answerer": "extractive", "llm": state, "error": self._llm_error}

    def why_no_llm(self) -> str:
        """Why an answer that would have been generated is extractive."""
        status = self.llm_status()
        if status["llm"] == "starting":
            return "the language model is still starting"
        return f"the language model is not available: {status.get('error') or 'unknown error'}"

    def stop(self) -> None:
        if self._local is not None:
            self._local.stop()

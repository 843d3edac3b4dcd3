"""The one settings object. Every tunable lives here, read from `QA_*` environment variables.

Also owns the offline environment: the variables that stop Hugging Face, Gradio and Chroma from
reaching the network. They must be set before those libraries are imported, so `qa/__init__.py`
calls `apply_offline_env()` first thing.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def apply_offline_env() -> None:
    """Force offline mode; a user may not opt back in by accident through a stray variable."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value


class Settings(BaseSettings):
    """Runtime settings. Scores that decide abstention were calibrated on the development questions
    (see README, "Evaluation"); change them only with `qa eval` numbers in hand."""

    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    chroma_url: str | None = Field(default=None, description="e.g. http://127.0.0.1:8765; unset = embedded store")
    collection_prefix: str = "qa"

    # Dense models, by registry name (see qa/embed.py). Each gets its own Chroma collection; their
    # rankings are fused with BM25. The first one also decides the sentence-window size.
    embed_models: Annotated[list[str], NoDecode] = ["e5-small", "minilm"]

    # Web app
    host: str = "127.0.0.1"
    port: int = 7860
    # Origins that may embed the chat and call the read-only API: "*" (any) or a comma-separated list
    allowed_origins: Annotated[list[str], NoDecode] = ["*"]
    max_body_bytes: int = 64 * 1024
    max_upload_mb: int = 50
    # Admin (upload/remove documents on the web); unset = admin disabled
    admin_token: str | None = None
    feedback_path: Path = Path("feedback/feedback.jsonl")

    # Retrieval
    top_k: int = 5
    candidates: int = 20
    rrf_k: int = 20
    bm25_weight: float = 1.0
    dense_weight: float = 1.0
    followup_context_weight: float = 0.5
    # Carry Chinese questions over to English with the bilingual dictionary (see qa/query.py)
    zh_gloss: bool = True

    # Answering
    max_answer_sentences: int = 3
    # Abstain when the best paragraph's support score is below this (calibrated, see qa/answer.py).
    abstain_threshold: float = 0.35
    max_question_chars: int = 2000

    @field_validator("embed_models", "allowed_origins", mode="before")
    @classmethod
    def _split_names(cls, value: object) -> object:
        # `QA_EMBED_MODELS=e5-small,minilm` is friendlier than JSON in a shell.
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @property
    def persistent(self) -> bool:
        return not self.chroma_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

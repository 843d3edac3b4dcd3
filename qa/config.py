"""The one settings object. Every tunable lives here, read from `QA_*` environment variables.

Also owns the offline environment: the variables that stop Hugging Face, Gradio and Chroma from
reaching the network. They must be set before those libraries are imported, so `qa/__init__.py`
calls `apply_offline_env()` first thing.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
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
    # Where replicas sharing one Chroma server take turns writing: unset = this machine's temporary
    # folder (replicas on one machine); a shared folder when they run on several
    lock_dir: Path | None = None
    collection_prefix: str = "qa"

    # Dense models, by registry name (see qa/embed.py). Each gets its own Chroma collection; their
    # rankings are fused with BM25. The first one also decides the sentence-window size. MiniLM
    # (`e5-small,minilm`) is optional: measured with `qa eval`, it added no right answers over E5 +
    # BM25 and doubled indexing time, question time and start-up (torch).
    embed_models: Annotated[list[str], NoDecode] = ["e5-small"]

    # Web app
    host: str = "127.0.0.1"
    port: int = 7860
    # Origins that may embed the chat and call the read-only API: "*" (any) or a comma-separated list
    allowed_origins: Annotated[list[str], NoDecode] = ["*"]
    max_body_bytes: int = 64 * 1024
    # the Gradio chat sends the whole visible conversation with each question
    max_chat_body_bytes: int = 1024 * 1024
    max_upload_mb: int = 50
    # A document cut into more passages than this is refused (split it): one upload must not hold
    # the machine's memory and the indexing queue for hours (a 20 MB HTML file is ~28,000 passages)
    max_doc_chunks: int = 5000
    # How much lower than questions an upload's indexing runs (Linux nice, 0-19): on a busy machine
    # questions asked during a re-index are answered first, and the indexing takes what is left
    index_nice: int = Field(default=10, ge=0, le=19)
    # Admin (upload/remove documents on the web); unset = admin disabled
    admin_token: str | None = None
    # Adding papers by URL and keeping them current (qa/fetch.py, qa/sync.py, qa/watch.py).
    # Fetch from loopback, private and link-local addresses too (an intranet, tests); cloud metadata
    # addresses stay refused whatever this says
    fetch_allow_private: bool = False
    # Networks fetched from although they are not public, e.g. `10.20.0.0/16`; other private ones stay refused
    fetch_allow_networks: Annotated[list[str], NoDecode] = []
    fetch_connect_timeout_s: float = 10.0  # to open a connection
    fetch_read_timeout_s: float = 30.0  # the longest wait for the next bytes
    fetch_total_timeout_s: float = 300.0  # one URL, redirects included
    fetch_max_redirects: int = Field(default=5, ge=0, le=5)  # each one checked like the first request
    fetch_user_agent: str = "legco-qa/0.1 (+paper sync)"  # how fetches introduce themselves to publishers
    # A feed, or a page listing papers, with more items than this is refused whole (nothing of it is fetched)
    feed_max_items: int = Field(default=500, ge=1)
    # What `qa sync` and the app's schedule check: a file of sources (one a line), or URLs separated by commas
    sync_sources: str = ""
    # How often the app syncs: `6h`, `30m`, `1d`, `90s` (or seconds); unset = only when asked
    sync_every: float | None = None
    # Each source's ETag / Last-Modified and document, for conditional requests; unset = QA_INDEX_DIR/sources.json
    sync_state: Path | None = None
    # The app indexes files dropped into the corpus folder, and removes deleted ones (`qa index --watch` too)
    watch: bool = False
    # A dropped file is indexed once its size and time stay the same this long (a copy still under way waits)
    watch_settle_s: float = Field(default=2.0, ge=0)
    feedback_path: Path = Path("feedback/feedback.jsonl")
    feedback_max_mb: int = 50  # then the file is rotated to .1 (the oldest votes dropped): never the disk filled
    feedback_per_minute: int = 20  # votes per client address, from the chat and the API together
    # The key conversations kept in the reader's browser are sealed with; every process serving the
    # chat needs the same one. Unset: made once and kept in `.<index folder>.browser-secret` beside it
    browser_secret: SecretStr | None = None
    # Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated).
    # Unset: the client is the connection's own address, whatever a request claims.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # Bearer key for the OpenAI-compatible routes (/v1) and the MCP endpoint (/mcp); unset = open,
    # like /api/ask
    api_key: SecretStr | None = None
    # Host names the app is reached by besides loopback (behind a reverse proxy: qa.example.org).
    # The MCP endpoint refuses other Host headers while the app listens on loopback (DNS rebinding).
    public_hosts: Annotated[list[str], NoDecode] = []
    # Logs: "text" or "json" (one object per line, with the request id); question text only when asked
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    log_questions: bool = False

    # Retrieval
    top_k: int = 5
    candidates: int = 20
    rrf_k: int = 20
    bm25_weight: float = 1.0
    dense_weight: float = 1.0
    # BM25's ranking of the papers in the other language than the question's, in a library of both:
    # English questions about Chinese-only papers had the answer among the candidates 0.44 of the
    # time, and among this ranking's first 20 0.84 (the multilingual model, across languages, 0.02)
    cross_language_weight: float = 1.0
    followup_context_weight: float = 0.5
    # BM25's ranking of the paper a question names by its year ("the 2013 report"), among a series of
    # yearly papers that each state the same kinds of figure
    named_paper_weight: float = 0.5
    # Among many papers (qa/retrieve.py): paragraphs in the period the question names, papers whose
    # title uses its words, and for "the latest"/"the first" the newest/oldest paper rank higher.
    period_weight: float = 1.0
    title_weight: float = 0.5
    recency_weight: float = 0.5
    # Carry Chinese questions over to English with the bilingual dictionary (see qa/query.py)
    zh_gloss: bool = True

    # Answering
    list_max_items: int = 8  # a list answer shows at most this many items, the most likely
    list_item_words: int = 30  # an item's evidence, at most: enough to see why it qualifies
    # Paragraphs the answer judge reads per question (qa/judge.py; its own thresholds are calibrated
    # with its weights, in qa/judge.json): more finds more of a list, and costs time
    judge_candidates: int = 20
    # A quoted sentence longer than this is cut to the clauses that carry the answer, and the
    # paragraph's second most likely sentence is quoted too when both fit (the median English answer
    # stays ~40 words)
    quote_max_words: int = 60
    # Which clauses of a long sentence are quoted: those carrying most of the question's weighted
    # words and, at this weight, most of the words the question does not have (what it is told),
    # each word beyond 12 costing this much. On the development questions 0.5 against 0 put the
    # answer words in 0.47 of answers against 0.44, at 41 words against 36 (bench/bench_questions.py).
    quote_new_weight: float = 0.5
    quote_word_cost: float = 0.012
    # Another paper of another date that the answer judge finds at least this share as likely to
    # state the same kind of thing, with a different figure, is shown beside it, newest first.
    conflict_score: float = 0.8
    max_question_chars: int = 2000

    # Generative answers (qa/generate.py). Unset = the extractive answerer only.
    # "local" runs the bundled model (needs `pip install .[llm]`); anything else is ignored.
    llm: str | None = None
    # Any OpenAI-compatible chat server (Ollama, vLLM, llama.cpp, a hosted API): its base URL,
    # e.g. http://127.0.0.1:8080/v1. Takes precedence over QA_LLM=local.
    llm_url: str | None = None
    llm_model: str = ""  # the server's model name; empty = whatever the server serves first
    llm_api_key: SecretStr | None = None
    # Longest wait for the model to start answering (and between two streamed pieces); then the
    # extractive answer is given instead.
    llm_timeout_s: float = 30.0
    llm_retries: int = 1
    llm_max_tokens: int = 220
    llm_temperature: float = 0.0
    # Where the bundled model is joined from its wheels (1.1 GB), and its llama.cpp server's threads
    llm_cache_dir: Path = Path.home() / ".cache" / "legco-qa"
    llm_threads: int = 0  # 0 = all cores
    llm_context_tokens: int = 4096
    # Prompt tokens llama.cpp evaluates per step. It notices a cancelled request (a user who
    # stopped, a timed-out client) only between steps, and one server answers one question at a
    # time, so smaller steps stop others waiting behind an abandoned prompt; below this, prompt
    # speed drops (measured with bench/bench_llm.py).
    llm_batch_tokens: int = 256
    # A Chinese question the dictionary gloss finds no support for is translated by the LLM and
    # tried once more (translating every question was slower and no better: see README)
    llm_translate: bool = False
    # Before answering a question that asks for a kind of thing (a number, a date, a person…), ask
    # the model whether the passages state it at all; "no" is an abstention (measured: see README)
    llm_check_detail: bool = False
    # A generated sentence is verified against the paragraph it cites when this share of its key
    # terms (IDF-weighted) is found there, or, with at least half of them, when its dense similarity
    # reaches verify_similarity (calibrated with `qa eval --answerer both`).
    verify_coverage: float = 0.7
    verify_similarity: float = 0.9

    @field_validator("embed_models", "allowed_origins", "public_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _split_names(cls, value: object) -> object:
        # `QA_EMBED_MODELS=e5-small,minilm` is friendlier than JSON in a shell.
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @field_validator("fetch_allow_networks", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        import ipaddress

        names = cls._split_names(value)
        for net in names if isinstance(names, list) else []:
            ipaddress.ip_network(net, strict=False)  # a ValueError names the bad one
        return names

    @field_validator("sync_every", mode="before")
    @classmethod
    def _period(cls, value: object) -> object:
        # `QA_SYNC_EVERY=6h` rather than 21600
        if isinstance(value, str):
            text = value.strip().lower()
            if not text:
                return None
            units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
            number, unit = (text[:-1], text[-1]) if text[-1] in units else (text, "s")
            try:
                seconds = float(number) * units[unit]
            except ValueError:
                raise ValueError(f"{value!r} is not a period: use e.g. 6h, 30m, 1d or 90s") from None
            if seconds <= 0:
                raise ValueError("the sync period must be positive")
            return seconds
        return value

    @property
    def sync_state_path(self) -> Path:
        return self.sync_state or self.index_dir / "sources.json"

    @property
    def persistent(self) -> bool:
        return not self.chroma_url

    @property
    def generative(self) -> bool:
        return bool(self.llm_url) or (self.llm or "").lower() == "local"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

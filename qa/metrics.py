"""Prometheus metrics for one serving process (`GET /metrics`), all prefixed `qa_`.

Each app gets its own registry, so two apps in one process (tests, replicas) never share counts.
The service reports answers and indexing runs through listeners; the web layer reports requests.
What each metric means is in the README ("Metrics").
"""

from __future__ import annotations

from typing import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .models import Answer

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Seconds. Quoted answers take tens of milliseconds, generated ones several seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
JOB_BUCKETS = (0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600)
# The answer pipeline's stages as `Answer.timing_ms` names them; anything else is not exported
STAGES = ("query", "condense", "translate", "bm25", "retrieve", "answer", "model", "model_first_token",
          "verify", "total")
RENAMED = {"llm": "model", "llm_first_token": "model_first_token"}


class IndexSize(Collector):
    """Documents and chunks in the index, read when Prometheus scrapes (nothing to keep in sync)."""

    def __init__(self, read: Callable[[], tuple[int, int]]) -> None:
        self.read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            documents, chunks = self.read()
        except Exception:  # no index yet, or a damaged one: /healthz says why; metrics stay up
            return
        yield GaugeMetricFamily("qa_index_documents", "Documents in the index", value=documents)
        yield GaugeMetricFamily("qa_index_chunks", "Chunks (passages embedded) in the index", value=chunks)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Metrics:
    def __init__(self, index_size: Callable[[], tuple[int, int]] | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Histogram("qa_http_request_duration_seconds", "HTTP request latency, by route",
                                  ["method", "route", "status"], buckets=LATENCY_BUCKETS, registry=r)
        self.answers = Counter("qa_answers_total", "Questions by outcome: answered, abstained, refused "
                               "(bad input), fallback (quoted because the language model was unavailable)",
                               ["outcome", "answerer"], registry=r)
        self.stages = Histogram("qa_stage_duration_seconds", "Time per answer stage (retrieve, answer, model …)",
                                ["stage"], buckets=LATENCY_BUCKETS, registry=r)
        self.jobs = Counter("qa_index_jobs_total", "Indexing jobs finished, by state (done, failed)",
                            ["state"], registry=r)
        self.job_seconds = Histogram("qa_index_job_duration_seconds", "Indexing job durations",
                                     buckets=JOB_BUCKETS, registry=r)
        if index_size is not None:
            r.register(IndexSize(index_size))

    def answer(self, answer: Answer | None, outcome: str) -> None:
        self.answers.labels(outcome, answer.answerer if answer else "none").inc()
        if answer is None:
            return
        for stage, ms in answer.timing_ms.items():
            name = RENAMED.get(stage, stage)
            if name in STAGES or name.startswith(("dense_", "embed_")):
                self.stages.labels(name).observe(ms / 1000)

    def job(self, state: str, seconds: float) -> None:
        self.jobs.labels(state).inc()
        self.job_seconds.observe(seconds)

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        # a client may send any method: only the known ones get a series of their own
        method = method if method in _METHODS else "other"
        self.requests.labels(method, route, str(status)).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)

"""The one entry point every front end uses for questions: `ask(question, history) -> Answer`.
Models and the index load lazily, once per process. A question reads one snapshot of the lexical
index and every step of its answer (analysis, retrieval, citations' links) uses that snapshot, so
an upload committed meanwhile cannot show half of itself. Indexing is `qa.indexing.Indexer`'s job
(reachable here as `QA.indexer`); the answerers and the language model's life are `Answerers`'."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterable, Iterator, Sequence

from anyio import to_thread

from .answer import ExtractiveAnswerer
from .answerers import Answerers
from .cite import cited_paragraphs, marker
from .config import Settings, get_settings
from .corpus import Corpus
from .embed import get_embedder
from .feedback import Feedback
from .generate import GenerativeAnswerer, pieces
from .indexing import Indexer, IndexResult
from .ingest import IngestError
from .llm import Abort, LLMError
from .models import Answer, Chunk, Document, Turn, unit_key
from .gloss import chinese_for, translate
from .query import Query, QuestionError, analyse, checked_scope, in_english, parse_history, parts, rewritten
from .lexical import Lexical
from .retrieve import Retrieval, Retriever
from .store import DocInput, DocRecord, IndexError_, Store
from .text import is_cjk, terms
from .verify import DenseSimilarity

log = logging.getLogger(__name__)

__all__ = ["QA", "QuestionError", "IngestError", "IndexError_", "IndexResult", "AnswerListener"]

# Told of every question the service takes: the answer (None when the question was refused) and its
# outcome (answered, abstained, fallback, refused). Metrics and logs listen; answers never wait on them.
AnswerListener = Callable[["Answer | None", str], None]


class QA:
    """The store, `retriever` and `answerers` are made from the settings unless given (tests give a
    scripted model, or share one open index between services)."""

    def __init__(self, settings: Settings | None = None, retriever: Retriever | None = None,
                 answerers: Answerers | None = None, store: Store | None = None) -> None:
        self.settings = settings or get_settings()
        self._store = store
        self._lock = threading.Lock()
        self._retriever = retriever
        self.answerers = answerers or Answerers(self.settings)
        self.indexer = Indexer(self.settings, lambda: self.store)
        self._urls: tuple[object, dict[str, str]] = (None, {})  # (lexical snapshot, doc → source URL)
        self.listeners: list[AnswerListener] = []
        self._feedback: Feedback | None = None

    @property
    def feedback(self) -> Feedback:
        """Where every front end's votes go (made on first use, from the settings of that time)."""
        with self._lock:
            if self._feedback is None:
                s = self.settings
                self._feedback = Feedback(s.feedback_path, s.feedback_max_mb * 1024 * 1024, s.feedback_per_minute)
            return self._feedback

    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = Store(self.settings)
            return self._store

    @property
    def retriever(self) -> Retriever:
        """Made once, on the first question (it needs the store, which opens the index)."""
        if self._retriever is None:
            self._retriever = Retriever(self.store, self.settings)
        return self._retriever

    @property
    def answerer(self) -> ExtractiveAnswerer:
        """The extractive answerer: every answer starts from it."""
        return self.answerers.extractive

    # -- indexing is the Indexer's; these pass through, for scripts that hold only a QA -----------
    @property
    def corpus(self) -> Corpus:
        return self.indexer.corpus

    def window_tokens(self) -> int:
        return self.indexer.window_tokens()

    def prepare(self, doc: Document, source: str = "", title: str | None = None,
                date: str | None = None) -> DocInput:
        return self.indexer.prepare(doc, source, title, date)

    def index(self, paths: list[Path] | None = None, progress: Callable[[int], None] | None = None,
              on_total: Callable[[int], None] | None = None, force: bool = False) -> IndexResult:
        return self.indexer.index(paths, progress, on_total, force)

    def add(self, files: list[tuple[str, bytes]], **options: Any) -> IndexResult:
        return self.indexer.add(files, **options)

    def remove(self, doc_id: str) -> bool:
        return self.indexer.remove(doc_id)

    def list_documents(self) -> list[DocRecord]:
        return sorted(self.store.docs().values(), key=lambda r: (r.date, r.doc))

    def status(self) -> dict[str, object]:
        self.store.check()
        records = self.store.docs()
        return {"chunks": sum(r.chunks for r in records.values()), "units": len(self.store.lexical().units),
                "documents": sorted(records), "models": list(self.settings.embed_models)}

    # -- asking -----------------------------------------------------------------------------
    def warm(self) -> None:
        """Load models, the lexical index and the dictionary now rather than on the first question;
        start the language model's server in the background (answers are extractive until it is up)."""
        self.store.check()
        self.store.lexical()
        for model in self.settings.embed_models:
            get_embedder(model).queries(["warm up"])
        translate("香港")
        terms("粵港合作聯席會議")  # the Chinese word segmenter's dictionary
        chinese_for("civil servants")  # the dictionary read backwards: English questions' synonyms and renderings
        self.start_llm(wait=False)

    # -- the language model ----------------------------------------------------------------------
    def start_llm(self, wait: bool = True) -> GenerativeAnswerer | None:
        return self.answerers.start_llm(wait)

    def similarity(self) -> DenseSimilarity | None:
        return self.answerers.similarity()

    def llm_status(self) -> dict[str, str]:
        return self.answerers.llm_status()

    def stop(self) -> None:
        self.answerers.stop()

    def documents(self) -> list[dict[str, object]]:
        """What is indexed, for listings: one entry per document."""
        editions = self.store.editions(self.store.docs())
        # "short": the front matter's citation label, so clients label citations as the chat does
        return [{"doc": r.doc, "title": r.title, "date": r.date, "short": r.short, "language": r.language,
                 "committee": r.committee, "paragraphs": r.paragraphs,
                 "chunks": r.chunks, "hash": r.hash, "added": r.added, "source": r.source, "url": r.url,
                 "editions": {lang: d for lang, d in editions.get(r.doc, {}).items() if d != r.doc}}
                for r in self.list_documents()]

    def units_of(self, doc: str) -> list[Chunk]:
        """A document's citable units in reading order, for reading it whole."""
        lex = self.store.lexical()
        return sorted((u for u in lex.units if u.doc_id == doc), key=lambda u: (u.start, u.label))

    def paragraph(self, doc: str, paragraph: str, label: str = "", part: str = "") -> Chunk | None:
        """A whole citable unit, for showing a cited paragraph."""
        lex = self.store.lexical()
        return lex.unit(unit_key(doc, paragraph, label, part))

    def search(self, text: str, k: int = 5, scope: Sequence[str] | None = None, since: str = "", until: str = "",
               language: str = "") -> list[dict[str, object]]:
        """The best citable units for a query, best first, with the marker that cites each (for
        assistants that read and cite for themselves); scoped as `stream` is."""
        chosen = checked_scope(self.store.docs, scope, since, until, language)
        lex = self.store.lexical()
        query = analyse(text, [], self.settings.max_question_chars, gloss=self.settings.zh_gloss,
                        scope=chosen, chinese_papers=lex.chinese)
        retrieval = self.retriever.search(query, k, lex)
        return [{"marker": marker(retrieval.lexical, h.chunk), **h.chunk.to_json(), "score": round(h.score, 4)}
                for h in retrieval.hits]

    def ask(self, question: str, history: Iterable[object] | None = None, generate: bool = True,
            scope: Sequence[str] | None = None, since: str = "", until: str = "", language: str = "") -> Answer:
        answer = None
        for piece in self.stream(question, history, generate, scope, since, until, language):
            if isinstance(piece, Answer):
                answer = piece
        assert answer is not None
        return answer

    def stream(self, question: str, history: Iterable[object] | None = None, generate: bool = True,
               scope: Sequence[str] | None = None, since: str = "", until: str = "",
               language: str = "") -> Iterator[str | Answer]:
        """The answer's text in pieces as it is written (for chat UIs and server-sent events), then
        the final Answer, whose text replaces the pieces: a generated answer's citations are
        checked only once it is complete. Bad input raises QuestionError before the first piece.
        `generate=False` gives the extractive answer even when a language model is configured;
        `scope` limits the search to these document ids, `since` and `until` (YYYY, YYYY-MM or
        YYYY-MM-DD, both inclusive) to papers dated in that range."""
        t0 = time.perf_counter()
        try:
            turns = parse_history(history)
            chosen = checked_scope(self.store.docs, scope, since, until, language)
            lex = self.store.lexical()  # the one snapshot this question reads
            query = analyse(question, turns, self.settings.max_question_chars, gloss=self.settings.zh_gloss,
                            scope=chosen, chinese_papers=lex.chinese)
        except QuestionError:
            self._tell(None, "refused")
            raise
        generator = self.start_llm(wait=False) if generate else None
        timing: dict[str, float] = {}
        return self._answer(query, turns, lex, generator if generate else None, generate, t0, timing)

    async def astream(self, question: str, history: Iterable[object] | None = None,
                      **scope: Any) -> AsyncIterator[str | Answer]:
        """`stream` for async front ends (the chat, server-sent events), each step in a worker thread.
        When the reader goes away mid-answer (Stop, a closed connection) the step under way is left
        to finish on its own and the answer's connections to the language model are cut, so neither
        the reader's worker nor the model waits on an answer no one will read."""
        abort = Abort()
        pieces = await to_thread.run_sync(abort.run, lambda: self.stream(question, history, **scope))
        try:
            while True:
                running = True
                piece = await to_thread.run_sync(abort.run, next, pieces, None, abandon_on_cancel=True)
                running = False
                if piece is None:
                    return
                yield piece
        finally:
            abort()
            if not running:
                pieces.close()

    def _answer(self, query: Query, turns: list[Turn], lex: Lexical, generator: GenerativeAnswerer | None,
                generate: bool, t0: float, timing: dict[str, float]) -> Iterator[str | Answer]:
        if generator is not None and query.followup:
            query = self._condense(query, turns, generator, timing)
        retrieval, answer = self._retrieve(query, lex, timing, t0)
        if answer.abstained and generator is not None and query.lang == "zh" and self.settings.llm_translate:
            # the dictionary found nothing: a translation by the model gets one more try
            query, retrieval, answer = self._translated(query, lex, generator, timing) or (query, retrieval, answer)
        final = answer
        # a list is made from every paragraph the judge accepts, more than the model is shown: it
        # stays quoted. Otherwise a configured model reads the best passages and decides, whatever
        # the judge's gate said.
        if generator is None or answer.items:
            if generate and self.settings.generative and not answer.abstained and not answer.items:
                answer.fallback = self.answerers.why_no_llm()
            yield from pieces(answer.answer)
        else:
            for piece in generator.stream(query, retrieval, answer):
                if isinstance(piece, Answer):
                    final = piece
                else:
                    yield piece
        self._other_editions(final, retrieval.lexical)
        self._source_urls(final, retrieval.lexical)
        final.question, final.query, final.scope = query.question, query.standalone, sorted(query.scope)
        final.timing_ms = {**timing, **final.timing_ms, "total": (time.perf_counter() - t0) * 1000}
        self._tell(final, final.outcome)
        yield final

    @staticmethod
    def _other_editions(answer: Answer, lex: Lexical) -> None:
        """Each cited paragraph of a paper indexed in two languages also points at its other version."""
        if not lex.editions:
            return
        for c in answer.citations + answer.nearby:
            chunk = lex.unit(c.unit)
            for lang in lex.editions.get(c.doc, {}):
                other = lex.counterpart(chunk, lang) if chunk is not None else None
                if other is not None:
                    c.with_other(other, lang)
                    break

    def _source_urls(self, answer: Answer, lex: Lexical) -> None:
        """Each citation of a fetched paper links where it was published. The URLs are read once
        per version of the index (a new lexical snapshot is a new version)."""
        if self._urls[0] is not lex:
            self._urls = (lex, {d: r.url for d, r in self.store.docs().items() if r.url})
        for c in answer.citations + answer.nearby:
            c.url = self._urls[1].get(c.doc, "")

    def _tell(self, answer: Answer | None, outcome: str) -> None:
        for listener in self.listeners:
            try:
                listener(answer, outcome)
            except Exception:  # a metrics or log failure must never cost the reader the answer
                log.exception("answer listener failed")

    def _retrieve(self, query: Query, lex: Lexical, timing: dict[str, float],
                  t0: float) -> tuple[Retrieval, Answer]:
        t1 = time.perf_counter()
        timing.setdefault("query", (t1 - t0) * 1000 - sum(timing.values()))
        retriever = self.retriever
        k = self.settings.judge_candidates
        retrieval = retriever.search(query, k, lex)
        t2 = time.perf_counter()
        asks = parts(query, self.settings.max_question_chars)
        if len(asks) > 1:  # two questions in one: each searched and answered, the second as a follow-up
            answered: list[tuple[Query, Answer]] = []
            for ask in asks:
                if answered and not answered[-1][1].abstained:
                    ask.focus = cited_paragraphs(answered[-1][1].answer)
                answered.append((ask, self.answerer.answer(ask, retriever.search(ask, k, lex))))
            answer = self.answerer.combine(query, retrieval, answered)
        else:
            answer = self.answerer.answer(query, retrieval)
        timing.update({**retrieval.timing_ms, "answer": (time.perf_counter() - t2) * 1000})
        return retrieval, answer

    def _condense(self, query: Query, turns: list[Turn], generator: GenerativeAnswerer,
                  timing: dict[str, float]) -> Query:
        """A follow-up rewritten by the model as a standalone question (see `query.rewritten`)."""
        t = time.perf_counter()
        try:
            standalone = generator.condense(query.question, turns)
            if standalone:
                query = rewritten(query, standalone, self.settings.max_question_chars)
        except (LLMError, QuestionError) as exc:
            log.warning("follow-up not condensed: %s", exc)
        timing["condense"] = (time.perf_counter() - t) * 1000
        return query

    def _translated(self, query: Query, lex: Lexical, generator: GenerativeAnswerer,
                    timing: dict[str, float]) -> tuple[Query, Retrieval, Answer] | None:
        """A Chinese question the dictionary gloss found no support for, translated by the model and
        tried once more in English. The answer is still written in Chinese, to the Chinese question."""
        t = time.perf_counter()
        try:
            english = generator.translate(query.question)
            if not english or is_cjk(english):
                return None
            translated = in_english(query, english, self.settings.max_question_chars)
        except (LLMError, QuestionError) as exc:
            log.warning("question not translated: %s", exc)
            return None
        finally:
            timing["translate"] = (time.perf_counter() - t) * 1000
        step: dict[str, float] = {}
        retrieval, answer = self._retrieve(translated, lex, step, time.perf_counter())
        if answer.abstained:
            return None
        timing.update({k: v for k, v in step.items() if k != "query"})
        return translated, retrieval, answer

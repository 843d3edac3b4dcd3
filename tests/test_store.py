import pytest

from qa.chunk import CHUNKER_VERSION
from qa.config import Settings
from qa.service import QA
from qa.store import IndexError_, Store

from conftest import CORPUS, PAPER


def test_reindex_is_idempotent_and_embeds_nothing(tmp_path):
    qa = QA(Settings(index_dir=tmp_path / "idx", corpus_dir=CORPUS, embed_models=["e5-small"]))
    first = qa.index()
    assert first.report.added == 1 and first.chunks > 20 and first.report.embedded == first.chunks
    generation = qa.store.generation()
    second = qa.index()
    assert second.report.embedded == 0 and second.report.unchanged == 1
    assert (second.report.added, second.report.updated, second.report.removed) == (0, 0, 0)
    # nothing changed, so readers (other replicas too) are not told to rebuild their snapshot
    assert qa.store.generation() == generation


def test_an_interrupted_write_is_noticed_by_the_next_run(tmp_path):
    """Chunks written for a version that was never committed are garbage the next run removes, and
    a committed document whose chunks went missing is written again."""
    qa = QA(Settings(index_dir=tmp_path / "idx", corpus_dir=CORPUS, embed_models=["e5-small"]))
    qa.index()
    col = qa.store._collection("e5-small")
    some = col.get(limit=3, include=["embeddings", "documents", "metadatas"])
    col.add(ids=[f"{i}-orphan" for i in some["ids"]], embeddings=some["embeddings"], documents=some["documents"],
            metadatas=[{**m, "version": "orphan@0"} for m in some["metadatas"]])
    assert qa.index().report.unchanged == 1
    assert not col.get(where={"version": "orphan@0"}, include=[])["ids"]
    col.delete(ids=some["ids"])
    report = qa.index().report  # only the missing chunks are written again; the rest are kept
    assert report.updated == 1 and report.reused + report.embedded == len(some["ids"])
    assert col.count() == qa.list_documents()[0].chunks


def test_a_changed_paragraph_is_the_only_thing_re_embedded(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = PAPER.read_text(encoding="utf-8")
    (corpus / PAPER.name).write_text(text, encoding="utf-8")
    qa = QA(Settings(index_dir=tmp_path / "idx", corpus_dir=corpus, embed_models=["e5-small"]))
    qa.index()
    (corpus / PAPER.name).write_text(text.replace("Members are invited to note", "Members are asked to note"),
                                     encoding="utf-8")
    report = qa.index().report
    assert (report.updated, report.embedded, report.added, report.removed) == (1, 1, 0, 0)
    assert report.reused == qa.list_documents()[0].chunks - 1
    chunks = qa.store.chunks()
    assert len(chunks) == qa.list_documents()[0].chunks  # the old version is gone
    chunk = next(c for c in chunks if c.paragraph == "15")
    assert chunk.text.startswith("Members are asked to note")


def test_text_the_library_already_holds_is_embedded_once(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    closing = "## Advice Sought\n\n9. Members are invited to note the content of this paper.\n"
    for n, topic in enumerate(["the harbour ferry piers", "the hillside cycling tracks", "the library opening hours"]):
        (corpus / f"paper-{n}.md").write_text(f"---\ntitle: Paper {n}\n---\n\n1. This paper reports on {topic}.\n\n"
                                              f"{closing}", encoding="utf-8")
    qa = QA(Settings(index_dir=tmp_path / "idx", corpus_dir=corpus, embed_models=["e5-small"]))
    report = qa.index().report
    # three papers, two paragraphs each: the shared closing paragraph is embedded once
    assert (report.added, report.embedded, report.reused) == (3, 4, 2)
    answer = qa.ask("What are members invited to do?")
    assert not answer.abstained and "note the content" in answer.answer


def test_collection_records_model_and_chunker(index_dir):
    store = Store(Settings(index_dir=index_dir, corpus_dir=CORPUS))
    for model in store.settings.embed_models:
        col = store._collection(model)
        assert col.metadata["model"] == model and col.metadata["chunker"] == CHUNKER_VERSION
        assert col.configuration_json["embedding_function"]["name"] == "legco-qa"
        assert col.configuration_json["embedding_function"]["config"] == {"model": model}
    assert store.check()


def test_changing_the_model_re_embeds_instead_of_mixing(tmp_path):
    s1 = Settings(index_dir=tmp_path / "idx", corpus_dir=CORPUS, embed_models=["e5-small"])
    QA(s1).index()
    s2 = Settings(index_dir=tmp_path / "idx", corpus_dir=CORPUS, embed_models=["minilm"])
    result = QA(s2).index()
    assert result.report.embedded == result.chunks  # all new vectors for the new model
    names = {c.name for c in Store(s2)._client.list_collections()}
    assert names == {"qa-minilm", "qa-docs"}


def test_missing_or_empty_index_is_a_clear_error(tmp_path):
    store = Store(Settings(index_dir=tmp_path / "none", corpus_dir=CORPUS))
    with pytest.raises(IndexError_, match="run `qa index`"):
        store.check()


@pytest.mark.slow
def test_same_code_runs_against_a_chroma_server(chroma_server, tmp_path):
    settings = Settings(chroma_url=chroma_server, index_dir=tmp_path / "unused", corpus_dir=CORPUS)
    qa = QA(settings)
    result = qa.index()
    assert result.report.added == 1 and result.report.embedded == len(settings.embed_models) * result.chunks
    assert qa.index().report.embedded == 0
    answer = qa.ask("When was the PPRD Joint Conference held in Guiyang?")
    assert answer.citations[0].paragraph == "9" and "7 July 2023" in answer.answer
    assert not (tmp_path / "unused").exists()  # nothing written locally in server mode


def test_language_versions_of_a_paper_are_paired():
    from qa.store import DocRecord

    def rec(doc, language, paper="", date="2024-05-20", paragraphs=14):
        return DocRecord(doc, "v", "h", date=date, paragraphs=paragraphs, language=language, paper=paper)

    declared = {r.doc: r for r in [rec("paper-en", "en"), rec("paper-zh", "zh", paper="paper-en"),
                                   rec("other", "en")]}
    assert Store.editions(declared) == {"paper-en": {"en": "paper-en", "zh": "paper-zh"},
                                        "paper-zh": {"en": "paper-en", "zh": "paper-zh"}}
    shared_id = {r.doc: r for r in [rec("a", "en", paper="P1"), rec("b", "zh", paper="P1")]}
    assert Store.editions(shared_id)["b"] == {"en": "a", "zh": "b"}
    # undeclared: same date and paragraph count, one in each language
    detected = {r.doc: r for r in [rec("x-en", "en"), rec("x-zh", "zh"), rec("y", "en", paragraphs=9)]}
    assert set(Store.editions(detected)) == {"x-en", "x-zh"}
    # two English papers of one date are not versions of each other
    assert Store.editions({r.doc: r for r in [rec("p", "en"), rec("q", "en")]}) == {}


def test_a_new_chunker_re_chunks_and_reuses_every_unchanged_vector(tmp_path, monkeypatch):
    """Another chunker version gives every document a new version, but text it cuts the same way
    keeps its vector: nothing is embedded again, and the collection says which chunker wrote it."""
    import qa.indexing
    import qa.store

    qa_ = QA(Settings(index_dir=tmp_path / "idx", corpus_dir=CORPUS, embed_models=["e5-small"]))
    monkeypatch.setattr(qa.indexing, "CHUNKER_VERSION", "old")
    monkeypatch.setattr(qa.store, "CHUNKER_VERSION", "old")
    first = qa_.index().report
    assert first.embedded > 20 and qa_.store._collection("e5-small").metadata["chunker"] == "old"
    monkeypatch.undo()
    second = qa_.index().report
    assert second.updated == 1 and second.embedded == 0 and second.reused == first.embedded
    assert qa_.store._collection("e5-small").metadata["chunker"] == CHUNKER_VERSION
    assert qa_.store.check()["e5-small"] == first.embedded  # the old version's chunks are gone


def test_a_start_reads_the_saved_lexical_snapshot_and_brings_it_up_to_date(tmp_path, monkeypatch):
    """A new process does not read every chunk back from Chroma and count its words: it reads the
    snapshot the last one saved, and only the papers that changed since."""
    import numpy as np

    import qa.lexical
    from qa.text import terms

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n, topic in enumerate(["the harbour ferry piers", "the hillside cycling tracks (HCT)"]):
        (corpus / f"paper-{n}.md").write_text(f"---\ntitle: Paper {n}\n---\n\n1. This paper reports on {topic}.\n\n"
                                              f"2. The HCT budget is HK${n + 2} million.\n", encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "idx", corpus_dir=corpus, embed_models=["e5-small"])
    service = QA(settings)
    service.index()
    service.store.refresh()
    service.store.saved()
    snapshot = settings.index_dir / Store.SNAPSHOT
    assert snapshot.is_file()
    stale = snapshot.read_bytes()
    question = terms("What is the budget of the hillside cycling tracks?")

    def same(a, b):
        assert a.keys == b.keys and [a.terms_of(k) for k in a.keys] == [b.terms_of(k) for k in b.keys]
        assert np.allclose(a.scores(question), b.scores(question)) and a.acronyms == b.acronyms

    started = Store(settings)
    read: list[list[str]] = []
    reading = started.chunks
    monkeypatch.setattr(started, "chunks", lambda versions=None: read.append(list(versions or [])) or reading(versions))
    same(started.lexical(), service.store.refresh(force=True))
    assert read == []  # nothing read back from Chroma
    # a paper added since the snapshot was saved: only its chunks are read
    (corpus / "paper-2.md").write_text("---\ntitle: Paper 2\n---\n\n1. The HCT opened in 2024.\n", encoding="utf-8")
    service.index()
    service.store.saved()
    snapshot.write_bytes(stale)
    later = Store(settings)
    reading = later.chunks
    monkeypatch.setattr(later, "chunks", lambda versions=None: read.append(list(versions or [])) or reading(versions))
    same(later.lexical(), service.store.refresh(force=True))
    assert len(read) == 1 and len(read[0]) == 1
    # a snapshot saved by other code is not used
    monkeypatch.setattr(qa.lexical, "snapshot_format", lambda: "other code")
    assert qa.lexical.Lexical.load(snapshot) is None

"""The answer judge: its trained file, the signs its weights keep, and how it decides on questions
written by other hands about the papers this repository holds (bench/questions/generated)."""

import json
import shutil

import numpy as np
import pytest

from qa.config import Settings
from qa.features import GATE_FEATURES, SENTENCE_FEATURES, SIGNS, UNIT_FEATURES
from qa.judge import Judge, Judged, load
from qa.query import analyse
from qa.retrieve import Retriever
from qa.service import QA

from conftest import DATA, PAPER, ROOT

GENERATED = ROOT / "bench" / "questions" / "generated"
FIXTURES = [PAPER.parent, DATA / "bilingual", DATA / "chinese", DATA / "related", DATA / "series"]


def test_the_shipped_weights_match_the_features_the_code_makes():
    """A feature added or renamed without retraining (bench/train_judge.py) fails here, not in use."""
    judged = load()
    assert judged.units.features == UNIT_FEATURES and judged.sentences.features == SENTENCE_FEATURES
    assert judged.gate.features == GATE_FEATURES and judged.about.features == UNIT_FEATURES
    for model in (judged.units, judged.sentences, judged.gate, judged.about):
        p = model.predict(np.zeros((3, len(model.features))))
        assert p.shape == (3,) and ((0 < p) & (p < 1)).all()
    t = judged.thresholds
    assert 0 < t.answer < 1 and 0 < t.listed < 1 and 0 <= t.beside < 1 and 0 <= t.read < 1


def test_paragraphs_beside_the_best_are_those_near_it():
    """A list, or what a language model reads, keeps a paragraph only when it is likely enough and
    not far below the best: one paragraph far above the rest is the answer alone."""
    judged = [Judged(None, p) for p in (0.99, 0.5, 0.3, 0.1)]  # type: ignore[arg-type]
    assert [j.p for j in Judge.beside(judged, 0.2, 0.0)] == [0.99, 0.5, 0.3]
    assert [j.p for j in Judge.beside(judged, 0.2, 0.45)] == [0.99, 0.5]
    assert [j.p for j in Judge.beside(judged, 0.2, 0.9)] == [0.99]
    assert Judge.beside([Judged(None, 0.1)], 0.2, 0.5) == []  # type: ignore[arg-type]
    assert Judge.beside([], 0.2, 0.5) == []


def test_evidence_never_counts_against_an_answer():
    """Each model keeps the direction the feature's meaning fixes, whatever the other features say:
    a name the paragraph says only helps, a name its paper never writes only hurts."""
    judged = load()
    rows = np.random.default_rng(0).uniform(0, 1, (200, 64))
    for model in (judged.units, judged.sentences, judged.gate, judged.about):
        x = rows[:, :len(model.features)].copy()
        for i, name in enumerate(model.features):
            if name not in SIGNS:
                continue
            low, high = x.copy(), x.copy()
            low[:, i], high[:, i] = 0.0, 1.0
            change = (model.predict(high) - model.predict(low)) * SIGNS[name]
            assert change.min() >= -1e-9, (name, change.min())


def test_the_right_paragraph_first_and_the_gate_tells_a_changed_detail(service):
    def judged(question):
        query = analyse(question, [], 2000)
        retrieval = Retriever(service.store, service.settings).search(query, service.settings.judge_candidates)
        return service.answerer.judged(query, retrieval)

    best, answered = judged("Who co-chaired the Hong Kong/Shenzhen Co-operation Meeting 2023?")
    assert best[0].hit.chunk.paragraph == "5" and best[0].p > 0.5
    assert [j.p for j in best] == sorted((j.p for j in best), reverse=True)  # the model's order, no rule over it
    assert "Qin Weizhong" in best[0].text[best[0].best().start:best[0].best().end]
    _, kunming = judged("Who co-chaired the Hong Kong/Shenzhen Co-operation Meeting 2019?")
    assert kunming < service.answerer.judge.thresholds.answer <= answered


@pytest.fixture(scope="module")
def fixtures_library(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("fixtures") / "corpus"
    corpus.mkdir()
    for folder in FIXTURES:
        for f in folder.iterdir():
            if f.is_file():
                shutil.copy(f, corpus / f.name)
    qa = QA(Settings(index_dir=corpus.parent / "index", corpus_dir=corpus))
    qa.index()
    return qa


def test_questions_written_by_others_about_this_repository_s_papers(fixtures_library):
    """The generated development questions whose papers ship with the repository (the paper, its
    Chinese version, a Chinese-only note, a later plenary, a yearly series), asked of them together."""
    docs = {r.doc for r in fixtures_library.list_documents()}
    rows = [json.loads(line) for line in (GENERATED / "dev.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = [q for q in rows if q["doc"] in docs]
    assert len(rows) >= 150
    first, refused, abstained, facts = [], [], [], []
    for q in rows:
        answer = fixtures_library.ask(q["question"], q["history"])
        if not q["gold"]:
            abstained.append(answer.abstained)
            continue
        refused.append(answer.abstained)
        text = answer.answer.lower()
        facts.append(np.mean([any(f.lower() in text for f in alts) for alts in q["facts"]]) if not answer.abstained else 0)
        if q["type"] != "list" and answer.citations:
            c = answer.citations[0]
            first.append(q["doc"] in (c.doc, (c.other or {}).get("doc")) and c.paragraph in q["gold"])
    assert np.mean(first) >= 0.75, np.mean(first)
    assert np.mean(refused) <= 0.12, np.mean(refused)
    assert np.mean(abstained) >= 0.75, np.mean(abstained)
    assert np.mean(facts) >= 0.5, np.mean(facts)

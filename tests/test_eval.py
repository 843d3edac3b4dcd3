"""Quality gates on the question sets shipped in tests/data: the project's own questions, kept as
regression tests. What a change is judged by is the generated set's test split (bench/bench_questions.py);
tests/test_judge.py asks its questions about the papers this repository holds."""

import pytest

from qa.evaluate import load_questions, run, summarise

from conftest import DATA


@pytest.fixture(scope="module")
def dev(service):
    return {row["type"]: row for row in summarise(run(service, load_questions(DATA / "dev.jsonl")))}


def test_english_questions_hit_the_right_paragraph_first(dev):
    for kind in ("fact", "paraphrase", "followup"):
        assert dev[kind]["hit@1"] >= 0.8, (kind, dev[kind])
    assert dev["multi"]["hit@3"] >= 0.8 and dev["multi"]["coverage"] >= 0.8, dev["multi"]
    english = [dev[k] for k in ("fact", "paraphrase", "multi", "followup")]
    assert sum(r["hit@1"] * r["n"] for r in english) / sum(r["n"] for r in english) >= 0.9


def test_chinese_questions_hit_the_right_paragraph_first(dev):
    assert dev["zh"]["hit@1"] >= 0.8


def test_abstains_when_the_paper_does_not_say_without_refusing_answerable_ones(dev):
    # two of these five name nothing the paper says (the GDP of Chongqing, a marathon); the others
    # ask for a kind of detail the paper never gives about a subject it names ("How many civil
    # servants work in the Mainland Offices?"), which only the question's kind tells, and the kind
    # read by patterns never refuses an answer on its own (bench/train_judge.py: TYPED_SWING)
    assert dev["unanswerable"]["abstain"] >= 0.4
    assert dev["ALL"]["false_refusal"] <= 0.05


def test_held_out_questions(service):
    table = {row["type"]: row for row in summarise(run(service, load_questions(DATA / "heldout.jsonl")))}
    assert table["ALL"]["hit@3"] >= 0.9
    assert table["ALL"]["false_refusal"] <= 0.1


@pytest.fixture(scope="module")
def answers(service):
    rows = run(service, load_questions(DATA / "answers.jsonl"))
    return {row["type"]: row for row in summarise(rows)}


def test_near_misses_lists_and_short_answers(answers):
    # these near misses mostly ask for a detail the paper never gives about a subject it names
    # ("How many staff work in the Mainland Offices?"), which only the question's kind tells, and
    # the kind read by patterns never refuses an answer on its own; the judge is calibrated on
    # questions about another place, year or figure, which it abstains on far more often
    # (bench/bench_questions.py); the gate puts most of these a hair either side of its threshold
    # ("How many staff work in the Mainland Offices?": 0.474 against 0.47), so retraining moves them
    assert answers["nearmiss"]["abstain"] >= 0.1
    assert answers["list"]["hit@3"] >= 0.7 and answers["list"]["coverage"] >= 0.8
    assert answers["ALL"]["false_refusal"] <= 0.1
    assert answers["ALL"]["words_p50"] <= 60 and answers["ALL"]["lead_p50"] <= 25

"""Which paragraphs reach the answer judge (qa/retrieve.py)."""

from __future__ import annotations

import pytest

from qa.chunk import chunk_document, units_of
from qa.config import Settings
from qa.ingest import load
from qa.lexical import Lexical
from qa.models import Chunk
from qa.query import analyse
from qa.retrieve import Retriever

from conftest import DATA

NOTE = DATA / "chinese" / "panel-ca-2024-07-15-civil-service-exchange-zh.txt"
NOTE_ID = "civil-service-exchange-zh"


def library(on_subject: int, others: int) -> Lexical:
    """The Chinese note's numbered paragraphs among English notes in the question's own words and
    many on other subjects (so that its words are rare in the library, as in a real one)."""
    units: dict[str, Chunk] = {}

    def add(doc: str, number: str, text: str) -> None:
        chunk = Chunk(doc, number, "", (), text, 0, len(text))
        units[chunk.unit] = chunk

    note = load(NOTE, NOTE_ID)
    units.update(units_of(chunk_document(note)))
    for i in range(on_subject):
        add(f"secondment-{i:03d}", "1", f"Civil servants on long-term secondment to the Mainland under scheme {i} "
                                         "attended briefings; the secondment lasts as the bureau decides.")
    for i in range(others):
        add(f"harbour-{i:03d}", "1", f"The harbour ferry pier {i} was repaired; fares on route {i} are reviewed.")
    docs = {u.doc_id for u in units.values()}
    return Lexical(units, languages={d: "zh" if d == NOTE_ID else "en" for d in docs})


@pytest.mark.parametrize("weight, reached", [(1.0, True), (0.0, False)])
def test_an_english_question_reaches_a_chinese_paper_among_english_ones(weight, reached):
    """An English question matches a Chinese paper only through its words' dictionary renderings,
    which weigh less than its own: with many English paragraphs in its own words, the Chinese
    paragraph that answers it ("長期借調：為期三至六個月") reaches the judge only through a
    ranking of the Chinese papers apart. (Words alone: the multilingual model seldom finds a
    Chinese paragraph for an English question in a large library.)"""
    lex = library(40, 400)
    settings = Settings(embed_models=[], cross_language_weight=weight)
    query = analyse("How long does a long-term secondment of civil servants to the Mainland last?", [], 500,
                    chinese_papers=lex.chinese)
    hits = Retriever(None, settings).search(query, 20, lexical=lex).hits  # type: ignore[arg-type]
    found = [(h.chunk.doc_id, h.chunk.paragraph) for h in hits]
    assert ((NOTE_ID, "3") in found) is reached, found


@pytest.mark.parametrize("weight, reached", [(0.5, True), (0.0, False)])
def test_a_paper_named_by_its_year_is_searched_apart(weight, reached):
    """Of a series of yearly reports that each state the same kinds of figure, "the 2013 report"
    is the one dated 2013: its own best paragraphs reach the judge, however much better its
    siblings match the question's words."""
    units: dict[str, Chunk] = {}
    for year in range(1980, 2020):
        text = ("Jobs in towns rose by 13 million." if year == 2013 else
                f"New urban jobs were added, {year - 1960} million new urban jobs in all, as the report says.")
        chunk = Chunk(f"work-report-{year}", "1", "", (), text, 0, len(text), date=f"{year}-03-05")
        units[chunk.unit] = chunk
    lex = Lexical(units, languages={u.doc_id: "en" for u in units.values()})
    query = analyse("In the 2013 report, how many new urban jobs were added?", [], 500)
    assert query.paper_year == "2013"
    hits = Retriever(None, Settings(embed_models=[], named_paper_weight=weight)).search(  # type: ignore[arg-type]
        query, 20, lexical=lex).hits
    assert ("work-report-2013" in {h.chunk.doc_id for h in hits}) is reached

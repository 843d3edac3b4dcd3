"""The LangChain retriever over the same index: documents, their citation metadata, the API's scope
filters, and a chain that keeps the markers."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from qa.cite import cited_paragraphs
from qa.config import get_settings
from qa.integrations.langchain import LegcoRetriever, passages
from qa.service import QuestionError

from conftest import CORPUS, DOC

OFFICES = "How many Mainland Offices does the HKSAR Government have?"


def test_the_paper_s_paragraph_3_comes_first_with_its_marker(index_dir, monkeypatch):
    monkeypatch.setenv("QA_INDEX_DIR", str(index_dir))  # the library the QA_* settings name, as a user has it
    monkeypatch.setenv("QA_CORPUS_DIR", str(CORPUS))
    get_settings.cache_clear()
    try:
        retriever = LegcoRetriever()
        docs = retriever.invoke(OFFICES)
    finally:
        get_settings.cache_clear()
    assert isinstance(retriever, BaseRetriever) and len(docs) == 5 and all(isinstance(d, Document) for d in docs)
    first = docs[0]
    assert first.metadata["paragraph"] == "3" and first.metadata["marker"] == "[¶3]"
    assert "five Mainland Offices" in first.page_content
    assert {"doc", "title", "date", "paragraph", "label", "marker", "score", "url"} <= set(first.metadata)
    assert (first.metadata["doc"], first.metadata["date"], first.metadata["url"]) == (DOC, "2024-05-20", "")
    assert first.metadata["title"] == "Strengthening Regional Co-operation with the Mainland"
    assert [d.metadata["score"] for d in docs] == sorted((d.metadata["score"] for d in docs), reverse=True)


def test_scope_filters_are_the_api_s(service):
    assert len(LegcoRetriever(service=service, k=2, documents=[DOC], since="2024", until="2024-05").invoke(OFFICES)) == 2
    with pytest.raises(QuestionError, match="no indexed paper is dated from 2025"):
        LegcoRetriever(service=service, since="2025").invoke(OFFICES)
    with pytest.raises(QuestionError, match="no document 'nope' is indexed"):
        LegcoRetriever(service=service, documents=["nope"]).invoke(OFFICES)
    with pytest.raises(QuestionError, match="not a date"):
        LegcoRetriever(service=service, until="May 2024").invoke(OFFICES)


def test_a_chain_shows_the_model_the_markers_to_cite(service):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnablePassthrough

    retriever = LegcoRetriever(service=service, k=3)
    prompt = ChatPromptTemplate.from_messages([
        ("system", "Answer only from these passages. After each sentence, copy the marker of the passage it "
                   "comes from, such as [¶3].\n\n{passages}"),
        ("human", "{question}")])
    shown = ({"passages": retriever | passages, "question": RunnablePassthrough()} | prompt).invoke(OFFICES)
    text = shown.to_messages()[0].content
    assert text.count("\n[¶") == 3 and "[¶3] (Strengthening Regional Co-operation with the Mainland, 2024-05-20)\n" \
        "In addition, Hong Kong" in text
    model = FakeListChatModel(responses=["The HKSAR Government has five Mainland Offices [¶3]."])
    chain = {"passages": retriever | passages, "question": RunnablePassthrough()} | prompt | model | StrOutputParser()
    answer = chain.invoke(OFFICES)
    given = {d.metadata["paragraph"] for d in retriever.invoke(OFFICES)}
    assert [p for _, p in cited_paragraphs(answer)] == ["3"] and "3" in given

"""A LangChain retriever over the same index the app serves: `LegcoRetriever().invoke(question)`
gives the best paragraphs as `Document`s, each with the marker that cites it (`[¶3]`, or
`[2024-05-20 ¶3]` beside other papers, as `qa.cite` writes them), so a chain's model can cite as
this library's own answers do, and a reader can find each citation with `/read/<doc>`.

    from qa.integrations.langchain import LegcoRetriever, passages
    retriever = LegcoRetriever(k=5, since="2024")
    chain = {"passages": retriever | passages, "question": RunnablePassthrough()} | prompt | model

Scope filters are the API's: `documents` (ids), `since`, `until` (YYYY[-MM[-DD]]) and `language`."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field, PrivateAttr

from ..service import QA


class LegcoRetriever(BaseRetriever):
    """The best citable paragraphs for a question, best first."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    service: QA | None = Field(None, description="the library (default: the one QA_* settings name)")
    k: int = Field(5, ge=1, le=50, description="paragraphs per question")
    documents: list[str] | None = Field(None, description="search only these document ids")
    since: str = Field("", description="papers dated from (YYYY, YYYY-MM or YYYY-MM-DD)")
    until: str = Field("", description="papers dated until, inclusive")
    language: str = Field("", description="papers written in this language: en or zh")
    _default: QA | None = PrivateAttr(None)

    def library(self) -> QA:
        if self.service is not None:
            return self.service
        if self._default is None:
            self._default = QA()
        return self._default

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        qa = self.library()
        hits = qa.search(query, self.k, scope=self.documents, since=self.since, until=self.until,
                         language=self.language)
        urls = {doc: r.url for doc, r in qa.store.docs().items()} if hits else {}
        return [Document(page_content=str(h["text"]), metadata=metadata(h, urls.get(str(h["doc"]), "")))
                for h in hits]


def metadata(hit: dict[str, Any], url: str) -> dict[str, Any]:
    """What a chain needs to cite a paragraph and a reader to find it."""
    keys = ("doc", "title", "date", "paragraph", "part", "label", "heading", "marker", "score")
    return {**{k: hit.get(k, "") for k in keys}, "url": url}


def passages(docs: list[Document]) -> str:
    """The retrieved paragraphs as a prompt shows them, each led by its marker, which the model is
    asked to copy after what it takes from that paragraph."""
    return "\n\n".join(f"{d.metadata['marker']} ({', '.join(x for x in (d.metadata['title'], d.metadata['date']) if x)})"
                       f"\n{d.page_content}" for d in docs)

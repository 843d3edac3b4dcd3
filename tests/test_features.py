"""The judge's evidence, made on the real paper: what a count is of is weighed apart from the
names and figures a question gives."""

from qa.features import candidates, gate_row
from qa.query import analyse
from qa.retrieve import Retriever


def top_features(service, question: str) -> dict[str, float]:
    query = analyse(question, [], 2000)
    retrieval = Retriever(service.store, service.settings).search(query, service.settings.judge_candidates)
    found = candidates(query, retrieval, "e5-small")
    units = [u for _, u, _, _ in found]
    return {**units[0], **gate_row(units)}


def test_what_a_question_measures_is_its_own_evidence(service):
    staff = top_features(service, "How many staff work in the Mainland Offices?")
    assert staff["measure_missing"] == 1.0 and staff["top_measure_missing"] == 1.0
    assert staff["missing_in_paper"] == 0.0  # the paper names the offices: no name is missing
    offices = top_features(service, "How many Mainland Offices does the HKSAR Government have?")
    assert offices["measure_missing"] == 0.0
    # "how much": the paper gives no sum of money at all, whatever the question calls it
    assert top_features(service, "What is the annual budget of the Mainland Offices?")["measure_missing"] == 1.0


def test_a_missing_detail_is_weighed_by_how_closely_the_rest_follows_the_paragraph(service):
    kunming = top_features(service, "When was the PPRD Joint Conference held in Kunming?")
    assert kunming["missing_in_paper"] > 0
    assert kunming["top_missing_said"] + kunming["top_missing_unsaid"] == kunming["top_missing_in_paper"]
    assert kunming["top_missing_said"] > kunming["top_missing_unsaid"]  # otherwise in the paper's own words


def test_a_table_row_the_question_names_by_its_label():
    """"Kent's uplift" asks about Kent's row, not the paragraph that introduces the table."""
    from qa.chunk import chunk_document, units_of
    from qa.config import Settings
    from qa.ingest import load_bytes
    from qa.lexical import Lexical

    rows = "".join(f"<tr><td>{name}</td><td>{a:,}</td><td>{b:,}</td></tr>"
                   for name, a, b in [("Kent", 34058, 4300), ("Bedford", 3728, 470), ("Devon", 6663, 840)])
    html = ("<html><body><h1>Answer</h1><p>The tables below give the uplift in highways maintenance funding for each "
            "local authority in England.</p><table><tr><td>Local authority</td><td>Baseline (£000)</td>"
            f"<td>Uplift to 2033-34 (£000)</td></tr>{rows}</table></body></html>")
    lex = Lexical(units_of(chunk_document(load_bytes(html.encode(), "potholes.html"))), languages={"potholes": "en"})
    query = analyse("What is Kent's uplift in highways maintenance funding to 2033-34?", [], 500)
    retrieval = Retriever(None, Settings(embed_models=[])).search(query, 20, lexical=lex)  # type: ignore[arg-type]
    named = {hit.chunk.label or hit.chunk.paragraph: u["label_named"] for hit, u, _, _ in candidates(query, retrieval, None)}
    assert named["Kent"] == 1.0 and named["Bedford"] == 0.0 and named["1"] == 0.0, named

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

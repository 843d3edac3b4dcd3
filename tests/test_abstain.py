"""What an abstention says: "the paper does not say", or a near miss in the question's own words."""

import pytest

from qa.abstain import ABSTAIN, clause, not_said


@pytest.mark.parametrize("question,turned", [
    ("How many staff work in the Mainland Offices?", "how many staff work in the Mainland Offices"),
    ("Who is the chair of the panel?", "who the chair of the panel is"),
    ("When was the PPRD Joint Conference held in Kunming?", "when the PPRD Joint Conference was held in Kunming"),
    ("How many agreements were signed with Anhui?", "how many agreements were signed with Anhui"),
    ("How many offices are there in Europe?", "how many offices there are in Europe"),
    ("Are there any plans to open an office in Chengdu?", "whether there are any plans to open an office in Chengdu"),
    ("According to the paper, what was the GDP of Chongqing in 2023?", "what the GDP of Chongqing in 2023 was"),
    ("What is being done to improve the data?", "what is being done to improve the data"),
    ("Please tell me who leads the Steering Group?", "who leads the Steering Group"),
])
def test_a_question_becomes_the_clause_the_papers_do_not_say(question, turned):
    assert clause(question) == turned


def test_a_question_that_does_not_turn_is_quoted_never_misread():
    assert clause("When did the Commission sign the deal?") == ""
    assert not_said("When did the Commission sign the deal?", "en") == "answer “When did the Commission sign the deal?”"
    assert not_said("How soon can a recruit leave?", "en").startswith("answer “")
    assert not_said("下一次會議何時舉行？", "zh") == "「下一次會議何時舉行」"


def test_plain_abstentions_say_so_in_the_question_s_language(service):
    answer = service.ask("What was the 2019 turnover of the Hong Kong Jockey Club?")
    assert answer.abstained and answer.answer == ABSTAIN["en"] and not answer.nearby

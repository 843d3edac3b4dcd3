import pytest

from qa.models import Turn
from qa.query import QuestionError, analyse, clean, parts


@pytest.mark.parametrize("bad,reason", [
    ("", "empty"), ("   \n\t ", "empty"), ("x" * 3000, "too long"), ("?!?", "no words"),
    ("Какая дата встречи?", "English or Chinese"),
])
def test_bad_questions_get_a_clear_reason(bad, reason):
    with pytest.raises(QuestionError, match=reason):
        clean(bad, 2000)


def test_control_characters_are_removed():
    assert clean("When\x00 was\x1b the\u202e meeting?", 2000) == "When was the meeting?"


def test_followups_use_the_conversation():
    history = [Turn("user", "When was the Hong Kong/Fujian Co-operation Conference held?"),
               Turn("assistant", "On 28 June 2023 [¶8].")]
    q = analyse("Who led the delegation from that province?", history, 2000)
    assert q.followup and q.focus == [("", "8")]
    assert "fujian" in q.context_terms
    standalone = analyse("Who is the Mayor of Beijing?", history, 2000)
    assert not standalone.followup


@pytest.mark.parametrize("question,first,second", [
    ("How many mechanisms are there, and which was the latest?", "How many mechanisms are there?",
     "Which was the latest?"),
    ("When was the PPRD Joint Conference held? Who led the Hong Kong delegation?",
     "When was the PPRD Joint Conference held?", "Who led the Hong Kong delegation?"),
    ("深港合作會議2023在何時舉行？由誰主持？", "深港合作會議2023在何時舉行?", "由誰主持?"),
    ("閩港合作會議第四次會議達成多少項合作事項，以及涵蓋哪些範疇？", "閩港合作會議第四次會議達成多少項合作事項?",
     "涵蓋哪些範疇?"),
    # the second ask led by a preposition, or asking yes or no
    ("When did the two sides meet, and across how many areas did they agree?", "When did the two sides meet?",
     "Across how many areas did they agree?"),
    ("How much do councils receive, and are they restricted in how they spend it?", "How much do councils receive?",
     "Are they restricted in how they spend it?"),
    # a question word on each side of a pause
    ("閩港第四次會議同意喺幾多個範疇、合共幾多項事項推進合作？", "閩港第四次會議同意喺幾多個範疇?", "合共幾多項事項推進合作?"),
])
def test_a_question_that_asks_two_things_is_read_as_two_asks(question, first, second):
    asks = parts(analyse(question, [], 2000), 2000)
    assert [a.question for a in asks] == [first, second]
    if not asks[1].names or asks[1].lang == "zh":  # an ask that names nothing is read with the first
        assert asks[1].context_terms


def test_one_ask_stays_one():
    for question in ("Which meetings were held in Hong Kong and Guangdong?", "香港與廣東以及深圳的合作涵蓋哪些範疇？",
                     "How many items and areas were agreed with Chongqing?", "北京、上海和廣州各有幾多個辦事處？",
                     "How many teams do the Active Army and the Army National Guard each have?",
                     "What did the Secretary of State for Education and Skills announce?"):
        assert len(parts(analyse(question, [], 2000), 2000)) == 1


def test_an_ask_that_names_nothing_shares_the_first_ask_s_names_and_figures():
    from qa.details import details_of

    first, second = parts(analyse("粵港合作聯席會議第二十二次會議在何時舉行？簽了幾多份合作文件？", [], 2000), 2000)
    assert second.question.startswith("簽了幾多份合作文件") and "第二十二次" in second.given_text
    assert any(d.ordinal == "22" for d in details_of(second, chinese_paper=False))  # the 22nd, not any plenary
    assert second.name_groups == first.name_groups and second.zh_names == first.zh_names
    # an ask with names of its own is about them alone
    first, second = parts(analyse("When was the 23rd Plenary held, and who chaired the Hong Kong/Fujian conference?",
                                  [], 2000), 2000)
    assert not second.subject and "23" not in second.given_text

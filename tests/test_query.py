import pytest

from qa.models import Turn
from qa.query import QuestionError, analyse, clean, cited_paragraphs


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


def test_cited_paragraphs_are_read_from_answers():
    assert cited_paragraphs("A [¶5] and B [¶13 Legal co-operation] and [Paper 2024-05-20 ¶7].") == [
        ("", "5"), ("", "13"), ("Paper 2024-05-20", "7")]

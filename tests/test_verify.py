"""Citation checks for generated answers, on claims about the real paper against the real index."""

import pytest

from qa.cite import marker
from qa.retrieve import Retriever
from qa.query import analyse
from qa.verify import Verifier, numbers, split_claims


def test_claims_take_the_markers_that_follow_them():
    claims = split_claims("The CE went to Guiyang [¶9]. He met PPRD members. They agreed [¶9][¶10]. Thanks.")
    assert [(c.text, [r[1] for r in c.refs]) for c in claims] == [
        ("The CE went to Guiyang", ["9"]), ("He met PPRD members.", ["9"]), ("They agreed", ["9", "10"]),
        ("Thanks.", [])]
    zh = split_claims("行政長官率團到貴陽【¶9】。雙方同意三個議題（¶10）")
    assert [(c.text, [r[1] for r in c.refs]) for c in zh] == [("行政長官率團到貴陽", ["9"]), ("雙方同意三個議題", ["10"])]
    labelled = split_claims("They signed it [2024-05-20 ¶5, ¶6].")
    assert labelled[0].refs == [("2024-05-20", "5", ""), ("", "6", "")]
    # a label of several words: the Chinese version of a paper, a part of one
    assert split_claims("五個 [2024-05-20 中文 ¶3]")[0].refs == [("2024-05-20 中文", "3", "")]
    assert split_claims("It [2024-05-20 Annex A ¶1].")[0].refs == [("2024-05-20 Annex A", "1", "")]
    assert split_claims("It [IF12929.2 ¶8].")[0].refs == [("IF12929.2", "8", "")]


@pytest.mark.parametrize("text,expected", [
    ("twenty-three officials on 7 July 2023", {"23", "7", "july", "2023"}),
    ("one of the five offices", {"5"}),
    ("2023年3月21日舉行，共二十三項", {"2023", "march", "21", "23"}),
    ("HK$1,200 million", {"1200"}),
])
def test_numbers_agree_across_spellings(text, expected):
    assert numbers(text) == expected


@pytest.fixture()
def check(service):
    """Verify an answer against the passages retrieval gives for a question, as the generator does."""
    def run(question: str, answer: str):
        retrieval = Retriever(service.store, service.settings).search(analyse(question, [], 2000),
                                                                      service.settings.judge_candidates)
        units = [h.chunk for h in retrieval.hits]
        verifier = Verifier(service.settings, retrieval.lexical, service.similarity())
        return verifier.verify(answer, units, lambda c: marker(retrieval.lexical, c), retrieval.lexical.labels)
    return run


def test_a_true_claim_with_the_right_citation_is_verified(check):
    result = check("How many Mainland Offices does the HKSAR Government have?",
                   "The HKSAR Government has five Mainland Offices [¶3].")
    assert [c.status for c in result.checks] == ["verified"]
    assert result.text == "The HKSAR Government has five Mainland Offices [¶3]"
    assert result.citations[0].paragraph == "3" and "five Mainland Offices" in result.citations[0].quote


def test_a_wrong_citation_is_moved_to_the_paragraph_that_says_it(check):
    result = check("Who was the Governor of Guangdong Province at the 23rd Plenary?",
                   "The Governor of Guangdong, Mr Wang Weizhong, co-chaired the 23rd Plenary [¶9].")
    assert [(c.status, c.cited, c.paragraph) for c in result.checks] == [("recited", ["9"], "6")]
    assert result.text.endswith("[¶6]") and [c.paragraph for c in result.citations] == ["6"]


def test_a_figure_in_digits_is_supported_by_a_paragraph_that_writes_it_in_words(check):
    """What the bundled model wrote: 5 for "five", and a paragraph number it was never shown."""
    result = check("香港有多少個駐內地辦事處？", "香港有5個駐內地辦事處。[¶41]")
    assert [(c.status, c.paragraph) for c in result.checks] == [("recited", "3")]
    assert result.text == "香港有5個駐內地辦事處。[¶3]"
    wrong = check("香港有多少個駐內地辦事處？", "香港有6個駐內地辦事處。[¶3]")
    assert [c.status for c in wrong.checks] == ["unsupported"]


def test_a_wrong_number_or_an_invented_fact_is_dropped(check):
    result = check("How many co-operation items and areas were agreed with Chongqing?",
                   "Hong Kong and Chongqing agreed 52 items in 11 areas [¶7]. "
                   "They also opened a joint space programme on Mars [¶7]. "
                   "The agreement covers 47 items in 11 co-operation areas [¶7].")
    statuses = [(c.status, c.reason.split(" not in")[0]) for c in result.checks]
    assert statuses[0] == ("unsupported", "52") and statuses[1][0] == "unsupported"
    assert statuses[2][0] == "verified"
    assert "52" not in result.text and "Mars" not in result.text and result.kept == 1


def test_a_number_must_count_the_same_thing(check):
    """¶3 says "the five Mainland Offices"; it gives no number of mechanisms."""
    result = check("How many regional co-operation mechanisms does Hong Kong have?",
                   "Hong Kong has five regional co-operation mechanisms with the Mainland [¶3].")
    assert result.checks[0].status == "unsupported" and not result.text
    offices = check("How many Mainland Offices does the HKSAR Government have?",
                    "The HKSAR Government has five Mainland Offices and 11 Liaison Units [¶3].")
    assert offices.checks[0].status == "verified"


def test_a_claim_that_denies_what_the_paragraph_says_is_dropped(check):
    """¶3 says the offices "stay in close touch"; it never says there are none of them."""
    result = check("How many Mainland Offices does the HKSAR Government have?",
                   "Hong Kong has no Mainland Offices at all [¶3]. There are five Mainland Offices [¶3].")
    assert [c.status for c in result.checks] == ["unsupported", "verified"]
    assert "no Mainland Offices" not in result.text


def test_a_year_only_the_paper_s_date_gives_is_not_stated_by_the_paragraph(check):
    """The paper is dated 20 May 2024; ¶3 names no year, so "in 2024" is the claim's own."""
    result = check("How many Mainland Offices does the HKSAR Government have?",
                   "The Mainland Offices were opened in 2024 [¶3].")
    assert result.checks[0].status == "unsupported" and "2024" in result.checks[0].reason


def test_a_chinese_claim_is_checked_through_the_dictionary(check):
    result = check("閩港合作會議第四次全體會議達成了多少項合作事項？",
                   "閩港合作會議第四次全體會議於2023年6月28日舉行，雙方達成21項合作事項。[¶8]")
    assert [(c.status, c.paragraph) for c in result.checks] == [("verified", "8")]
    items = check("閩港合作會議第四次全體會議達成了多少項合作事項？", "雙方達成21項合作事項。[¶8]")
    assert "21 items" in items.citations[0].quote  # the sentence highlighted is the one with the number
    wrong = check("閩港合作會議第四次全體會議達成了多少項合作事項？", "閩港合作會議達成了35項合作事項。[¶8]")
    assert wrong.checks[0].status == "unsupported" and not wrong.text


def test_the_extractive_answers_pass_the_check(service, check):
    """The checker must accept verbatim quotes: otherwise it is the checker that is wrong."""
    for question in ["Which areas does legal co-operation cover?",
                     "When was the PPRD Joint Conference held in Guiyang?",
                     "What did Hong Kong and Shanghai agree in April 2024?"]:
        answer = service.ask(question, generate=False)
        result = check(question, answer.answer)
        assert result.checks and all(c.status == "verified" for c in result.checks), result.checks
        assert {c.paragraph for c in result.citations} == {c.paragraph for c in answer.citations}


def test_a_chinese_claim_is_checked_in_chinese_against_a_chinese_paragraph(service):
    from qa.lexical import Lexical
    from qa.models import Chunk

    text = "在地區層面，香港特區政府的五個駐內地辦事處和11個聯絡處與各省、市及自治區政府保持緊密聯繫。"
    unit = Chunk("zh-paper", "3", "", (), text, 0, len(text))
    others = [Chunk("zh-paper", str(n), "", (), t, 0, len(t)) for n, t in
              [(5, "政務司司長與深圳市市長於2023年2月22日在香港共同主持深港合作會議。"),
               (8, "雙方同意在十個範疇共21項事項上推進合作，並簽署了三份合作協議。")]]
    verifier = Verifier(service.settings, Lexical({c.unit: c for c in [unit, *others]}), None)
    assert verifier.check(text, unit, 0.0)[0]  # a verbatim quote holds
    # a claim in other words, as close in meaning as the dense model finds it
    assert verifier.check("香港有11個聯絡處。", unit, 0.9)[0]
    assert not verifier.check("香港有12個聯絡處。", unit, 0.9)[0]
    assert not verifier.check("香港有11個駐內地辦事處。", unit, 0.9)[0]  # 11 counts the liaison units
    assert verifier.check("11個", unit, 0.0)[0]  # a quoted lead: a figure and its measure word alone
    assert not verifier.check("12個", unit, 0.0)[0]

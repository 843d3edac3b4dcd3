"""List and comparison answers over the real index: every qualifying paragraph, the condition
applied, date order, each item cited."""

from test_answer import check_citations


def paragraphs(answer):
    return [c.paragraph for c in answer.citations]


def test_a_condition_on_place_keeps_only_the_meetings_it_fits(service):
    answer = service.ask("Which meetings were held outside Hong Kong?")
    assert paragraphs(answer) == ["7", "9"]  # Chongqing, then Guiyang: in date order
    assert [i.date for i in answer.items] == ["11 May 2023", "7 July 2023"]
    assert answer.answer.count("\n- ") == 2 and "Guiyang" in answer.answer
    check_citations(answer)
    inside = service.ask("Which meetings were held in Hong Kong?")
    assert paragraphs(inside) == ["5", "6", "8", "10", "11"]


def test_a_person_named_by_office_or_by_its_abbreviation(service):
    # ¶7, ¶9, ¶10 say "the CE"; ¶5 and ¶8 were the Chief Secretary ("the CS")
    assert paragraphs(service.ask("Which meetings did the Chief Executive attend?")) == ["6", "7", "9", "10", "11"]
    assert paragraphs(service.ask("Which meetings did the Chief Secretary attend?")) == ["5", "8"]
    assert paragraphs(service.ask("行政長官出席了哪些會議？")) == ["6", "7", "9", "10", "11"]


def test_a_topic_must_be_what_the_agreements_cover(service):
    # ¶6 agreed to co-operate on education, but its five documents cover other areas
    answer = service.ask("Which co-operation agreements or documents covered education?")
    assert sorted(paragraphs(answer), key=int) == ["5", "8", "10", "12"]
    check_citations(answer)


def test_a_year_selects_by_the_meetings_date(service):
    answer = service.ask("Which meetings were held in 2023?")
    assert paragraphs(answer) == ["5", "6", "7", "8", "9", "10"]
    assert all("2023" in i.date for i in answer.items)


def test_a_comparison_names_the_winner_and_the_figures(service):
    most = service.ask("Which plenary agreed the most items?")
    assert most.lead == "Hong Kong/Shanghai Co-operation Conference: 65 items"
    assert [i.value for i in most.items] == ["65 items", "47 items", "23 items", "21 items"]
    fewest = service.ask("Which meeting had the fewest co-operation items?")
    assert fewest.citations[0].paragraph == "8" and "21 items" in fewest.lead


def test_the_json_carries_the_list_as_data(service):
    data = service.ask("Which meetings were held outside Hong Kong?").to_json()
    assert data["lead"] and [i["marker"] for i in data["items"]] == ["[¶7]", "[¶9]"]
    assert all(set(i) >= {"name", "quote", "marker", "date"} for i in data["items"])


def test_a_question_that_asks_two_things_answers_both(service):
    answer = service.ask("How many items were agreed with Shanghai, and which meeting had the fewest items?")
    assert not answer.abstained and "65 items" in answer.answer and "21 items" in answer.answer
    assert {"11", "8"} <= set(paragraphs(answer))


def test_latest_and_in_total(service):
    latest = service.ask("What was the latest plenary?")
    assert latest.citations[0].paragraph == "11" and "26 April 2024" in latest.lead
    total = service.ask("How many co-operation items were agreed in total?")
    assert total.lead.startswith("156 in all")  # 47 + 21 + 23 + 65, each figure listed and cited
    assert [i.value for i in total.items] == ["47 items", "21 items", "23 items", "65 items"]
    check_citations(total)

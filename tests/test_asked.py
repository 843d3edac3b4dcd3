"""What kind of thing a question asks for, and where a sentence gives one (no index needed). These
are evidence for the answer judge and the answer's lead, never a reason to refuse on their own."""

import pytest

from qa.asked import Asked, ask_of, has_kind, span, writes_a_sum
from qa.query import analyse


def asked(question: str) -> Asked:
    return analyse(question, [], 2000).asked


@pytest.mark.parametrize("question,kind,target", [
    ("How many staff work in the Mainland Offices?", "count", ("staff",)),
    ("What is the budget of the Northern Metropolis development?", "money", ("budget",)),
    ("How much money was invested in Qianhai in 2023?", "money", ("money",)),
    ("When was the PPRD Joint Conference held?", "date", ()),
    ("In which year was the scheme launched?", "date", ()),
    ("How long did the meeting last?", "duration", ()),
    ("Who is the Mayor of Beijing?", "person", ()),
    ("Where was the Fifth Plenary Session held?", "place", ()),
    ("What share of farm bill spending goes to nutrition?", "share", ()),
    ("How often does the Steering Group meet?", "frequency", ()),
    ("What time did the plenary start?", "time", ()),
    ("How much trade was there with Zhejiang?", "quantity", ("trade",)),
    ("What does legal co-operation include?", "other", ()),
    # a sum is asked for when the asking words name one, not when a money word is only about
    ("What was the total cost of the new terminal?", "money", ("cost",)),
    ("Which bill would withhold federal money from such states?", "other", ()),
    ("Since what date have seasonal workers been paid for 32 hours a week?", "date", ()),
])
def test_the_kind_of_thing_a_question_asks_for(question, kind, target):
    a = ask_of(question)
    assert (a.kind, a.target) == (kind, target)


def test_the_future_and_the_newest_or_oldest_are_read():
    assert ask_of("When will the next Hong Kong/Macao meeting take place?").future
    assert ask_of("What was the most recent plenary?").extreme == "latest"
    assert ask_of("When was the earliest meeting?").extreme == "first"
    assert asked("北部都會區發展的預算是多少？").kind == "money"
    assert asked("下一次港澳合作會議何時舉行？").kind == "date" and asked("下一次港澳合作會議何時舉行？").future
    assert asked("香港與上海達成了多少項合作共識？").zh_noun == "項合作共識"
    assert asked("深港合作會議由邊個主持？").kind == "person"


SENTENCE = ("At regional level, the five Mainland Offices and the 11 Liaison Units of the HKSAR Government "
            "stay in close touch with the governments of provinces.")


def answered(question: str, text: str, doc_date: str = "2024-05-20") -> str | None:
    query = analyse(question, [], 2000)
    found = span(query.asked, text, doc_date, frozenset(query.names) or frozenset(query.terms))
    return text[found[0]:found[1]] if found else None


def test_a_figure_is_read_with_what_it_counts():
    assert answered("How many Liaison Units does the HKSAR Government have?", SENTENCE) == "11 Liaison Units"
    assert answered("How many Mainland Offices are there?", SENTENCE) == "five Mainland Offices"
    assert answered("How many passengers used the Tai O pier?", "Pier: Tai O; Passengers: 12,000") == "12,000"
    areas = "They agreed to pursue 21 items covering ten areas."
    assert answered("How many areas were covered?", areas) == "ten areas"


def test_of_several_the_one_nearest_what_the_question_names():
    text = ("Hong Kong and Zhejiang also signed three co-operation agreements, covering education; "
            "the relevant departments of Hong Kong and Jiangsu also signed four co-operation agreements.")
    assert answered("How many co-operation agreements were signed with Jiangsu?", text) == "four co-operation agreements"
    assert answered("How many co-operation agreements were signed with Zhejiang?", text) == "three co-operation agreements"
    mayor = "The CE, Mr John Lee, and the Mayor of Beijing, Mr Yin Yong, signed the memorandum."
    assert answered("Who is the Mayor of Beijing?", mayor) == "Mr Yin Yong"


def test_dates_money_people_and_places():
    text = "The Mayor of Beijing, Mr Yin Yong, met in Guiyang, Guizhou on 7 July 2023."
    assert answered("When did they meet?", text) == "7 July 2023"
    assert answered("Where did they meet?", text) == "Guiyang, Guizhou"
    assert answered("What is the budget?", "The budget is HK$1.2 billion.") == "HK$1.2 billion"
    assert answered("What is the budget?", "The budget was discussed at length.") is None
    assert answered("When was the Hong Kong/Shenzhen Meeting 2023 held?", "It was held on 22 February 2023.") == \
        "22 February 2023"  # the fullest date, not the year of the meeting's name


def test_a_question_about_the_future_prefers_a_later_date():
    both = "The last meeting was held on 22 February 2023; the next will be held in March 2025."
    assert answered("When will the next meeting take place?", both) == "March 2025"
    past = ask_of("When will the next meeting take place?")
    assert not has_kind(past, "The meeting was held in Hong Kong on 22 February 2023.", "2024-05-20")
    assert has_kind(past, "The next meeting will be held in Beijing.", "2024-05-20")


def test_chinese_papers_state_answers_in_chinese():
    text = "兩地政府部門和法定機構亦簽署了三份合作協議，涵蓋文化、教育及經貿範疇。"
    assert answered("兩地政府部門簽署了多少份合作協議？", text) == "三份合作協議"
    meeting = "政務司司長與福建省常務副省長郭寧寧女士於二〇二三年六月二十八日在香港舉行第四次全體會議。"
    assert answered("第四次全體會議在哪天舉行？", meeting) == "二〇二三年六月二十八日"
    assert answered("第四次全體會議在哪裡舉行？", meeting) == "香港"
    assert answered("誰率領福建省代表團？", meeting) == "郭寧寧"
    assert answered("公务员学院举办了多少个国情培训班？", "公務員學院共舉辦42個國情培訓班。") == "42個國情培訓班"


def test_any_thing_of_the_kind_is_looser_than_a_span():
    """`has_kind` tells a paragraph that holds nothing of the kind asked for (no figure at all for
    "how many") from one that says it in words no pattern foresaw."""
    staff = ask_of("How many staff work in the Mainland Offices?")
    assert span(staff, SENTENCE) is None and has_kind(staff, SENTENCE)  # a figure, of something else
    assert not has_kind(staff, "The Offices keep in close touch with the provinces.")
    assert has_kind(ask_of("Who chairs the group?"), "It is chaired by the Chief Secretary.")
    assert has_kind(ask_of("What does legal co-operation include?"), "anything at all")  # no kind: always


def test_a_sum_of_money_is_found_however_it_is_written():
    for text in ["a budget of HK$500 million", "£2.1 million more", "撥款3億元", "US$40 billion"]:
        assert writes_a_sum(text), text
    for text in ["five Mainland Offices and 11 Liaison Units", "in 2023", "the funding was agreed"]:
        assert not writes_a_sum(text), text

"""What a question asks for, and whether a sentence states it (no index needed)."""

import pytest

from qa.asked import Asked, ask_of, role_held, span, which_span
from qa.query import analyse


def asked(question: str) -> Asked:
    return analyse(question, [], 2000).asked


@pytest.mark.parametrize("question,kind,target", [
    ("How many staff work in the Mainland Offices?", "count", ("staff",)),
    ("How many co-operation items and areas were agreed with Chongqing?", "count", ("item", "area")),
    ("What is the budget of the Northern Metropolis development?", "money", ("budget",)),
    ("How much money was invested in Qianhai in 2023?", "money", ("money",)),
    ("When was the PPRD Joint Conference held?", "date", ()),
    ("How long did the meeting last?", "duration", ()),
    ("Who is the Mayor of Beijing?", "person", ()),
    ("Where was the Fifth Plenary Session held?", "place", ()),
    ("What is the population of the Greater Bay Area?", "quantity", ("popul",)),
    ("What was the main theme of the Joint Conference?", "title", ()),
    ("What does legal co-operation include?", "other", ()),
    ("How often does the Steering Group meet?", "frequency", ()),
    ("What time did the plenary start?", "time", ()),
    ("Which university signed the agreement?", "entity", ("universiti",)),
    ("How much trade was there with Zhejiang?", "quantity", ("trade",)),
])
def test_the_kind_of_answer_a_question_needs(question, kind, target):
    a = ask_of(question)
    assert (a.kind, a.target) == (kind, target)


def test_future_roles_lists_and_comparisons_are_recognised():
    assert ask_of("When will the next Hong Kong/Macao meeting take place?").future
    assert ask_of("Who is the Mayor of Beijing?").role and not ask_of("Who chairs the Steering Group?").role
    assert ask_of("Which meetings were held outside Hong Kong?").listing == "meetings"
    assert ask_of("What are members invited to do?").listing == ""  # "are members" is no list
    most = ask_of("Which plenary agreed the most items?")
    assert (most.listing, most.extreme, most.measure) == ("plenary", "most", ("item",))


def test_chinese_questions_are_read_in_chinese():
    assert asked("北部都會區發展的預算是多少？").kind == "money"
    assert asked("下一次港澳合作會議何時舉行？").kind == "date" and asked("下一次港澳合作會議何時舉行？").future
    staff = asked("駐內地辦事處有多少名職員？")
    assert staff.kind == "count" and "offic" not in staff.target  # the staff, not the offices
    assert "item" in asked("香港與上海達成了多少項合作共識？").target  # 項: items
    assert asked("哪些會議在香港以外舉行？").listing == "meeting"
    # the thing counted may come before the question word
    assert asked("聯絡處有多少個？").zh_noun == "個聯絡處"
    text = "香港特區政府的五個駐內地辦事處和11個聯絡處與各省政府保持緊密聯繫。"
    assert answered("聯絡處有多少個？", text) == "11個聯絡處"
    assert answered("香港有多少個駐內地辦事處？", text) == "五個駐內地辦事處"
    assert answered("粵港合作聯席會議由誰主持？", "行政長官與廣東省省長王偉中先生共同主持會議。") == "王偉中"


SENTENCE = ("At regional level, the five Mainland Offices and the 11 Liaison Units of the HKSAR Government "
            "stay in close touch with the governments of provinces.")


def answered(question: str, text: str, doc_date: str = "2024-05-20") -> str | None:
    found = span(asked(question), text, doc_date, set(analyse(question, [], 2000).names))
    return text[found[0]:found[1]] if found else None


def test_a_number_answers_only_for_what_it_counts():
    assert answered("How many Liaison Units does the HKSAR Government have?", SENTENCE) == "11 Liaison Units"
    assert answered("How many Mainland Offices are there?", SENTENCE) == "five Mainland Offices"
    assert answered("How many staff work in the Mainland Offices?", SENTENCE) is None
    assert answered("How many people attended?", "between the people of the two places") is None
    both = "a total of 47 items covering 11 co-operation areas"
    assert answered("How many items and areas were agreed?", both) == "47 items covering 11 co-operation areas"


def test_of_several_numbers_the_one_about_what_the_question_names():
    text = ("Hong Kong and Zhejiang also signed three co-operation agreements, covering education; "
            "the relevant departments of Hong Kong and Jiangsu also signed four co-operation agreements.")
    assert answered("How many co-operation agreements were signed with Jiangsu?", text) == "four co-operation agreements"
    assert answered("How many co-operation agreements were signed with Zhejiang?", text) == "three co-operation agreements"


def test_dates_money_people_and_places():
    text = "The Mayor of Beijing, Mr Yin Yong, met in Guiyang, Guizhou on 7 July 2023."
    assert answered("When did they meet?", text) == "7 July 2023"
    assert answered("Who is the Mayor of Beijing?", text) == "Mr Yin Yong"
    assert answered("Where did they meet?", text) == "Guiyang, Guizhou"
    assert answered("Who is the Mayor of Shenzhen?", "the Mayor of Shenzhen attended") is None  # a role is no name
    assert answered("What is the budget?", "The budget is HK$1.2 billion.") == "HK$1.2 billion"
    assert answered("What is the budget?", "The budget was discussed at length.") is None
    assert answered("When was it set up?", "At the end of 2022, the group was set up.") == "the end of 2022"


def test_a_question_about_the_future_needs_a_later_date():
    past = "The meeting was held in Hong Kong on 22 February 2023."
    assert answered("When will the next meeting take place?", past) is None
    assert answered("When will the next meeting take place?", "The next meeting will be held in March 2025.") == "March 2025"


def test_chinese_papers_state_answers_in_chinese():
    text = "兩地政府部門和法定機構亦簽署了三份合作協議，涵蓋文化、教育及經貿範疇。"
    assert answered("兩地政府部門簽署了多少份合作協議？", text) == "三份合作協議"
    meeting = "政務司司長與福建省常務副省長郭寧寧於二〇二三年六月二十八日在香港舉行第四次全體會議。"
    assert answered("第四次全體會議在哪天舉行？", meeting) == "二〇二三年六月二十八日"
    assert answered("第四次全體會議在哪裡舉行？", meeting) == "香港"
    assert answered("兩地簽署了多少名職員？", text) is None


def test_chinese_counts_of_units_things_named_first_and_either_script():
    course = "參加者出發前須完成為期五天的國情培訓課程。公務員學院共舉辦42個國情培訓班。"
    assert answered("國情培訓課程為期多少天？", course) == "五天"  # a unit asked for itself: not "42個"
    assert answered("公务员学院举办了多少个国情培训班？", course) == "42個國情培訓班"  # asked in simplified
    quota = "公務員事務局計劃在2025-26年度把短期交流名額增至250個。"
    assert answered("短期交流名額會增至多少個？", quota) == "250個"  # the thing before its number
    assert answered("參加短期交流的有多少人？", "共有186名公務員參加短期交流。") == "186名"


def test_how_often_what_time_and_which_organisation_need_their_own_words():
    often, clock, university = ask_of("How often do they meet?"), ask_of("What time did it start?"), \
        ask_of("Which university signed it?")
    assert span(often, "The governments hold regular or irregular meetings.") is not None
    assert span(often, "The Steering Group co-ordinates policy at the top level.") is None
    assert span(clock, "The meeting opened at 9:30 a.m. in Guiyang.") is not None
    assert span(clock, "The meeting was held on 7 July 2023.") is None
    said = "The agreement was signed by the Hong Kong University of Science and Technology."
    assert said[slice(*span(university, said))] == "Hong Kong University"
    assert span(university, "Government departments and institutions signed four agreements.") is None


def test_a_number_of_other_things_is_no_amount():
    trade = ask_of("How much trade was there with Fujian?")
    assert span(trade, "They signed three co-operation agreements covering economic and trade matters.") is None
    assert span(trade, "Trade between the two places reached 5.2 billion dollars.") is not None
    assert span(trade, "Trade through the port was 5,000 tonnes.") is not None


def test_a_number_counts_the_noun_it_stands_by():
    areas = ask_of("How many areas were covered?")
    text = "They agreed to pursue 21 items covering ten areas."
    assert text[slice(*span(areas, text))] == "ten areas"


def test_the_office_asked_about_is_the_one_held():
    text = "the CS and the Executive Vice Governor of Fujian Province, Ms Guo Ningning, led the delegations"
    assert not role_held("Who is the Governor of Fujian Province?", text)
    assert role_held("Who is the Executive Vice Governor of Fujian Province?", text)
    both = "Deputy Director of the State Council office and Director of the Liaison Office, Mr Zheng Yanxiong"
    assert role_held("Who is the Director of the Liaison Office?", both)
    assert not role_held("Who is the Director of the Liaison Office?", "the Deputy Director of the Liaison Office")


def test_which_things_are_named_where_the_sentence_lists_them():
    text = "20 agreements were signed, covering the areas of legal exchanges, healthcare and culture."
    assert text[slice(*which_span("areas", text))] == "areas of legal exchanges, healthcare and culture"
    assert which_span("areas", "Agreements cover different co-operation areas with Zhejiang and Jiangsu.") is None


def test_a_table_row_answers_for_the_column_the_question_names():
    row = "Coventry North East Constituency; Pension Credit: 2,873; Basic State Pension: 10,083"
    people = ask_of("How many people receive Pension Credit in Coventry North East?")
    start, end = span(people, row)
    assert row[start:end] == "Pension Credit: 2,873"
    passengers = ask_of("How many passengers used the Tai O pier?")
    row = "Pier: Tai O; Passengers: 12,000"
    assert row.__getitem__(slice(*span(passengers, row))) == "Passengers: 12,000"
    left = ask_of("How many of the officers who joined in 2023 had left?")  # the one column that counts
    row = "Remained or left: Left HMPPS altogether; Headcount: 7; Percentage: 6.2%"
    assert row.__getitem__(slice(*span(left, row))) == "Headcount: 7"
    # a column the question names is not the figure for something else it counts
    assert span(ask_of("How many staff work in the Mainland Offices?"), "Region: Guangdong; Offices: 3") is None


def test_how_much_a_sum_changed_is_answered_by_a_percentage_too():
    rise = ask_of("By how much did average programme funding per student increase in 2023/24?")
    text = "For the 2023/24 academic year, there is a 8.3% increase in the average programme funding per student."
    assert rise.kind == "money" and text.__getitem__(slice(*span(rise, text))) == "8.3%"
    # a question for the sum itself is not answered by a percentage
    assert span(ask_of("How much funding does the programme receive?"), text) is None



def test_who_is_answered_by_the_body_that_does_it_when_no_person_is_named():
    text = ("The Department has noted the report. The UK’s main solar industry trade association is leading the "
            "industry’s response by developing the Solar Stewardship Initiative.")
    assert answered("Who is leading the Solar Stewardship Initiative?", text) == \
        "The UK’s main solar industry trade association"
    assert answered("Who is responsible for the scheme?", "The Development Bureau is responsible for the scheme.") == \
        "The Development Bureau"
    # a pronoun, or a subject that names no body, is no answer; nor is a sentence doing something else
    assert answered("Who leads the taskforce?", "It leads the taskforce.") is None
    assert answered("Who will attend the meeting?", "Members of the public will attend the meeting.") is None
    assert answered("Who is leading the review?", "The Department is funding the review.") is None


def test_a_total_is_not_answered_by_one_year_s_sum_or_a_rate():
    total = "What is the total budget of the New Hospital Programme?"
    assert answered(total, "Funding is rising from £979 million in 2026/27 to £3 billion by 2029/30.") is None
    assert answered(total, "The budget is £5 million a year.") is None
    assert answered(total, "The programme has a total budget of £20 billion.") == "£20 billion"
    assert answered(total, "A total of £1.2 billion in 2023 was set aside for it.") == "£1.2 billion"
    # without "total", a year's sum answers
    assert answered("What is the budget of the programme?", "The budget is £979 million in 2026/27.") == "£979 million"


def test_a_sum_of_another_kind_does_not_answer():
    allowance = "Participants receive a monthly allowance of $10,000."
    assert answered("How much funding do the internship programmes receive?", allowance) is None
    assert answered("How much are the interns paid?", allowance) == "$10,000"
    assert answered("How much funding do the programmes receive?", "The programmes receive HK$5 million.") == "HK$5 million"
    assert answered("What is the budget of the project?", "HK$10 billion will be allocated to the project.") == "HK$10 billion"


def test_shares_vague_sums_and_numbers_that_are_part_of_a_name():
    """Patterns of real research reports: a share is a percentage of the whole named; a sum may be
    written without figures; a number in the thing's own name ("Section 408") counts nothing."""
    spending = ("According to the CBO's estimate for FY2027-FY2036, in which SNAP grows 3% a year, the Nutrition "
                "title makes up approximately 72% of farm bill mandatory spending.")
    assert asked("What share of farm bill mandatory spending does the Nutrition title make up?").kind == "share"
    assert answered("What share of farm bill mandatory spending does the Nutrition title make up?", spending) == "72%"
    assert answered("What proportion of staff work part-time?", "About a third of the staff work part-time.") == "a third"
    assert answered("What share of staff work part-time?", "The office has 40 staff.") is None
    settled = "In the end, the settlement provided several million dollars in compensation to more than 65,000 users."
    assert answered("How much compensation did the settlement provide?", settled) == "several million dollars"
    contracts = "DOD awarded contracts to four companies for up to $200 million each."
    assert answered("How much was each of the contracts DOD awarded worth?", contracts) == "$200 million"
    requests = "According to USACE, on average, the agency receives 1,200 Section 408 requests per year."
    assert answered("How many Section 408 requests does USACE receive each year?", requests) == "1,200 Section 408 requests"


def test_a_sum_lost_saved_or_earned_and_a_target_need_their_own_words():
    swap = "The second largest was a $20 billion currency swap line extended to Argentina in 2025."
    assert answered("How much money did the Treasury lose on the Argentina swap?", swap) is None  # its size, no loss
    assert answered("How much money did the Treasury lose on the swap?", "The Treasury lost $2.5 billion on it.") == "$2.5 billion"
    plan = "It targets China's per capita GDP to reach that of a middle-income developed country by 2035."
    assert asked("What GDP growth target does the Five-Year Plan set?").kind == "quantity"
    assert answered("What GDP growth target does the Five-Year Plan set?", plan) is None
    assert answered("What GDP growth target does the plan set?", "The plan sets a GDP growth target of 5% a year.") \
        == "GDP growth target of 5%"


def test_a_chinese_count_reads_every_sense_of_what_it_counts():
    # 操作 is first "to work": the paper's word is the other sense, operations
    loans = asked("該基金自2001年以來進行了多少次信貸操作？")
    text = "The fund has carried out 48 credit operations since 2001, most of them short-term swaps."
    assert text[slice(*span(loans, text))] == "48 credit operations"
    assert span(loans, "The fund was set up in 2001 with 48 staff.") is None

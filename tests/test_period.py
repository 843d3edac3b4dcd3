"""The time a question is about, and whether a paragraph falls in it."""

from __future__ import annotations

import pytest

from qa.dates import dates_in
from qa.period import Period, paper_year, period_of


@pytest.mark.parametrize("question, start, end", [
    ("What happened in July 2024?", "2024-07-01", "2024-07-31"),
    ("How many offices were there in 2023?", "2023-01-01", "2023-12-31"),
    ("What has been done since March 2024?", "2024-03-01", ""),
    ("What was agreed before 2024?", "", "2023-12-31"),
    ("What was agreed after 22 February 2023?", "2023-02-23", ""),
    ("Which plenaries were held between 2022 and 2023?", "2022-01-01", "2023-12-31"),
    ("Which meetings were held by 2023?", "", "2023-12-31"),
    ("2023年以來簽署了多少份協議？", "2023-01-01", ""),
    ("2023年之前有什麼協議？", "", "2022-12-31"),
    ("在2024年7月舉行了什麼會議？", "2024-07-01", "2024-07-31"),
])
def test_the_period_a_question_names(question, start, end):
    assert period_of(question) == Period(start, end)


def test_no_period_and_numbers_that_are_not_years():
    assert period_of("What is the budget of the Northern Metropolis?") is None
    assert period_of("How many of the 2,023 applications were approved?") is None
    # a financial year is not the calendar year it starts in: it touches both
    assert list(dates_in("The 2023-24 Budget set aside $2,024 million.")) == [("2023-01-01", "2024-12-31")]
    assert period_of("2023-24年度有多少名公務員參加短期交流？") == Period("2023-01-01", "2024-12-31")
    assert period_of("How many applications in 2019/20?") == Period("2019-01-01", "2020-12-31")
    assert list(dates_in("the report of 2023-05")) == [("2023-01-01", "2023-12-31")]  # not a financial year


def test_before_this_paper_is_anchored_to_its_date():
    period = period_of("What was agreed before this paper?")
    assert period == Period(paper="before")
    assert period.anchored("2024-05-20") == Period(end="2024-05-19")
    assert period_of("本文件之後有什麼進展？").anchored("2024-05-20") == Period(start="2024-05-21")
    assert period.anchored("") is None


def test_a_paragraph_is_in_the_period_by_its_own_dates_or_else_its_paper_s():
    in_2023 = Period("2023-01-01", "2023-12-31")
    assert in_2023.covers("The meeting was held on 22 February 2023.", "2024-05-20")
    assert in_2023.covers("It met in Guangzhou in December 2022 and May 2023.", "")
    assert in_2023.covers("The 2024 plenary agreed 65 items.", "2023-06-01") is False  # its own date decides
    assert in_2023.covers("Members are invited to note this paper.", "2023-11-13")
    assert in_2023.covers("Members are invited to note this paper.", "2024-05-20") is False
    assert in_2023.covers("Members are invited to note this paper.", "") is None
    assert list(dates_in("在2024年11月18日舉行")) == [("2024-11-18", "2024-11-18")]


@pytest.mark.parametrize("question, year", [
    ("According to the 2013 government work report, how large a deficit was planned?", "2013"),
    ("What did the 2024 Policy Address say about the Northern Metropolis?", "2024"),
    ("2015年報告回顧2014年，城鎮新增就業有多少？", "2015"),
    ("2013年的報告裏，國家首艘航空母艦叫甚麼名字？", "2013"),
    ("How many staff joined in 2023?", ""),  # a year, but no paper named by it
    ("What were the 2023 figures in the report?", ""),
])
def test_a_paper_named_by_its_year(question, year):
    assert paper_year(question) == year

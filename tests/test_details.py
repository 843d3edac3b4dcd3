"""The details a question gives, and whether a paper says them (the shipped paper's real index)."""

from qa.details import Detail, details_of, figures, ordinals, paper_of
from qa.query import analyse

from conftest import DOC


def details(question: str, chinese_paper: bool = False) -> list[Detail]:
    return details_of(analyse(question, [], 2000, chinese_papers=chinese_paper), chinese_paper)


def test_ordinals_in_any_writing():
    assert ordinals("the Fourth Plenary Session") == {"4"}
    assert ordinals("粵港合作聯席會議第二十三次會議") == {"23"} and ordinals("the 23rd Plenary") == {"23"}


def test_a_figure_with_its_scale_is_the_value_it_writes():
    """A paper writes "1.5 million" where a Chinese question asks about 150萬: the same figure."""
    assert figures("building 1.5 million homes") == figures("興建150萬個住宅") == {"1500000"}
    assert figures("£2bn and £500m") == {"2000000000", "500000000"} and figures("7.79万亿元") == {"7790000000000"}
    assert figures("1,200 staff, 5 mines") == {"1200", "5"}
    assert Detail(figure="1500000") in details("承諾興建150萬個住宅的計劃何時公佈？")


def test_an_english_question_gives_names_figures_ordinals_and_dates():
    found = details("How many items were agreed at the Fifth Plenary in Beijing in November 2023?")
    assert Detail(figure="2023") in found and Detail(ordinal="5") in found
    assert Detail(terms=("beij",)) in found and Detail(when=("2023-11-01", "2023-11-30")) in found
    # what is counted is no name a near miss changes: the judge weighs it apart (features.measure_missing)
    assert Detail(terms=("item",)) not in found


def test_a_chinese_question_gives_its_own_words_or_their_english_senses():
    for_chinese = details("2023年閩港合作會議在哪裡舉行？", chinese_paper=True)
    assert Detail(figure="2023") in for_chinese and any(d.written for d in for_chinese)
    for_english = details("2022年3月21日舉行的粵港合作聯席會議簽署了多少份文件？")
    assert Detail(when=("2022-03-21", "2022-03-21")) in for_english  # the day, however a paper writes it
    assert any("guangdong" in d.terms for d in for_english)


def test_what_the_paper_says_anywhere(service):
    paper = paper_of(service.store.lexical(), DOC)
    said = {q: all(paper.says(d) for d in details(q)) for q in (
        "When was the PPRD Joint Conference held in Guiyang?",
        "When was the PPRD Joint Conference held in Kunming?",  # another city
        "What did the 23rd Hong Kong/Guangdong plenary agree?",
        "What did the 22nd Hong Kong/Guangdong plenary agree?",  # another sitting
        "What did the Chinese government say about the DWP?",
        "How many items were agreed in 2019?",  # another year
        "What was signed on 21 March 2023?",
        "2023年3月21日簽署了甚麼？",  # the same day, written in Chinese
        "What was signed on 22 March 2023?",  # another day
    )}
    assert said == {
        "When was the PPRD Joint Conference held in Guiyang?": True,
        "When was the PPRD Joint Conference held in Kunming?": False,
        "What did the 23rd Hong Kong/Guangdong plenary agree?": True,
        "What did the 22nd Hong Kong/Guangdong plenary agree?": False,
        "What did the Chinese government say about the DWP?": False,  # "Chinese" is China's, but no DWP
        "How many items were agreed in 2019?": False,
        "What was signed on 21 March 2023?": True,
        "2023年3月21日簽署了甚麼？": True,
        "What was signed on 22 March 2023?": False,
    }
    assert paper.says(Detail(terms=("chines",)))  # a people's name finds its country's


def test_a_name_with_a_number_joined_on_is_said_by_its_name():
    from qa.lexical import Lexical
    from qa.models import Chunk

    text = "Reports of myocarditis after COVID-19 vaccines were reviewed by the regulator."
    unit = Chunk("vaccine-answer", "1", "", (), text, 0, len(text))
    paper = paper_of(Lexical({unit.unit: unit}), "vaccine-answer")
    assert paper.says(Detail(terms=("covid",))) and not paper.says(Detail(terms=("measl",)))


def test_a_links_words_are_said_by_its_paper():
    from qa.lexical import Lexical
    from qa.models import Chunk

    text = ("These analyses did not identify a specific risk: https://www.gov.uk/government/publications/"
            "coronavirus-covid-19-vaccine-adverse-reactions/summary")
    unit = Chunk("links", "1", "", (), text, 0, len(text))
    paper = paper_of(Lexical({unit.unit: unit}), "links")
    assert [paper.says(d) for d in details("Did the COVID vaccine analyses find a risk in Wales?")
            if d.terms and d.terms[0] in ("covid", "wale")] == [True, False]


def test_an_acronym_the_library_defines_is_said_by_its_long_form():
    """A written answer "to the Secretary of State for Health and Social Care", by "his Department",
    says DHSC, which another paper of the library defines."""
    from qa.lexical import Lexical
    from qa.models import Chunk

    texts = {"a": "The Department of Health and Social Care (DHSC) funds it.",
             "b": "To ask the Secretary of State for Health and Social Care what his Department spends.",
             "c": "The Ministry of Defence spends it."}
    chunks = [Chunk(doc, "1", "", (), text, 0, len(text)) for doc, text in texts.items()]
    lex = Lexical({c.unit: c for c in chunks})
    dhsc = Detail(terms=("dhsc",))
    assert paper_of(lex, "b").says(dhsc) and not paper_of(lex, "c").says(dhsc)


def test_an_office_is_said_by_its_ministers_portfolio():
    """No paper of the library defines DWP or DCMS; a written answer to the Secretary of State for
    Work and Pensions says DWP, and one for Culture, Media and Sport says DCMS, but not the DfT's
    or the Home Office's."""
    from qa.lexical import Lexical
    from qa.models import Chunk

    texts = {"wp": "Written question to the Secretary of State for Work and Pensions: claimants get it.",
             "cms": "Written question to the Secretary of State for Culture, Media and Sport: grants.",
             "home": "Written question to the Secretary of State for the Home Department: visas."}
    chunks = [Chunk(doc, "1", "", (), text, 0, len(text)) for doc, text in texts.items()]
    lex = Lexical({c.unit: c for c in chunks})
    dwp, dcms = (next(d for d in details(q) if d.capitals) for q in ("What did the DWP pay?", "What did DCMS fund?"))
    assert paper_of(lex, "wp").says(dwp) and not paper_of(lex, "cms").says(dwp)
    assert paper_of(lex, "cms").says(dcms) and not paper_of(lex, "home").says(dcms)
    assert not any(paper_of(lex, "home").says(d) for d in details("What did the DfT spend?"))
    food = Chunk("food", "1", "", (), "The Food Standards Agency checks imports.", 0, 41)
    usa = next(d for d in details("What did the USA import?") if d.capitals)
    assert not paper_of(Lexical({food.unit: food}), "food").says(usa)


def test_a_day_without_its_year_is_the_papers_dated_day_not_two_figures():
    """"8月11日" and "11 August" ask about the paper's 11 August 2023; its 8 is no figure the paper
    must write, and another day is not said."""
    from qa.lexical import Lexical
    from qa.models import Chunk

    text = "On 11 August 2023, the Secretary of State wrote to both unions urging them to resume talks."
    unit = Chunk("letter", "1", "", (), text, 0, len(text))
    paper = paper_of(Lexical({unit.unit: unit}), "letter")
    for question in ("教育部長於8月11日致函哪兩個機構？", "Who did the minister write to on 11 August?",
                     "Whom did she write to on August 11, and why?"):
        found = details(question)
        assert [d.day for d in found if d.day] == ["08-11"] and not any(d.figure for d in found)
        assert all(paper.says(d) for d in found if not d.terms)
    assert not any(paper.says(d) for d in details("Who did the minister write to on 12 August?") if d.day)
    # a paper that writes the day without its year ("On 11 August, …") says it too
    text = "On 11 August, the Secretary of State wrote to both unions urging them to resume talks."
    yearless = Chunk("yearless", "1", "", (), text, 0, len(text))
    paper = paper_of(Lexical({yearless.unit: yearless}), "yearless")
    assert [paper.says(d) for d in details("教育部長於8月11日致函哪兩個機構？") if d.day] == [True]
    assert [paper.says(d) for d in details("Who did she write to on 12 August?") if d.day] == [False]


def test_a_paper_dated_to_a_month_says_its_year_and_that_month():
    """A written answer filed in November 2024 that writes no year says 2024 and November 2024, not
    2023 or October 2024."""
    from qa.lexical import Lexical
    from qa.models import Chunk

    text = "Winter Fuel Payments will continue to be paid to households with someone over 80."
    unit = Chunk("answer", "1", "", (), text, 0, len(text), date="2024-11")
    paper = paper_of(Lexical({unit.unit: unit}), "answer")
    assert all(paper.says(d) for d in details("How much is paid in November 2024?") if not d.terms)
    assert not all(paper.says(d) for d in details("How much was paid in October 2024?") if not d.terms)
    assert not any(paper.says(d) for d in details("How much was paid in 2023?") if d.figure)


def test_a_short_form_in_mixed_case_is_said_by_the_name_it_shortens():
    """"DfE", "MoD", "LegCo" are said by a paper that writes the Department for Education, the
    Ministry of Defence, the Legislative Council; "DfT" is not said by the Department for Education."""
    from qa.lexical import Lexical
    from qa.models import Chunk

    texts = {"dfe": "The Department for Education funds schools, as the Legislative Council Panel heard.",
             "mod": "The Ministry of Defence has 40 sites."}
    lex = Lexical({c.unit: c for c in (Chunk(doc, "1", "", (), t, 0, len(t)) for doc, t in texts.items())})

    def said(question: str, doc: str) -> list[bool]:
        return [paper_of(lex, doc).says(d) for d in details(question) if d.capitals]

    assert said("What did the DfE and LegCo say?", "dfe") == [True, True]
    assert said("What did the MoD say?", "mod") == [True] and said("What did the MoD say?", "dfe") == [False]
    assert said("What did the DfT fund?", "dfe") == [False]
    # a written answer to the Secretary of State for Transport says DfT, by its portfolio
    answer = Chunk("answer", "1", "", (), "Written question to the Secretary of State for Transport: roads.", 0, 64)
    lex_t = Lexical({answer.unit: answer})
    assert [paper_of(lex_t, "answer").says(d) for d in details("Why did the DfT and the DfE say so?") if d.capitals] \
        == [True, False]
    # what a paper says of itself: the committee it was written for
    letter = Chunk("letter", "1", "", (), "Members are invited to note the paper.", 0, 38)
    lex = Lexical({letter.unit: letter}, about={"letter": "Regional Co-operation\nLegislative Council Panel on Housing"})
    assert [paper_of(lex, "letter").says(d) for d in details("What did the LegCo paper say?") if d.capitals] == [True]

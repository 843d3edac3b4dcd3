"""Splitting text into sentences: a quote is a sentence, so a wrong split quotes half an answer."""

from qa.text import sentences


def test_an_abbreviation_with_inner_stops_does_not_end_a_sentence_even_in_brackets():
    text = ('In August 2022, Congress passed a law (P.L. 117-169). It funds the programme through FY2031. '
            'The "U.S. Army" agreed. Mr. Lee signed.')
    assert [text[a:b] for a, b in sentences(text)] == [
        "In August 2022, Congress passed a law (P.L. 117-169).", "It funds the programme through FY2031.",
        'The "U.S. Army" agreed.', "Mr. Lee signed."]


def test_a_name_of_capitalised_words_has_initials_a_description_has_none():
    from qa.text import initials

    assert initials("Department for Work and Pensions") == "DWP"
    assert initials("People's Republic of China") == "PRC"
    assert initials("The Food Standards Agency") == "FSA"  # a sentence's article is no initial
    assert initials("capital of Yunnan province") == "" and initials("US Congress") == ""


def test_a_sentence_s_first_word_is_no_name():
    """Every sentence starts with a capital: "Since" opens the second sentence, it names nothing."""
    from qa.text import names

    assert names("China's plan doubles down on innovation. Since when has Beijing pursued it?") == ["beij"]
    assert names("Who chaired it? And did Mr Wang attend in Kunming?") == ["mr", "wang", "kunm"]


def test_a_short_form_in_mixed_case_spells_some_of_a_names_words():
    from qa.text import spells

    assert spells("LegCo", "The Legislative Council Panel on Constitutional Affairs")
    assert spells("DfE", "Department for Education") and spells("MoD", "Ministry of Defence")
    assert not spells("DfT", "Department for Education")  # another department
    assert not spells("DfE", "Department of Education")  # the small word's letter is part of the form
    assert not spells("MoD", "Ministry of Justice")


def test_a_departments_short_form_less_its_head_ends_its_ministers_title():
    from qa.text import portfolio_of

    assert portfolio_of("DfT", "Secretary of State for Transport")
    assert portfolio_of("DfE", "The Secretary of State for Education")
    assert not portfolio_of("DfT", "Secretary of State for Education")
    assert not portfolio_of("DfE", "Department for Education")  # said by spelling, not as a portfolio
    assert not portfolio_of("DfE", "State for Education")  # the title needs two capitalised words more


def test_a_name_s_middle_initial_ends_no_sentence():
    from qa.text import sentences

    text = "On February 27, 2026, President Donald J. Trump directed agencies to stop. See Annex A. The sides agreed."
    assert [text[a:b] for a, b in sentences(text)] == [
        "On February 27, 2026, President Donald J. Trump directed agencies to stop.", "See Annex A.",
        "The sides agreed."]


def test_initials_of_any_words_leave_out_the_small_ones():
    from qa.text import initials_of

    assert initials_of("gross domestic product") == "GDP"
    assert initials_of("Ministry of Environmental Protection") == "MEP"
    assert initials_of("satellite") == "S"


def test_british_and_american_spellings_are_one_term():
    from qa.text import terms

    for british, american in [("defence", "defense"), ("programmes", "programs"), ("labour", "labor"),
                              ("centre", "center"), ("organisation", "organization"), ("catalogue", "catalog"),
                              ("licence", "license"), ("behaviour", "behavior"), ("fibre", "fiber")]:
        assert terms(british) == terms(american), (british, american)
    # words that are no such pair keep apart
    assert len(set(terms("sentence central contour hour four flour promise"))) == 7

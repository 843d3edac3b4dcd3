"""Quoting: which clauses of a sentence are kept, always verbatim."""

from qa.quote import trim
from qa.text import terms

SENTENCE = ("The Northern Rivers Council comprises seven districts in the basin, namely Alder, Birch, Cedar, "
            "Dunmore, Elmwood, Fairhaven and Glenrock, and the two port authorities of the coast.")


def weights(question: str) -> dict[str, float]:
    return {t: 1.0 for t in terms(question)}


def test_a_which_question_keeps_what_it_is_told_not_only_its_own_words():
    """The question's words are all in the first clause; the answer is the names after it."""
    cut = trim(SENTENCE, None, weights("Which districts does the Northern Rivers Council comprise?"), 60, new_weight=0.5)
    assert "Glenrock" in cut.text and cut.words in SENTENCE
    echo = trim(SENTENCE, None, weights("Which districts does the Northern Rivers Council comprise?"), 60, new_weight=0.0)
    assert "Glenrock" not in echo.text  # weighed by the question's words alone, the answer is cut away


def test_the_answer_span_is_always_kept_and_the_rest_marked():
    start = SENTENCE.index("two port authorities")
    cut = trim(SENTENCE, (start, start + len("two port authorities")), weights("How many port authorities?"), 60)
    assert "two port authorities" in cut.words and cut.words in SENTENCE
    assert cut.text.startswith("…") or cut.words == SENTENCE.rstrip(".")


def test_a_quote_never_runs_past_its_budget():
    long = " ".join([SENTENCE.rstrip(".")] * 3) + "."
    cut = trim(long, None, weights("Which districts?"), 20)
    assert len(cut.words.split()) <= 20 and cut.words in long


def test_a_short_sentence_is_quoted_whole():
    assert trim("The fund opened in 2023.", None, weights("When did the fund open?")).text == "The fund opened in 2023."

from qa.lexical import Lexical
from qa.models import Chunk
from qa.text import terms


def _units(*texts: str) -> dict[str, Chunk]:
    chunks = [Chunk("doc", str(i + 1), "", (), text, 0, len(text)) for i, text in enumerate(texts)]
    return {c.unit: c for c in chunks}


def test_rare_terms_weigh_more_and_unknown_terms_are_known_as_such():
    lex = Lexical(_units("The Chief Executive (CE) met the Mayor of Shanghai.",
                         "The CE visited Fujian.", "The Mayor spoke.", "The Mayor left."))
    assert lex.known("fujian") and not lex.known("marathon")
    assert lex.weight("fujian") > lex.weight("mayor")
    assert lex.share("mayor") == 0.75
    # an acronym the papers define matches its long form, both ways
    assert {"chief", "execut"} <= lex.terms_of(next(k for k, u in zip(lex.keys, lex.units) if "Fujian" in u.text))
    assert lex.terms_of("no such unit") == set()


def test_bm25_ranks_the_paragraph_that_uses_the_rare_word_first():
    lex = Lexical(_units("Co-operation with Guangdong on transport.", "Co-operation with Fujian on trade.",
                         "Co-operation on culture."))
    scores = lex.scores(terms("Fujian trade co-operation"))
    assert lex.units[int(scores.argmax())].paragraph == "2"


def test_chinese_is_indexed_as_bigrams_and_whole_words():
    found = terms("駐內地辦事處的服務範圍覆蓋多少個省、市、自治區")
    assert {"內地", "辦事", "辦事處", "自治區"} <= set(found)  # a bigram and the words jieba finds
    lex = Lexical(_units("香港特別行政區政府駐內地辦事處", "粵港合作聯席會議"))
    assert lex.units[int(lex.scores(terms("辦事處在哪裡")).argmax())].paragraph == "1"

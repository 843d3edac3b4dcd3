import numpy as np

from qa.lexical import Lexical, find_acronyms
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
    assert {"内地", "办事", "办事处", "自治区"} <= set(found)  # a bigram and the words jieba finds
    # read in simplified characters: a question typed in either script finds a paper in the other
    assert found == terms("驻内地办事处的服务范围覆盖多少个省、市、自治区")
    lex = Lexical(_units("公務員學院舉辦了42個國情培訓班", "粵港合作聯席會議"))
    assert lex.units[int(lex.scores(terms("公务员学院举办了多少个培训班")).argmax())].paragraph == "1"
    lex = Lexical(_units("香港特別行政區政府駐內地辦事處", "粵港合作聯席會議"))
    assert lex.units[int(lex.scores(terms("辦事處在哪裡")).argmax())].paragraph == "1"


def _library(docs: dict[str, list[str]]) -> dict[str, Chunk]:
    chunks = [Chunk(doc, str(i + 1), "", (), text, 0, len(text)) for doc, texts in docs.items()
              for i, text in enumerate(texts)]
    return {c.unit: c for c in chunks}


def _same_snapshot(a: Lexical, b: Lexical, questions: list[str]) -> None:
    assert a.keys == b.keys and a.acronyms == b.acronyms
    for key in a.keys:
        assert a.terms_of(key) == b.terms_of(key)
    for q in questions:
        words = a.expand(terms(q))
        assert np.allclose(a.scores(words), b.scores(words))
        assert np.allclose(a.scores(words, {w: a.weight(w) for w in words}), b.scores(words, {w: b.weight(w) for w in words}))
        for word in words:
            assert (a.known(word), a.weight(word), a.share(word)) == (b.known(word), b.weight(word), b.share(word))
            for doc in a.doc_n:
                assert (a.known_in(doc, word), a.weight_in(doc, word)) == (b.known_in(doc, word), b.weight_in(doc, word))


def test_a_snapshot_made_from_the_previous_one_equals_one_made_afresh():
    old = _library({"a": ["The CE met the Mayor of Shanghai.", "Ferry services resumed."],
                    "b": ["Members are invited to note this paper.", "The Mayor of Fujian spoke."],
                    "d": ["Ferry services to Macao grew in 2023.", "香港與上海的合作"]})
    first = Lexical(old)
    # b is removed, c is added and defines an acronym that a uses without defining it
    units = {k: u for k, u in old.items() if u.doc_id != "b"} | _library(
        {"c": ["The Chief Executive (CE) visited Fujian.", "Ferry services and the Mayor."]})
    units = dict(sorted(units.items(), key=lambda item: item[1].doc_id))
    questions = ["What did the Chief Executive do in Shanghai?", "ferry services mayor", "Fujian", "上海合作"]
    again = Lexical(units, previous=first)
    _same_snapshot(again, Lexical(units), questions)
    assert {"chief", "execut"} <= again.terms_of(next(k for k, u in units.items() if "Shanghai" in u.text))
    assert not again.known_in("b", "mayor") and again.known_in("a", "mayor")
    # and a paper that changes no acronym: every other paper's counts are taken as they were
    units = dict(sorted((units | _library({"b2": ["Ferry services to Shanghai."]})).items(), key=lambda i: i[1].doc_id))
    _same_snapshot(Lexical(units, previous=again), Lexical(units), questions)


def test_a_chinese_paragraph_is_not_penalised_for_length_by_an_english_library():
    """Chinese is read as character pairs and words, several terms to an English word's one: its
    paragraphs are compared with the length of Chinese paragraphs, not with an English library's."""
    english = {f"en{i}": [f"The Policy Unit {i} supports staff across the department.", "Staff of the Unit."]
               for i in range(40)}
    zh = "在地區層面，香港特區政府的五個駐內地辦事處和11個聯絡處與各省、市及自治區政府保持緊密聯繫，並透過拜訪內地機關、機構和企業，繼續探討和推動香港與各地的合作。"
    library = _library({**english, "zh": [zh, "請委員備悉本文件的內容。"]})
    alone = Lexical(_library({"zh": [zh, "請委員備悉本文件的內容。"]}), languages={"zh": "zh"})
    lex = Lexical(library, languages={**{d: "en" for d in english}, "zh": "zh"})
    question = {**{t: 0.5 for t in terms("聯絡處")}, "unit": 0.7}
    scores = lex.scores(list(question), question)
    assert lex.keys[int(scores.argmax())] == "zh#1"
    # its score for its own words is what it would be among Chinese papers of its length
    word = terms("聯絡處")[-1]
    here = lex.scores([word])[lex.position["zh#1"]] / lex.weight(word)
    there = alone.scores([word])[alone.position["zh#1"]] / alone.weight(word)
    assert abs(here - there) < 0.05


def test_acronyms_are_found_as_reports_define_them():
    found = find_acronyms(["In 2025, the Department of Justice (DOJ) sued.",
                           "Title III of the Americans with Disabilities Act (ADA) applies.",
                           "Riders seek wheelchair accessible vehicles (WAVs) through the apps.",
                           "The Pan-Pearl River Delta (PPRD) Regional Co-operation", "in 2019 (ABC) and",
                           "the Chief Secretary for Administration (CS) led"])
    assert found == {"doj": ["depart", "justic"], "ada": ["american", "disabl", "act"], "cs": ["chief", "secretari"],
                     "wav": ["wheelchair", "access", "vehicl"], "pprd": ["pan", "pearl", "river", "delta"]}


def test_a_labelled_unit_is_introduced_by_the_nearest_unlabelled_one_before_it():
    """A table's rows ("2023/24") are read with the paragraph that says what the table is of."""
    rows = [Chunk("doc", "1", "", (), "Spend on asthma research is below.", 0, 10),
            Chunk("doc", "2", "2022/23", (), "Financial year: 2022/23; Spend: £1", 0, 10),
            Chunk("doc", "3", "", (), "Spend on diabetes research is below.", 0, 10),
            Chunk("doc", "4", "2022/23", (), "Financial year: 2022/23; Spend: £2", 0, 10),
            Chunk("doc", "5", "2023/24", (), "Financial year: 2023/24; Spend: £3", 0, 10)]
    lex = Lexical({c.unit: c for c in rows})
    assert [lex.lead_in(c.unit) for c in rows] == [None, rows[0].unit, None, rows[2].unit, rows[2].unit]
    assert lex.lead_in("no such unit") is None


def test_a_citation_label_names_its_paper_in_either_language():
    """"[2024-05-20 ¶7]" cited in an English answer names the paper's Chinese version's ¶7 too (a
    follow-up in Chinese reads it); "[¶7]" names no paper."""
    from qa.models import Chunk

    units = {f"{doc}#7": Chunk(doc, "7", "", (), text, 0, len(text))
             for doc, text in (("en", "The two sides met."), ("zh", "雙方會面。"), ("other", "Another paper."))}
    lex = Lexical(units, labels={"en": "2024-05-20", "zh": "2024-05-20 中文", "other": "2023-01-02"},
                  editions={"en": {"en": "en", "zh": "zh"}, "zh": {"en": "en", "zh": "zh"}})
    assert lex.cited("2024-05-20") == {"en", "zh"} and lex.cited("2024-05-20 中文") == {"en", "zh"}
    assert lex.cited("2023-01-02") == {"other"} and lex.cited("") is None
    month = Lexical(units, labels={"en": "2024-11", "zh": "2024-11 中文", "other": "2024-11-18"},
                    editions={"en": {"en": "en", "zh": "zh"}, "zh": {"en": "en", "zh": "zh"}})
    assert month.cited("2024-11-18") == {"other"} and month.cited("2024-11 Annex A") == {"en", "zh"}

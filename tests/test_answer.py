"""Answers and citations on real questions over the real index."""

import pytest

from qa.abstain import ABSTAIN
from qa.query import QuestionError


def check_citations(answer):
    """Every quote must be found, verbatim, in the paragraph it cites."""
    assert answer.citations
    for c in answer.citations:
        for part in c.quote.split(" … "):
            assert part and part in c.text, (c.paragraph, part)
        assert f"[¶{c.paragraph}]" in answer.answer


@pytest.mark.parametrize("question,paragraph,fact", [
    ("How many Mainland Offices does the HKSAR Government have?", "3", "five Mainland Offices"),
    ("Who was the Governor of Guangdong Province at the 23rd Plenary?", "6", "Wang Weizhong"),
    ("When did the Hong Kong/Fujian Co-operation Conference hold its Fourth Plenary Session?", "8", "28 June 2023"),
    ("What areas did the agreements with Zhejiang cover?", "12", "equine sports"),
    ("What is the Centre Hong Kong wants to be in the Asia-Pacific Region?", "13",
     "Centre for International Legal and Dispute Resolution Services"),
])
def test_english_questions_are_answered_from_the_right_paragraph(service, question, paragraph, fact):
    answer = service.ask(question)
    assert not answer.abstained
    assert answer.citations[0].paragraph == paragraph
    assert fact in answer.answer
    check_citations(answer)


def test_labelled_bullets_are_cited_with_their_label(service):
    answer = service.ask("What does legal co-operation include?")
    first = answer.citations[0]
    assert (first.paragraph, first.label) == ("13", "Legal co-operation")
    assert first.heading == "Key Co-operation"
    check_citations(answer)


@pytest.mark.parametrize("question,paragraph,fact", [
    ("深港合作會議2023在哪一天舉行？", "5", "22 February 2023"),
    ("閩港合作會議第四次全體會議達成了多少項合作事項？", "8", "21 items"),
    ("沪港合作会议第六次全体会议在什么时候召开？", "11", "26 April 2024"),
])
def test_chinese_questions_reach_the_english_paper(service, question, paragraph, fact):
    answer = service.ask(question)
    assert answer.citations[0].paragraph == paragraph
    assert fact in answer.answer
    assert answer.answer.startswith("文件以英文撰寫")
    check_citations(answer)


@pytest.mark.parametrize("question", [
    "What is the GDP of Chongqing?",
    "Who won the 2023 Hong Kong Marathon?",
    "What is the budget of the Steering Group for 2025?",
])
def test_unanswerable_questions_abstain(service, question):
    answer = service.ask(question)
    assert answer.abstained and answer.citations == []
    # "the paper does not say", or a near miss that points at what it does say (never a citation)
    assert answer.answer == ABSTAIN["en"] or answer.answer.startswith("The paper mentions"), answer.answer


@pytest.mark.parametrize("question", ["x", "hi", "asdf qwerty?", "What about zorblaxian flibbertigibbets?"])
def test_a_question_whose_words_no_paper_uses_is_not_answered_with_a_guess(service, question):
    """The paragraph closest in meaning to "x" is a guess: no word of it is evidence."""
    answer = service.ask(question, generate=False)
    assert answer.abstained and answer.citations == [], answer.answer


def test_chinese_abstention_is_in_chinese(service):
    answer = service.ask("2019年香港馬拉松的冠軍是誰？")
    assert answer.abstained and answer.answer == ABSTAIN["zh"], answer.answer


def test_followups_are_answered_from_the_conversation(service):
    history = [{"role": "user", "content": "When was the Fifth Plenary Session of the Hong Kong/Beijing "
                                           "Co-operation Conference?"},
               {"role": "assistant", "content": "It took place in Hong Kong on 29 November 2023 [¶10]."}]
    answer = service.ask("How many agreements were signed there?", history)
    assert answer.citations[0].paragraph == "10"
    assert "four co-operation agreements" in answer.answer
    alone = service.ask("How many agreements were signed there?")
    assert alone.citations[0].paragraph != "10" or "four" not in alone.answer or alone.abstained


def test_bad_input_is_refused_not_crashed(service):
    for bad in ["", " \n ", "q" * 100_000]:
        with pytest.raises(QuestionError):
            service.ask(bad)
    with pytest.raises(QuestionError, match="history"):
        service.ask("When?", history=[{"role": "system", "content": "x"}])
    answer = service.ask("When\x07 was the PPRD\x00 Joint Conference held?")
    assert answer.citations[0].paragraph == "9"


def test_json_form_matches_the_contract(service):
    data = service.ask("Who is the Mayor of Shanghai named in the paper?").to_json()
    assert set(data) >= {"answer", "citations", "abstained", "timing_ms"}
    cit = data["citations"][0]
    assert set(cit) == {"doc", "title", "paragraph", "part", "label", "quote", "score", "heading", "date"}
    assert cit["paragraph"] == "11" and isinstance(cit["score"], float)
    assert data["timing_ms"]["total"] > 0


def library(tmp_path, files: dict[str, str]):
    """A service over a corpus folder holding these files, indexed (E5 alone: quick)."""
    from qa.config import Settings
    from qa.service import QA

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    qa = QA(Settings(index_dir=tmp_path / "index", corpus_dir=corpus, embed_models="e5-small"))
    qa.index()
    return qa


def test_abstentions_say_how_many_papers_were_searched(tmp_path):
    from qa.config import Settings
    from qa.service import QA

    from conftest import PAPER

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / PAPER.name).write_bytes(PAPER.read_bytes())
    (corpus / "ferries.md").write_text("# Ferries\n\n1. The Tai O pier reopens in March 2025.", encoding="utf-8")
    qa = QA(Settings(index_dir=tmp_path / "index", corpus_dir=corpus, embed_models="e5-small"))
    qa.index()
    answer = qa.ask("What was Hong Kong's GDP growth in 2023?")
    assert answer.abstained and answer.answer.startswith("The papers do not say") and "2 papers" in answer.answer
    assert answer.to_json()["scope"] == "all"
    near = qa.ask("When was the PPRD Joint Conference held in Kunming?")  # the verb agrees with "papers"
    assert near.abstained and near.answer.startswith("The papers mention") and "PPRD Joint Conference [" in near.answer \
        and "but do not say when the PPRD Joint Conference was held in Kunming" in near.answer, near.answer
    scoped = qa.ask("What was Hong Kong's GDP growth in 2023?", scope=["ferries"])
    assert scoped.answer.startswith("The paper does not say") and scoped.to_json()["scope"] == ["ferries"]


def test_the_question_a_written_answer_restates_is_never_quoted_as_its_answer(tmp_path):
    qa = library(tmp_path, {"pier.md": (
        "# Piers: Tai O\n\n## Question\n\nTo ask the Secretary for Development, pursuant to the Answer of "
        "9 September 2024 on the Tai O pier, when the new ferry agreement for Tai O will be signed.\n\n"
        "## Answer\n\nDiscussions with the ferry operators on the Tai O pier continue.\n")})
    answer = qa.ask("When will the new ferry agreement for Tai O be signed?")
    # the answer section's "Discussions … continue" (or "the papers do not say"), never the question
    assert "9 September 2024" not in answer.answer and "To ask" not in answer.answer, answer.answer
    assert answer.abstained or answer.answer.startswith("Discussions with the ferry operators"), answer.answer


def test_a_chinese_question_about_one_sitting_is_not_answered_by_another(tmp_path):
    qa = library(tmp_path, {"plenary-zh.md": (
        "---\nlanguage: zh-HK\n---\n# 粵港合作\n\n1. 行政長官與廣東省省長於2023年3月21日在香港共同主持粵港合作聯席會議"
        "第二十三次會議。\n\n2. 雙方簽署了八份合作協議。\n")})
    assert "2023年3月21日" in qa.ask("粵港合作聯席會議第二十三次會議何時舉行？").answer
    other = qa.ask("粵港合作聯席會議第二十四次會議何時舉行？")
    assert other.abstained and "2023年3月21日" not in other.answer, other.answer


def test_a_figure_in_a_table_is_found_under_its_caption_and_dated_by_it(tmp_path):
    qa = library(tmp_path, {"ferries.md": (
        "---\ndate: 2024-02-01\n---\n# Ferries\n\n1. The operators report their passengers each year.\n\n"
        "Table 1: Ferry passengers at outlying island piers in 2023\n\n"
        "| Pier | Passengers | Sailings |\n| --- | --- | --- |\n| Tai O | 12,000 | 300 |\n| Mui Wo | 30,500 | 900 |\n")})
    answer = qa.ask("How many passengers used the Tai O pier in 2023?")  # the paper is dated 2024
    assert not answer.abstained and answer.lead == "12,000", answer.answer
    assert answer.citations[0].label == "Tai O" and "Passengers: 12,000" in answer.answer


def test_date_filters_choose_the_papers_searched(tmp_path):
    from qa.config import Settings
    from qa.service import QA, QuestionError

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tolls-2023.md").write_text("---\ndate: 2023-03-01\n---\n# Tolls\n\n1. The tunnel toll is HK$20.",
                                          encoding="utf-8")
    (corpus / "tolls-2025.md").write_text("---\ndate: 2025-01-10\n---\n# Tolls\n\n1. The tunnel toll is HK$30.",
                                          encoding="utf-8")
    qa = QA(Settings(index_dir=tmp_path / "index", corpus_dir=corpus, embed_models="e5-small"))
    qa.index()
    assert "HK$30" in qa.ask("What is the tunnel toll?", since="2024").answer
    assert "HK$20" in qa.ask("What is the tunnel toll?", until="2023-12").answer
    both = qa.ask("What is the tunnel toll?", since="2023", until="2025-01-10")
    assert both.scope == ["tolls-2023", "tolls-2025"]
    for since, until, message in (("2030", "", "no indexed paper is dated from 2030"),
                                  ("24-01", "", "not a date")):
        with pytest.raises(QuestionError, match=message):
            qa.ask("What is the tunnel toll?", since=since, until=until)


def test_the_committee_a_question_names_finds_its_paper(tmp_path):
    """Two papers of one date on the same subject, for two committees: the committee named in the
    question (read from each paper's opening lines, in English or Chinese) decides which is quoted."""
    from qa.config import Settings
    from qa.service import QA

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "transport.txt").write_text("Legislative Council Panel on Transport\n\nCycling in new towns\n\n"
                                          "1. The Government will build 12 kilometres of cycle tracks in 2025.",
                                          encoding="utf-8")
    (corpus / "development.txt").write_text("立法會發展事務委員會\n\n新市鎮單車徑\n\n"
                                            "1. 政府將於2025年興建30公里單車徑。", encoding="utf-8")
    qa = QA(Settings(index_dir=tmp_path / "index", corpus_dir=corpus, embed_models="e5-small"))
    qa.index()
    listed = {d["doc"]: d for d in qa.documents()}
    assert listed["transport"]["committee"] == "Legislative Council Panel on Transport"
    assert listed["development"]["committee"] == "立法會發展事務委員會"
    assert listed["development"]["title"] == "新市鎮單車徑"
    assert qa.ask("發展事務委員會的文件說要興建多少公里單車徑？").citations[0].doc == "development"
    assert qa.ask("How many kilometres of cycle tracks did the Panel on Transport paper say?").citations[0].doc == \
        "transport"


def test_the_answer_itself_leads(service):
    answer = service.ask("When was the Hong Kong/Shenzhen Co-operation Meeting 2023 held?")
    assert answer.lead == "22 February 2023"
    assert answer.answer.startswith("**22 February 2023** [¶5]\n\n")
    assert answer.to_json()["lead"] == "22 February 2023"
    person = service.ask("Who is the Mayor of Beijing?")
    assert person.lead == "Mr Yin Yong"  # not the Chief Executive named in the same sentence
    check_citations(person)


def test_quotes_are_cut_to_the_clause_that_answers_never_reworded(service):
    answer = service.ask("How many co-operation agreements were signed with Jiangsu?")
    assert answer.lead == "four co-operation agreements"  # Jiangsu's, not Zhejiang's three in the same sentence
    assert "…" in answer.answer
    check_citations(answer)


@pytest.mark.parametrize("question,said", [
    ("When was the PPRD Joint Conference held in Kunming?",
     "but does not say when the PPRD Joint Conference was held in Kunming."),
    ("How many items were agreed at the Seventh Plenary Session of the Hong Kong/Shanghai Co-operation Conference?",
     "but does not say how many items were agreed at the Seventh Plenary Session"),
])
def test_near_misses_say_what_the_paper_does_not_state_in_the_question_s_words(service, question, said):
    answer = service.ask(question)
    assert answer.abstained and not answer.citations
    assert said in answer.answer, answer.answer
    assert answer.nearby and all(c.marker in answer.answer for c in answer.nearby)
    assert answer.to_json()["nearby"][0]["paragraph"] == answer.nearby[0].paragraph


def test_a_paper_in_two_languages_is_quoted_in_the_question_s_language(tmp_path):
    from qa.config import Settings
    from qa.service import QA

    from conftest import PAPER, ROOT

    zh = ROOT / "tests" / "data" / "bilingual" / "legco-panel-ca-2024-05-20-regional-cooperation-zh.md"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in (PAPER, zh):
        (corpus / f.name).write_bytes(f.read_bytes())
    qa = QA(Settings(index_dir=tmp_path / "index", corpus_dir=corpus))
    qa.index()
    docs = {d["doc"]: d for d in qa.documents()}
    assert docs[zh.stem]["language"] == "zh" and docs[zh.stem]["editions"] == {"en": PAPER.stem}
    assert docs[PAPER.stem]["language"] == "en" and docs[PAPER.stem]["editions"] == {"zh": zh.stem}

    answer = qa.ask("閩港合作會議第四次會議同意推進多少項合作事項？")
    cited = answer.citations[0]
    assert (cited.doc, cited.paragraph) == (zh.stem, "8") and "21項" in answer.answer
    assert "[中文 ¶8]" in answer.answer and cited.quote in cited.text  # verbatim, in Chinese
    assert cited.other["doc"] == PAPER.stem and cited.other["paragraph"] == "8"
    assert "21 items" in cited.other["text"] and "text" not in cited.to_json()["other"]
    # and the English of what is quoted, from the same paragraph, cited there
    english_text = answer.citations[1]
    assert (english_text.doc, english_text.paragraph) == (PAPER.stem, "8")
    assert all(piece in english_text.text for piece in english_text.quote.split(" … "))  # verbatim
    assert "英文本：" in answer.answer and "21 items" in answer.answer.split("英文本：")[1]
    assert answer.answer.rstrip().endswith("[2024-05-20 ¶8]") or answer.answer.rstrip().endswith("[¶8]")
    # a language filter searches only the papers written in it
    english_only = qa.ask("閩港合作會議第四次會議同意推進多少項合作事項？", language="en")
    assert english_only.citations[0].doc == PAPER.stem and english_only.scope == [PAPER.stem]

    english = qa.ask("Who was the Governor of Guangdong Province at the 23rd Plenary?")
    cited = english.citations[0]
    assert (cited.doc, cited.paragraph) == (PAPER.stem, "6") and "[¶6]" in english.answer
    assert len(english.citations) == 1 and "英文本" not in english.answer  # an English quote needs no English
    assert cited.other["language"] == "zh" and "王偉中" in cited.other["text"]
    # a paragraph the Chinese version lacks is quoted from the English one, to a Chinese question too
    guiyang = qa.ask("泛珠三角區域合作行政首長聯席會議在哪一天於貴陽舉行？")
    assert guiyang.citations[0].doc == PAPER.stem and guiyang.citations[0].other is None
    # two versions are one paper: "the paper does not say"
    assert qa.ask("What was Hong Kong's GDP growth in 2023?").answer.startswith("The paper does not say")


def test_papers_of_different_dates_newest_first_and_the_period_asked(tmp_path):
    """A committee's yearly progress papers give a different figure each year: the newest comes first,
    each with its date; a question about one year is answered from that year's paper only."""
    from qa.config import Settings
    from qa.service import QA

    from conftest import DATA, PAPER

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in [PAPER, *sorted((DATA / "series").glob("*.txt"))]:
        (corpus / f.name).write_bytes(f.read_bytes())
    qa = QA(Settings(index_dir=tmp_path / "index", corpus_dir=corpus))
    qa.index()
    newest, middle, oldest = "panel-2024-11-11-youth-internships", "panel-2023-11-13-youth-internships", \
        "panel-2022-11-14-youth-internships"

    answer = qa.ask("How many young people took part in the internship scheme?")
    assert not answer.abstained and answer.lead == "680 young people"
    assert [c.doc for c in answer.citations] == [newest, middle, oldest]
    assert [i.date for i in answer.items] == ["2024-11-11", "2023-11-13", "2022-11-14"]
    assert answer.answer.index("680") < answer.answer.index("520") < answer.answer.index("350")
    latest = qa.ask("What is the latest number of young people in the internship scheme?")
    assert latest.citations[0].doc == newest and "680 young people" in latest.answer

    in_2023 = qa.ask("How many young people took part in the internship scheme in 2023?")
    assert [c.doc for c in in_2023.citations] == [middle] and in_2023.lead == "520 young people"
    assert [c.doc for c in qa.ask("2023年有多少名青年參加實習計劃？").citations] == [middle]
    when = qa.ask("What happened to the internship scheme in July 2024?")
    assert (when.citations[0].doc, when.citations[0].paragraph) == (newest, "3")
    assert qa.ask("How many young people took part in the internship scheme in 2021?").abstained
    # one paper alone is not contradicted by the others
    alone = qa.ask("How many young people took part in the internship scheme?", scope=[middle])
    assert [c.doc for c in alone.citations] == [middle] and not alone.items


def test_the_most_recent_meeting_is_the_newest_paper_s(tmp_path):
    """The shipped paper tells of the 23rd Hong Kong/Guangdong plenary (2023); a later paper of the
    24th (2024). "The most recent" is the 24th, with the earlier one shown as earlier."""
    import shutil

    from conftest import DATA, PAPER
    from qa.config import Settings
    from qa.service import QA

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(PAPER, corpus)
    shutil.copy(DATA / "related" / "panel-2024-11-18-guangdong-plenary.txt", corpus)
    qa = QA(Settings(index_dir=tmp_path / "index", corpus_dir=corpus, embed_models="e5-small"))
    qa.index()
    answer = qa.ask("When was the most recent Hong Kong/Guangdong plenary?")
    assert answer.lead == "9 September 2024" and answer.citations[0].doc == "panel-2024-11-18-guangdong-plenary"
    assert "21 March 2023" not in answer.lead


def test_english_questions_reach_a_paper_written_in_chinese(tmp_path):
    from conftest import ROOT

    paper = (ROOT / "tests" / "data" / "chinese" / "panel-ca-2024-07-15-civil-service-exchange-zh.txt")
    qa = library(tmp_path, {paper.name: paper.read_text(encoding="utf-8")})
    answer = qa.ask("How many civil servants joined the short-term exchanges in 2023-24?")
    assert not answer.abstained and answer.citations[0].paragraph == "4", answer.answer
    assert "186名" in answer.answer and answer.answer.startswith("The paper is written in Chinese")
    signed = qa.ask("When did the Civil Service Bureau sign the exchange memorandum with the Guangdong Provincial "
                    "Government?")
    assert signed.citations[0].paragraph == "6" and "2024年3月" in signed.answer, signed.answer
    assert qa.ask("How many civil servants joined the short-term exchanges in 2019-20?").abstained
    # and a question typed in simplified characters finds the traditional ones
    simple = qa.ask("公务员学院在2023-24年度举办了多少个国情培训班？")
    assert simple.citations[0].paragraph == "9" and "42個" in simple.answer, simple.answer


def test_a_follow_up_stays_with_the_paper_the_last_answer_cited(tmp_path):
    qa = library(tmp_path, {
        "piers-2023.md": "---\ndate: 2023-01-10\n---\n# Piers\n\n1. The report covers outlying piers.\n\n"
                         "2. The Tai O pier carried 12,000 passengers on 300 sailings.\n",
        "piers-2024.md": "---\ndate: 2024-01-10\n---\n# Piers\n\n1. The report covers outlying piers.\n\n"
                         "2. The Mui Wo pier carried 30,500 passengers on 900 sailings.\n"})
    for cited, sailings, doc in [("[2024-01-10 ¶2]", "900", "piers-2024"), ("[2023-01-10 ¶2]", "300", "piers-2023")]:
        history = [{"role": "user", "content": "How many passengers used the pier?"},
                   {"role": "assistant", "content": f"Passengers {cited}"}]
        answer = qa.ask("How many sailings were there?", history)
        assert answer.citations[0].doc == doc and sailings in answer.answer, answer.answer


def test_a_question_that_asks_two_things_answers_each_or_says_which_the_paper_does_not(service):
    both = service.ask("When was the PPRD Joint Conference held, and who led the Hong Kong delegation?")
    assert not both.abstained and "7 July 2023" in both.answer and "The CE led" in both.answer
    assert [c.paragraph for c in both.citations] == ["9"]
    check_citations(both)
    one = service.ask("When was the Hong Kong/Shenzhen Co-operation Meeting 2023 held, and what was its budget?")
    assert "22 February 2023" in one.answer and one.citations[0].paragraph == "5"
    assert one.answer.endswith("The paper does not say what its budget was."), one.answer
    zh = service.ask("深港合作會議2023在何時舉行？由誰共同主持？")
    assert "22 February 2023" in zh.answer and "Qin Weizhong" in zh.answer
    assert zh.answer.count("co-chaired") == 1  # one quote says both


def test_a_scoped_abstention_names_what_was_searched_and_counts_a_pair_once(tmp_path):
    """Limited to some papers, "does not say" names the paper (or how many were chosen) and points to
    searching all of them; a paper in English and Chinese is one paper there, as in the picker."""
    from qa.config import Settings
    from qa.service import QA

    from conftest import PAPER, ROOT

    zh = ROOT / "tests" / "data" / "bilingual" / "legco-panel-ca-2024-05-20-regional-cooperation-zh.md"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in (PAPER, zh):
        (corpus / f.name).write_bytes(f.read_bytes())
    (corpus / "ferries.md").write_text("# Ferries\n\n1. The Tai O pier reopens in March 2025.", encoding="utf-8")
    (corpus / "lamps.md").write_text("# Street lamps\n\n1. 300 street lamps were replaced.", encoding="utf-8")
    qa = QA(Settings(index_dir=tmp_path / "index", corpus_dir=corpus, embed_models="e5-small"))
    qa.index()
    titles = {d["doc"]: d["title"] for d in qa.documents()}
    gdp = "What was Hong Kong's GDP growth in 2023?"
    assert "the 3 papers searched" in qa.ask(gdp).answer  # the pair is one paper
    pair = qa.ask(gdp, scope=[PAPER.stem, zh.stem])
    assert pair.abstained and pair.answer == (f"The paper does not say. None of the paragraphs of “{titles[PAPER.stem]}” "
                                              "answers this question. Search all papers to look further."), pair.answer
    two = qa.ask(gdp, scope=["ferries", "lamps"])
    assert two.answer == ("The papers do not say. None of the paragraphs of the 2 papers chosen answers this question. "
                          "Search all papers to look further."), two.answer
    chinese = qa.ask("2019年香港馬拉松的冠軍是誰？", scope=[PAPER.stem, zh.stem])
    assert chinese.abstained and f"《{titles[zh.stem]}》" in chinese.answer and chinese.answer.endswith("可改為搜尋所有文件，再找找看。")
    assert chinese.answer.startswith("文件沒有提及這一點"), chinese.answer
    everything = qa.ask(gdp, scope=sorted(titles))  # every paper chosen: nothing further to search
    assert everything.answer.startswith("The papers do not say") and "Search all" not in everything.answer

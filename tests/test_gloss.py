from qa.gloss import chinese_for, segment, translate


def test_hk_place_abbreviations_are_read_from_the_dictionary():
    gloss, weights, names, _, named_words, _ = translate("閩港合作會議第四次全體會議達成了多少項合作事項？")
    assert {"fujian", "hong", "kong", "cooper"} <= set(weights)
    assert "fujian" in names and {"閩", "港"} <= set(named_words)  # as a Chinese paper names it
    assert "Fujian" in gloss
    for question, place in [("粤港合作联席会议", "guangdong"), ("滬港合作會議", "shanghai"),
                            ("京港合作會議", "beij"), ("深港合作會議", "shenzhen"), ("渝港合作", "chongq")]:
        assert place in translate(question).weights, question


def test_numbers_and_dates_carry_over():
    gloss = translate("第二十三次全體會議在2023年2月22日舉行")
    weights, names = gloss.weights, gloss.names
    assert {"23rd", "2023", "22", "februari"} <= set(weights)
    assert "2023" in names and "23rd" in names and "23" not in names  # the 23rd, not the number 23


def test_segmentation_prefers_known_compounds():
    assert segment("聯席會議") == ["聯席會議"]
    assert segment("香港與江蘇") == ["香港", "與", "江蘇"]


def test_english_words_are_rendered_in_chinese_longest_phrase_first():
    rendered = {r.english: r for r in chinese_for("How many civil servants joined the short-term exchanges "
                                                 "with Guangdong?")}
    assert "公务员" in rendered[("civil", "servant")].chinese  # the phrase, not "civil" and "servants" apart
    assert "短期" in rendered[("shortterm",)].chinese and "交流" in rendered[("exchang",)].chinese
    assert rendered[("guangdong",)].chinese == ("广东",) and rendered[("guangdong",)].proper
    assert not rendered[("exchang",)].proper  # a word, not a name a paragraph must say
    assert all(len(w) > 1 for r in rendered.values() for w in r.chinese)  # no lone characters (换, 汇)


def test_a_chinese_name_of_several_english_words_is_also_its_initials():
    """英國 is "United Kingdom"; a written answer says "the UK"."""
    assert "uk" in translate("英國政府表示").name_groups[0]
    assert "prc" in translate("中華人民共和國").name_groups[0]


def test_a_name_its_writer_glosses_in_english_is_that_english():
    """德文郡（Devon）is Devon; the dictionary's 德文 (German) still finds paragraphs but names nothing."""
    g = translate("2023-24年度，德文郡（Devon）獲得多少額外撥款？")
    assert g.name_groups == [("devon",)] and "german" not in g.names and "german" in g.weights
    assert translate("「烏克蘭家園計劃」（Homes for Ukraine）的感謝金是多少？").named_words == []
    assert translate("德文郡獲得多少額外撥款？").named_words == ["德文"]  # unglossed, the dictionary's name


def test_a_name_is_said_by_its_proper_words_not_the_dictionary_s_description():
    """成都 is "Chengdu subprovincial city and capital of Sichuan province in southwest China": a
    paper about Guiyang in China does not say it. A body named in common words ("Ministry of
    Education") is said by any of them: the UK's is the Department for Education."""
    assert translate("行政長官到成都出席咗咩會議？").name_groups == [("chengdu",)]
    assert translate("英國政府表示").name_groups[0] == ("england", "uk")
    assert translate("香港與湖南建立了甚麼合作機制？").name_groups[-1] == ("hunan",)
    assert {"ministri", "educ"} <= set(translate("教育部表示").name_groups[0])


def test_a_chinese_paragraph_s_gloss_says_an_english_question_s_words():
    """For an English question about a Chinese paper: the paragraph glossed back into English."""
    from qa.gloss import glossed

    said = glossed("完善城鄉居民基本醫保，財政補助標準由每人每年320元提高到380元。")
    assert {"basic", "insur", "subsidi", "380"} <= said and "endometriosi" not in said


def test_an_english_word_s_synonyms_are_read_through_the_dictionary_both_ways():
    """A question's "talks" is a paper's "negotiations", its "trip" a "journey": each word's
    commonest Chinese renderings, glossed back into English. Names have none."""
    from qa.gloss import chinese_for, synonyms

    said = synonyms(chinese_for("How long was the trip, and what came of the talks in Washington?"))
    assert "journey" in said["trip"] and "negoti" in said["talk"]
    assert "washington" not in said


def test_a_sense_s_initials_its_head_and_its_hyphened_words_say_it_too():
    # "gross domestic product (GDP)": a question may write the initials alone, and a Chinese question
    # about an English paper reaches its "GDP"
    rendered = {r.english: r.chinese for r in chinese_for("What was GDP, and how much did the consumer price index rise?")}
    assert "国内生产总值" in rendered[("gdp",)]
    assert "居民消费价格指数" in rendered[("consum", "price", "index")]
    assert "gdp" in translate("國內生產總值增長了多少？").weights
    # "tertiary sector of industry" is the tertiary sector (its head), not the geologic Tertiary
    assert chinese_for("the tertiary sector's share")[0].chinese == ("第三产业",)
    # a word joined by hyphens the dictionary writes apart
    assert any("子弹火车" in r.chinese for r in chinese_for("a bullet-train network"))
    # initials that are not the words' own initials are part of the sense ("satellite TV"), kept whole
    assert "卫星电视" in chinese_for("satellite TV")[0].chinese


def test_a_word_that_shortens_another_says_what_the_longer_one_does():
    # "abbr. for 國家發展和改革委員會…, PRC National Development and Reform Commission": the English
    # after it; with none given, the full word's senses ("abbr. for 七言律詩")
    assert {"nation", "develop", "reform", "commiss"} <= set(translate("發改委").weights)
    assert "vers" in translate("七律").weights
    assert not any(t.startswith("abbr") for t in translate("發改委和七律").weights)  # no "abbr. for" left over

import pytest

from qa.chunk import approx_tokens, chunk_document, structure, units_of
from qa.ingest import load, parse_text

from conftest import PAPER


@pytest.fixture(scope="module")
def units():
    return structure(load(PAPER))


def by_number(units, number, label=""):
    return next(u for u in units if u.paragraph == number and u.label == label)


def test_paragraphs_are_numbered_as_the_paper_numbers_them(units):
    plain = [u.paragraph for u in units if not u.label]
    assert plain == [str(n) for n in range(1, 16)]
    assert by_number(units, "1").text.startswith("This paper briefs members")
    assert by_number(units, "1").heading_path == ("Purpose",)
    assert by_number(units, "15").text == "Members are invited to note the content of this paper."


@pytest.mark.parametrize("number,start,after_break", [
    ("2", "President Xi Jinping", "Steering Group co-ordinates and takes forward at the top level"),
    ("3", "In addition, Hong Kong has kept", "technology, transportation, healthcare, culture, tourism"),
    ("7", "Hong Kong/Chongqing Co-operation Conference is the first", "Council Mr Wang Linggui, also attended"),
    ("9", "The PPRD Regional Co-operation", "and region in the PPRD, namely Fujian"),
    ("12", "The HKSAR Government promotes", "the areas of education, investment promotion and equine sports"),
    ("14", "The current-term Government", "promote mutual development and contribute"),
])
def test_page_breaks_are_rejoined(units, number, start, after_break):
    text = by_number(units, number).text
    assert text.startswith(start)
    assert after_break in text


def test_headings_become_paths(units):
    assert by_number(units, "5").heading_path == ("Co-operation Meetings", "Hong Kong/Shenzhen Co-operation Meeting")
    assert by_number(units, "8").heading_path == ("Co-operation Meetings", "Hong Kong/Fujian Co-operation Conference")
    assert by_number(units, "2").heading_path == ("Background", "Integration into the National Development")
    assert by_number(units, "14").heading_path == ("Conclusion",)
    assert all("Co-operation Meetings" not in u.text for u in units)


def test_paragraph_13_bullets_are_labelled_units(units):
    labels = [u.label for u in units if u.paragraph == "13"]
    assert labels == ["", "Financial co-operation", "Trade co-operation", "Innovation and technology co-operation",
                      "Legal co-operation", "Educational co-operation", "Youth development",
                      "Cultural exchanges", "City development"]
    legal = by_number(units, "13", "Legal co-operation")
    assert "Centre for International Legal and Dispute Resolution Services" in legal.text
    innovation = by_number(units, "13", "Innovation and technology co-operation")
    assert "municipalities and autonomous regions in key areas" in innovation.text  # page break inside a bullet
    youth = by_number(units, "13", "Youth development")
    assert youth.text.endswith("actively integrate into national development.")


def test_long_paragraphs_become_sentence_windows_with_the_same_number():
    doc = load(PAPER)
    chunks = chunk_document(doc, max_tokens=120)
    windows = [c for c in chunks if c.paragraph == "7"]
    assert len(windows) > 1
    assert [c.window for c in windows] == list(range(len(windows)))
    assert all(approx_tokens(c.text) <= 120 for c in chunks)
    raw = PAPER.read_text(encoding="utf-8")
    for c in chunks:
        # each window starts on a sentence and its span points at that text in the source
        assert raw[c.start:c.start + 25] == c.text[:25]
    whole = units_of(chunks)[f"{doc.id}#7"]
    assert whole.text == by_number(structure(doc), "7").text


def test_chunk_metadata_and_stable_ids():
    doc = load(PAPER)
    a, b = chunk_document(doc), chunk_document(doc)
    assert [c.id for c in a] == [c.id for c in b] and [c.hash for c in a] == [c.hash for c in b]
    meta = a[0].metadata()
    assert meta["doc"] == doc.id and meta["title"] == doc.title and meta["date"] == "2024-05-20"
    assert meta["paragraph"] == "1" and meta["heading"] == "Purpose"
    assert {"start", "end", "hash", "label"} <= set(meta)


def test_unnumbered_documents_get_sequential_numbers():
    doc = parse_text("# Press release\n\nFirst paragraph here.\n\nSecond one.\n\n## Later\n\nThird.", "pr")
    units = structure(doc)
    assert [(u.paragraph, u.heading_path) for u in units] == [
        ("1", ("Press release",)), ("2", ("Press release",)), ("3", ("Press release", "Later"))]


def test_unnumbered_paragraph_continues_the_previous_one_when_no_gap():
    doc = parse_text("1. One starts.\n\nStill one.\n\n2. Two.", "d")
    assert [(u.paragraph, u.text) for u in structure(doc)] == [("1", "One starts. Still one."), ("2", "Two.")]


# -- numbering real documents use (patterns seen in parliamentary answers and annexed papers) --------

def doc_units(text: str):
    return structure(parse_text(text, "t"))


def keys(units):
    return [(u.part, u.paragraph, u.label) for u in units]


def test_an_unnumbered_lead_is_read_with_the_numbered_notes_it_introduces():
    units = doc_units("## Question\n\nTo ask the Minister how many offices there are.\n\n## Answer\n\n"
                      "The figures are subject to the following caveats:\n\n1. Volumes are rounded to the nearest 100.\n\n"
                      "2. Totals may not sum because of rounding.\n")
    assert keys(units) == [("Question", "1", ""), ("", "1", ""), ("", "2", "")]
    assert units[1].text.startswith("The figures are subject to the following caveats: Volumes are rounded")
    assert [c.where for c in chunk_document(parse_text("## Q\n\nAsked.\n\n## A\n\nLead:\n\n1. One.\n\n2. Two.\n", "t"))] == \
        ["Q ¶1", "¶1", "¶2"]


def test_numbering_that_restarts_in_an_annex_is_its_own_part():
    units = doc_units("1. The paper says one thing.\n\n2. And another.\n\nAnnex A: Membership of the Group\n\n"
                      "1. The Chief Secretary chairs the Group.\n\n2. Members serve two years.\n\n"
                      "Appendix 2\n\n1. A table follows.\n")
    assert keys(units) == [("", "1", ""), ("", "2", ""), ("Annex A", "1", ""), ("Annex A", "2", ""),
                           ("Appendix 2", "1", "")]
    chunks = chunk_document(parse_text("1. One.\n\nAnnex A\n\n1. Chaired by the CS.\n", "t"))
    assert [c.where for c in chunks] == ["¶1", "Annex A ¶1"] and chunks[1].unit == "t#Annex A 1"


def test_a_repeated_number_is_labelled_not_dropped_and_ids_stay_unique():
    units = doc_units("1. Guarantees were committed:\n\n2. £350m for one bank.\n\n3. £400m for another.\n\n"
                      "3. £150m for a third.\n\n1. And a list with no heading restarting at one.\n")
    assert keys(units) == [("", "1", ""), ("", "2", ""), ("", "3", ""), ("", "3", "2nd"), ("", "1", "2nd")]
    chunks = chunk_document(parse_text("1. A.\n\n1. B.\n\n1. C.\n", "t"))
    assert len({c.id for c in chunks}) == 3 and [c.label for c in chunks] == ["", "2nd", "3rd"]


def test_sub_paragraphs_and_labelled_items_keep_their_part():
    units = doc_units("1. Main.\n\nAnnex B\n\n1. The areas are:\n\n(a) finance;\n\n(b) trade.\n")
    assert keys(units) == [("", "1", ""), ("Annex B", "1", ""), ("Annex B", "1", "(a)"), ("Annex B", "1", "(b)")]


def test_chinese_numbering():
    units = doc_units("一、背景\n\n1. 本文件向委員簡介有關安排。\n\n2. 香港有五個駐內地辦事處：\n\n（一）北京辦事處；\n\n"
                      "(二) 上海辦事處。\n\n三、第三段以中文數字編號。\n\n附件一\n\n1. 附件的第一段。\n")
    assert keys(units) == [("", "1", ""), ("", "2", ""), ("", "2", "(一)"), ("", "2", "(二)"), ("", "3", ""),
                           ("附件一", "1", "")]
    assert units[0].heading_path == ("一、背景",) and units[4].text == "第三段以中文數字編號。"


TABLE_PAPER = """# Liaison Units

5. The Liaison Units handled the following enquiries:

| Liaison Unit | Enquiries in 2023 | Staff |
| --- | --- | --- |
| Chengdu | 1,204 | 6 |
| Wuhan | 987 | 5 |

6. The figures for 2024 will be reported later.
"""


def test_a_table_row_is_a_unit_read_with_its_column_headers():
    chunks = chunk_document(parse_text(TABLE_PAPER, "tables"))
    rows = [c for c in chunks if c.label]
    assert [(c.paragraph, c.label) for c in rows] == [("5", "Chengdu"), ("5", "Wuhan")]
    assert rows[1].text == "Liaison Unit: Wuhan; Enquiries in 2023: 987; Staff: 5"
    assert [c.paragraph for c in chunks if not c.label] == ["5", "6"]  # the paragraphs keep their numbers


def test_a_table_row_is_read_under_its_caption():
    text = ("Answer\n\nThe ferry operators report their passengers.\n\n"
            "Table 1: Ferry passengers at outlying island piers in 2024\n\n"
            "| Pier | Passengers |\n| --- | --- |\n| Tai O | 12,000 |\n| Mui Wo | 30,500 |\n")
    rows = [c for c in chunk_document(parse_text(text, "ferries")) if c.label]
    assert [c.label for c in rows] == ["Tai O", "Mui Wo"]
    assert rows[0].heading_path[-1] == "Table 1: Ferry passengers at outlying island piers in 2024"
    # a lead-in ending in a colon captions the table too; of a long one, its last sentence
    led = chunk_document(parse_text(TABLE_PAPER, "tables"))
    assert [c for c in led if c.label][0].heading_path[-1] == "The Liaison Units handled the following enquiries:"


def test_a_title_block_over_the_first_paragraph_is_a_heading_not_a_paragraph():
    units = doc_units("立法會政制事務委員會\n加強與內地的區域合作\n\n背景\n\n3. 此外，香港一直加強與內地各地區的合作。\n")
    assert keys(units) == [("", "3", "")]
    assert units[0].heading_path == ("立法會政制事務委員會 加強與內地的區域合作", "背景")


def test_tables_from_html_and_word_become_rows(tmp_path):
    import docx

    from qa.ingest import load_bytes

    html = ("<html><body><h1>Prescriptions</h1><p>The following table shows the patients:</p><table>"
            "<tr><td><p>Financial Year</p></td><td><p>Patients</p></td></tr>"
            "<tr><td><p>2018/2019</p></td><td><p>1,545,014</p></td></tr>"
            "<tr><td><p>2019/2020</p></td><td><p>1,497,077</p></td></tr></table>"
            "<table><tr><td><p>A layout table of one cell.</p></td></tr></table>"
            "<table><tr><td colspan=3>Collisions on the A52, 2021 to 2022</td></tr>"
            "<tr><td>Year</td><td>Junction</td><td>Junction</td></tr>"
            "<tr><td>2021</td><td>Belvoir Road</td><td>Belvoir Road</td></tr></table></body></html>")
    chunks = chunk_document(load_bytes(html.encode(), "prescriptions.html"))
    texts = [c.text for c in chunks]
    assert "Financial Year: 2019/2020; Patients: 1,497,077" in texts  # the header is told from figures
    assert "A layout table of one cell." in texts
    # a title row spanning the table heads its rows; a merged cell is read once
    row = next(c for c in chunks if c.text == "Year: 2021; Junction: Belvoir Road")
    assert row.heading_path[-1] == "Collisions on the A52, 2021 to 2022"

    word = docx.Document()
    word.add_paragraph("3. Ferry routes and their fares are as follows:")
    table = word.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("Route", "Fare"), ("Central - Mui Wo", "HK$15.9"), ("Central - Cheung Chau", "HK$13.6")]):
        table.rows[r].cells[0].text, table.rows[r].cells[1].text = a, b
    word.add_paragraph("4. Fares are reviewed every year.")
    path = tmp_path / "ferries.docx"
    word.save(str(path))
    chunks = chunk_document(load(path))
    assert ("3", "Central - Cheung Chau", "Route: Central - Cheung Chau; Fare: HK$13.6") in \
        [(c.paragraph, c.label, c.text) for c in chunks]


def test_a_header_may_name_years_but_holds_no_values():
    from qa.ingest import load_bytes

    html = ("<html><body><p>The allocations are as follows:</p><table>"
            "<tr><td>Local authority</td><td>2023-24 additional funding (£000)</td><td>Uplift to 2033-34 (£000)</td></tr>"
            "<tr><td>Kent</td><td>4,300</td><td>134,058</td></tr></table>"
            "<p>Joiners by year:</p><table><tr><td></td><td>June 2023</td><td>2024</td></tr>"
            "<tr><td>Midwives</td><td>3,883</td><td>4,278</td></tr></table>"
            "<p>The milestones were:</p><table><tr><td>2019</td><td>Launched</td></tr>"
            "<tr><td>2020</td><td>Expanded to 12 sites</td></tr></table></body></html>")
    chunks = chunk_document(load_bytes(html.encode(), "allocations.html"))
    texts = [c.text for c in chunks]
    assert "Local authority: Kent; 2023-24 additional funding (£000): 4,300; Uplift to 2033-34 (£000): 134,058" in texts
    assert "Midwives; June 2023: 3,883; 2024: 4,278" in texts
    # not marked as a header, the first row stays a unit of its own: the paragraphs keep their numbers
    assert [c.paragraph for c in chunks if c.text.startswith("Local authority |")] == ["2"]
    # a first column of years is data, its first row too
    assert "2019 | Launched" in texts and "2020 | Expanded to 12 sites" in texts


def test_footnotes_are_cited_as_footnotes():
    paper = ("# Background\n\n2. The Steering Group was set up in 2022.[^1] It meets twice a year.²\n\n"
             "3. Its members are listed in the Annex.\n\n[^1]: Announced in the 2022 Policy Address.\n\n"
             "² The meetings are not open to the public.\n")
    chunks = chunk_document(parse_text(paper, "notes"))
    assert [(c.part, c.paragraph) for c in chunks] == [("", "2"), ("", "3"), ("Footnotes", "1"), ("Footnotes", "2")]
    assert chunks[2].where == "Footnotes ¶1" and chunks[2].text == "Announced in the 2022 Policy Address."
    assert chunks[1].text == "Its members are listed in the Annex."  # not run into the paragraph before it


def test_a_paragraph_split_by_a_page_s_footnote_is_rejoined():
    paper = ("4. The Government will continue to deepen co-operation with the\n\n"
             "¹ See the Policy Address 2023, paragraph 12.\n\n"
             "Mainland in finance and trade.\n\n5. Members are invited to note this paper.\n")
    chunks = chunk_document(parse_text(paper, "split"))
    assert chunks[0].text == "The Government will continue to deepen co-operation with the Mainland in finance and trade."
    assert [(c.part, c.paragraph) for c in chunks] == [("", "4"), ("Footnotes", "1"), ("", "5")]


def test_sections_numbered_within_sections_keep_their_numbers():
    """"1.1", "1.2" as the paper prints them, with "(i)" items under them; a figure that starts a
    line ("2.5 million people") is no paragraph number."""
    units = doc_units("1. Introduction to the scheme.\n\n1.1 The first point.\n\n1.2 The second point:\n\n"
                      "(i) one;\n\n(ii) two.\n\n2. Next.\n\n2.5 million people took part.\n\n2.1 A sub-section.\n")
    assert keys(units) == [("", "1", ""), ("", "1.1", ""), ("", "1.2", ""), ("", "1.2", "(i)"), ("", "1.2", "(ii)"),
                           ("", "2", ""), ("", "2.1", "")]
    assert "2.5 million people" in units[5].text

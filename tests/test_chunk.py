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

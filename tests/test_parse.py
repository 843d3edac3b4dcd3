"""Each format, generated for real from the paper's text, comes back with the paper's structure."""

import io
import zipfile

import pytest

from qa.chunk import structure
from qa.ingest import IngestError, load, load_bytes

from docgen import make_docx, make_html, make_pdf, make_question_headings_pdf, make_two_column_pdf


def numbered(doc):
    return {(u.paragraph, u.label): u for u in structure(doc)}


def check_paper_structure(doc):
    units = numbered(doc)
    assert [p for p, label in units if not label] == [str(n) for n in range(1, 16)]
    assert units[("1", "")].text.startswith("This paper briefs members")
    assert "Steering Group co-ordinates and takes forward" in units[("2", "")].text
    assert units[("8", "")].heading_path[-1] == "Hong Kong/Fujian Co-operation Conference"
    assert ("13", "Legal co-operation") in units
    assert "21 items covering ten areas" in units[("8", "")].text


def test_pdf(tmp_path):
    doc = load(make_pdf(tmp_path / "paper.pdf"))
    check_paper_structure(doc)
    assert doc.title == "Strengthening Regional Co-operation with the Mainland"
    assert doc.date == "2024-05-20"
    text = "\n".join(b.text for b in doc.blocks)
    assert "LC Paper No." not in text and "- 2 -" not in text  # running header and page numbers dropped


def test_pdf_page_breaks_rejoin_paragraphs(tmp_path):
    doc = load(make_pdf(tmp_path / "long.pdf", repeat=4))
    units = numbered(doc)
    assert len([1 for _, label in units if not label]) == 60
    for (number, label), unit in units.items():
        if not label:
            assert unit.text.rstrip().endswith((".", ":", '"')), (number, unit.text[-80:])


def test_docx(tmp_path):
    doc = load(make_docx(tmp_path / "paper.docx"))
    check_paper_structure(doc)
    assert doc.title == "Strengthening Regional Co-operation with the Mainland"


def test_docx_automatic_numbering_is_recovered(tmp_path):
    units = numbered(load(make_docx(tmp_path / "auto.docx", auto_numbers=True)))
    assert [p for p, label in units if not label] == [str(n) for n in range(1, 16)]
    assert units[("5", "")].text.startswith("The Chief Secretary for Administration")


def test_html_main_content_only(tmp_path):
    doc = load(make_html(tmp_path / "paper.html"))
    check_paper_structure(doc)
    text = "\n".join(b.text for b in doc.blocks)
    assert "Skip to content" not in text and "Privacy" not in text and "tracking" not in text
    assert doc.date == "2024-05-20"


def test_markdown_headings_give_paths():
    doc = load_bytes(b"# Notice\n\n## Part A\n\nFirst point.\n\n## Part B\n\nSecond point.", "n.md")
    assert [(u.paragraph, u.heading_path) for u in structure(doc)] == [
        ("1", ("Notice", "Part A")), ("2", ("Notice", "Part B"))]


@pytest.mark.parametrize("name,data,reason", [
    ("corrupt.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "PDF"),
    ("renamed.pdf", b"\x7fELF\x02\x01\x01binary", "not a PDF"),
    ("empty.pdf", b"", "empty"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "docx"),
    ("notes.xlsx", b"PK", "unsupported"),
    ("blank.html", b"<html><body><script>x()</script></body></html>", "no text"),
])
def test_bad_files_are_refused(name, data, reason):
    with pytest.raises(IngestError, match=reason):
        load_bytes(data, name)


def test_encrypted_pdf_is_refused(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(make_pdf(tmp_path / "p.pdf")))
    writer.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(IngestError, match="encrypted"):
        load_bytes(buf.getvalue(), "locked.pdf")


def test_docx_zip_bomb_is_refused_before_inflating():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b" " * (300 * 1024 * 1024) + b"</w:document>")
    assert len(buf.getvalue()) < 2 * 1024 * 1024
    with pytest.raises(IngestError, match="zip bomb"):
        load_bytes(buf.getvalue(), "bomb.docx")


def test_oversize_files_are_refused():
    with pytest.raises(IngestError, match="too large"):
        load_bytes(b"x" * 2048, "big.txt", max_bytes=1024)


@pytest.mark.parametrize("text,date", [
    ("立法會政制事務委員會\n\n2024年11月18日會議", "2024-11-18"),
    ("立法會CB(4)123/24-25號文件\n\n二〇二四年十一月十八日", "2024-11-18"),
    ("2024 年 5 月 20 日", "2024-05-20"),
    ("Panel paper, 20 May 2024 (replacing 2023-01-02)", "2024-05-20"),
    ("Updated April 10, 2026", "2026-04-10"),  # as American reports write it
    ("2024年13月40日 is not a date", ""),
    # a month on a line of its own dates the paper to the month; one inside a sentence does not
    ("Question ID: 1740378\nMonth file: 2024-11\nAsked of: Chancellor of the Exchequer", "2024-11"),
    ("Annual report\nNovember 2024", "2024-11"),
    ("二〇二四年報告\n2024年11月", "2024-11"),
    ("In November 2024, the Government announced a review.", ""),
    ("Report 2024-13", ""),
])
def test_dates_are_read_in_english_and_chinese(text, date):
    doc = load_bytes(f"{text}\n\n1. 第一段。".encode("utf-8"), "zh.txt")
    assert doc.date == date


def test_a_printed_month_is_made_precise_by_the_files_own_date_in_it():
    from qa.dates import paper_date

    assert paper_date("2024-11", "2024-11-18") == "2024-11-18"
    assert paper_date("2024-11", "2025-02-01") == "2024-11"  # saved again later: the printed month
    assert paper_date("2024-11-05", "2024-11-18") == "2024-11-05"
    assert paper_date("", "2025-02-01") == "2025-02-01"


def test_a_chinese_date_line_is_not_taken_for_the_title():
    doc = load_bytes("2024年11月18日\n\n# 加強與內地的區域合作\n\n1. 本文件。".encode("utf-8"), "zh.md")
    assert doc.title == "加強與內地的區域合作" and doc.date == "2024-11-18"


@pytest.mark.parametrize("text,title,committee", [
    ("**For discussion\non 20 May 2024**\n\n**Legislative Council Panel on Constitutional Affairs\n"
     "Strengthening Regional Co-operation with the Mainland**\n\nPurpose\n\n1. This paper briefs members.",
     "Strengthening Regional Co-operation with the Mainland", "Legislative Council Panel on Constitutional Affairs"),
    ("立法會CB(4)123/24-25號文件\n\n立法會政制事務委員會\n\n加強與內地的區域合作\n\n1. 本文件向委員簡介。",
     "加強與內地的區域合作", "立法會政制事務委員會"),
    ("Finance Committee\n\nItem for Finance Committee\n\n1. Members are invited to approve.", "Item for Finance Committee",
     "Finance Committee"),
])
def test_the_title_is_not_the_committee_or_the_discussion_line(text, title, committee):
    from qa.parse import find_committee

    doc = load_bytes(text.encode("utf-8"), "paper.txt")
    assert doc.title == title
    assert find_committee("\n".join(b.text for b in doc.blocks[:6])) == committee


def test_a_two_column_pdf_is_read_column_by_column(tmp_path):
    """A research brief's layout: a large title, two justified columns, a running header repeating the
    title on page 2, a footnote in small type and a word hyphenated across lines."""
    doc = load(make_two_column_pdf(tmp_path / "brief.pdf"))
    assert doc.title == "The Harbour Ferry Fund: Issues for the Panel"  # not the file's "Microsoft Word - …"
    assert doc.date == "2024-05-14"
    units = [u for u in structure(doc) if not u.note]
    texts = [u.text for u in units]
    # each column's paragraph whole, never a line of the left column beside a line of the right
    assert "It paid operators a subsidy for each sailing and required them to publish their timetables." in texts[0]
    assert texts[2].startswith("Operators have asked") and texts[2].endswith("in the first half of 2025.")
    assert [u.paragraph for u in units] == ["1", "2", "3", "4", "5"]
    assert units[2].heading_path == ("Current Issues",) and units[4].heading_path == ("Options",)
    assert "inter-island services" in texts[4]
    assert texts[3].startswith("Ageing vessels. A second concern")  # a run-in heading stays in its paragraph
    assert not any("Issues for the Panel" in t for t in texts)  # the running header is gone
    notes = [u for u in structure(doc) if u.note]
    assert [(n.part, n.paragraph, n.text) for n in notes] == [
        ("Footnotes", "1", "Passenger trips counted by the operators' ticketing systems.")]


def test_pdf_headings_in_larger_type_are_headings_even_when_they_end_like_sentences(tmp_path):
    units = structure(load(make_question_headings_pdf(tmp_path / "brief.pdf")))
    assert [u.paragraph for u in units] == ["1", "2"]  # the headings are not numbered as paragraphs
    assert units[0].heading_path[-1] == "Does the Ordinance Cover Kaito Ferries?"
    # over two lines, one heading, the paragraph under it filed under it
    assert units[1].heading_path[-1] == "Latest Court Action: Secretary for Transport v. Island Kaito Services Company Ltd."
    assert units[1].text.startswith("In March 2025 the Secretary sued")

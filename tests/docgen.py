"""Real PDF, DOCX and HTML files built from the shipped paper's text, for the format tests."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import PAPER


def paper_blocks() -> list[str]:
    body = PAPER.read_text(encoding="utf-8").split("---\n", 2)[2]
    blocks = [" ".join(b.replace("**", "").split()) for b in re.split(r"\n\s*\n", body)]
    return [b for b in blocks if b]


def joined_blocks() -> list[str]:
    """The paper's paragraphs with its page breaks repaired (a generator lays out its own pages)."""
    out: list[str] = []
    for b in paper_blocks():
        if out and not out[-1].endswith((".", ":", "”", '"')) and not re.match(r"^\d+\. ", b) \
                and not _heading(out[-1]):
            out[-1] += " " + b
        else:
            out.append(b)
    return out


def _heading(b: str) -> bool:
    return len(b) < 120 and not b.endswith((".", ":", ",")) and not re.match(r"^\d+\. ", b)


def _latin1(text: str) -> str:
    return text.replace("“", '"').replace("”", '"').replace("’", "'").replace("‘", "'")


def make_pdf(path: Path, repeat: int = 1, title: str = "Strengthening Regional Co-operation with the Mainland") -> Path:
    from fpdf import FPDF

    class Paper(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", size=8)
            self.cell(0, 8, "LC Paper No. CB(4)123/2024(03)", align="R")
            self.ln(10)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=8)
            self.cell(0, 10, f"- {self.page_no()} -", align="C")

    pdf = Paper()
    pdf.set_title(title)
    pdf.add_page()
    blocks = joined_blocks()
    for n in range(repeat):
        for b in blocks:
            if repeat > 1 and (m := re.match(r"^(\d+)\. ", b)):
                b = f"{int(m.group(1)) + 15 * n}. " + b[m.end():]
            pdf.set_font("Helvetica", "B" if _heading(b) else "", 11)
            pdf.multi_cell(0, 6, _latin1(b))
            pdf.ln(4)
    pdf.output(str(path))
    return path


def make_docx(path: Path, auto_numbers: bool = False) -> Path:
    """With `auto_numbers`, paragraph numbers come from Word's list numbering (starting at 2, as in
    the paper, whose first paragraph is unnumbered), not from the text."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    d = docx.Document()
    num_id = None
    if auto_numbers:  # a numbering instance of the "List Number" definition that starts at 2
        numbering = d.part.numbering_part.element
        style_num = d.styles["List Number"].element.pPr.find(qn("w:numPr")).find(qn("w:numId")).get(qn("w:val"))
        abstract = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == style_num) \
            .find(qn("w:abstractNumId")).get(qn("w:val"))
        num = OxmlElement("w:num")
        num_id = str(900)
        num.set(qn("w:numId"), num_id)
        a = OxmlElement("w:abstractNumId")
        a.set(qn("w:val"), abstract)
        num.append(a)
        override = OxmlElement("w:lvlOverride")
        override.set(qn("w:ilvl"), "0")
        start = OxmlElement("w:startOverride")
        start.set(qn("w:val"), "2")
        override.append(start)
        num.append(override)
        numbering.append(num)
    d.core_properties.title = "Strengthening Regional Co-operation with the Mainland"
    for b in joined_blocks():
        if _heading(b):
            d.add_paragraph(b, style="Heading 2")
        elif auto_numbers and (m := re.match(r"^(\d+)\. ", b)):
            p = d.add_paragraph(b[m.end():], style="List Number")
            num_pr = p._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = int(num_id)
        else:
            d.add_paragraph(b)
    d.save(str(path))
    return path


def make_html(path: Path) -> Path:
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>LegCo paper</title>",
             "<meta name='date' content='2024-05-20'></head><body>",
             "<header><nav><a href='/'>Home</a> <a href='/papers'>Papers</a> Skip to content</nav></header>",
             "<aside>Related: Panel on Financial Affairs</aside><main>",
             "<h1>Strengthening Regional Co-operation with the Mainland</h1>"]
    for b in joined_blocks():
        esc = b.replace("&", "&amp;").replace("<", "&lt;")
        if _heading(b):
            parts.append(f"<h2>{esc}</h2>")
        elif ":" in b[:50] and not re.match(r"^\d+\.", b):
            parts.append(f"<ul><li>{esc}</li></ul>")
        else:
            parts.append(f"<p>{esc}</p>")
    parts.append("</main><footer>© Legislative Council Secretariat · Privacy · Page 1</footer>"
                 "<script>var tracking = 1;</script></body></html>")
    path.write_text("".join(parts), encoding="utf-8")
    return path


TWO_COLUMN = [  # (column text, heading?) in reading order; the layout of a two-page research brief
    ("Background", True),
    ("The Harbour Ferry Fund was set up in 2019 to keep outlying island ferry routes running. It "
     "paid operators a subsidy for each sailing and required them to publish their timetables.", False),
    ("By March 2024 the fund had supported 14 routes and 2.3 million passenger trips a year.", False),
    ("Current Issues", True),
    ("Operators have asked for the subsidy to be linked to fuel prices, which rose sharply after "
     "the fund was designed. The Transport Department is reviewing the formula and expects to "
     "report to the Panel in the first half of 2025.", False),
    ("**Ageing vessels.** A second concern is the age of the fleet: nine of the vessels in service are "
     "over thirty years old, and replacing them would cost an estimated HK$1.8 billion over ten years.", False),
    ("Options", True),
    ("The Panel could ask the Administration to extend the fund to new routes, to tie renewals to "
     "punctuality targets, or to set aside capital for replacing vessels.", False),
]


def make_two_column_pdf(path: Path, title: str = "The Harbour Ferry Fund: Issues for the Panel") -> Path:
    """Two pages of two justified columns under a large title, as research briefs are laid out: a
    running header that repeats the title on page 2, a footnote in small type, a bold run-in heading
    and a word hyphenated at a line end. Each column is written top to bottom, so the file's own order is reading order."""
    from fpdf import FPDF

    pdf = FPDF(format="letter")
    pdf.set_auto_page_break(False)
    pdf.set_title("Microsoft Word - brief_v3.docx")

    def column(x: float, y: float, blocks: list[tuple[str, bool]]) -> None:
        pdf.set_xy(x, y)
        for text, heading in blocks:
            pdf.set_font("Helvetica", "B" if heading else "", 12 if heading else 10)
            pdf.set_x(x)
            pdf.multi_cell(85, 5, text, align="L" if heading else "J", markdown=True)  # **run-in headings**
            pdf.ln(3)

    pdf.add_page()
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, "Updated 14 May 2024", align="R")
    pdf.set_xy(10, 20)
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(190, 8, title)
    column(10, 45, TWO_COLUMN[:3])
    column(110, 45, TWO_COLUMN[3:5])
    pdf.set_xy(10, 250)
    pdf.set_font("Helvetica", "", 7)
    pdf.multi_cell(190, 4, "1 Passenger trips counted by the operators' ticketing systems.")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, title, align="L")
    column(10, 20, TWO_COLUMN[5:7])
    pdf.set_xy(110, 20)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(85, 5, "The Panel could ask the Administration to extend the fund to new routes and to "
                   "consider a scheme for inter-", align="L")
    pdf.set_x(110)
    pdf.multi_cell(85, 5, "island services, tying renewals to punctuality targets.", align="L")
    pdf.output(str(path))
    return path


def make_question_headings_pdf(path: Path) -> Path:
    """A legal brief's layout: unnumbered paragraphs under headings set larger than the text, some of
    which end like sentences (a question; a party's name ending "Ltd."), one over two lines."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(180, 10, "Ferry Licences and the Courts")
    for heading, text in [
        ("Does the Ordinance Cover Kaito Ferries?",
         "The Ordinance covers every vessel carrying more than twelve passengers for hire. Kaito ferries "
         "carry up to sixty passengers and are licensed under it."),
        ("Latest Court Action: Secretary for Transport v. Island Kaito Services Company Ltd.",
         "In March 2025 the Secretary sued the operator for sailing without a valid licence on four routes. "
         "The court fined the operator $80,000."),
    ]:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 15)
        pdf.multi_cell(120, 7, heading)  # narrow: the long heading takes two lines
        pdf.ln(2)
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(180, 5, text)
    pdf.output(str(path))
    return path


def paper_page() -> bytes:
    """The shipped paper as a plain web page (its paragraphs and headings as written), with the
    navigation a published page has around it."""
    import html

    body = "".join((f"<h2>{html.escape(b)}</h2>" if _heading(b) else f"<p>{html.escape(b)}</p>") for b in paper_blocks())
    return ("<!doctype html><html><head><meta charset='utf-8'><title>Strengthening Regional Co-operation with the "
            "Mainland</title></head><body><nav><a href='/'>Home</a> <a href='/papers/'>Papers</a></nav>"
            f"<main>{body}</main><footer>© Legislative Council Secretariat</footer></body></html>").encode()

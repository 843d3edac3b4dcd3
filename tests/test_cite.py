"""Citation markers: made in one place, read back by the same patterns everywhere."""

from qa.cite import CITED, MARKER, cited_paragraphs, marker, strip_markers, without_markers
from qa.models import Chunk


def test_markers_are_made_from_the_unit_and_the_paper_s_label(service):
    lex = service.store.lexical()
    chunk = lex.units[0]
    assert marker(lex, chunk) == f"[{chunk.where}]"  # one paper: no label
    annex = Chunk("d", "1", "", (), "text", 0, 4, part="Annex A")
    assert marker(lex, annex) == "[Annex A ¶1]"


def test_cited_paragraphs_are_read_from_answers():
    assert cited_paragraphs("A [¶5] and B [¶13 Legal co-operation] and [Paper 2024-05-20 ¶7].") == [
        ("", "5"), ("", "13"), ("Paper 2024-05-20", "7")]


def test_a_model_s_loose_markers_are_stripped_and_words_are_counted_without_markers():
    assert strip_markers("Five offices [¶3]. Eleven units (¶3, ¶4) and 【¶5】 and ¶6.") == \
        "Five offices . Eleven units and and ."
    assert without_markers("**22 February 2023** [2024-05-20 ¶5]").split() == ["**22", "February", "2023**"]


def test_hostile_brackets_are_read_in_one_pass():
    """A history of thousands of brackets must not make the patterns backtrack: they are bounded,
    so each finds nothing here, at once."""
    hostile = "[" * 20_000 + "¶" + "]" * 20_000
    assert not cited_paragraphs(hostile) and CITED.search("[" * 20_000) is None
    assert [m.group(0) for m in MARKER.finditer(hostile)] == ["[¶]"]  # only the innermost pair

from pathlib import Path

import pytest

from qa.ingest import IngestError, decode, discover, load, parse_text, split_blocks

from conftest import PAPER


def test_front_matter_becomes_metadata():
    doc = load(PAPER)
    assert doc.id == PAPER.stem
    assert doc.title == "Strengthening Regional Co-operation with the Mainland"
    assert doc.date == "2024-05-20"
    assert doc.meta["committee"] == "Legislative Council Panel on Constitutional Affairs"
    assert len(doc.hash) == 16


def test_blocks_keep_exact_source_spans():
    text = PAPER.read_text(encoding="utf-8")
    for block in load(PAPER).blocks:
        assert text[block.start:block.end] == block.text


def test_title_and_date_found_without_front_matter():
    doc = parse_text("**For discussion\non 20 May 2024**\n\n**A Paper on Things**\n\nPurpose\n\nText.", "x")
    assert doc.date == "2024-05-20"
    assert doc.title == "A Paper on Things"


def test_legacy_encodings_are_decoded():
    assert decode("香港合作".encode("big5hkscs"), "x.txt") == "香港合作"
    assert decode("\ufeffhello".encode("utf-8"), "x.txt") == "hello"


@pytest.mark.parametrize("name,content,reason", [
    ("empty.txt", b"   \n\n", "empty"),
    ("binary.txt", b"\x00\x01\x02binary", "binary"),
    ("paper.exe", b"MZ", "unsupported"),
])
def test_bad_files_are_refused_with_a_reason(tmp_path: Path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError, match=reason):
        load(path)


def test_discover_walks_folders_and_rejects_missing_paths(tmp_path: Path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("y")
    (tmp_path / "c.bin").write_text("z")
    assert [p.name for p in discover([tmp_path])] == ["a.txt", "b.md"]
    with pytest.raises(IngestError, match="no such file"):
        discover([tmp_path / "missing"])


def test_split_blocks_skips_blank_runs():
    blocks = split_blocks("a\n\n\n  \nb c\n")
    assert [b.text for b in blocks] == ["a", "b c"]

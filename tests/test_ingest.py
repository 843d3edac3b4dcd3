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


@pytest.mark.parametrize("shape", ["many paragraphs", "nested lists"])
def test_a_20_mb_page_is_refused_as_soon_as_it_is_seen_to_be_too_big(tmp_path: Path, shape):
    """The passage limit stops the reading of a page (it took 5.6 minutes to refuse one, holding the
    indexing queue); a page whose blocks nest thousands deep is read in one walk, not one per level."""
    import time

    from qa.config import Settings
    from qa.service import QA

    if shape == "many paragraphs":
        body = "".join(f"<div><p>{i}. Paragraph {i} about the harbour, its piers and ferries. {'word ' * 160}</p></div>\n"
                       for i in range(22_000))
    else:
        body = "".join(f"<li>{i}. Item {i} about the harbour and its piers, {'x' * 260}. <ul>" for i in range(60_000))
    page = f"<html><body><main>{body}</main></body></html>".encode()
    assert len(page) > 16 * 1024 * 1024
    (tmp_path / "corpus").mkdir()
    qa = QA(Settings(index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus"))
    started = time.perf_counter()
    result = qa.add([("huge.html", page)])
    took = time.perf_counter() - started
    assert result.documents == [] and "huge.html" in result.skipped[0] and not list((tmp_path / "corpus").iterdir())
    assert ("5,000 passages" if shape == "many paragraphs" else "nest") in result.skipped[0]
    assert took < 30, took  # the attack's bound, on a busy 2-core machine

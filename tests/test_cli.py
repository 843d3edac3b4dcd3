"""The CLI contract, run as a user runs it: a real process, a real index."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qa.config import Settings

from conftest import CORPUS, DOC, ROOT


def run(args, index_dir, stdin=None, timeout=180):
    env = {**os.environ, "QA_INDEX_DIR": str(index_dir), "QA_CORPUS_DIR": str(CORPUS)}
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], input=stdin, capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=timeout)


def test_ask_json(index_dir):
    out = run(["ask", "--json", "Where was the Hong Kong/Shenzhen Co-operation Meeting 2023 held?"], index_dir)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["abstained"] is False and data["citations"][0]["paragraph"] == "5"
    assert data["citations"][0]["doc"] == "legco-panel-ca-2024-05-20-regional-cooperation"
    assert "Traceback" not in out.stderr


def test_ask_jsonl_answers_each_line_and_reports_bad_lines(index_dir):
    lines = "\n".join([
        json.dumps({"question": "Who is the Mayor of Shanghai named in the paper?"}),
        "not json",
        json.dumps({"question": "  "}),
        json.dumps({"question": "Who led the delegation from that province?", "history": [
            {"role": "user", "content": "When was the Hong Kong/Fujian Co-operation Conference held?"},
            {"role": "assistant", "content": "On 28 June 2023 [¶8]."}]}),
    ]) + "\n"
    out = run(["ask", "--jsonl"], index_dir, stdin=lines)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 4
    assert rows[0]["citations"][0]["paragraph"] == "11"
    assert "error" in rows[1] and "empty" in rows[2]["error"]
    assert rows[3]["citations"][0]["paragraph"] == "8" and "Guo Ningning" in rows[3]["answer"]


@pytest.mark.parametrize("question,code,message", [
    ("", 2, "empty"),
    ("x" * 100_000, 2, "too long"),
    ("Какая дата?", 2, "English or Chinese"),
])
def test_bad_questions_exit_2_with_one_line(index_dir, question, code, message):
    out = run(["ask", question], index_dir)
    assert out.returncode == code
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


def test_bad_text_in_a_conversation_is_cleaned_or_refused_in_one_line(index_dir):
    surrogate = run(["ask", "--history", '[{"role": "user", "content": "\\ud800 offices"}]',
                     "How many Mainland Offices does the HKSAR Government have?"], index_dir)
    assert surrogate.returncode == 0 and "[¶3]" in surrogate.stdout, surrogate.stderr
    for history, message in [('[{"role": "user"', "not JSON"), ('{"role": "user"}', "history must be")]:
        out = run(["ask", "--history", history, "Where are they?"], index_dir)
        assert out.returncode == 2 and message in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_missing_or_corrupt_index_exits_3(tmp_path):
    out = run(["ask", "When?"], tmp_path / "nothing-here")
    assert out.returncode == 3 and "run `qa index`" in out.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "chroma.sqlite3").write_bytes(b"this is not a database")
    out = run(["ask", "When?"], broken)
    assert out.returncode in (1, 3) and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert (broken / "chroma.sqlite3").read_bytes() == b"this is not a database"  # never damaged further


def test_index_reports_and_is_idempotent(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_EMBED_MODELS", "e5-small")
    first = run(["index", "--quiet"], tmp_path / "idx")
    assert first.returncode == 0 and "1 added" in first.stdout, first.stderr
    out = run(["index", "--quiet"], tmp_path / "idx")
    assert out.returncode == 0, out.stderr
    assert "0 added, 0 updated, 0 removed, 1 unchanged" in out.stdout and "0 embeddings computed" in out.stdout


def test_index_list_remove_and_refusals(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_EMBED_MODELS", "e5-small")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    monkeypatch.setattr(sys.modules[__name__], "CORPUS", corpus)
    (corpus / "note.md").write_text("# Note\n\n1. The first point.\n\n2. The second point.", encoding="utf-8")
    idx = tmp_path / "idx"
    assert run(["index", "-q"], idx).returncode == 0
    extra = tmp_path / "extra.md"
    extra.write_text("# Extra\n\nAnother paper about ports.", encoding="utf-8")
    added = run(["index", "add", str(extra), "--title", "Extra paper", "--date", "2024-06-01", "-q"], idx)
    assert added.returncode == 0 and "1 added" in added.stdout, added.stderr
    listing = json.loads(run(["index", "list", "--json"], idx).stdout)
    assert {d["doc"]: d["title"] for d in listing} == {"note": "Note", "extra": "Extra paper"}
    assert run(["index", "remove", "nope"], idx).returncode == 2
    assert run(["index", "remove", "extra"], idx).returncode == 0
    assert [d["doc"] for d in json.loads(run(["index", "list", "--json"], idx).stdout)] == ["note"]
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf at all")
    refused = run(["index", "add", str(bad)], idx)
    assert refused.returncode == 4 and "not a PDF" in refused.stderr and "Traceback" not in refused.stderr


def test_eval_prints_per_type_table(index_dir, tmp_path: Path):
    qs = tmp_path / "q.jsonl"
    qs.write_text("\n".join(json.dumps(q) for q in [
        {"id": "a", "type": "fact", "question": "How many Mainland Offices does the HKSAR Government have?",
         "gold": ["3"], "facts": [["five"]]},
        {"id": "b", "type": "unanswerable", "question": "What is the GDP of Chongqing?", "gold": []},
    ]))
    out = run(["eval", str(qs), "--json"], index_dir)
    assert out.returncode == 0, out.stderr
    table = {row["type"]: row for row in json.loads(out.stdout)}
    assert table["fact"]["hit@1"] == 1.0 and table["fact"]["fact_recall"] == 1.0
    assert table["unanswerable"]["abstain"] == 1.0
    assert table["ALL"]["p50_ms"] > 0


def test_one_bad_file_is_reported_and_the_others_are_indexed(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_EMBED_MODELS", "e5-small")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    monkeypatch.setattr(sys.modules[__name__], "CORPUS", corpus)
    (corpus / "a-broken.pdf").write_bytes(b"%PDF-1.4 this file was cut short")
    (corpus / "note.md").write_text("# Note\n\n1. The first point.\n\n2. The second point.", encoding="utf-8")
    (corpus / "answer.md").write_text("## Question\n\nHow many?\n\n## Answer\n\nAs follows:\n\n1. One.\n\n"
                                      "1. One again.\n\nAnnex A\n\n1. Restarted.\n", encoding="utf-8")
    out = run(["index", "-q"], tmp_path / "idx")
    assert out.returncode == 5, out.stderr
    assert "a-broken.pdf" in out.stderr and "Traceback" not in out.stderr and "2 added" in out.stdout
    listing = json.loads(run(["index", "list", "--json"], tmp_path / "idx").stdout)
    assert sorted(d["doc"] for d in listing) == ["answer", "note"]


def test_remove_is_refused_while_the_app_serves_the_index(tmp_path, index_dir):
    from qa.store import serving_lock

    idx = tmp_path / "idx"
    shutil.copytree(index_dir, idx)
    lock = serving_lock(Settings(index_dir=idx, corpus_dir=CORPUS))
    with lock:  # what app.py holds while it serves
        out = run(["index", "remove", DOC], idx)
    assert out.returncode == 3 and "admin page" in out.stderr
    assert [d["doc"] for d in json.loads(run(["index", "list", "--json"], idx).stdout)] == [DOC]


def test_an_emptied_database_is_set_aside_with_its_vectors_not_rebuilt_over_them(tmp_path, index_dir):
    idx = tmp_path / "idx"
    shutil.copytree(index_dir, idx)
    (idx / "chroma.sqlite3").write_bytes(b"")
    vectors = sorted(p.name for p in idx.iterdir() if p.is_dir())
    out = run(["ask", "How many Mainland Offices does the HKSAR Government have?"], idx)
    assert out.returncode == 3 and "chroma.sqlite3, is empty" in out.stderr and "`qa index`" in out.stderr
    assert (idx / "chroma.sqlite3").stat().st_size == 0  # untouched
    repaired = run(["index", "-q"], idx)
    assert repaired.returncode == 0 and "moved it to" in repaired.stderr
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("idx.damaged-")]
    assert len(aside) == 1 and sorted(p.name for p in aside[0].iterdir() if p.is_dir()) == vectors


def test_a_damaged_index_is_explained_by_the_app_and_repaired_by_qa_index(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_EMBED_MODELS", "e5-small")
    idx = tmp_path / "idx"
    idx.mkdir()
    (idx / "chroma.sqlite3").write_bytes(b"this is not a database")
    env = {**os.environ, "QA_INDEX_DIR": str(idx), "QA_CORPUS_DIR": str(CORPUS), "QA_PORT": "9"}
    app = subprocess.run([sys.executable, "app.py"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert app.returncode == 1 and "Traceback" not in app.stderr
    assert "cannot open the index" in app.stderr and "`qa index`" in app.stderr
    assert (idx / "chroma.sqlite3").read_bytes() == b"this is not a database"
    repaired = run(["index", "-q"], idx)
    assert repaired.returncode == 0 and "moved it to" in repaired.stderr and "1 added" in repaired.stdout
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("idx.damaged-")]
    assert len(aside) == 1 and (aside[0] / "chroma.sqlite3").read_bytes() == b"this is not a database"
    assert json.loads(run(["ask", "--json", "How many Mainland Offices does the HKSAR Government have?"],
                          idx).stdout)["citations"][0]["paragraph"] == "3"


def test_a_read_only_index_is_explained_not_a_traceback(tmp_path, index_dir):
    """A read-only mount of a good index: the app, `qa ask` and `qa index` say so in one line."""
    idx = tmp_path / "idx"
    shutil.copytree(index_dir, idx)
    mounted = subprocess.run(["mount", "--bind", str(idx), str(idx)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here: {mounted.stderr.decode().strip()}")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(idx)], capture_output=True).returncode != 0:
            pytest.skip("cannot remount read-only here")
        env = {**os.environ, "QA_INDEX_DIR": str(idx), "QA_CORPUS_DIR": str(CORPUS), "QA_PORT": "9"}
        app = subprocess.run([sys.executable, "app.py"], capture_output=True, text=True, env=env, cwd=ROOT,
                             timeout=120)
        for out in (app, run(["ask", "When?"], idx), run(["index", "-q"], idx)):
            assert out.returncode != 0 and "Traceback" not in out.stderr
            assert "read-only" in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
    finally:
        subprocess.run(["umount", str(idx)], capture_output=True)

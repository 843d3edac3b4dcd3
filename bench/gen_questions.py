"""Grow the evaluation question set: questions written by a hand other than the answerer's, over
real documents, each checked against the text before it is kept, split once by document.

    .venv/bin/python bench/gen_questions.py sheets --corpus DIR [--corpus DIR …] [--docs FILE] --out WORK
    .venv/bin/python bench/gen_questions.py write --work WORK [--llm-url URL] [--docs FILE] [--per-doc N]
    .venv/bin/python bench/gen_questions.py check --work WORK [--written FILE …] [--dry-run --verbose]

1. `sheets` reads each document as the index reads it (the project's own parser and chunker) and
   writes one task sheet per document into WORK (outside the repository: sheets hold the documents'
   text): its citable units, numbered U1, U2 … with the paragraph each is cited as. A writer sees
   the sheets and `bench/questions/prompts/writer.md`, never the answerer.
2. A writer fills them in, as JSON lines (`writer.md` says what each kind of question is and how
   it is written down):
   - independent writers (people, or a strong model) who have read only `writer.md` and the
     sheets. The set in bench/questions/generated was written so, by eight writers, each over its
     own documents; their rows are bench/questions/written/w1..w8.jsonl.
   - `write` runs a language model as the writer, with the prompts in bench/questions/prompts/: any
     OpenAI-compatible server (`--llm-url`), or, by default, the bundled model. A question is kept
     only when the model, answering it afresh from the unit, copies a short answer from it; its
     rewordings and translations are kept when they still find it; near misses move a year or a
     figure, compound questions join two kept ones. The bundled 1.5B model's questions are weak
     (it asks "What is the name of the passage?", and its Chinese mixes in English), so none is in
     the shipped set; a stronger model behind `--llm-url` grows the set the same way.
3. `check` keeps only the rows that hold against the text (`check_row`: the answer words are in the
   gold paragraphs, a near miss's changed detail is nowhere in the document, the question does not
   give its own answer), gives each its gold paper and paragraphs, and splits the set by document
   into `dev` and `test` (bench/questions/generated/). A document's split is decided once, by a hash
   of its paper's id (both language versions of a paper fall together), and never changes as the
   set grows. The output holds questions, gold paragraph numbers and the short answer words, never
   the documents' text.

Tune only on `dev`. Report `test`, and never read its misses.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import qa  # noqa: F401  (offline environment first)
from qa.chunk import chunk_document, units_of
from qa.ingest import IngestError, discover, load
from qa.models import Chunk
from qa.text import converter, is_cjk

HERE = Path(__file__).resolve().parent
PROMPTS = HERE / "questions" / "prompts"
OUT = HERE / "questions" / "generated"
KINDS = ("fact", "paraphrase", "compound", "list", "followup", "nearmiss")
TEST_SHARE = 2  # of 5 buckets: about 40% of documents are test


# -- documents as the index reads them ----------------------------------------------------------
@dataclass
class Sheet:
    doc: str
    title: str
    date: str
    language: str  # en | zh
    paper: str  # both language versions of a paper share it
    corpus: str  # the folder it came from (a name, for reports: "uk-written-answers")
    units: list[Chunk] = field(default_factory=list)

    def marker(self, unit: Chunk) -> str:
        return unit.where + (f" · {unit.label}" if unit.label else "")

    def text(self) -> str:
        head = [f"# {self.doc}", f"title: {self.title}", f"date: {self.date or 'none'}",
                f"language: {self.language}", ""]
        body = []
        for n, u in enumerate(self.units, 1):
            heading = " › ".join(u.heading_path)
            body.append(f"U{n} [{self.marker(u)}]" + (f"  (under: {heading})" if heading else "") + f"\n{u.text}\n")
        return "\n".join(head + body)


def read_sheet(path: Path, corpus: str) -> Sheet:
    doc = load(path)
    units = list(units_of(chunk_document(doc, 470)).values())
    sample = " ".join(u.text for u in units[:40])
    language = doc.meta.get("language", "")[:2] or ("zh" if sum(map(is_cjk, sample)) > len(sample) / 4 else "en")
    paper = doc.meta.get("paper", "") or doc.id
    return Sheet(doc.id, doc.title, doc.date, "zh" if language == "zh" else "en", paper, corpus, units)


def sheets(corpora: list[Path], names: set[str] | None) -> Iterator[tuple[Path, Sheet]]:
    for corpus in corpora:
        for path in discover([corpus]):
            if names is not None and path.stem not in names and path.name not in names:
                continue
            try:
                yield path, read_sheet(path, path.resolve().parent.name)
            except IngestError as exc:
                print(f"skipped {path.name}: {exc}", file=sys.stderr)


def split_of(paper: str) -> str:
    """dev or test, from the paper's id alone: the same document always falls the same way."""
    bucket = int(hashlib.sha256(paper.encode()).hexdigest(), 16) % 5
    return "test" if bucket < TEST_SHARE else "dev"


def cmd_sheets(args: argparse.Namespace) -> None:
    names = None
    if args.docs:
        names = {line.strip() for line in Path(args.docs).read_text().splitlines() if line.strip()}
    work = Path(args.out)
    (work / "sheets").mkdir(parents=True, exist_ok=True)
    index = {}
    for path, sheet in sheets([Path(c) for c in args.corpus], names):
        (work / "sheets" / f"{sheet.doc}.md").write_text(sheet.text(), encoding="utf-8")
        index[sheet.doc] = {"file": str(path), "corpus": sheet.corpus, "language": sheet.language,
                            "paper": sheet.paper, "split": split_of(sheet.paper), "units": len(sheet.units),
                            "title": sheet.title}
    (work / "sheets.json").write_text(json.dumps(index, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(index)} sheets in {work / 'sheets'}")


# -- checks: a question is kept only when it holds against the text ------------------------------
def norm(text: str) -> str:
    """For finding words in text: one case, one script, one kind of space and quote."""
    text = converter("t2s").convert(text) if is_cjk(text) else text
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("–", "-")
    return " ".join(text.lower().split())


def _in(needle: str, hay: str) -> bool:
    n = norm(needle)
    if not n:
        return False
    if re.fullmatch(r"[\w.,%$£-]+", n) and not is_cjk(n):  # a word or figure: whole, not inside another
        return re.search(rf"(?<![A-Za-z0-9.]){re.escape(n)}(?![A-Za-z0-9])", hay) is not None
    return n in hay


def check_row(row: dict[str, Any], sheet: Sheet) -> tuple[dict[str, Any] | None, str]:
    """The row as kept (gold paragraphs and facts resolved), or None with the reason."""
    kind = row.get("kind", "")
    question = str(row.get("question", "")).strip()
    if kind not in KINDS:
        return None, f"unknown kind {kind!r}"
    if not question or len(question) > 400:
        return None, "no question"
    lang = "zh" if is_cjk(question) else "en"
    doc_text = norm(" ".join([sheet.title, *(u.text for u in sheet.units)]))
    units = []
    for ref in row.get("units", []):
        m = re.fullmatch(r"U(\d+)", str(ref).strip())
        if not m or not 1 <= int(m.group(1)) <= len(sheet.units):
            return None, f"no unit {ref!r}"
        units.append(sheet.units[int(m.group(1)) - 1])
    history = row.get("history") or []
    if kind == "followup" and not (history and history[0].get("role") == "user"):
        return None, "a follow-up without the question before it"
    if kind == "nearmiss":
        absent = [str(a) for a in row.get("absent", []) if str(a).strip()]
        if not absent:
            return None, "a near miss must name the changed detail"
        present = [a for a in absent if _in(a, doc_text)]
        if present:
            return None, f"the changed detail {present[0]!r} is in the document"
        return {"kind": kind, "lang": lang, "question": question, "gold": [], "facts": [], "history": history,
                "absent": absent}, ""
    if not units:
        return None, "no gold unit"
    if kind == "list" and len({u.unit for u in units}) < 2:
        return None, "a list needs two paragraphs or more"
    gold_text = norm(" ".join(u.text for u in units))
    facts = []
    for alts in row.get("facts", []):
        alts = [str(a).strip() for a in (alts if isinstance(alts, list) else [alts]) if str(a).strip()]
        kept = [a for a in alts if _in(a, gold_text)]
        if not kept:
            return None, f"the answer words {alts[:1]} are not in the gold paragraphs"
        facts.append(kept)
    if not facts:
        return None, "no answer words"
    if kind == "list" and len(facts) < 2:
        return None, "a list needs an answer word for each of two items or more"
    asked = norm(question)
    if all(any(_in(a, asked) for a in alts) for alts in facts):
        return None, "the question gives its own answer"
    gold = list(dict.fromkeys(u.paragraph for u in units))
    return {"kind": kind, "lang": lang, "question": question, "gold": gold,
            "units": list(dict.fromkeys(u.unit for u in units)), "facts": facts, "history": history}, ""


def cmd_check(args: argparse.Namespace) -> None:
    work = Path(args.work)
    index = json.loads((work / "sheets.json").read_text(encoding="utf-8"))
    cache: dict[str, Sheet] = {}
    written = [Path(p) for p in args.written] if args.written else sorted((work / "written").glob("*.jsonl"))
    kept: dict[str, list[dict[str, Any]]] = {"dev": [], "test": []}
    refused: dict[str, int] = {}
    seen: set[str] = set()
    for path in written:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                refused["not JSON"] = refused.get("not JSON", 0) + 1
                continue
            doc = row.get("doc", "")
            if doc not in index:
                refused["unknown document"] = refused.get("unknown document", 0) + 1
                continue
            if doc not in cache:
                info = index[doc]
                cache[doc] = read_sheet(Path(info["file"]), info["corpus"])
            out, why = check_row(row, cache[doc])
            key = norm(str(row.get("question", ""))) + "|" + doc
            if out is None or key in seen:
                why = why or "a duplicate"
                refused[why.split(" '")[0].split(" [")[0]] = refused.get(why.split(" '")[0].split(" [")[0], 0) + 1
                if args.verbose:
                    print(f"{path.name}:{n}: {why}", file=sys.stderr)
                continue
            seen.add(key)
            info = index[doc]
            out = {"id": "", "type": out.pop("kind"), **out, "doc": doc, "corpus": info["corpus"],
                   "doc_lang": info["language"], "by": row.get("by", path.stem)}
            kept[info["split"]].append(out)
    if not args.dry_run:
        OUT.mkdir(parents=True, exist_ok=True)
    for split, rows in kept.items() if not args.dry_run else ():
        rows.sort(key=lambda r: (r["corpus"], r["doc"], r["type"], r["question"]))
        for n, r in enumerate(rows, 1):
            r["id"] = f"{split[0]}{n:04d}"
        with (OUT / f"{split}.jsonl").open("w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    total = sum(len(r) for r in kept.values())
    zh = sum(r["lang"] == "zh" for rows in kept.values() for r in rows)
    print(f"kept {total} ({zh / max(1, total):.0%} Chinese): dev {len(kept['dev'])}, test {len(kept['test'])}")
    for split, rows in kept.items():
        kinds: dict[str, int] = {}
        for r in rows:
            kinds[f"{r['type']}/{r['lang']}"] = kinds.get(f"{r['type']}/{r['lang']}", 0) + 1
        print(f"  {split}: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    for why, count in sorted(refused.items(), key=lambda kv: -kv[1]):
        print(f"  refused {count}: {why}")


# -- the bundled model as a writer ---------------------------------------------------------------
def prompt(name: str, **values: str) -> list[dict[str, str]]:
    """A prompt file as chat messages: its sections (split by `---` lines) are the system message,
    then user and assistant turns in turn (a worked example), ending with the user's turn."""
    parts = [p.strip() for p in re.split(r"^---$", (PROMPTS / f"{name}.md").read_text(encoding="utf-8"), flags=re.M)]
    messages = [{"role": "system", "content": parts[0]}]
    for n, part in enumerate(parts[1:]):
        messages.append({"role": "user" if n % 2 == 0 else "assistant", "content": part})
    messages[-1]["content"] = messages[-1]["content"].format(**values)
    return messages


class ModelWriter:
    """Questions by the language model: it asks about a unit, then answers its own question from the
    unit with the fewest words it can copy; a question is kept only when that answer is short and
    verbatim, and its rewordings and follow-ups only when, asked afresh, they still find it. Near misses and
    compound questions are made from kept questions by rule, and checked like every other row."""

    def __init__(self, chat: Any, rng: random.Random) -> None:
        self.chat, self.rng = chat, rng

    def ask(self, name: str, max_tokens: int = 120, **values: str) -> str:
        from qa.llm import LLMError

        try:
            return self.chat.complete(prompt(name, **values), max_tokens=max_tokens).strip()
        except LLMError as exc:
            print(f"  model: {exc}", file=sys.stderr)
            return ""

    def finds(self, passage: str, question: str, fact: str) -> bool:
        reply = norm(self.ask("model_answer", 40, passage=passage, question=question))
        return bool(reply) and reply != "none" and (norm(fact) in reply or (len(reply) > 3 and reply in norm(fact)))

    def fact(self, sheet: Sheet, n: int) -> dict[str, Any] | None:
        """A question about one unit, and the words of the unit that answer it (at most eight)."""
        passage = sheet.units[n].text[:1500]
        question = self.ask("model_question", 80, passage=passage).splitlines()[0:1]
        if not question or not question[0].endswith(("?", "？")) or _ABOUT_THE_TEXT.search(question[0]):
            return None
        fact = self.ask("model_answer", 40, passage=passage, question=question[0]).strip().strip(".。")
        if not fact or fact.upper() == "NONE" or len(fact.split()) > 8 or not _in(fact, norm(passage)) \
                or _in(fact, norm(question[0])):
            return None
        return {"doc": sheet.doc, "kind": "fact", "question": question[0], "units": [f"U{n + 1}"], "facts": [[fact]]}

    def variants(self, sheet: Sheet, row: dict[str, Any]) -> list[dict[str, Any]]:
        n = int(row["units"][0][1:]) - 1
        passage, fact, question = sheet.units[n].text[:1500], row["facts"][0][0], row["question"]
        out = []
        reworded = self.ask("model_paraphrase", 60, question=question).splitlines()[0:1]
        if reworded and reworded[0].endswith(("?", "？")) and norm(reworded[0]) != norm(question) \
                and not _in(fact, norm(reworded[0])) and self.finds(passage, reworded[0], fact):
            out.append({**row, "kind": "paraphrase", "question": reworded[0]})
        other = "model_translate" if sheet.language == "en" else "model_translate_en"
        translated = self.ask(other, 80, question=question).splitlines()[0:1]
        if translated and is_cjk(translated[0]) == (sheet.language == "en") and translated[0].endswith(("?", "？")):
            out.append({**row, "question": translated[0]})
        return out

    def followup(self, sheet: Sheet, first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any] | None:
        n = int(second["units"][0][1:]) - 1
        rewritten = self.ask("model_followup", 60, first=first["question"], second=second["question"]).splitlines()[0:1]
        if not rewritten or not rewritten[0].endswith(("?", "？")) or len(rewritten[0]) >= len(second["question"]):
            return None
        unit = sheet.units[int(first["units"][0][1:]) - 1]
        history = [{"role": "user", "content": first["question"]},
                   {"role": "assistant", "content": f"{first['facts'][0][0]} [{sheet.marker(unit)}]"}]
        if not self.finds(sheet.units[n].text[:1500], second["question"], second["facts"][0][0]):
            return None
        return {**second, "kind": "followup", "question": rewritten[0], "history": history}


# a question about the text rather than its subject ("What is the name of the passage?")
_ABOUT_THE_TEXT = re.compile(r"\b(?:passage|this (?:text|document|paper|article))\b|文章|本文|這篇|这篇|段落", re.I)


def near_miss(row: dict[str, Any], sheet: Sheet, rng: random.Random) -> dict[str, Any] | None:
    """A kept question with one detail changed to one the document never writes: a year moved or a
    figure changed (a name swapped by rule reads as nonsense; writers change names by hand)."""
    question, text = row["question"], norm(" ".join(u.text for u in sheet.units) + " " + sheet.title)
    years = [y for y in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", question)]
    figures = [f for f in re.findall(r"(?<![\d.])\d[\d,]*(?![\d,])", question) if f not in years]
    choices: list[tuple[str, str]] = []
    for y in years:
        choices += [(y, str(int(y) + d)) for d in (-3, -2, 2, 3, 7) if str(int(y) + d) not in text]
    for f in figures:
        value = int(f.replace(",", ""))
        choices += [(f, f"{v:,}" if "," in f else str(v)) for v in (value * 3 + 7, value + 13) if str(v) not in text]
    if not choices:
        return None
    old, new = rng.choice(choices)
    changed = re.sub(rf"(?<![\w]){re.escape(old)}(?![\w])", new, question, count=1)
    if changed == question:
        return None
    return {"doc": row["doc"], "kind": "nearmiss", "question": changed, "absent": [new]}


def compound(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any] | None:
    """Two kept questions of one document asked as one: "How many …, and when …?"."""
    a, b = first["question"].rstrip("?？ "), second["question"].strip()
    if is_cjk(a) != is_cjk(b) or first["units"] == second["units"] and first["facts"] == second["facts"]:
        return None
    joined = f"{a}，以及{b}" if is_cjk(a) else f"{a}, and {b[:1].lower() + b[1:]}"
    return {"doc": first["doc"], "kind": "compound", "question": joined,
            "units": list(dict.fromkeys(first["units"] + second["units"])), "facts": first["facts"] + second["facts"]}


def cmd_write(args: argparse.Namespace) -> None:
    from qa.config import Settings
    from qa.llm import OpenAIChat

    work = Path(args.work)
    index = json.loads((work / "sheets.json").read_text(encoding="utf-8"))
    settings = Settings(llm_temperature=0.3, llm_timeout_s=300)
    server = None
    if args.llm_url:
        url = args.llm_url
    else:
        from qa.llm_local import LocalServer

        server = LocalServer(settings)
        url = server.start()
    rng = random.Random(args.seed)
    writer = ModelWriter(OpenAIChat(url, "", settings), rng)
    docs = sorted(index) if not args.docs else [d for d in index if d in set(Path(args.docs).read_text().split())]
    out_path = work / "written" / f"{args.name}.jsonl"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with out_path.open("a", encoding="utf-8") as out:
            for doc in docs:
                info = index[doc]
                sheet = read_sheet(Path(info["file"]), info["corpus"])
                units = [n for n, u in enumerate(sheet.units) if len(u.text) > 80]
                kept: list[dict[str, Any]] = []
                for n in rng.sample(units, min(len(units), args.per_doc)):
                    row = writer.fact(sheet, n)
                    if row is None:
                        continue
                    kept.append(row)
                    rows = [row, *writer.variants(sheet, row)]
                    miss = near_miss(row, sheet, rng)
                    rows += [miss] if miss else []
                    for r in rows:
                        out.write(json.dumps({**r, "by": args.name}, ensure_ascii=False) + "\n")
                if len(kept) >= 2:
                    pair = rng.sample(kept, 2)
                    for r in (compound(*pair), writer.followup(sheet, *pair)):
                        if r is not None:
                            out.write(json.dumps({**r, "by": args.name}, ensure_ascii=False) + "\n")
                out.flush()
                print(f"{doc}: {len(kept)} facts kept", flush=True)
    finally:
        if server is not None:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sheets")
    p.add_argument("--corpus", action="append", required=True)
    p.add_argument("--docs", help="a file naming the documents to write sheets for, one per line")
    p.add_argument("--out", required=True)
    p.set_defaults(run=cmd_sheets)
    p = sub.add_parser("write")
    p.add_argument("--work", required=True)
    p.add_argument("--llm-url", help="an OpenAI-compatible server (default: start the bundled model)")
    p.add_argument("--docs", help="a file naming the documents to write for (default: every sheet)")
    p.add_argument("--per-doc", type=int, default=3, help="units tried per document")
    p.add_argument("--name", default="bundled-model", help="the writer's name, and its file in WORK/written/")
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(run=cmd_write)
    p = sub.add_parser("check")
    p.add_argument("--work", required=True)
    p.add_argument("--written", nargs="*")
    p.add_argument("--verbose", action="store_true", help="say why each refused row was refused")
    p.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    p.set_defaults(run=cmd_check)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()

"""The generated question set (bench/questions/generated/, see bench/gen_questions.py), answered
as a reader would get it, and scored the way the project is judged:

    .venv/bin/python bench/bench_questions.py --split dev [--split test]
        [--library DIR[:N] …] [--cache DIR] [--generate] [--json FILE]

Three libraries are built (and kept in --cache, default ~/.cache/legco-qa/bench-questions, so a
second run re-indexes nothing):
- `paper`: the shipped paper alone (corpus/);
- `bilingual`: the paper, its Chinese version and a Chinese-only note (tests/data/bilingual, chinese);
- `library`: all of those, the project's other fixtures and every --library folder (N: its first N
  files, sorted), e.g. `--library ../shared/library/uk-written-answers:420 --library ../shared/library/crs-pdf
  --library ../shared/library/zh-gov-reports` (about 450 documents).
Each question is asked of the smallest library that holds its paper and, when that is not the
whole library, of the library too (the paper's questions "alone" and "inside the library").

Scores, for answerable questions: the first citation is the right paper (either language version)
and a gold paragraph (`first`); the answer holds the answer words (`facts`); it refuses
(`false_refusal`); list questions cite this share of their gold paragraphs (`coverage`). For near
misses: it abstains (`abstain`). `words`: the median English answer's words.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import qa  # noqa: F401  (offline environment first)
from qa.config import Settings
from qa.evaluate import answer_words
from qa.ingest import discover
from qa.models import Answer
from qa.service import QA

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "bench" / "questions" / "generated"
PAPER = [ROOT / "corpus"]
BILINGUAL = PAPER + [ROOT / "tests" / "data" / "bilingual", ROOT / "tests" / "data" / "chinese"]
FIXTURES = BILINGUAL + [ROOT / "tests" / "data" / "related", ROOT / "tests" / "data" / "series"]


def assemble(name: str, sources: list[tuple[Path, int | None]], cache: Path) -> Path:
    """A folder of links to the chosen files, named by what it holds."""
    files = [f for folder, limit in sources for f in discover([folder])[:limit]]
    digest = hashlib.sha256("\n".join(str(f.resolve()) for f in files).encode()).hexdigest()[:10]
    folder = cache / f"{name}-{digest}" / "corpus"
    if not folder.exists():
        folder.mkdir(parents=True)
        for f in files:
            (folder / f.name).symlink_to(f.resolve())
    return folder


def service(corpus: Path, generate: bool) -> QA:
    settings = Settings(corpus_dir=corpus, index_dir=corpus.parent / "index", llm="local" if generate else None)
    qa_ = QA(settings)
    t0 = time.perf_counter()
    result = qa_.index()
    if result.report.embedded:
        print(f"  indexed {corpus.parent.name}: {result.chunks} chunks in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr)
    qa_.warm()
    if generate:
        qa_.start_llm(wait=True)
    return qa_


def first_right(q: dict[str, Any], answer: Answer) -> bool:
    if answer.abstained or not answer.citations:
        return False
    c = answer.citations[0]
    docs = {c.doc, (c.other or {}).get("doc")}
    return q["doc"] in docs and c.paragraph in q["gold"]


def coverage(q: dict[str, Any], answer: Answer) -> float:
    cited = {c.paragraph for c in answer.citations if q["doc"] in (c.doc, (c.other or {}).get("doc"))}
    return len(cited & set(q["gold"])) / len(q["gold"])


def facts_in(q: dict[str, Any], answer: Answer) -> float:
    if answer.abstained:
        return 0.0
    text = " ".join([answer.answer, *(i.quote for i in answer.items)]).lower()
    from qa.text import converter

    simple = converter("t2s").convert(text)
    found = [any(f.lower() in text or converter("t2s").convert(f.lower()) in simple for f in alts) for alts in q["facts"]]
    return sum(found) / len(found)


def score(rows: list[tuple[dict[str, Any], Answer]]) -> dict[str, Any]:
    answerable = [(q, a) for q, a in rows if q["gold"]]
    misses = [(q, a) for q, a in rows if not q["gold"]]
    lists = [(q, a) for q, a in answerable if q["type"] == "list"]
    single = [(q, a) for q, a in answerable if q["type"] != "list"]

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 3) if values else None

    words = [answer_words(a.answer) for q, a in rows if not a.abstained and q["lang"] == "en"]
    return {
        "n": len(rows),
        "first_en": mean([first_right(q, a) for q, a in single if q["lang"] == "en"]),
        "first_zh": mean([first_right(q, a) for q, a in single if q["lang"] == "zh"]),
        "facts": mean([facts_in(q, a) for q, a in answerable]),
        "abstain": mean([a.abstained for q, a in misses]),
        "false_refusal": mean([a.abstained for q, a in answerable]),
        "coverage": mean([coverage(q, a) for q, a in lists]),
        "words_p50": statistics.median(words) if words else None,
    }


COLUMNS = ["n", "first_en", "first_zh", "facts", "abstain", "false_refusal", "coverage", "words_p50"]


def table(results: dict[str, dict[str, Any]], title: str) -> str:
    lines = [title, f"{'':<34}" + "".join(f"{c:>14}" for c in COLUMNS)]
    for name, row in results.items():
        cells = "".join(f"{'—' if row[c] is None else row[c]:>14}" for c in COLUMNS)
        lines.append(f"{name:<34}{cells}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", action="append", choices=["dev", "test"], required=True)
    parser.add_argument("--library", action="append", default=[], help="a folder of real documents, DIR or DIR:N")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "legco-qa" / "bench-questions")
    parser.add_argument("--generate", action="store_true", help="answer with the bundled language model")
    parser.add_argument("--json", type=Path, help="also write every answer here (for reading dev's misses)")
    args = parser.parse_args()
    extra = []
    for spec in args.library:
        folder, _, limit = spec.partition(":")
        extra.append((Path(folder), int(limit) if limit else None))
    libraries = {"paper": [(p, None) for p in PAPER], "bilingual": [(p, None) for p in BILINGUAL],
                 "library": [(p, None) for p in FIXTURES] + extra}
    corpora = {name: assemble(name, sources, args.cache) for name, sources in libraries.items()}
    services = {name: service(c, args.generate) for name, c in corpora.items()}
    docs_of = {name: {r.doc for r in s.list_documents()} for name, s in services.items()}
    dump = []
    for split in args.split:
        questions = [json.loads(line) for line in (QUESTIONS / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
                     if line.strip()]
        groups: dict[str, list[tuple[dict[str, Any], Answer]]] = defaultdict(list)
        for q in questions:
            homes = [name for name in ("paper", "bilingual", "library") if q["doc"] in docs_of[name]]
            if not homes:
                continue
            for home in dict.fromkeys([homes[0], "library"]):
                if home not in homes:
                    continue
                t0 = time.perf_counter()
                answer = services[home].ask(q["question"], q.get("history") or [], generate=args.generate)
                ms = (time.perf_counter() - t0) * 1000
                where = f"{q['corpus']} ({home})" if home != "library" or homes[0] != "library" else q["corpus"]
                groups[where].append((q, answer))
                groups[f"ALL ({home})" if home != "library" else "ALL (library)"].append((q, answer))
                dump.append({"split": split, "home": home, "id": q["id"], "ms": round(ms, 1), **q,
                             "answer": answer.to_json()})
        results = {name: score(rows) for name, rows in sorted(groups.items())}
        kinds: dict[str, list[tuple[dict[str, Any], Answer]]] = defaultdict(list)
        for q, a in groups["ALL (library)"]:
            kinds[f"{q['type']}/{q['lang']}"].append((q, a))
        print(table(results, f"\n{split}: by documents"))
        print(table({k: score(v) for k, v in sorted(kinds.items())}, f"{split}: by kind, inside the library"))
    if args.json:
        args.json.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in dump) + "\n", encoding="utf-8")
    for s in services.values():
        s.stop()


if __name__ == "__main__":
    main()

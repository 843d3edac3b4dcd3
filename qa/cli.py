"""`qa index | ask | eval | serve`: argument parsing and printing only.

Exit codes: 0 done (an abstention is a normal answer), 2 bad usage or a question we cannot take,
3 the index is missing or damaged, 4 no document could be read, 5 some documents were indexed and
some could not be, 1 anything unexpected.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Sequence

from . import __version__

EXIT_USAGE, EXIT_INDEX, EXIT_INGEST, EXIT_FAIL, EXIT_PARTIAL = 2, 3, 4, 1, 5
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # a scheme (two letters or more: not a drive letter)


def is_url(arg: str) -> bool:
    return bool(_URL.match(arg)) and not Path(arg).exists()


def _quiet() -> None:
    """Library chatter (weight-loading bars, deprecation notes) is not for our users."""
    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    for name in ("chromadb", "transformers", "sentence_transformers", "httpx", "jieba"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # read when transformers is first imported, so a command that never loads a model (`qa index
    # list`, a refused question) does not pay the second and more that importing it costs
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def _print_answer(answer: Any) -> None:
    print(answer.answer)
    if answer.answerer != "extractive" or answer.fallback:
        print(f"\n({answer.note})")
    if answer.citations:
        print()
        for c in answer.citations:
            where = c.marker + (f" ({c.label})" if c.label else "")
            print(f"  {where} {c.title}{', ' + c.date if c.date else ''}{' · ' + c.url if c.url else ''}")
            print(f"      “{c.quote}”")


def _bar(quiet: bool, desc: str = "embedding") -> Any:
    from tqdm import tqdm

    return tqdm(total=0, unit="chunk", desc=desc, disable=quiet, file=sys.stderr, mininterval=0.5)


def _summary(result: Any) -> int:
    if result.repaired:
        print(f"note: {result.repaired}", file=sys.stderr)
    for reason in result.skipped:
        print(f"skipped: {reason}", file=sys.stderr)
    for reason in result.failed:
        print(f"failed: {reason}", file=sys.stderr)
    problems = len(result.skipped) + len(result.failed)
    if not result.documents and problems:
        print("error: no document could be indexed", file=sys.stderr)
        return EXIT_INGEST
    print(f"{len(result.documents)} document(s), {result.chunks} chunks: {result.report}")
    if problems:
        print(f"{problems} file(s) not indexed (listed above); every other document was", file=sys.stderr)
        return EXIT_PARTIAL
    return 0


def cmd_index(qa: Any, args: argparse.Namespace) -> int:
    action = args.paths[0] if args.paths and args.paths[0] in ("add", "remove", "list", "rebuild") else None
    rest = args.paths[1:] if action else args.paths
    if action == "list":
        rows = qa.documents()
        if args.json:
            print(json.dumps(rows, ensure_ascii=False))
            return 0
        print(f"{'document':44} {'date':10} {'lang':4} {'¶':>4} {'chunks':>6} {'hash':16} {'added':20} title")
        for r in rows:
            print(f"{r['doc'][:44]:44} {r['date'] or '-':10} {r['language'] or '-':4} {r['paragraphs']:>4} {r['chunks']:>6} "
                  f"{r['hash']:16} {r['added'][:19]:20} {r['title']}")
        print(f"{len(rows)} document(s)")
        return 0
    if qa.indexer.app_is_serving():
        print(f"error: the web app is serving {qa.settings.index_dir}; add or remove documents through "
              "its admin page or API, or stop it first", file=sys.stderr)
        return EXIT_INDEX
    if action == "remove":
        if len(rest) != 1:
            print("error: give one document id (see `qa index list`)", file=sys.stderr)
            return EXIT_USAGE
        if not qa.indexer.remove(rest[0]):
            print(f"error: no document {rest[0]!r} in the index", file=sys.stderr)
            return EXIT_USAGE
        print(f"removed {rest[0]} (its file is kept in {qa.settings.corpus_dir}/.removed/)")
        return 0
    if action == "add" and any(is_url(r) for r in rest):
        return _add_urls(qa, args, rest)
    bar = _bar(args.quiet)

    def on_total(n: int) -> None:
        bar.total = n
        bar.refresh()

    if args.watch:
        return _watch(qa, args, action or rest, bar, on_total)
    if action == "add":
        from .ingest import discover

        if not rest:
            print("error: give files, folders or URLs to add", file=sys.stderr)
            return EXIT_USAGE
        files = [(p.name, p.read_bytes()) for p in discover([Path(p) for p in rest])]
        result = qa.indexer.add(files, doc_id=args.id, title=args.title, date=args.date, progress=bar.update,
                        on_total=on_total, replace=args.replace)
    else:
        paths = [Path(p) for p in rest] or None
        result = qa.indexer.index(paths, progress=bar.update, on_total=on_total, force=action == "rebuild")
    bar.close()
    return _summary(result)


class LazyBar:
    """A progress bar shown once there is something to embed: a refused URL prints one line, no bar."""

    def __init__(self, quiet: bool) -> None:
        self.quiet, self.bar = quiet, None

    def total(self, n: int) -> None:
        self.bar = self.bar or _bar(self.quiet)
        self.bar.total = n
        self.bar.refresh()

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _add_urls(qa: Any, args: argparse.Namespace, urls: list[str]) -> int:
    """`qa index add URL…`: each URL fetched safely and indexed as an upload; refused ones exit 2."""
    from .sync import Library

    if not all(is_url(u) for u in urls):
        print("error: give either files and folders or URLs, not both", file=sys.stderr)
        return EXIT_USAGE
    bar = LazyBar(args.quiet)
    result = Library(qa).add_urls(urls, follow=args.follow, doc_id=args.id, title=args.title, date=args.date,
                                  progress=bar.update, on_total=bar.total)
    bar.close()
    if not result.reached:
        for line in result.skipped:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_USAGE
    for checked in result.checked:
        if checked.ok:
            print(checked)
    return _summary(result)


def _watch(qa: Any, args: argparse.Namespace, given: list[str], bar: Any, on_total: Any) -> int:
    """`qa index --watch`: the index made equal to the corpus folder, then kept so until Ctrl-C."""
    from .watch import Watcher

    if given:
        bar.close()
        print("error: --watch keeps the corpus folder indexed (QA_CORPUS_DIR); give no action or path",
              file=sys.stderr)
        return EXIT_USAGE
    watcher = Watcher(qa, report=lambda line: print(line, flush=True)).start()
    watcher.ready.wait(10)  # watching before the folder is read: nothing dropped meanwhile is missed
    result = qa.indexer.index(progress=bar.update, on_total=on_total)
    bar.close()
    _summary(result)
    print(f"watching {qa.settings.corpus_dir}/ for added, changed and deleted files (Ctrl-C to stop)",
          file=sys.stderr, flush=True)
    try:
        while watcher.alive:
            time.sleep(0.5)
    except KeyboardInterrupt:
        watcher.stop()
    return 0


def cmd_sync(qa: Any, args: argparse.Namespace) -> int:
    """`qa sync [SOURCE…]`: re-check sources (conditionally), add what is new, replace what changed."""
    from .fetch import FetchError
    from .sources import Source, read_sources
    from .sync import Library

    specs = args.sources or ([qa.settings.sync_sources] if qa.settings.sync_sources else [])
    if not specs:
        print("error: give sources (URLs, or a file of them), or set QA_SYNC_SOURCES", file=sys.stderr)
        return EXIT_USAGE
    try:
        sources = [Source(s.url, s.follow or args.follow) for spec in specs for s in read_sources(spec)]
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if qa.indexer.app_is_serving():
        print(f"error: the web app is serving {qa.settings.index_dir}; it syncs on its own schedule "
              "(QA_SYNC_EVERY), or stop it first", file=sys.stderr)
        return EXIT_INDEX
    bar = LazyBar(args.quiet)
    result = Library(qa).sync(sources, progress=bar.update, on_total=bar.total)
    bar.close()
    for checked in result.checked:
        print(checked)
    for reason in result.failed:
        print(f"failed: {reason}", file=sys.stderr)
    print(f"{len(result.documents)} document(s) fetched: {result.report}")
    if not result.reached:
        print("error: no source could be checked", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_PARTIAL if result.failed or not all(c.ok for c in result.checked) else 0


def cmd_ask(qa: Any, args: argparse.Namespace) -> int:
    from .service import QuestionError

    if qa.settings.generative and qa.start_llm(wait=True) is None:
        print(f"warning: answering without the language model: {qa.llm_status().get('error')}", file=sys.stderr)
    if args.jsonl:
        qa.warm()
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                req = json.loads(line)
                if not isinstance(req, dict):
                    raise QuestionError("each line must be a JSON object")
                out = qa.ask(req.get("question", ""), req.get("history") or []).to_json()
            except (QuestionError, json.JSONDecodeError) as exc:
                out = {"error": str(exc)}
            print(json.dumps(out, ensure_ascii=False), flush=True)
        return 0
    if args.question is None:
        print("error: give a question, or --jsonl to read them from standard input", file=sys.stderr)
        return EXIT_USAGE
    try:
        history = json.loads(args.history) if args.history else []
    except json.JSONDecodeError as exc:
        raise QuestionError(f"--history is not JSON ({exc})") from None
    answer = qa.ask(args.question, history, scope=args.doc,
                    since=args.since or "", until=args.until or "", language=args.lang or "")
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        _print_answer(answer)
    return 0


def cmd_eval(qa: Any, args: argparse.Namespace) -> int:
    from .evaluate import format_table, load_questions, run, summarise

    qa.warm()
    questions = load_questions(Path(args.file))
    choice = args.answerer if args.answerer != "auto" else \
        "generative" if qa.settings.generative else "extractive"
    answerers = ["extractive", "generative"] if choice == "both" else [choice]
    if "generative" in answerers and not _llm_ready(qa):
        return EXIT_USAGE
    tables = {}
    for name in answerers:
        rows = run(qa, questions, generate=name == "generative")
        tables[name] = summarise(rows)
        if args.verbose:
            for r in rows:
                mark = "ok " if (r.hit(1) if r.answerable else r.answer.abstained) else "BAD"
                note = f" [fallback: {r.answer.fallback}]" if r.answer.fallback else ""
                print(f"{mark} {name[:3]} {r.id} {r.type:12} gold={','.join(r.gold) or '-':8} "
                      f"cited={','.join(r.cited) or '-':8} facts={r.fact_recall():.2f} "
                      f"{r.answer.answer[:100]!r}{note}")
    if args.json:
        print(json.dumps(tables if len(tables) > 1 else tables[answerers[0]]))
    else:
        print("\n\n".join(format_table(t, f"{name} answerer" if len(tables) > 1 else "") for name, t in tables.items()))
    return 0


def _llm_ready(qa: Any) -> bool:
    """Start the configured language model (waiting for the bundled one); say why if it cannot."""
    if not qa.settings.generative:
        print("error: no language model configured (set QA_LLM_URL, or QA_LLM=local)", file=sys.stderr)
        return False
    if qa.start_llm(wait=True) is None:
        print(f"error: {qa.llm_status().get('error') or 'the language model did not start'}", file=sys.stderr)
        return False
    return True


def cmd_mcp(qa: Any, args: argparse.Namespace) -> int:
    """The MCP tools over stdio, for desktop assistants: standard output carries only the protocol."""
    from .mcp_server import build, run_stdio

    qa.warm()
    try:
        run_stdio(build(qa))
    finally:
        qa.stop()
    return 0


def cmd_serve(qa: Any, args: argparse.Namespace) -> int:
    import runpy

    app = Path(__file__).resolve().parent.parent / "app.py"
    sys.argv = [str(app)]
    runpy.run_path(str(app), run_name="__main__")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qa", description="Cited answers over policy papers, offline.")
    p.add_argument("--version", action="version", version=f"qa {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    i = sub.add_parser(
        "index", help="build or update the index", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="qa index [PATH ...]      make the index equal corpus/ (or update it from PATHs)\n"
                    "qa index add PATH ...    copy files or folders into corpus/ and index them\n"
                    "qa index add URL ...     fetch documents (--follow: the papers a page links to)\n"
                    "qa index --watch         index, then keep corpus/ indexed as files come and go\n"
                    "qa index remove DOC      remove a document (its file moves to corpus/.removed/)\n"
                    "qa index list            what is indexed\n"
                    "qa index rebuild         re-embed everything in corpus/")
    i.add_argument("paths", nargs="*", metavar="[add|remove|list|rebuild] PATH")
    i.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    i.add_argument("--id", help="document id for `add` (default: the file name without extension)")
    i.add_argument("--title", help="title for `add`, overriding the one found in the document")
    i.add_argument("--date", help="date (YYYY-MM-DD) for `add`, overriding the one found in the document")
    i.add_argument("--json", action="store_true", help="`list` as JSON")
    i.add_argument("--replace", action="store_true",
                   help="`add`: replace a document with the same id or file name (the old file goes to .removed/)")
    i.add_argument("--follow", action="store_true",
                   help="`add URL`: the URL is a page listing papers; add the documents it links to")
    i.add_argument("--watch", action="store_true",
                   help="after indexing, index files dropped into the corpus folder and remove deleted ones")
    i.set_defaults(func=cmd_index)

    a = sub.add_parser("ask", help="answer a question with citations")
    a.add_argument("question", nargs="?")
    a.add_argument("--json", action="store_true", help="print one JSON object")
    a.add_argument("--jsonl", action="store_true", help="read JSON questions from stdin, one per line")
    a.add_argument("--history", help='earlier turns as JSON: [{"role": "user", "content": "..."}, ...]')
    a.add_argument("--doc", action="append", metavar="ID", help="search only this document (repeatable)")
    a.add_argument("--since", metavar="DATE", help="only papers dated from DATE (YYYY, YYYY-MM or YYYY-MM-DD)")
    a.add_argument("--until", metavar="DATE", help="only papers dated until DATE, inclusive")
    a.add_argument("--lang", choices=["en", "zh"], help="only papers written in this language")
    a.set_defaults(func=cmd_ask)

    e = sub.add_parser("eval", help="score a question file (JSONL, development-set format)")
    e.add_argument("file")
    e.add_argument("--json", action="store_true")
    e.add_argument("-v", "--verbose", action="store_true", help="one line per question")
    e.add_argument("--answerer", choices=["auto", "extractive", "generative", "both"], default="auto",
                   help="which answerer to score (auto: the generative one when a model is configured)")
    e.set_defaults(func=cmd_eval)

    y = sub.add_parser(
        "sync", help="re-check URLs, pages listing papers and feeds; add what is new, replace what changed",
        description="Sources are URLs, or files with one a line (`URL` or `URL follow`); default QA_SYNC_SOURCES. "
                    "Requests are conditional (ETag, Last-Modified); nothing is ever removed.")
    y.add_argument("sources", nargs="*", metavar="SOURCE")
    y.add_argument("--follow", action="store_true", help="the URLs given are pages listing papers")
    y.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    y.set_defaults(func=cmd_sync)

    m = sub.add_parser("mcp", help="serve the MCP tools (ask, search, get_paragraph, list_documents) over stdio")
    m.set_defaults(func=cmd_mcp)

    s = sub.add_parser("serve", help="run the web app (same as python app.py)")
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _quiet()
    from .ingest import IngestError
    from .service import QA, IndexError_, QuestionError
    from .embed import UnknownModel

    try:
        return args.func(QA(), args)
    except (QuestionError, json.JSONDecodeError, UnknownModel) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except IndexError_ as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INDEX
    except IngestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INGEST
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for users; QA_DEBUG=1 shows it
        if os.environ.get("QA_DEBUG"):
            raise
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())

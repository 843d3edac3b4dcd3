"""The web app: `python app.py`. Builds the index from corpus/ first if there is none, then serves the
chat (/chat), the REST API (/api, docs at /docs), the widget (/widget.js) and /embed on QA_HOST:QA_PORT."""

from __future__ import annotations

import sys

import qa  # noqa: F401  (offline environment before anything else is imported)
from qa.service import QA, IndexError_
from qa.store import IndexDamaged


def main() -> None:
    import uvicorn

    from qa import logs
    from qa.web import create_app
    from qa.web.clients import server_config

    service = QA()
    logs.configure(service.settings.log_format, service.settings.log_level)
    service.listeners.append(logs.answer_logger(service.settings.log_questions))
    try:
        if not service.indexer.serve_lock():  # other processes must not write under us (see qa/store.py)
            sys.exit(f"another app is already serving {service.settings.index_dir}")
    except IndexError_ as exc:
        sys.exit(f"error: {exc}")
    built = False
    try:
        try:
            service.warm()
        except IndexDamaged as exc:  # never build over it unasked: say what is wrong and how to recover
            sys.exit(f"error: {exc}")
        except IndexError_:
            print(f"No index yet: building it from {service.settings.corpus_dir}/ …", file=sys.stderr)
            result = service.indexer.index()
            built = True
            print(f"Indexed {len(result.documents)} document(s): {result.report}", file=sys.stderr)
            service.warm()
    except (IndexError_, OSError) as exc:
        sys.exit(f"error: {exc}")
    app = create_app(service)
    if not built:  # what a crash left between corpus/ and the index, settled in the indexing queue
        app.state.jobs.start(lambda progress, total, plan, started: service.indexer.check(progress, total),
                             names=["start-up check: corpus folder and index"])
    print(f"Serving on http://{service.settings.host}:{service.settings.port}/", file=sys.stderr)
    try:
        uvicorn.Server(server_config(app, service.settings.host, service.settings.port)).run()
    finally:
        service.stop()  # the bundled model's server, if one was started


if __name__ == "__main__":
    main()

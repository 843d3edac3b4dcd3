"""End-to-end fixtures: the real app on a free loopback port, a second origin serving the example
host page, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import CORPUS, ROOT, dies_with_us, free_port

ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost"]


@pytest.fixture(scope="session")
def feedback_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("feedback") / "feedback.jsonl"


ADMIN_TOKEN = "e2e-admin-token"


def start_app(tmp_path_factory, env_extra: dict[str, str], ready=lambda health: True, wait_s: float = 240,
              index: Path | None = None, source: Path = CORPUS):
    """The app as a user starts it: no index yet (it builds one), unless given a copy of `index`
    (built from the same corpus), and its own copy of the corpus (`source`). Yields its URL (on
    `QA_PORT` if given)."""
    port = int(env_extra.get("QA_PORT") or free_port())
    corpus = tmp_path_factory.mktemp("e2e-corpus")
    for f in source.iterdir():
        if f.is_file():
            shutil.copy(f, corpus / f.name)
    index_dir = tmp_path_factory.mktemp("e2e-index") / "index"
    if index is not None:
        shutil.copytree(index, index_dir)
    env = {**os.environ, "QA_INDEX_DIR": str(index_dir),
           "QA_CORPUS_DIR": str(corpus), "QA_PORT": str(port), **env_extra}
    log = open(tmp_path_factory.mktemp("applog") / "app.log", "w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, cwd=ROOT, stdout=log, stderr=log,
                            preexec_fn=dies_with_us)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + wait_s
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"app exited: {Path(log.name).read_text()}")
        try:
            res = httpx.get(url + "/healthz", timeout=1)
            if res.status_code == 200 and ready(res.json()):
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("app did not start")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="session")
def app_url(feedback_file, tmp_path_factory):
    started = time.perf_counter()
    for url in start_app(tmp_path_factory, {"QA_FEEDBACK_PATH": str(feedback_file), "QA_ADMIN_TOKEN": ADMIN_TOKEN}):
        os.environ["QA_E2E_STARTUP_S"] = f"{time.perf_counter() - started:.2f}"
        yield url


def serve_folder(root: Path):
    """A folder served on another loopback port: a second origin for host pages. Yields its URL."""
    port = free_port()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None  # type: ignore[assignment]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://localhost:{port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def host_url(app_url, tmp_path_factory):
    """examples/embed.html served from a second origin (another port), pointing at the app."""
    root = tmp_path_factory.mktemp("host")
    page = (ROOT / "examples" / "embed.html").read_text(encoding="utf-8")
    (root / "index.html").write_text(page.replace("http://127.0.0.1:7860", app_url), encoding="utf-8")
    for url in serve_folder(root):
        yield url + "/index.html"


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module: Playwright's sync API keeps an event loop running while it is
    open, and later tests that call asyncio.run() must not find one."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("QA_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.fail(f"{executable} missing: apt-get install chromium chromium-driver")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    outside: list[str] = []

    def watch(req):
        host = req.url.split("/")[2] if "://" in req.url else ""
        if req.url.startswith(("http://", "https://", "ws://", "wss://")) and \
                not host.split(":")[0] in ("127.0.0.1", "localhost"):
            outside.append(req.url)

    pg.on("request", watch)
    pg.outside_requests = outside  # type: ignore[attr-defined]
    yield pg
    context.close()
    assert outside == [], f"requests left the machine: {outside[:5]}"


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path

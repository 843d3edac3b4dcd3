"""Shared fixtures: a real index of the shipped corpus, built once per test session."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

import qa  # noqa: F401  (sets the offline environment first)
from qa.config import Settings
from qa.service import QA

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
PAPER = CORPUS / "legco-panel-ca-2024-05-20-regional-cooperation.txt"
DATA = Path(__file__).resolve().parent / "data"
DOC = PAPER.stem


@pytest.fixture(scope="session", autouse=True)
def remembered_passages():
    """The tests index the same paragraphs dozens of times, each time in a new index: the real E5
    model embeds each distinct text once per session, and later indexes are given the same vectors.
    What the store asks for (and counts as embedded or reused) is unchanged."""
    from qa.embed import E5Embedder

    real = E5Embedder.passages
    seen: dict[str, np.ndarray] = {}

    def passages(self: E5Embedder, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in seen]
        if missing:
            seen.update(zip(missing, real(self, missing)))
        return np.stack([seen[t] for t in texts])

    E5Embedder.passages = passages  # type: ignore[method-assign]
    yield
    E5Embedder.passages = real  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("index")
    QA(Settings(index_dir=path, corpus_dir=CORPUS)).index([CORPUS])
    return path


@pytest.fixture(scope="session")
def llm_url():
    """The bundled model behind llama.cpp's OpenAI-compatible server, one for the whole session:
    its prompt cache then serves every test that gives the model the same passages."""
    from qa.llm_local import LocalServer

    server = LocalServer(Settings())
    url = server.start()
    yield url
    server.stop()


# how long tests that expect a generated answer wait for the model's first token: the service's default
# (QA_LLM_TIMEOUT_S, 30 s) is what a user should wait; a busy test machine reads a prompt several times slower
MODEL_PATIENCE_S = 180.0


def short_reply(url: str) -> None:
    """One token for a short prompt no cache has seen: returns once the model is free and has answered."""
    import uuid

    from qa.llm import OpenAIChat
    from qa.llm_local import MODEL_NAME

    OpenAIChat(url, MODEL_NAME, Settings()).complete([{"role": "user", "content": f"{uuid.uuid4()}: say OK"}], 1)


def _model_server(url: str, path: str) -> httpx.Response:
    """A GET of the model server's own routes (beside its OpenAI ones under /v1)."""
    return httpx.get(url.removesuffix("/v1") + path, timeout=120)


def model_steps(url: str) -> int:
    """How many steps (`llama_decode` calls: a prompt slice of QA_LLM_BATCH_TOKENS, or one generated
    token) the bundled model's server has taken: work counted, where a clock would measure the machine."""
    text = _model_server(url, "/metrics").text
    return int(float(re.search(r"^llamacpp:n_decode_total (\S+)$", text, re.M).group(1)))


def model_busy(url: str) -> bool:
    return any(slot["is_processing"] for slot in _model_server(url, "/slots").json())


@pytest.fixture(scope="session")
def service(index_dir: Path) -> QA:
    qa_ = QA(Settings(index_dir=index_dir, corpus_dir=CORPUS))
    qa_.warm()
    return qa_


def run_async(coroutine):
    """Run a coroutine to the end on its own event loop, in its own thread: Playwright's sync API
    keeps a loop running in the main thread for the whole session."""
    import asyncio
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def dies_with_us() -> None:
    """For `preexec_fn`: the child is sent SIGTERM when the test process ends, however it ends (a
    suite stopped by a signal runs no fixture's teardown, and would leave its servers running)."""
    import ctypes
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def chroma_server(tmp_path: Path):
    """A real Chroma server on loopback, as `QA_CHROMA_URL` would point at in production."""
    port = free_port()
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "chroma"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env, preexec_fn=dies_with_us)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture()
def site():
    """A real HTTP server on 127.0.0.1 serving what the test puts in it (tests/localsite.py)."""
    from localsite import Site

    s = Site()
    yield s
    s.stop()

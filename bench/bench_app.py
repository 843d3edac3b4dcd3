"""The running app over HTTP: time from launch to the first answer, then time to first streamed token
and to the full answer for 20 development questions (POST /api/ask/stream), as medians.

    .venv/bin/python bench/bench_app.py            (uses ./index, building it first if missing)
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    questions = [json.loads(line) for line in (ROOT / "tests/data/dev.jsonl").read_text().splitlines()][:20]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "QA_PORT": str(port)}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                r = httpx.post(url + "/api/ask", json={"question": questions[0]["question"]}, timeout=5)
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.perf_counter() - t0 > 300:
                raise SystemExit("app did not start")
            time.sleep(0.2)
        launch_to_answer = time.perf_counter() - t0
        first_token, full = [], []
        with httpx.Client(timeout=30) as client:
            for q in questions:
                start = time.perf_counter()
                got_first = None
                with client.stream("POST", url + "/api/ask/stream",
                                   json={"question": q["question"], "history": q.get("history", [])}) as res:
                    for line in res.iter_lines():
                        if got_first is None and line.startswith("event: token"):
                            got_first = time.perf_counter() - start
                full.append((time.perf_counter() - start) * 1000)
                first_token.append((got_first or 0) * 1000)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    print(json.dumps({
        "launch_to_first_answer_s": round(launch_to_answer, 2),
        "questions": len(questions),
        "first_token_ms_median": round(statistics.median(first_token), 1),
        "full_answer_ms_median": round(statistics.median(full), 1),
        "full_answer_ms_p95": round(sorted(full)[int(0.95 * (len(full) - 1))], 1),
    }, indent=2))


if __name__ == "__main__":
    main()

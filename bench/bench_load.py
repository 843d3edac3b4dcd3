"""Concurrent users over app replicas that share one Chroma server, on loopback only: latency
percentiles and errors of `POST /api/ask` with N users for a fixed time, then the same while a
paper is being indexed through one replica.

    .venv/bin/python bench/bench_load.py [--users 20] [--seconds 30] [--replicas 2] [--corpus DIR]
    .venv/bin/python bench/bench_load.py --corpus DIR --index DIR    # a library already indexed (served from a copy)
    .venv/bin/python bench/bench_load.py --urls http://127.0.0.1:7861,http://127.0.0.1:7862 --token T

Without --urls it starts deploy/replicas.sh itself (a Chroma server and the replicas, on free
ports, over a copy of corpus/ or of --corpus DIR) and stops it afterwards. Each user is a thread
with its own HTTP client asking development questions in a loop, to the replicas in turn.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "How many Mainland Offices does the HKSAR Government have?", "Who is the Mayor of Beijing?",
    "When was the PPRD Joint Conference held in Guiyang?", "Which meetings were held outside Hong Kong?",
    "How many items were agreed with Shanghai?", "What is the budget of the Northern Metropolis development?",
    "香港與上海達成了多少項合作共識？", "What does legal co-operation include?",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))] if ordered else 0.0


def start_replicas(n: int, corpus: Path, tmp: Path, token: str,
                   index: Path | None = None) -> tuple[subprocess.Popen[bytes], list[str]]:
    copy = tmp / "corpus"
    shutil.copytree(corpus, copy, ignore=shutil.ignore_patterns(".*"))
    if index is not None:  # an embedded index is the folder a Chroma server serves: no re-embedding
        shutil.copytree(index, tmp / "chroma", ignore=shutil.ignore_patterns("*.lock"))
    base = free_port()
    env = {**os.environ, "REPLICAS": str(n), "BASE_PORT": str(base), "CHROMA_PORT": str(free_port()),
           "CHROMA_PATH": str(tmp / "chroma"), "QA_CORPUS_DIR": str(copy), "QA_ADMIN_TOKEN": token,
           "LOG_DIR": str(tmp), "QA_LOCK_DIR": str(tmp), "QA_INDEX_DIR": str(tmp / "unused")}
    proc = subprocess.Popen(["bash", str(ROOT / "deploy" / "replicas.sh")], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    urls = [f"http://127.0.0.1:{base + i}" for i in range(n)]
    deadline = time.time() + 3600
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"replicas stopped; logs in {tmp}")
        try:
            if all(httpx.get(u + "/healthz", timeout=1).status_code == 200 for u in urls):
                return proc, urls
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("replicas did not start")


def load(urls: list[str], users: int, seconds: float) -> tuple[list[float], int, int]:
    """(latencies in ms, requests, errors) of `users` threads asking in a loop for `seconds`."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def user(n: int) -> None:
        with httpx.Client(timeout=60) as client:
            i = n
            while time.monotonic() < stop:
                url = urls[i % len(urls)]
                t0 = time.perf_counter()
                try:
                    ok = client.post(url + "/api/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    latencies.append(ms)
                    errors[0] += not ok
                i += 1

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, len(latencies), errors[0]


def report(name: str, result: tuple[list[float], int, int], seconds: float) -> None:
    lat, n, errors = result
    print(f"{name:28} requests {n:5}  {n / seconds:6.1f}/s  p50 {statistics.median(lat) if lat else 0:7.0f} ms  "
          f"p95 {pct(lat, 0.95):7.0f} ms  max {max(lat) if lat else 0:7.0f} ms  errors {errors}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--replicas", type=int, default=2)
    p.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    p.add_argument("--index", type=Path, help="an embedded index of --corpus to serve (a copy), e.g. bench_scale's")
    p.add_argument("--urls", help="comma-separated replica URLs already running (loopback)")
    p.add_argument("--token", default="bench-load-token", help="their QA_ADMIN_TOKEN, for the re-index phase")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc = None
        if args.urls:
            urls = args.urls.split(",")
            assert all(u.startswith(("http://127.0.0.1", "http://localhost")) for u in urls), "loopback only"
        else:
            t0 = time.perf_counter()
            proc, urls = start_replicas(args.replicas, args.corpus, Path(tmp), args.token, args.index)
            print(f"{len(urls)} replicas up in {time.perf_counter() - t0:.1f} s: {', '.join(urls)}")
        try:
            docs = httpx.get(urls[0] + "/healthz", timeout=10).json()
            print(f"index: {docs}")
            load(urls, 2, 3)  # warm every replica
            report(f"{args.users} users, {len(urls)} replicas", load(urls, args.users, args.seconds), args.seconds)
            # the same while one replica indexes a paper of ~300 paragraphs
            text = "# Load report\n\n" + "\n\n".join(
                f"{n}. Paragraph {n} of the load report: pier {n}, its repairs, ferries and timetables."
                for n in range(1, 300))
            res = httpx.post(urls[0] + "/api/documents", files={"files": ("load-report.md", text.encode())},
                             headers={"authorization": f"Bearer {args.token}"}, timeout=60)
            if res.status_code == 202:
                during = load(urls, args.users, args.seconds)
                job = httpx.get(urls[0] + res.json()["status"], headers={"authorization": f"Bearer {args.token}"}).json()
                report(f"… during a re-index ({job['state']}, {job['done']}/{job['total']})", during, args.seconds)
                httpx.delete(urls[0] + f"/api/jobs/{job['id']}", headers={"authorization": f"Bearer {args.token}"})
            else:
                print(f"re-index phase skipped: upload refused ({res.status_code} {res.text[:120]})")
        finally:
            if proc is not None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=60)


if __name__ == "__main__":
    main()

"""A running app's memory before, during and after a large HTML upload through the admin API, and a
question's latency right after it (the upload should be refused with its reason, and the memory
given back).

    QA_ADMIN_TOKEN=t .venv/bin/python app.py &        # on http://127.0.0.1:7860
    .venv/bin/python bench/bench_upload_memory.py --url http://127.0.0.1:7860 --pid <app pid> --token t [--mb 20]
"""

from __future__ import annotations

import argparse
import random
import time

import httpx


def rss_mb(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
    return 0


def big_html(megabytes: float) -> bytes:
    """Paper-like HTML: headings, long paragraphs and 40-row tables, to the size asked for."""
    random.seed(1)
    words = "the Hong Kong Mainland co-operation offices paper council members agreement signed conference".split()
    rows = "".join(f"<tr><td>{i}</td><td>{' '.join(random.choice(words) for _ in range(12))}</td>"
                   f"<td>{random.randint(1, 999)}</td></tr>" for i in range(40))
    section = lambda i: (f"<h2>Section {i}</h2><p>{' '.join(random.choice(words) for _ in range(110))}.</p>"  # noqa: E731
                         f"<table>{rows}</table>")
    one = len(section(0).encode())
    body = "".join(section(i) for i in range(int(megabytes * 1e6 / one) + 1))
    return f"<html><head><title>Big</title></head><body><main>{body}</main></body></html>".encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:7860")
    parser.add_argument("--pid", type=int, required=True, help="the app's process id")
    parser.add_argument("--token", required=True, help="QA_ADMIN_TOKEN")
    parser.add_argument("--mb", type=float, default=20)
    args = parser.parse_args()
    auth = {"Authorization": f"Bearer {args.token}"}
    html = big_html(args.mb)
    before = rss_mb(args.pid)
    t0 = time.time()
    job = httpx.post(args.url + "/api/documents", headers=auth, files={"files": ("big.html", html)}, timeout=300).json()
    peak = rss_mb(args.pid)
    while True:
        state = httpx.get(args.url + job["status"], headers=auth).json()
        peak = max(peak, rss_mb(args.pid))
        if state["state"] in ("done", "failed"):
            break
        time.sleep(0.2)
    seconds = time.time() - t0
    time.sleep(2)
    after = rss_mb(args.pid)
    t1 = time.perf_counter()
    httpx.post(args.url + "/api/ask", json={"question": "How many Mainland Offices does the HKSAR Government have?"})
    ask_ms = (time.perf_counter() - t1) * 1000
    print(f"upload {len(html) / 1e6:.1f} MB: {state['state']} in {seconds:.1f} s; "
          f"{state['result'].get('files') or state.get('error')}")
    print(f"RSS before {before} MB, peak {peak} MB, 2 s after {after} MB; a question then took {ask_ms:.0f} ms")


if __name__ == "__main__":
    main()

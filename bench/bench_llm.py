"""The bundled language model on this machine: start-up, prompt and generation speed, memory, what
a generated answer costs end to end, as medians over the development questions, and how long a
question waits behind one whose asker gave up while its prompt was being read.

    .venv/bin/python bench/bench_llm.py [N]      (needs `pip install .[llm]` and ./index)
    QA_LLM_BATCH_TOKENS=2048 .venv/bin/python bench/bench_llm.py [N]   (compare prompt step sizes)

Speeds come from the token counts the server reports and the streamed timings: prompt tokens per
second until the first token, generated tokens per second after it.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.config import Settings  # noqa: E402
from qa.llm_local import MODEL_NAME, LocalServer, model_file  # noqa: E402
from qa.service import QA  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _short_answer_s(url: str) -> float:
    """Seconds for a one-token reply to a short prompt no cache has seen."""
    t0 = time.perf_counter()
    httpx.post(f"{url}/chat/completions", timeout=300, json={
        "model": MODEL_NAME, "max_tokens": 1, "temperature": 0,
        "messages": [{"role": "user", "content": f"{uuid.uuid4()}: reply OK."}]}).raise_for_status()
    return time.perf_counter() - t0


def waiting_behind_abandoned(url: str, paper: str, trials: int = 3) -> tuple[float, float]:
    """(idle, behind) medians: a short request alone, and sent just after another client gave up
    (1 s in) on a prompt of about 1,500 tokens, the size of a four-passage answer prompt."""
    idle, behind = [], []
    for _ in range(trials):
        idle.append(_short_answer_s(url))
        body = {"model": MODEL_NAME, "max_tokens": 50, "temperature": 0, "stream": True,
                "messages": [{"role": "user", "content": f"{uuid.uuid4()}\n{paper[:6000]}\nSummarise."}]}
        try:
            with httpx.stream("POST", f"{url}/chat/completions", json=body, timeout=1.0) as res:
                for _ in res.iter_bytes():
                    break
        except httpx.TimeoutException:
            pass  # the asker gave up
        behind.append(_short_answer_s(url))
    return statistics.median(idle), statistics.median(behind)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    settings = Settings()
    t0 = time.perf_counter()
    model_file(settings)
    join_s = time.perf_counter() - t0
    server = LocalServer(settings)
    t1 = time.perf_counter()
    url = server.start()
    start_s = time.perf_counter() - t1
    qa = QA(Settings(llm_url=url, llm_model=MODEL_NAME))
    qa.warm()
    questions = [json.loads(line) for line in (ROOT / "tests/data/dev.jsonl").read_text().splitlines()
                 if line.strip() and json.loads(line)["gold"]][:n]
    prompt_rate, gen_rate, first, total, prompt_tokens, gen_tokens = [], [], [], [], [], []
    try:
        for q in questions:
            answer = qa.ask(q["question"], q.get("history") or [])
            t = answer.timing_ms
            if "llm" not in t or not t.get("llm_completion_tokens"):
                continue
            first.append(t["total"] - t["llm"] + t["llm_first_token"])
            total.append(t["total"])
            prompt_tokens.append(t["llm_prompt_tokens"])
            gen_tokens.append(t["llm_completion_tokens"])
            prompt_rate.append(t["llm_prompt_tokens"] / (t["llm_first_token"] / 1000))
            if t["llm_completion_tokens"] > 1:
                gen_rate.append((t["llm_completion_tokens"] - 1) / ((t["llm"] - t["llm_first_token"]) / 1000))
        memory = rss_mb(server.proc.pid) if server.proc else 0.0
        paper = next((ROOT / "corpus").glob("*.txt")).read_text(encoding="utf-8")
        idle_s, behind_s = waiting_behind_abandoned(url, paper)
    finally:
        server.stop()
    med = statistics.median
    print(json.dumps({
        "cores": os.cpu_count(),
        "model": MODEL_NAME,
        "prompt_batch_tokens": settings.llm_batch_tokens,
        "model_join_or_check_s": round(join_s, 2),
        "server_start_s": round(start_s, 2),
        "server_rss_mb": round(memory),
        "answers_measured": len(total),
        "prompt_tokens_median": med(prompt_tokens),
        "generated_tokens_median": med(gen_tokens),
        "prompt_tokens_per_s_median": round(med(prompt_rate), 1),
        "generation_tokens_per_s_median": round(med(gen_rate), 1),
        "first_token_ms_median": round(med(first)),
        "full_answer_ms_median": round(med(total)),
        "short_request_idle_ms_median": round(idle_s * 1000),
        "short_request_behind_abandoned_prompt_ms_median": round(behind_s * 1000),
    }, indent=2))


if __name__ == "__main__":
    main()

"""Every regular expression the library keeps runs in time that grows with the text, not faster:
questions, conversations and documents are written by anyone (a citation pattern once took 3.4 s on
20,000 brackets). Each module-level pattern is run on hostile texts of two lengths; a pattern that
backtracks takes far more than four times as long on a text four times as long."""

from __future__ import annotations

import importlib
import pkgutil
import re
import time

import qa

SEEDS = ["[", "¶", "[¶", "(", "(¶", "a", "a ", "1", "1.", "1,", ". ", "? ", "-", "*", "|", "#", " ", "\n", "\n\n",
         "and ", "the ", "深", "，", "、", "年", "第一", "(a)", "A: ", "**", "[^1]", "HK$1", "2024-", "www.", "x.y ",
         "Mr ", "«", "“", "'s ", "Annex A ", "\t|", ":-", "1 March 2024 "]


def _patterns() -> list[tuple[str, re.Pattern]]:
    found = []
    for info in pkgutil.walk_packages(qa.__path__, "qa."):
        if info.name.startswith(("qa.web", "qa.llm_local")):  # front ends and a server's launcher
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found.append((f"{info.name}.{name}", value))
    return found


def _cost(pattern: re.Pattern, text: str) -> float:
    best = float("inf")
    text = text.encode() if isinstance(pattern.pattern, bytes) else text  # type: ignore[assignment]
    for _ in range(3):
        started = time.perf_counter()
        pattern.search(text)
        pattern.findall(text[: len(text) // 2])
        best = min(best, time.perf_counter() - started)
    return best


def test_no_pattern_backtracks_on_hostile_text():
    patterns = _patterns()
    assert len(patterns) > 50
    slow = []
    for name, pattern in patterns:
        for seed in SEEDS:
            short, long_ = ((seed * (n // len(seed) + 1))[:n] for n in (2_000, 8_000))
            small, large = _cost(pattern, short), _cost(pattern, long_)
            if large > 0.02 and large > 10 * small:  # linear is 4×; quadratic 16×
                slow.append(f"{name} on {seed!r}: {small * 1000:.1f} → {large * 1000:.1f} ms")
    assert not slow, "\n".join(slow)

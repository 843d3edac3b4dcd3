"""A library of 36 papers for the interface tests, built from the shipped paper and fixtures: the
paper and its Chinese version (a bilingual pair), a Chinese-only note, three papers of a series,
and 30 short written answers, several sharing a date (so their citation labels would otherwise
fall back to file ids) and one with a `short:` label."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import CORPUS, DATA

TOPICS = [
    ("Ferry services to outlying islands", "ferry", "The Transport Department subsidises {n} ferry routes."),
    ("Public library opening hours", "library", "Public libraries open for {n} hours a week on average."),
    ("Cycle tracks in new towns", "cycle", "The network of cycle tracks in new towns is {n} kilometres long."),
    ("Street lighting upgrades", "lighting", "{n} street lights were upgraded to LED fittings."),
    ("Country park visitors", "country park", "Country parks received {n} thousand visitors in the year."),
    ("School dental service", "dental", "The school dental service examined {n} thousand pupils."),
    ("Recycling of glass bottles", "glass", "{n} tonnes of glass bottles were collected for recycling."),
    ("Elderly health vouchers", "voucher", "Each eligible elder receives a voucher worth HK${n}00."),
    ("Footbridge lifts", "footbridge", "Lifts were added to {n} public footbridges."),
    ("Tree risk assessment", "tree", "{n} thousand trees were inspected for risk."),
]


def written_answer(i: int) -> str:
    """A written answer of a few numbered paragraphs; pairs of them share a date."""
    title, word, fact = TOPICS[i % len(TOPICS)]
    year = 2019 + i % 5
    date = f"{year}-{(i // 2) % 12 + 1:02d}-{10 + (i // 2) % 15:02d}"
    short = "short: Ferry answer\n" if i == 0 else ""
    n = 10 + i * 3
    body = "\n\n".join([
        f"1. This written answer replies to a question on {word} ({title.lower()}), number {i + 1}.",
        f"2. {fact.format(n=n)}",
        f"3. The bureau will review the {word} arrangements again in {year + 1}.",
    ])
    return (f"---\ntitle: {title} (written answer {i + 1})\ndate: {date}\n{short}committee: Panel on Public Works\n"
            f"language: en\n---\n\n{title}\n\n{body}\n")


def build_library(root: Path) -> Path:
    """Write the library's files into `root`; returns it."""
    root.mkdir(parents=True, exist_ok=True)
    for f in CORPUS.iterdir():
        if f.is_file():
            shutil.copy(f, root / f.name)
    for folder in ("bilingual", "chinese", "series"):
        for f in (DATA / folder).iterdir():
            shutil.copy(f, root / f.name)
    for i in range(30):
        (root / f"written-answer-{i + 1:02d}.txt").write_text(written_answer(i), encoding="utf-8")
    return root

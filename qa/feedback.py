"""Thumbs up/down on answers, kept for later review: one JSON line per vote, appended and fsynced so
a crash never loses or corrupts earlier votes."""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()


class FeedbackFull(RuntimeError):
    """The feedback file reached its size limit: votes are refused rather than filling the disk."""


def record(path: Path, question: str, answer: str, citations: list[dict[str, Any]], vote: str,
           extra: dict[str, Any] | None = None, max_bytes: int | None = None) -> dict[str, Any]:
    if vote not in ("up", "down"):
        raise ValueError("vote must be 'up' or 'down'")
    if max_bytes is not None and path.exists() and path.stat().st_size >= max_bytes:
        raise FeedbackFull(f"the feedback log is full ({max_bytes // (1024 * 1024)} MB); ask the administrator "
                           "to archive it")
    row = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "vote": vote,
           "question": question[:4000], "answer": answer[:20000], "citations": citations[:20], **(extra or {})}
    line = json.dumps(row, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK, open(path, "a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())
    return row


def read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a torn last line from a power cut is skipped, the rest is kept
    return rows

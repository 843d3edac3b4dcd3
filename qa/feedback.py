"""Thumbs up/down on answers, kept for later review: one JSON line per vote, appended and fsynced so
a crash never loses or corrupts earlier votes.

`Feedback` is the one way in, for the chat's thumbs and the REST route alike: one rate limit per
client, and a size cap that rotates the file (the newest votes are kept, the oldest file dropped),
so one person can neither fill the disk nor switch feedback off for everyone."""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .ratelimit import RateLimit

_LOCK = threading.Lock()


class TooMany(RuntimeError):
    """This client has voted its limit for the minute."""


class Feedback:
    def __init__(self, path: Path, max_bytes: int, per_minute: int) -> None:
        self.path, self.max_bytes, self.per_minute = path, max_bytes, per_minute
        self._limit = RateLimit(per_minute)

    def vote(self, client: str, question: str, answer: str, citations: list[dict[str, Any]], vote: str,
             extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """Store one vote from `client` (its network address); `TooMany` past the rate limit."""
        if vote not in ("up", "down"):
            raise ValueError("vote must be 'up' or 'down'")
        if not self._limit.allow(client):
            raise TooMany(f"at most {self.per_minute} votes a minute")
        return record(self.path, question, answer, citations, vote, extra, self.max_bytes)


def record(path: Path, question: str, answer: str, citations: list[dict[str, Any]], vote: str,
           extra: dict[str, Any] | None = None, max_bytes: int | None = None) -> dict[str, Any]:
    """Append one vote. Past `max_bytes` the file is rotated to `<name>.1` (replacing the one
    before), so the votes kept never take more than twice the cap."""
    if vote not in ("up", "down"):
        raise ValueError("vote must be 'up' or 'down'")
    row = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "vote": vote,
           "question": question[:4000], "answer": answer[:20000], "citations": citations[:20], **(extra or {})}
    line = json.dumps(row, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK:
        if max_bytes is not None and path.exists() and path.stat().st_size + len(line.encode()) > max_bytes:
            os.replace(path, path.with_name(path.name + ".1"))
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
    return row


def read(path: Path) -> list[dict[str, Any]]:
    """The votes kept, oldest first (the rotated file's, then the current one's)."""
    rows = []
    for part in (path.with_name(path.name + ".1"), path):
        if not part.exists():
            continue
        for line in part.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a torn last line from a power cut is skipped, the rest is kept
    return rows

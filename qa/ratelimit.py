"""A small per-client rate limit (sliding window, in memory) for what writes to disk."""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimit:
    def __init__(self, per_minute: int, max_clients: int = 10_000) -> None:
        self.per_minute, self.max_clients = per_minute, max_clients
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._seen) >= self.max_clients and client not in self._seen:
                self._seen.clear()  # bounded memory: forgetting is safer than growing
            times = self._seen.setdefault(client, deque())
            while times and now - times[0] > 60:
                times.popleft()
            if len(times) >= self.per_minute:
                return False
            times.append(now)
            return True

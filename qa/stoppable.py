"""A loop that runs in a daemon thread until asked to stop: the app's sync schedule and the folder
watcher are both one, and both must end when the app does."""

from __future__ import annotations

import threading
from typing import Self


class Stoppable:
    """`run()` (a subclass's) until `stop()`: it checks `self._stop` at least once a second."""

    name = "qa-loop"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        self._thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

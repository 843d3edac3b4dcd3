"""A real HTTP server on a loopback address, serving what a test puts in it and recording every
request it gets (for the fetching, listing, feed and sync tests). Never the network."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

# a route answers (status, headers, body); a callable body is a generator of chunks (streamed)
Answer = tuple[int, dict[str, str], "bytes | Callable[[], object]"]


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class Site:
    host: str = "127.0.0.1"
    port: int = 0
    routes: dict[str, Callable[["Seen"], Answer] | Answer] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
                site.requests.append(seen)
                route = site.routes.get(self.path.split("?", 1)[0])
                status, headers, body = (route(seen) if callable(route) else route) if route else \
                    (404, {"Content-Type": "text/plain"}, b"not found")
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if callable(body):  # streamed, chunked, until the reader goes away
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    try:
                        for chunk in body():
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.write(b"0\r\n\r\n")
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    self.close_connection = True
                    return
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       name=f"test-site-{self.port}", daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def page(body: bytes | str, content_type: str = "text/html; charset=utf-8", **headers: str) -> Answer:
    data = body.encode() if isinstance(body, str) else body
    return 200, {"Content-Type": content_type, **{k.replace("_", "-"): v for k, v in headers.items()}}, data


def endless(chunk: bytes = b"x" * 65536, pause: float = 0.0) -> Callable[[], object]:
    def chunks() -> object:
        deadline = time.monotonic() + 30  # bounded: a test that failed to stop reading still ends
        while time.monotonic() < deadline:
            if pause:
                time.sleep(pause)
            yield chunk
    return chunks

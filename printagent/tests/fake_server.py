"""A stand-in for the Table Order server's print-agent API, on 127.0.0.1 in a thread.

It follows the contract the agent is written against: the stream sends every job not yet
acknowledged `printed`, oldest first, then new ones as they are added, with `: ping`
heartbeats; acks are recorded, `printed` is idempotent, an unknown job is a 404, a wrong
token a 401. Switches let a test drop the stream after some jobs, stall it, or lose acks.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "test-token-0123456789"
_ACK = re.compile(r"^/api/v1/print-agent/jobs/(\d+)/ack$")


class FakeServer:
    def __init__(self, token: str = TOKEN, ping_interval: float = 0.5) -> None:
        self.token = token
        self.ping_interval = ping_interval
        self.jobs: dict[int, bytes] = {}
        self.printed: set[int] = set()
        self.acks: list[tuple[int, dict]] = []  # acks of known jobs, with their bodies
        self.ack_statuses: list[tuple[int, int]] = []  # every ack request: (job id, status answered)
        self.deliveries: list[int] = []  # job ids in the order the stream sent them, over all connections
        self.stream_statuses: list[int] = []
        self.last_event_ids: list[str | None] = []
        self.drop_after: int | None = None  # the next connection closes after sending this many jobs
        self.stall_next = False  # the next connection sends headers, then nothing at all
        # Job id -> how its acks get lost. "500": not recorded as printed, answered 500 and the
        # stream dropped, until the stream has sent the job again. "close": recorded, but the
        # connection closes before the answer (once).
        self.lose_acks: dict[int, str] = {}
        self.fail_acks: set[int] = set()  # job ids whose acks always get a 500 (a server bug)
        self._changed = threading.Condition()
        self._generation = 0  # bumped to end every open stream
        self._closing = False
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._http.daemon_threads = True
        threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def add_job(self, job_id: int, data: bytes) -> None:
        with self._changed:
            self.jobs[job_id] = data
            self._changed.notify_all()

    def drop_streams(self) -> None:
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def acks_of(self, job_id: int) -> list[str]:
        with self._changed:
            return [str(body.get("result")) for acked, body in self.acks if acked == job_id]

    def wait_until(self, condition, timeout: float = 10.0, message: str = "condition") -> None:
        """Polls `condition()` (under the server's lock) until true; AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._changed:
                if condition():
                    return
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {message}")

    def close(self) -> None:
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._http.shutdown()
        self._http.server_close()

    # Called from handler threads ---------------------------------------------------------------

    def _authorized(self, handler: BaseHTTPRequestHandler) -> bool:
        return handler.headers.get("Authorization") == f"Bearer {self.token}"

    def _stream(self, handler: BaseHTTPRequestHandler) -> None:
        with self._changed:
            self.last_event_ids.append(handler.headers.get("Last-Event-ID"))
            authorized = self._authorized(handler)
            self.stream_statuses.append(200 if authorized else 401)
            stall, self.stall_next = self.stall_next, False
            drop_after, self.drop_after = self.drop_after, None
            generation = self._generation
        if not authorized:
            handler.send_error(401)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        handler.end_headers()
        handler.wfile.write(b"retry: 1000\n\n")
        if stall:
            with self._changed:
                self._changed.wait_for(lambda: self._closing or self._generation != generation, timeout=30)
            return
        sent: set[int] = set()
        try:
            while True:
                with self._changed:
                    self._changed.wait_for(
                        lambda: self._closing or self._generation != generation or self._unsent(sent),
                        timeout=self.ping_interval,
                    )
                    if self._closing or self._generation != generation:
                        return
                    batch = [(job_id, self.jobs[job_id]) for job_id in self._unsent(sent)]
                if not batch:
                    handler.wfile.write(b": ping\n\n")
                    continue
                for job_id, data in batch:
                    if drop_after is not None and len(sent) >= drop_after:
                        return
                    handler.wfile.write(_frame(job_id, data))
                    sent.add(job_id)
                    with self._changed:
                        self.deliveries.append(job_id)
                    # An event of another type, which the agent must ignore.
                    handler.wfile.write(b'event: printer.status\ndata: {"online": true}\n\n')
        except OSError:
            return

    def _unsent(self, sent: set[int]) -> list[int]:
        return sorted(job_id for job_id in self.jobs if job_id not in self.printed and job_id not in sent)

    def _ack(self, handler: BaseHTTPRequestHandler, job_id: int) -> None:
        lost = None
        body = json.loads(handler.rfile.read(int(handler.headers.get("Content-Length", 0))) or b"{}")
        with self._changed:
            if not self._authorized(handler):
                status = 401
            elif job_id not in self.jobs:
                status = 404
            else:
                self.acks.append((job_id, body))
                lost = self.lose_acks.get(job_id)
                if lost == "500" and self.deliveries.count(job_id) >= 2:
                    del self.lose_acks[job_id]
                    lost = None  # the job came again: this ack gets through
                elif lost == "close":
                    del self.lose_acks[job_id]
                refused = lost == "500" or job_id in self.fail_acks
                if not refused and body.get("result") == "printed":
                    self.printed.add(job_id)
                status = 500 if refused else 200
            self.ack_statuses.append((job_id, status))
        if lost == "close":
            handler.close_connection = True
            return  # recorded, but the answer never leaves
        if lost == "500":
            self.drop_streams()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()
        handler.wfile.write(b"{}")


def _frame(job_id: int, data: bytes) -> bytes:
    payload = {"id": job_id, "printer_id": 1, "kind": "order", "created_at": "2026-12-07T15:30:00Z"}
    payload["data"] = base64.b64encode(data).decode()
    return f"id: {job_id}\nevent: print.job\ndata: {json.dumps(payload)}\n\n".encode()


def _handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/api/v1/print-agent/stream":
                server._stream(self)
            else:
                self.send_error(404)

        def do_POST(self) -> None:
            match = _ACK.match(self.path)
            if match:
                server._ack(self, int(match.group(1)))
            else:
                self.send_error(404)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler

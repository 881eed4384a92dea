"""The server side of the agent: the SSE stream of print jobs, and acknowledgements.

    GET  {server}/api/v1/print-agent/stream             (Bearer token, Last-Event-ID)
    POST {server}/api/v1/print-agent/jobs/{id}/ack      {"result": "printed"} or {"result": "failed", "error": ...}

https URLs verify the server's certificate with the system's trust store (the default SSL
context); http is for a server on the restaurant's own network and for tests.
"""

from __future__ import annotations

import http.client
import io
import json
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

STREAM_PATH = "/api/v1/print-agent/stream"
ACK_PATH = "/api/v1/print-agent/jobs/{id}/ack"
# A job's data line is its ESC/POS bytes in base64: kilobytes for tickets, far more only for images.
MAX_LINE = 32 << 20


@dataclass(frozen=True)
class Event:
    """One server-sent event: `event` is "message" when the server named none."""

    event: str
    data: str
    id: str | None


class StreamRefused(Exception):
    """The server answered the stream request with a status other than 200."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class ServerClient:
    """Talks to one Table Order server as one printer's agent."""

    def __init__(self, server: str, token: str) -> None:
        parts = urlsplit(server.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("The server is an http:// or https:// URL.")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path
        self._token = token
        self.display = f"{parts.scheme}://{parts.netloc}{parts.path}"

    def stream(
        self, *, last_event_id: str | None, timeout: float, opened: Callable[[], None] | None = None
    ) -> Iterator[Event]:
        """Yields the stream's events; raises StreamRefused, or OSError (a timeout too) when the stream dies.

        `timeout` bounds every wait for bytes: heartbeats come every 15 s, so a silence of
        `timeout` means the connection is dead even if TCP has not noticed. `opened` is called
        once the server answered 200.
        """
        connection = self._connection(timeout)
        try:
            headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache", **self._auth()}
            if last_event_id is not None:
                headers["Last-Event-ID"] = last_event_id
            connection.request("GET", self._prefix + STREAM_PATH, headers=headers)
            response = connection.getresponse()
            if response.status != 200:
                raise StreamRefused(response.status)
            if opened is not None:
                opened()
            yield from parse_events(response)
        except http.client.HTTPException as exc:
            raise OSError(f"bad HTTP answer: {exc!r}") from exc
        finally:
            connection.close()

    def ack(self, job_id: int, result: str, error: str | None = None, *, timeout: float = 10.0) -> int:
        """Posts one acknowledgement and returns the HTTP status; raises OSError on a network failure."""
        body: dict[str, str] = {"result": result}
        if error is not None:
            body["error"] = error
        connection = self._connection(timeout)
        try:
            connection.request(
                "POST",
                self._prefix + ACK_PATH.format(id=job_id),
                body=json.dumps(body).encode(),
                headers={"Content-Type": "application/json", **self._auth()},
            )
            response = connection.getresponse()
            response.read()
            return response.status
        except http.client.HTTPException as exc:
            raise OSError(f"bad HTTP answer: {exc!r}") from exc
        finally:
            connection.close()

    def set_token(self, token: str) -> None:
        self._token = token

    def uses_token(self, token: str) -> bool:
        return token == self._token

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        if self._https:
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=timeout, context=ssl.create_default_context()
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)


def parse_events(lines_source: io.BufferedIOBase) -> Iterator[Event]:
    """Server-sent events from a response, per the HTML standard's parsing rules (the parts used here).

    Comment lines (": ping") and `retry:` are read and skipped; several `data:` lines join with
    newlines; an event is dispatched at a blank line. The end of the body raises OSError: a
    stream is not supposed to end.
    """
    event, event_id = "", None
    data: list[str] = []
    while True:
        raw = lines_source.readline(MAX_LINE + 1)
        if len(raw) > MAX_LINE:
            raise OSError(f"a stream line longer than {MAX_LINE >> 20} MB")
        if not raw.endswith(b"\n"):
            raise OSError("the server closed the stream")
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line:
            if data:
                yield Event(event=event or "message", data="\n".join(data), id=event_id)
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id" and "\0" not in value:
            event_id = value

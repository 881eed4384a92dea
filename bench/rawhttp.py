"""Bare HTTP clients over asyncio streams for the benchmarks.

httpx costs more CPU per request than the server's own work on an order; on a 2-core
machine that the load generator shares with the server, that would measure the client.
These speak just enough HTTP/1.x for our own server: JSON requests on a keep-alive
connection (`Connection`), and SSE streams cheap enough to hold a thousand (`RawStream`).
"""

import asyncio
import json
import re
import time

# The order's id leads its object whether the JSON is Python's (compact, in the order written)
# or PostgreSQL's (jsonb: a space after each `:` and `,`, shorter keys first).
ORDER_ID = re.compile(rb'"order": ?\{"id": ?(\d+)')
# A kitchen ticket's event names its order by `order_id`.
TICKET_ORDER_ID = re.compile(rb'"order_id": ?(\d+)')


class StreamError(Exception):
    pass


class RawStream:
    """One open stream. `frames()` yields (arrival perf_counter, arrival time.time, frame bytes).

    HTTP/1.0 keeps the body free of chunked framing: the server streams until it closes.
    """

    def __init__(self, host, port, path, headers):
        self.host, self.port, self.path, self.headers = host, port, path, headers
        self.reader = self.writer = None

    async def open(self, timeout=30):
        self.reader, self.writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), timeout)
        lines = [f"GET {self.path} HTTP/1.0", f"Host: {self.host}:{self.port}", "Accept: text/event-stream"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), timeout)
        status = int(head.split(b" ", 2)[1])
        if status != 200:
            raise StreamError(f"{self.path}: HTTP {status}")
        return self

    async def frames(self):
        buffer = b""
        while True:
            chunk = await self.reader.read(65536)
            if not chunk:
                return
            arrived, arrived_wall = time.perf_counter(), time.time()
            buffer += chunk
            *complete, buffer = buffer.split(b"\n\n")
            for frame in complete:
                yield arrived, arrived_wall, frame

    def close(self):
        if self.writer is not None:
            self.writer.close()


class Connection:
    """One keep-alive HTTP/1.1 connection for JSON requests (bodies by Content-Length or chunked).

    `response_headers` holds the last response's headers, by lowercase name.
    """

    def __init__(self, host, port, headers=None):
        self.host, self.port = host, port
        self.headers = {"Host": f"{host}:{port}", **(headers or {})}
        self.reader = self.writer = None
        self.response_headers = {}

    async def request(self, method, path, body=None, headers=None, *, parse=True):
        """(status, parsed JSON body or None); with `parse` false, (status, the body's bytes)."""
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [f"{method} {path} HTTP/1.1"]
        all_headers = {**self.headers, **(headers or {}), "Content-Length": str(len(payload))}
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        lines += [f"{name}: {value}" for name, value in all_headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        length, chunked, close = 0, False, False
        self.response_headers = received = {}
        for line in header_lines:
            name, _sep, value = line.partition(":")
            name, value = name.lower(), value.strip()
            received[name] = value
            value = value.lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = value == "chunked"
            elif name == "connection":
                close = value == "close"
        if chunked:
            content = await self._chunked_body()
        else:
            content = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        if not parse:
            return status, content
        return status, json.loads(content) if content else None

    async def _chunked_body(self):
        chunks = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")  # no trailers from our server: the final CRLF
                return b"".join(chunks)
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def frame_fields(frame):
    """(event id or None, event type or None, order id or None) of one frame."""
    event_id = event_type = order_id = None
    for line in frame.split(b"\n"):
        if line.startswith(b"id: "):
            event_id = int(line[4:])
        elif line.startswith(b"event: "):
            event_type = line[7:].decode()
        elif line.startswith(b"data: "):
            match = ORDER_ID.search(line) or TICKET_ORDER_ID.search(line)
            order_id = int(match.group(1)) if match else None
    return event_id, event_type, order_id

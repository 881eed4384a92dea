"""Test clients for Server-Sent Events: in-process over ASGI, or over HTTP to a real server."""

import asyncio
import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from orders.hub import hub
from orders.sse import releasing_connection


@dataclass
class Frame:
    """One SSE frame: an event (id/event/data), a `retry:` or a comment."""

    id: int | None = None
    event: str | None = None
    data: object = None
    retry: int | None = None
    comment: str | None = None
    raw: str = field(default="", repr=False)


class FrameParser:
    """Splits a byte stream into frames, whatever the chunking."""

    def __init__(self):
        self._buffer = b""

    def feed(self, chunk):
        self._buffer += chunk
        frames = []
        while b"\n\n" in self._buffer:
            block, self._buffer = self._buffer.split(b"\n\n", 1)
            frames.append(parse_frame(block.decode()))
        return frames


def parse_frame(text):
    frame = Frame(raw=text)
    for line in text.split("\n"):
        name, _sep, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "":
            frame.comment = value
        elif name == "id":
            frame.id = int(value)
        elif name == "event":
            frame.event = value
        elif name == "data":
            frame.data = json.loads(value)
        elif name == "retry":
            frame.retry = int(value)
    return frame


class FrameReader:
    """Frames from a streaming body; subclasses supply `_read_chunk(timeout)`."""

    def _start_reading(self):
        self._parser = FrameParser()
        self._pending = []
        self.frames = []

    async def next_frame(self, timeout=10):
        while not self._pending:
            chunk = await self._read_chunk(timeout)
            if chunk is None:
                raise EOFError("the stream ended")
            self._pending.extend(self._parser.feed(chunk))
        frame = self._pending.pop(0)
        self.frames.append(frame)
        return frame

    async def events(self, count, timeout=10):
        """The next `count` event frames (skipping retry and comments)."""
        found = []
        while len(found) < count:
            frame = await self.next_frame(timeout)
            if frame.event is not None:
                found.append(frame)
        return found

    async def expect_silence(self, seconds):
        """No event frame for `seconds` (heartbeats allowed); returns any event seen."""
        deadline = asyncio.get_running_loop().time() + seconds
        try:
            while (left := deadline - asyncio.get_running_loop().time()) > 0:
                frame = await self.next_frame(left)
                if frame.event is not None:
                    return frame
        except TimeoutError:
            pass
        return None


class ASGIStream(FrameReader):
    """A GET against the ASGI application in this process, read while it streams.

        async with ASGIStream("/api/v1/admin/stream", token=...) as stream:
            frames = await stream.events(2)

    Leaving the block sends `http.disconnect`, as a browser that goes away does.
    """

    def __init__(self, url, *, token=None, headers=None):
        from tableorder.asgi import application

        self.application = application
        parts = urlsplit(url)
        self.path, self.query = parts.path, parts.query
        self.headers = {"host": "testserver", **(headers or {})}
        if token:
            self.headers["authorization"] = f"Bearer {token}"
        self._start_reading()

    async def __aenter__(self):
        self._messages = asyncio.Queue()
        self._disconnect = asyncio.Event()
        self._request_sent = False
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": self.query.encode(),
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in self.headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        self.task = asyncio.create_task(self.application(scope, self._receive, self._messages.put))
        start = await asyncio.wait_for(self._messages.get(), 10)
        self.status = start["status"]
        self.response_headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        return self

    async def _receive(self):
        if not self._request_sent:
            self._request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._disconnect.wait()
        return {"type": "http.disconnect"}

    async def body(self, timeout=10):
        """The whole body of a response that ends (errors)."""
        chunks = []
        while True:
            message = await asyncio.wait_for(self._messages.get(), timeout)
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                return b"".join(chunks)

    async def _read_chunk(self, timeout):
        while True:
            message = await asyncio.wait_for(self._messages.get(), timeout)
            if message["type"] != "http.response.body":
                continue
            if not message.get("more_body") and not message.get("body"):
                return None
            return message.get("body", b"")

    async def __aexit__(self, *exc):
        self._disconnect.set()
        await asyncio.wait_for(self.task, 10)


class HTTPStream(FrameReader):
    """A GET over HTTP to a running server (127.0.0.1), read while it streams."""

    def __init__(self, url, *, token=None, headers=None):
        self.url = url
        self.headers = dict(headers or {})
        if token:
            self.headers["authorization"] = f"Bearer {token}"
        self._start_reading()

    async def __aenter__(self):
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(10, read=None))
        self._request = self._client.stream("GET", self.url, headers=self.headers)
        self.response = await self._request.__aenter__()
        self.status = self.response.status_code
        self._chunks = self.response.aiter_raw()
        return self

    async def _read_chunk(self, timeout):
        try:
            return await asyncio.wait_for(anext(self._chunks), timeout)
        except StopAsyncIteration:
            return None

    async def __aexit__(self, *exc):
        await self._request.__aexit__(*exc)
        await self._client.aclose()


# Test code runs ORM work the way streams do: on a thread, giving the connection back after.
db = releasing_connection


def run(coroutine_function, *args):
    """asyncio.run a scenario, then stop this process's event listener so nothing leaks."""

    async def scenario():
        try:
            return await coroutine_function(*args)
        finally:
            await hub.aclose()

    return asyncio.run(scenario())

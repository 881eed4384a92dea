"""Streams in a reliability run: each records what it delivered, then is checked against the outbox.

A `StreamRecorder` holds one stream open as a browser's EventSource does: on a dropped
connection it waits the server's `retry` and reconnects with Last-Event-ID, recording every
`stream.open` (its cursor and the tablet's session) and every event. `check_streams` then
proves each stream delivered every event of its scope exactly once, in id order.
"""

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

import httpx

from reliability.load import has_error_shape

# What no tablet's stream carries: the kitchen's, alerts' and printing's events (as
# orders.models.STAFF_ONLY_EVENTS, which reliability/tests/test_rules.py holds this to).
STAFF_ONLY_EVENTS = frozenset({"ticket.created", "ticket.updated", "print.queued", "alert.raised", "alert.resolved"})


@dataclass
class Segment:
    """One connection of a stream, from its `stream.open`.

    `requested_at` and `opened_at` are wall-clock times, to compare with the server's
    timestamps; `opened` is the monotonic clock of the rest of the run.
    """

    requested_at: float
    opened_at: float
    opened: float
    cursor: int
    session_id: int | None


class StreamRecorder:
    """One open stream that records every event it delivers and reconnects like EventSource."""

    def __init__(self, run, path, token, *, store_id, table_id=None):
        self.run, self.path, self.token = run, path, token
        self.store_id, self.table_id = store_id, table_id
        self.delivered = []  # (event id, type), in arrival order, across reconnects
        self.segments = []
        self.connections = 0
        self.refused = Counter()  # status → non-200 answers to a (re)connect
        self.network_errors = Counter()  # error name → connections that failed or broke off
        self.opened = asyncio.Event()
        self.connected = False  # from `stream.open` until the connection ends
        self.drops = []  # when open connections ended (monotonic)
        self.last_id = None
        self.retry_seconds = 3.0

    async def loop(self):
        while True:
            headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
            if self.last_id is not None:
                headers["Last-Event-ID"] = str(self.last_id)
            requested_at = time.time()
            try:
                async with self.run.stream_http.stream("GET", self.path, headers=headers) as response:
                    if response.status_code != 200:
                        self.refused[response.status_code] += 1
                        if response.status_code >= 500 and not has_error_shape(_json_text(await response.aread())):
                            self.run.ledger.bad_server_errors.append(
                                {"operation": "stream", "status": response.status_code, "body": response.text[:500]}
                            )
                    else:
                        self.connections += 1
                        await self._read(response, requested_at)
            except httpx.TransportError as error:
                self.network_errors[type(error).__name__] += 1
            finally:
                if self.connected:
                    self.drops.append(time.monotonic())
                self.connected = False
            # What EventSource does after a dropped stream: wait `retry`, reconnect with the last id.
            await asyncio.sleep(self.retry_seconds)

    async def _read(self, response, requested_at):
        buffer = b""
        async for chunk in response.aiter_bytes():
            buffer += chunk
            *frames, buffer = buffer.split(b"\n\n")
            for frame in frames:
                self._take(parse_frame(frame), requested_at)

    def _take(self, frame, requested_at):
        if frame.get("retry") is not None:
            self.retry_seconds = frame["retry"] / 1000
        if frame.get("id") is not None:
            self.last_id = frame["id"]
        event = frame.get("event")
        if event == "stream.open":
            data = json.loads(frame["data"])
            segment = Segment(requested_at, time.time(), time.monotonic(), data["last_event_id"], data["session_id"])
            self.segments.append(segment)
            self.connected = True
            self.opened.set()
        elif event is not None:
            self.delivered.append((frame["id"], event))


def _json_text(content):
    try:
        return json.loads(content)
    except ValueError:
        return None


def parse_frame(raw):
    """{"id", "event", "data", "retry"} of one SSE frame (comments give an empty dict)."""
    frame = {}
    for line in raw.decode().split("\n"):
        name, _sep, value = line.partition(":")
        value = value.removeprefix(" ")
        if name in ("id", "retry"):
            frame[name] = int(value)
        elif name in ("event", "data"):
            frame[name] = value
    return frame


def stream_expectation(snapshot, stream):
    """(ids the stream must deliver, ids it may deliver) from the outbox and its connections.

    A manager's stream carries every event of the store after its first cursor. A tablet's
    carries its table's events (and store-wide ones) of its current session and later ones,
    but none of the staff's (STAFF_ONLY_EVENTS):
    on each (re)connect the server starts the session floor afresh (the open session, else
    the next one) and raises it past a session as it delivers that session's close. Sessions
    opened while a reconnect was under way may be on either side of that floor.
    """
    scope = [
        e for e in snapshot.events
        if e["store_id"] == stream.store_id and (stream.table_id is None or e["table_id"] in (None, stream.table_id))
        and (stream.table_id is None or e["type"] not in STAFF_ONLY_EVENTS)
    ]  # fmt: skip
    if not stream.segments:
        return set(), set()
    if stream.table_id is None:
        first = stream.segments[0].cursor
        return {e["id"] for e in scope if e["id"] > first}, set()
    sessions = [s for s in snapshot.sessions.values() if s["table_id"] == stream.table_id]
    required, optional = set(), set()
    bounds = [segment.cursor for segment in stream.segments[1:]] + [float("inf")]
    for segment, end in zip(stream.segments, bounds, strict=True):
        floor, unsure = _session_floor(segment, sessions)
        for event in scope:
            if not segment.cursor < event["id"] <= end:
                continue
            session_id = event["session_id"]
            if event["table_id"] is None:
                required.add(event["id"])
            elif session_id in unsure:
                optional.add(event["id"])
            elif session_id >= floor:
                required.add(event["id"])
            if event["type"] == "session.closed" and session_id >= floor:
                floor = session_id + 1
    return required, optional


def _session_floor(segment, sessions):
    """(lowest session id the connection admits, ids of sessions that may be on either side)."""
    if segment.session_id is not None:
        return segment.session_id, set()
    started = [s for s in sessions if s["opened_at"].timestamp() < segment.requested_at]
    unsure = {s["id"] for s in sessions if segment.requested_at <= s["opened_at"].timestamp() <= segment.opened_at}
    return max((s["id"] for s in started), default=0) + 1, unsure


def check_streams(snapshot, streams, findings):
    """Every stream delivered its scope's events exactly once, in id order, missing none."""
    lost = duplicated = 0
    for stream in streams:
        name = f"{'table' if stream.table_id else 'store'} {stream.table_id or stream.store_id}"
        ids = [event_id for event_id, _type in stream.delivered]
        required, optional = stream_expectation(snapshot, stream)
        missing = required - set(ids)
        extra = set(ids) - required - optional
        repeats = len(ids) - len(set(ids))
        lost += len(missing)
        duplicated += repeats
        if not stream.segments:
            findings.fail("stream never opened", name)
        if missing:
            findings.fail(
                "stream missed events", {"stream": name, "missing": sorted(missing)[:10], "count": len(missing)}
            )
        if extra:
            findings.fail("stream delivered events outside its scope", {"stream": name, "events": sorted(extra)[:10]})
        if repeats:
            findings.fail("stream delivered an event twice", {"stream": name, "count": repeats})
        if any(later <= earlier for earlier, later in pairwise(ids)):
            findings.fail("stream delivered events out of order", name)
    findings.figures.update(
        {
            "streams": len(streams),
            "stream connections": sum(s.connections for s in streams),
            "stream connections refused": dict(sum((s.refused for s in streams), Counter())),
            "stream network errors": dict(sum((s.network_errors for s in streams), Counter())),
            "events delivered": sum(len(s.delivered) for s in streams),
            "lost events": lost,
            "events delivered twice": duplicated,
        }
    )


def streams_caught_up(snapshot, streams):
    """Whether every stream has delivered everything it must (for waiting at the end of a run)."""
    return all(stream_expectation(snapshot, s)[0] <= {i for i, _t in s.delivered} for s in streams)

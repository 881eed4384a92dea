"""The agent: a stream reader, an ordered job queue, a printer worker and an acknowledger.

- The stream reader (a thread) keeps one SSE connection to the server and puts each
  `print.job` into the queue. It reconnects with jittered backoff after errors, and after 45 s
  without a byte (the server sends a heartbeat every 15 s); after a 401 every minute, or at
  once when the token file now holds another token.
- The queue hands jobs out by id, lowest first, and ignores a job already waiting or in hand.
- The worker (the calling thread of `run`) prints one job at a time. A job already in the
  journal is acknowledged without printing. A job the printer refuses is retried with
  backoff and blocks the jobs behind it; the server hears `failed` on the first failure and
  then at most every 30 s. After a print the id is journaled (fsynced), then acknowledged.
- The acknowledger (a thread) posts acknowledgements, retrying each with its own backoff
  until the server answers; a newer acknowledgement of the same job replaces an unsent one.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from printagent import printer
from printagent.client import ServerClient, StreamRefused
from printagent.journal import Journal

log = logging.getLogger("printagent")


@dataclass(frozen=True)
class Timings:
    """Every wait of the agent, in seconds; tests shorten them."""

    stream_timeout: float = 45.0
    reconnect_min: float = 1.0
    reconnect_max: float = 30.0
    unauthorized_retry: float = 60.0
    print_timeout: float = 5.0
    print_retry_min: float = 1.0
    print_retry_max: float = 10.0
    failed_ack_interval: float = 30.0
    ack_retry_min: float = 1.0
    ack_retry_max: float = 30.0


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    data: bytes


class JobQueue:
    """Jobs by id, lowest first; a job already queued or being handled is not queued again."""

    def __init__(self) -> None:
        self._heap: list[int] = []
        self._jobs: dict[int, Job] = {}
        self._in_hand: int | None = None
        self._ready = threading.Condition()

    def put(self, job: Job) -> bool:
        with self._ready:
            if job.id in self._jobs or job.id == self._in_hand:
                return False
            self._jobs[job.id] = job
            heapq.heappush(self._heap, job.id)
            self._ready.notify()
            return True

    def take(self, timeout: float) -> Job | None:
        """The lowest job, now in hand until `done`; None if none came within `timeout`."""
        with self._ready:
            if not self._heap:
                self._ready.wait(timeout)
            if not self._heap:
                return None
            job = self._jobs.pop(heapq.heappop(self._heap))
            self._in_hand = job.id
            return job

    def done(self) -> None:
        with self._ready:
            self._in_hand = None


@dataclass
class _PendingAck:
    result: str
    error: str | None
    due: float  # time.monotonic() of the next try
    tries: int = 0


class Acknowledger(threading.Thread):
    """Posts acknowledgements in the background, each retried with its own backoff until answered.

    Backoff is per acknowledgement, so one the server keeps refusing delays no other; a newer
    acknowledgement of the same job replaces the unsent one and goes out at once.
    """

    def __init__(self, client: ServerClient, timings: Timings, stopping: threading.Event) -> None:
        super().__init__(name="acknowledger", daemon=True)
        self._client = client
        self._timings = timings
        self._stopping = stopping
        self._pending: dict[int, _PendingAck] = {}
        self._changed = threading.Condition()

    def submit(self, job_id: int, result: str, error: str | None = None) -> None:
        with self._changed:
            self._pending[job_id] = _PendingAck(result, error, due=time.monotonic())
            self._changed.notify()

    def run(self) -> None:
        while not self._stopping.is_set():
            with self._changed:
                now = time.monotonic()
                due = sorted((job_id, ack) for job_id, ack in self._pending.items() if ack.due <= now)
                if not due:
                    next_due = min((ack.due for ack in self._pending.values()), default=now + 1.0)
                    self._changed.wait(min(1.0, max(0.0, next_due - now)))
                    continue
            for job_id, ack in due:
                if not self._send(job_id, ack.result, ack.error):
                    self._retry_later(job_id, ack)

    def flush(self, timeout: float) -> None:
        """One last try for each acknowledgement still unsent (on shutdown); the rest the server resends."""
        deadline = time.monotonic() + timeout
        with self._changed:
            pending = sorted(self._pending.items())
        for job_id, ack in pending:
            if time.monotonic() >= deadline:
                break
            self._send(job_id, ack.result, ack.error, timeout=max(0.5, deadline - time.monotonic()))

    def _retry_later(self, job_id: int, ack: _PendingAck) -> None:
        with self._changed:
            if self._pending.get(job_id) is not ack:
                return  # replaced meanwhile: the new one is due now
            ack.tries += 1
            backoff = min(self._timings.ack_retry_min * 2 ** (ack.tries - 1), self._timings.ack_retry_max)
            ack.due = time.monotonic() + backoff * random.uniform(0.5, 1.0)  # noqa: S311 (jitter, not security)

    def _send(self, job_id: int, result: str, error: str | None, timeout: float = 10.0) -> bool:
        """True when the server answered for good (acknowledged, or not this printer's job)."""
        try:
            status = self._client.ack(job_id, result, error, timeout=timeout)
        except OSError as exc:
            log.warning("ack job=%s result=%s not sent: %s; will retry", job_id, result, _describe(exc))
            return False
        if status == 200:
            log.info("ack job=%s result=%s", job_id, result)
        elif status == 404:
            log.warning("ack job=%s answered 404: not this printer's job; dropped", job_id)
        else:
            log.warning("ack job=%s result=%s answered HTTP %s; will retry", job_id, result, status)
            return False
        with self._changed:
            ack = self._pending.get(job_id)
            if ack is not None and (ack.result, ack.error) == (result, error):
                del self._pending[job_id]
        return True


class Agent:
    """One printer's agent: `run()` until `stop()` (or a signal handler calling it)."""

    def __init__(
        self,
        *,
        client: ServerClient,
        printer_address: tuple[str, int],
        journal: Journal,
        timings: Timings | None = None,
        read_token: Callable[[], str] | None = None,
    ) -> None:
        self.client = client
        self._read_token = read_token
        self.host, self.port = printer_address
        self.journal = journal
        self.timings = timings or Timings()
        self.queue = JobQueue()
        self._stopping = threading.Event()
        self._acks = Acknowledger(client, self.timings, self._stopping)
        self._last_event_id: str | None = None
        self._opened = False

    def stop(self) -> None:
        """Asks the agent to finish the print in progress and return from `run`."""
        self._stopping.set()

    def run(self) -> None:
        log.info("agent started: server %s, printer %s:%s", self.client.display, self.host, self.port)
        threading.Thread(target=self._read_stream, name="stream", daemon=True).start()
        self._acks.start()
        while not self._stopping.is_set():
            job = self.queue.take(timeout=0.5)
            if job is None:
                continue
            try:
                self._handle(job)
            finally:
                self.queue.done()
        self._acks.flush(timeout=3.0)
        log.info("agent stopped")

    # The worker ------------------------------------------------------------------------------

    def _handle(self, job: Job) -> None:
        if job.id in self.journal:
            log.info("job=%s already printed (journal); acknowledging again", job.id)
            self._acks.submit(job.id, "printed")
            return
        delay = self.timings.print_retry_min
        last_failed_ack: float | None = None
        while True:
            try:
                printer.send(self.host, self.port, job.data, timeout=self.timings.print_timeout)
                break
            except OSError as exc:
                error = _describe(exc)
                log.warning("job=%s not printed: %s; retrying in %.0f s", job.id, error, delay)
                now = time.monotonic()
                if last_failed_ack is None or now - last_failed_ack >= self.timings.failed_ack_interval:
                    self._acks.submit(job.id, "failed", error)
                    last_failed_ack = now
            if self._stopping.wait(delay):
                log.info("job=%s left unprinted at shutdown; the server sends it again", job.id)
                return
            delay = min(delay * 2, self.timings.print_retry_max)
        # The one unavoidable window: a crash here, after the printer took the bytes and
        # before the journal is on disk, prints this job again after the restart.
        try:
            self.journal.record(job.id)
        except OSError as exc:
            # Still acknowledged: once the server knows, it never sends the job again, which
            # is the best protection left against a second print.
            log.error("job=%s printed but the journal was not written: %s", job.id, _describe(exc))
        log.info("job=%s kind=%s printed (%d bytes)", job.id, job.kind, len(job.data))
        self._acks.submit(job.id, "printed")

    # The stream reader -----------------------------------------------------------------------

    def _read_stream(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            self._opened = False
            unauthorized = False
            try:
                self._follow_stream()
                return  # only when stopping
            except StreamRefused as exc:
                reason, unauthorized = f"refused (HTTP {exc.status})", exc.status in (401, 403)
            except OSError as exc:
                reason = f"lost: {_describe(exc)}"
            # A connection that worked until it dropped starts the backoff over.
            failures = 1 if self._opened else failures + 1
            if unauthorized:
                log.error(
                    "stream %s: the token is wrong or was revoked; check it on the printer's page "
                    "in the back office. Retrying in %.0f s",
                    reason,
                    self.timings.unauthorized_retry,
                )
                self._wait_for_token()
            else:
                base = min(self.timings.reconnect_min * 2 ** (failures - 1), self.timings.reconnect_max)
                wait = base * random.uniform(0.5, 1.0)  # noqa: S311 (jitter, not security)
                log.warning("stream %s; reconnecting in %.1f s", reason, wait)
                self._stopping.wait(wait)

    def _wait_for_token(self) -> None:
        """Waits out the retry interval after a 401, cut short when the token file gets a new token."""
        deadline = time.monotonic() + self.timings.unauthorized_retry
        while not self._stopping.is_set() and time.monotonic() < deadline:
            if self._token_changed():
                log.info("the token file holds a new token: reconnecting")
                return
            self._stopping.wait(min(1.0, max(0.0, deadline - time.monotonic())))

    def _token_changed(self) -> bool:
        """After a 401: re-reads the token file, if the token came from one; True if it holds a new token."""
        if self._read_token is None:
            return False
        try:
            token = self._read_token()
        except OSError as exc:
            log.debug("cannot read the token file: %s", _describe(exc))
            return False
        if not token or self.client.uses_token(token):
            return False
        self.client.set_token(token)
        return True

    def _follow_stream(self) -> None:
        """Reads the stream until it fails (raising) or the agent stops (returning)."""
        events = self.client.stream(
            last_event_id=self._last_event_id, timeout=self.timings.stream_timeout, opened=self._stream_opened
        )
        for event in events:
            if event.id is not None:
                self._last_event_id = event.id
            if event.event == "print.job":
                self._receive(event.data)
            if self._stopping.is_set():
                return

    def _stream_opened(self) -> None:
        self._opened = True
        log.info("stream connected")

    def _receive(self, data: str) -> None:
        try:
            payload = json.loads(data)
            job = Job(id=int(payload["id"]), kind=str(payload.get("kind", "")), data=base64.b64decode(payload["data"]))
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            log.error("unreadable print job skipped: %s", _describe(exc))
            return
        if self.queue.put(job):
            log.info("job=%s kind=%s received", job.id, job.kind)


def _describe(exc: BaseException) -> str:
    """A one-line reason for the log and the server's alert ("connection refused", "timed out")."""
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return str(exc) or type(exc).__name__

"""This process's listener running on an event loop of its own thread, as a served process's
runs on its serving loop, for tests whose requests run in the test's own thread (where
`django_assert_num_queries` counts their queries) and whose caches rely on the listener.

On SQLite there is no listener: notices arrive through `on_commit` and the contexts below do
nothing.
"""

import asyncio
import contextlib
import functools
import threading
import time
import uuid

from conftest import ON_POSTGRES
from core.listener import MAX_STALENESS, listener, listener_generation, listener_is_fresh
from core.runtime.handler import ASGIHandler


@contextlib.contextmanager
def running_listener():
    """The listener, connected and proven, on a loop in a thread (PostgreSQL); yields the loop."""
    if not ON_POSTGRES:
        yield None
        return
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="test-serving-loop", daemon=True)
    thread.start()

    async def start():
        # ensure_listening() from a request's thread finds the loop as a server's requests do.
        await serve_one_request()
        listener.start()
        await listener.wait_connected(10)

    try:
        asyncio.run_coroutine_threadsafe(start(), loop).result(15)
        wait_until(lambda: listener_is_fresh(listener_generation()), timeout=5)
        yield loop
    finally:
        asyncio.run_coroutine_threadsafe(listener.stop(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def notices_settled():
    """Once every notice committed so far has been handled here (on PostgreSQL, a notice of a
    commit just made may still be on its way, and drop an entry cached after the commit)."""
    if ON_POSTGRES:
        now = time.monotonic()
        wait_until(lambda: listener.proven_at >= now, timeout=5)


def wait_until(condition, *, timeout=MAX_STALENESS, interval=0.005):
    """Seconds until `condition()` held; AssertionError after `timeout` seconds."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(interval)
    return time.monotonic() - started


def notice_kind():
    """A notice kind of the calling test's own: callbacks it subscribes to it (on_notice) hear
    only that test's notices, and none is left to hear another test's."""
    return f"test.{uuid.uuid4().hex}"


@functools.cache
def application():
    return ASGIHandler()


async def serve_one_request():
    """Serve a request (GET /healthz) on the running loop as a server does, which makes it the
    loop this process serves on (core.runtime.handler.serving_loop)."""
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the client stays until the response is sent

    async def send(message):
        pass

    scope = {"type": "http", "method": "GET", "path": "/healthz", "query_string": b"", "headers": []}
    await application()(scope, receive, send)

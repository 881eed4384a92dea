"""This process's listener running on an event loop of its own thread, as a served process's
runs on its serving loop, for tests whose requests run in the test's own thread (where
`django_assert_num_queries` counts their queries) and whose caches rely on the listener.

On SQLite there is no listener: notices arrive through `on_commit` and the contexts below do
nothing.
"""

import asyncio
import contextlib
import threading
import time

from conftest import ON_POSTGRES
from core.listener import MAX_STALENESS, listener, listener_generation, listener_is_fresh
from core.runtime import handler


@contextlib.contextmanager
def running_listener(monkeypatch):
    """The listener, connected and proven, on a loop in a thread (PostgreSQL); yields the loop."""
    if not ON_POSTGRES:
        yield None
        return
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="test-serving-loop", daemon=True)
    thread.start()
    # ensure_listening() from a request's thread finds it as a server's requests do.
    monkeypatch.setattr(handler, "_serving_loop", loop)

    async def start():
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

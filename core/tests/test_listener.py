"""Notices for process-local caches (core.notices): delivered after commit only, to
callbacks in this process; the generation tells a cache whether it may have missed one."""

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, transaction

from conftest import ON_POSTGRES, postgres_only
from core.listener import TASK_NAME, ensure_listening, listener, listener_generation, listener_is_fresh
from core.notices import notify_after_commit, on_notice
from core.tests.listening import notice_kind, serve_one_request

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kind():
    return notice_kind()


@pytest.fixture
def heard(kind):
    """The payloads of `kind` notices this process hears, with the thread each came on."""
    received = []
    on_notice(kind, lambda payload: received.append((payload, threading.current_thread())))
    return received


def run(scenario):
    async def then_stop():
        try:
            return await scenario()
        finally:
            await listener.stop()

    return asyncio.run(then_stop())


def notify(kind, payload, *, roll_back=False):
    """A writer's transaction that sends a notice of `kind` and one of another kind (in a
    worker thread, as a view's)."""
    try:
        with transaction.atomic():
            notify_after_commit(kind, payload)
            notify_after_commit(notice_kind(), payload)
            if roll_back:
                raise RuntimeError("the change fails after its notice")
    except RuntimeError:
        pass
    finally:
        connection.close()


async def wait_for(condition, timeout=5.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_a_notice_reaches_this_process_after_commit_only(kind, heard):
    async def scenario():
        await serve_one_request()
        await sync_to_async(ensure_listening)()
        if ON_POSTGRES:
            await listener.wait_connected(10)
        generation = listener_generation()
        await sync_to_async(notify, thread_sensitive=False)(kind, {"table": 2}, roll_back=True)
        await sync_to_async(notify, thread_sensitive=False)(kind, {"table": 1})
        await wait_for(lambda: heard)
        await asyncio.sleep(0.2)
        assert [payload for payload, _thread in heard] == [{"table": 1}]
        loop_thread = threading.current_thread()
        # On PostgreSQL on the listener's loop; on SQLite in the committing thread.
        assert (heard[0][1] is loop_thread) == ON_POSTGRES
        assert listener_is_fresh(generation)

    run(scenario)


def test_on_sqlite_every_notice_is_delivered_in_process_so_caches_stay_fresh(kind, heard):
    if ON_POSTGRES:
        pytest.skip("SQLite's path")
    ensure_listening()
    assert not listener.is_running
    assert listener_generation() == 0 and listener_is_fresh(0)
    notify(kind, {"table": 3})
    assert [payload for payload, _thread in heard] == [{"table": 3}]


@postgres_only
def test_ensure_listening_from_a_sync_view_starts_the_listener_on_the_serving_loop(kind, heard):
    async def scenario():
        assert listener_generation() is None and not listener_is_fresh(None)
        await serve_one_request()
        # A sync view runs on a worker thread, with no event loop of its own.
        await sync_to_async(ensure_listening)()
        generation = await listener.wait_connected(10)
        assert any(task.get_name() == TASK_NAME for task in asyncio.all_tasks())  # on this loop
        assert await sync_to_async(listener_generation)() == generation
        await sync_to_async(notify, thread_sensitive=False)(kind, {"table": 4})
        await wait_for(lambda: heard)

    run(scenario)


@postgres_only
def test_outside_a_served_event_loop_ensure_listening_does_nothing():
    ensure_listening()  # a management command, a WSGI worker: no loop to listen on
    assert not listener.is_running
    assert listener_generation() is None


@postgres_only
def test_a_reconnect_bumps_the_generation_so_caches_filled_before_it_are_stale(kind, heard):
    async def scenario():
        listener.start()
        generation = await listener.wait_connected(10)
        assert listener_is_fresh(generation)
        await sync_to_async(terminate_backends, thread_sensitive=False)(listener.backend_pids)
        # Notices sent while it is away are lost to this process: what it cached may be stale.
        await wait_for(lambda: listener_generation() not in (None, generation), timeout=15)
        assert not listener_is_fresh(generation)
        assert listener_is_fresh(listener_generation())
        await sync_to_async(notify, thread_sensitive=False)(kind, {"table": 5})
        await wait_for(lambda: heard)

    run(scenario)


def terminate_backends(pids):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [list(pids)])
    finally:
        connection.close()


def test_a_failing_callback_does_not_stop_the_others(kind, heard):
    def fails(payload):
        raise ValueError(payload)

    after = []
    on_notice(kind, fails)
    on_notice(kind, after.append)

    async def scenario():
        await serve_one_request()
        await sync_to_async(ensure_listening)()
        if ON_POSTGRES:
            generation = await listener.wait_connected(10)
        await sync_to_async(notify, thread_sensitive=False)(kind, {"table": 6})
        await wait_for(lambda: heard and after)
        if ON_POSTGRES:
            assert listener_is_fresh(generation)

    run(scenario)

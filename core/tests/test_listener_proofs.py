"""The listener's liveness proofs (PostgreSQL): what a process cached is used only while the
listener has proved, within MAX_STALENESS, that it heard every notice committed before, even
when its connection fails silently; and no notification is lost to the proofs."""

import asyncio
import bisect
import itertools
import json
import threading
import time

import psycopg
import pytest
from django.conf import settings

from accounts.services import revoke_tablet
from accounts.signin import signed_in_table
from conftest import postgres_only
from core import listener as listening
from core.listener import MAX_STALENESS, PROOF_SECONDS, listener, listener_generation, listener_is_fresh
from core.notices import NOTICE_CHANNEL, NoticeCache, on_notice
from core.tests.listening import notice_kind, running_listener, wait_until

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


class FreezableProxy:
    """A TCP proxy to the database on 127.0.0.1. `freeze()` stops the connections open now
    from passing bytes either way while they stay open, as on a network that fails
    silently (the kernel still acknowledges what is sent); new connections pass."""

    def __init__(self, host, port):
        self.upstream = (host, port)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-proxy", daemon=True)
        self.thread.start()
        self.connections = []  # [frozen event, client writer, upstream writer]
        self.server = self._call(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    async def _serve(self, reader, writer):
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        frozen = asyncio.Event()
        self.connections.append((frozen, writer, up_writer))
        await asyncio.gather(
            self._pipe(reader, up_writer, frozen), self._pipe(up_reader, writer, frozen), return_exceptions=True
        )

    async def _pipe(self, reader, writer, frozen):
        try:
            while data := await reader.read(65536):
                while frozen.is_set():
                    await asyncio.sleep(0.01)
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    def freeze(self):
        for frozen, _client, _upstream in self.connections:
            self.loop.call_soon_threadsafe(frozen.set)

    def thaw(self):
        for frozen, _client, _upstream in self.connections:
            self.loop.call_soon_threadsafe(frozen.clear)

    def close(self):
        async def close_all():
            self.server.close()
            for _frozen, client, upstream in self.connections:
                client.close()
                upstream.close()
            pipes = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in pipes:
                task.cancel()
            await asyncio.gather(*pipes, return_exceptions=True)

        self._call(close_all())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def proxy(monkeypatch):
    """The listener's connections go through a FreezableProxy (the test's own do not)."""
    db = settings.DATABASES["default"]
    through = FreezableProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    direct = listening.connection_params
    monkeypatch.setattr(listening, "connection_params", lambda: {**direct(), "host": "127.0.0.1", "port": through.port})
    yield through
    through.close()


@pytest.fixture
def flood():
    """A notice kind of this test's own, and the payloads of it this process hears."""
    kind, heard = notice_kind(), []
    on_notice(kind, heard.append)
    return kind, heard


def send_notices(kind, payloads, *, after_each=None):
    """Each payload as a notice from a connection of its own (committed one by one); how many were sent."""
    sent = 0
    with psycopg.connect(**listening.connection_params(), autocommit=True) as conn:
        for payload in payloads:
            conn.execute("SELECT pg_notify(%s, %s)", [NOTICE_CHANNEL, json.dumps([kind, payload])])
            sent += 1
            if after_each is not None:
                after_each(payload)
    return sent


def until(stop):
    number = 0
    while not stop.is_set():
        yield number
        number += 1


def test_the_listener_proves_itself_every_quarter_second_without_spinning():
    with running_listener():
        proofs = []
        started, cpu = time.monotonic(), time.process_time()
        while time.monotonic() - started < 2:
            if not proofs or listener.proven_at != proofs[-1]:
                proofs.append(listener.proven_at)
            assert listener_is_fresh(listener_generation())
            time.sleep(0.01)
        spent = time.process_time() - cpu
    gaps = [later - earlier for earlier, later in itertools.pairwise(proofs)]
    assert len(proofs) >= 2 / PROOF_SECONDS - 2
    assert max(gaps) < 2 * PROOF_SECONDS  # well within MAX_STALENESS, even on a busy machine
    # This loop polls every 10 ms; the listener's share of it is a round trip every 0.25 s.
    assert spent < 0.2, f"{spent:.3f} s of CPU in 2 s"


def keep_busy(loop, stop, seconds):
    """Until `stop` is set, every turn of `loop` also spends `seconds` blocked, as a loop busy
    with other requests: what arrives meanwhile waits unread on the sockets."""

    def turn():
        if not stop.is_set():
            time.sleep(seconds)
            loop.call_soon(turn)

    loop.call_soon_threadsafe(turn)


def test_no_notification_is_lost_to_the_proofs_and_each_is_handled_before_its_proof(monkeypatch, flood):
    """A flood of notices, each committed on its own, while the listener proves itself on a
    busy event loop (notices committed meanwhile arrive during the proofs' round trips): every
    one arrives, in order, and whenever `proven_at` is set, every notice committed before it
    has reached its callback."""
    kind, heard = flood
    proofs = []  # (proven_at, how many flood notices had been handled then), as each is set

    class RecordingListener(listening.Listener):
        @property
        def proven_at(self):
            return self.__dict__["recorded_proven_at"]

        @proven_at.setter
        def proven_at(self, value):
            self.__dict__["recorded_proven_at"] = value
            proofs.append((value, len(heard)))

    monkeypatch.setattr(listener, "__class__", RecordingListener)
    listener.proven_at = float("-inf")
    committed_at, stop = [], threading.Event()
    with running_listener() as loop:
        keep_busy(loop, stop, 0.002)
        flooding = threading.Thread(
            target=send_notices,
            args=(kind, until(stop)),
            kwargs={"after_each": lambda _payload: committed_at.append(time.monotonic())},
        )
        flooding.start()
        time.sleep(10 * PROOF_SECONDS)
        stop.set()
        flooding.join()
        wait_until(lambda: len(heard) >= len(committed_at), timeout=10)

    assert len(committed_at) > 1000
    assert heard == list(range(len(committed_at)))
    during = [(at, handled) for at, handled in proofs if committed_at[0] < at < committed_at[-1]]
    assert len(during) >= 8
    for at, handled in during:
        committed_before = bisect.bisect_right(committed_at, at)
        assert handled >= committed_before, f"proof at {at}: {committed_before} committed, {handled} handled"


def test_a_silently_failed_connection_stops_the_caches_within_max_staleness(proxy, table):
    with running_listener():
        generation = listener_generation()
        assert signed_in_table(table_id=table.id, store_id=table.store_id, token_version=table.token_version)
        proxy.freeze()
        revoke_tablet(table=table)
        committed_at = time.monotonic()
        # Its notice cannot arrive: the cached table is still used, until the last proof
        # (before the freeze) is MAX_STALENESS old.
        assert signed_in_table(table_id=table.id, store_id=table.store_id, token_version=table.token_version - 1)
        waited = wait_until(
            lambda: signed_in_table(table_id=table.id, store_id=table.store_id, token_version=table.token_version - 1)
            is None,
            timeout=5,
        )
        assert time.monotonic() - committed_at <= MAX_STALENESS + 0.1, waited
        assert not listener_is_fresh(generation)
        assert listener.is_connected  # nothing noticed yet: only the proofs stopped

        # The network comes back: the round trip answers, the notice arrives, the caches are used again.
        proxy.thaw()
        wait_until(lambda: listener_is_fresh(generation), timeout=5)
        assert listener_generation() == generation


def test_a_proof_without_an_answer_replaces_the_connection(monkeypatch, proxy):
    monkeypatch.setattr(listening, "HEALTH_CHECK_SECONDS", 1.0)
    with running_listener():
        generation = listener_generation()
        proxy.freeze()
        wait_until(lambda: listener_generation() not in (None, generation), timeout=20)
        wait_until(lambda: listener_is_fresh(listener_generation()), timeout=5)


def test_a_cache_reads_the_database_while_the_listener_is_not_proven(proxy):
    loads = []
    cache = NoticeCache()

    def load():
        loads.append(1)
        return len(loads)

    with running_listener():
        assert [cache.get("key", load), cache.get("key", load)] == [1, 1]
        proxy.freeze()
        wait_until(lambda: cache.get("key", load) > 1, timeout=MAX_STALENESS + 0.5)
        assert cache.get("key", load) == len(loads)  # loaded again each time, kept but not used
        proxy.thaw()
        wait_until(lambda: listener_is_fresh(listener_generation()), timeout=5)
        value = cache.get("key", load)
        assert cache.get("key", load) == value

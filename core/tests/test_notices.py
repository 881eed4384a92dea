"""NoticeCache: a value read once is served from memory until a notice about its key (or the
listener's staleness) says it may have changed; a value that may be stale is never kept."""

import threading

import pytest
from django.db import transaction

from conftest import ON_POSTGRES
from core import listener as listening
from core.listener import MAX_STALENESS, listener
from core.notices import NoticeCache, notify_after_commit, on_notice
from core.tests.listening import notice_kind, running_listener, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


class Source:
    """What `load` reads: a value per key, and how many times each was read."""

    def __init__(self):
        self.values, self.reads = {}, []

    def loader(self, key, during=None):
        def load():
            self.reads.append(key)
            value = self.values.get(key)
            if during is not None:
                during()
            return value

        return load


@pytest.fixture
def listening_process():
    with running_listener():
        yield


@pytest.fixture
def kind():
    return notice_kind()


@pytest.fixture
def cache(listening_process, kind):
    cache = NoticeCache()
    on_notice(kind, cache.forget)
    return cache


def test_a_value_is_read_once_and_then_served_from_memory(cache):
    source = Source()
    source.values[1] = "one"
    assert [cache.get(1, source.loader(1)) for _ in range(3)] == ["one"] * 3
    assert source.reads == [1]


def test_a_committed_notice_drops_the_key_and_a_rolled_back_one_does_not(cache, kind):
    source = Source()
    source.values.update({1: "one", 2: "two"})
    cache.get(1, source.loader(1))
    cache.get(2, source.loader(2))
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_after_commit(kind, 2)
        raise RuntimeError("rolled back")
    with transaction.atomic():
        source.values[1] = "uno"
        notify_after_commit(kind, 1)
    # SQLite: at commit, in this thread; PostgreSQL: through the listener, within milliseconds.
    wait_until(lambda: cache.get(1, source.loader(1)) == "uno", timeout=MAX_STALENESS)
    assert cache.get(2, source.loader(2)) == "two"
    assert source.reads.count(2) == 1


def test_a_notice_that_arrives_while_the_value_is_read_keeps_it_from_being_kept(cache):
    source = Source()
    source.values[1] = "old"

    def changed_meanwhile():
        source.values[1] = "new"
        cache.forget(1)  # what the notice's callback does

    assert cache.get(1, source.loader(1, during=changed_meanwhile)) == "old"
    assert cache.get(1, source.loader(1)) == "new"
    assert cache.get(1, source.loader(1)) == "new"
    assert source.reads == [1, 1]


def test_forget_where_drops_matching_entries_and_what_is_being_read(cache):
    source = Source()
    source.values.update({1: ("store", 7), 2: ("store", 8), 3: ("store", 7)})
    for key in (1, 2):
        cache.get(key, source.loader(key))

    def store_changed_meanwhile():
        cache.forget_where(lambda _key, value: value == ("store", 7))

    cache.get(3, source.loader(3, during=store_changed_meanwhile))
    for key in (1, 2, 3):
        cache.get(key, source.loader(key))
    assert sorted(source.reads) == [1, 1, 2, 3, 3]


def test_a_value_read_inside_a_transaction_is_not_kept(cache):
    source = Source()
    source.values[1] = "one"
    with transaction.atomic():
        cache.get(1, source.loader(1))
        cache.get(1, source.loader(1))
    cache.get(1, source.loader(1))
    cache.get(1, source.loader(1))
    assert source.reads == [1, 1, 1]


def test_the_oldest_entries_go_first_beyond_the_size_bound(listening_process):
    cache, source = NoticeCache(max_entries=3), Source()
    for key in (1, 2, 3, 4):
        cache.get(key, source.loader(key))
    assert len(cache) == 3
    for key in (2, 3, 4, 1):
        cache.get(key, source.loader(key))
    assert source.reads == [1, 2, 3, 4, 1]


def test_threads_share_one_copy(cache):
    source = Source()
    source.values[1] = ["shared"]
    seen = []
    cache.get(1, source.loader(1))
    threads = [threading.Thread(target=lambda: seen.append(cache.get(1, source.loader(1)))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(value is seen[0] for value in seen) and len(seen) == 8
    assert source.reads == [1]


def test_without_a_listener_nothing_is_kept(monkeypatch, settings):
    """PostgreSQL outside a served event loop (a management command); SQLite on a file,
    which other processes write to without a notice reaching this one."""
    if not ON_POSTGRES:
        monkeypatch.setitem(settings.DATABASES["default"], "NAME", "/tmp/tableorder.sqlite3")
    assert not listener.is_running
    cache, source = NoticeCache(), Source()
    for _ in range(3):
        cache.get(1, source.loader(1))
    assert source.reads == [1, 1, 1]
    assert listening.listener_generation() is None

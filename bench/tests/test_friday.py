"""The Friday benchmark's own logic: its Poisson schedule, its reconnect waits, its frame reading."""

import itertools
import random
import statistics

import pytest

from bench.friday import Stream, poisson_arrivals, reconnect_wait


def test_poisson_arrivals_come_at_the_rate_in_order_within_the_window():
    rng = random.Random(7)
    times = list(poisson_arrivals(200.0, 10.0, 70.0, rng))
    assert times == sorted(times)
    assert times[0] > 10.0
    assert times[-1] < 70.0
    # 12,000 expected; a Poisson count's standard deviation is its square root (about 110).
    assert abs(len(times) - 12_000) < 500
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # Exponential gaps: the mean and the standard deviation are both 1/rate.
    assert statistics.mean(gaps) == pytest.approx(1 / 200, rel=0.05)
    assert statistics.stdev(gaps) == pytest.approx(1 / 200, rel=0.05)


def test_a_stream_that_had_opened_waits_its_latest_retry():
    assert reconnect_wait(opened=True, retry_ms=2500, failures=0, retry_after=None) == 2.5


def test_a_refused_open_waits_retry_after_else_the_backoff_of_stream_js():
    assert reconnect_wait(opened=False, retry_ms=3000, failures=1, retry_after=15) == 15.0
    waits = [reconnect_wait(opened=False, retry_ms=3000, failures=n, retry_after=None) for n in range(1, 7)]
    assert waits == [1.0, 2.0, 5.0, 10.0, 10.0, 10.0]


class Recorder:
    """What a Stream reports to its client."""

    host, port = "127.0.0.1", 8000

    def __init__(self):
        self.duplicates = []
        self.out_of_order = 0


class Opened:
    """What a Stream tells the connection it arrived on."""

    def __init__(self):
        self.count = 0

    def stream_opened(self):
        self.count += 1


def test_a_stream_keeps_its_cursor_retry_and_each_order_once():
    client, protocol = Recorder(), Opened()
    stream = Stream(client, "/api/v1/admin/stream", "token")
    stream.frame(b"retry: 3000", 1.0, protocol)
    stream.frame(b'id: 40\nevent: stream.open\ndata: {"last_event_id":40,"session_id":null}', 1.0, protocol)
    order = b'id: 41\nevent: order.created\ndata: {"order": {"id": 9, "number": 1}}'
    stream.frame(order, 2.0, protocol)
    stream.frame(b'id: 42\nevent: ticket.created\ndata: {"order_id": 9}', 2.1, protocol)
    stream.frame(b"retry: 1500", 2.2, protocol)
    stream.frame(order, 3.0, protocol)
    assert protocol.count == 1
    assert (stream.last_id, stream.retry_ms) == (42, 1500)
    assert stream.arrivals == {9: 2.0}
    assert client.duplicates == [3.0]
    assert b"\r\nLast-Event-ID: 42\r\n" in stream.request()

"""Parsing the server-sent events stream, and the printer address."""

import io

import pytest

from printagent.client import Event, parse_events
from printagent.printer import parse_address


def events_of(raw: bytes, count: int) -> list[Event]:
    stream = parse_events(io.BytesIO(raw))
    return [next(stream) for _ in range(count)]


def test_events_with_ids_types_and_data():
    raw = (
        b"retry: 1000\n\n"
        b": ping\n\n"
        b'id: 12\nevent: print.job\ndata: {"id": 12}\n\n'
        b"event: other\r\ndata: a\r\ndata: b\r\n\r\n"
        b"data:no space\n\n"
    )

    assert events_of(raw, 3) == [
        Event(event="print.job", data='{"id": 12}', id="12"),
        Event(event="other", data="a\nb", id="12"),  # the last event id carries over
        Event(event="message", data="no space", id="12"),
    ]


def test_the_end_of_the_stream_is_an_error():
    stream = parse_events(io.BytesIO(b"id: 1\nevent: print.job\ndata: {}\n\n: ping\n\n"))

    assert next(stream).id == "1"
    with pytest.raises(OSError):
        next(stream)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("192.168.0.50", ("192.168.0.50", 9100)),
        ("192.168.0.50:9101", ("192.168.0.50", 9101)),
        ("kitchen-printer.local", ("kitchen-printer.local", 9100)),
        ("[fe80::1]:9100", ("fe80::1", 9100)),
        ("[fe80::1]", ("fe80::1", 9100)),
    ],
)
def test_printer_addresses(address, expected):
    assert parse_address(address) == expected


@pytest.mark.parametrize("address", ["", ":9100", "host:0", "host:70000", "host:port"])
def test_bad_printer_addresses(address):
    with pytest.raises(ValueError):
        parse_address(address)


def test_an_event_cut_short_by_the_connection_is_not_delivered():
    stream = parse_events(io.BytesIO(b'id: 1\nevent: print.job\ndata: {"id": 1, "da'))

    with pytest.raises(OSError):
        next(stream)

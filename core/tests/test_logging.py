"""Structured request logs: one JSON line per request with its timing."""

import json
import logging

from core.logging import JsonFormatter


def test_each_request_logs_method_path_status_and_duration(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="tableorder.request"):
        client.get("/admin/login/")
    record = next(r for r in caplog.records if r.name == "tableorder.request")
    line = json.loads(JsonFormatter().format(record))
    assert line["method"] == "GET" and line["path"] == "/admin/login/" and line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")


def test_no_log_line_carries_a_stream_ticket(client, db, caplog):
    ticket = "stream-ticket-that-must-not-be-logged"
    with caplog.at_level(logging.DEBUG):
        # Refused streams (a ticket that does not verify) and a 404, which django.request logs
        # with the request itself.
        assert client.get("/api/v1/orders/stream", {"ticket": ticket}).status_code == 401
        assert client.get("/api/v1/admin/stream", {"ticket": ticket}).status_code == 401
        assert client.get("/api/v1/no-such-thing", {"ticket": ticket}).status_code == 404
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any('"path": "/api/v1/orders/stream"' in line for line in lines)
    assert any("/api/v1/no-such-thing" in line for line in lines)
    assert not [line for line in lines if ticket in line or "ticket=" in line]

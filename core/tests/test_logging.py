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

"""A server takes streams only up to its open-files limit less a reserve (orders.stream_capacity),
proved on a real server (gunicorn + one uvicorn worker) started under a small limit: past the
cap a stream is a 503 in the error shape, not a connection reset, and the health check and the
menu still answer."""

import asyncio
import json
import logging
import resource
from pathlib import Path

import httpx
import pytest

from accounts.tokens import manager_tokens, table_tokens
from conftest import postgres_only
from core.ratelimit import StreamSlots
from core.tests.processes import app_server
from orders.stream_capacity import StreamCapacity
from orders.tests.sse_client import run

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

OPEN_FILES = 128
RESERVE = 64
CAP = OPEN_FILES - RESERVE


def test_streams_past_the_open_files_limit_are_refused_while_the_server_still_answers(table, menu, manager, tmp_path):
    manager_token = manager_tokens(manager)["access"]
    tablet_token = table_tokens(table)["access"]
    log_path = Path(tmp_path) / "server.log"
    env = {"STREAM_FD_RESERVE": str(RESERVE), "STREAMS_PER_MANAGER": "1000"}

    async def scenario(base_url):
        timeout = httpx.Timeout(10, read=None)
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
        headers = {"authorization": f"Bearer {manager_token}"}
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits) as client:
            opened, refusals = [], []
            # As many as the limit itself: without the cap the server runs out of descriptors.
            for _attempt in range(OPEN_FILES):
                stream = client.stream("GET", "/api/v1/admin/stream", headers=headers)
                response = await stream.__aenter__()
                if response.status_code == 200:
                    opened.append(stream)
                    continue
                refusals.append((response.status_code, dict(response.headers), await response.aread()))
                await stream.__aexit__(None, None, None)
                if len(refusals) == 2:
                    break
            assert len(opened) == CAP
            for status, response_headers, body in refusals:
                assert status == 503
                assert response_headers["retry-after"] == "15"
                assert json.loads(body)["error"]["code"] == "server_busy"
            async with httpx.AsyncClient(base_url=base_url, timeout=10) as other:
                assert (await other.get("/healthz")).status_code == 200
                menu_answer = await other.get("/api/v1/menu", headers={"authorization": f"Bearer {tablet_token}"})
                assert menu_answer.status_code == 200, menu_answer.text
            # A stream that ends gives its place back.
            await opened.pop().__aexit__(None, None, None)
            for _attempt in range(50):
                again = client.stream("GET", "/api/v1/admin/stream", headers=headers)
                if (await again.__aenter__()).status_code == 200:
                    opened.append(again)
                    break
                await again.__aexit__(None, None, None)
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the closed stream's place was never given back")
            for stream in opened:
                await stream.__aexit__(None, None, None)

    with app_server(log_path, env=env, open_files=OPEN_FILES) as base_url:
        run(scenario, base_url)
    refused = [line for line in log_path.read_text().splitlines() if "stream refused" in line]
    # Once for the run of refusals, with what it counted.
    assert len(refused) == 1, refused
    assert f"{CAP} streams open" in refused[0]
    assert f"open-files limit {OPEN_FILES}" in refused[0]


def test_a_run_of_refusals_is_logged_once_and_its_end_once(settings, caplog):
    """In this process, with the reserve set to leave room for two streams under its real limit."""
    reserve = settings.STREAM_FD_RESERVE = resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 2
    capacity = StreamCapacity()
    slots = StreamSlots()
    caplog.set_level(logging.WARNING, logger="orders.stream_capacity")
    first, second, third, fourth = (slots.take(("manager", n), 1) for n in range(4))
    assert capacity.admit(first) and capacity.admit(second)
    assert not capacity.admit(third) and not capacity.admit(fourth)
    # A refused stream's own slot is given back with it.
    assert slots.open_count(("manager", 2)) == slots.open_count(("manager", 3)) == 0
    assert [r.getMessage() for r in caplog.records] == [
        f"stream refused: 2 streams open, the most this process holds "
        f"(open-files limit {reserve + 2} less a reserve of {reserve} descriptors)"
    ]
    caplog.clear()
    first.release()  # gives back the process's place with the manager's
    assert capacity.open_count() == 1 and slots.open_count(("manager", 0)) == 0
    assert capacity.admit(slots.take(("manager", 4), 1))
    assert [r.getMessage() for r in caplog.records] == ["streams admitted again after 2 refused"]

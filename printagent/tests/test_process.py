"""The agent as a real process (`python -m printagent`): killed and restarted, and stopped by SIGTERM."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from printagent.tests.conftest import job_bytes
from printagent.tests.fake_printer import FakePrinter
from printagent.tests.fake_server import TOKEN

REPOSITORY = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals")


def start(server, printer, journal, *token_arguments):
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "printagent", "--server", server.url, "--printer", printer.address),
            *("--journal", str(journal), *(token_arguments or ("--token", TOKEN))),
        ],
        cwd=REPOSITORY,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(path, line, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and line in path.read_text().splitlines():
            return
        time.sleep(0.005)
    raise AssertionError(f"{line!r} never reached {path}")


def test_killed_after_a_print_and_restarted_loses_nothing_and_prints_nothing_twice(server, printer, tmp_path):
    journal = tmp_path / "journal"
    server.lose_acks[1] = "500"  # the ack does not count: the server sends job 1 again after the restart
    server.add_job(1, job_bytes(1))
    first = start(server, printer, journal)
    try:
        printer.wait_for(1)
        wait_for_line(journal, "1")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=5)
    assert first.returncode == -signal.SIGKILL
    first.stderr.close()

    server.add_job(2, job_bytes(2))
    server.add_job(3, job_bytes(3))
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    second = start(server, printer, journal, "--token-file", str(token_file))
    try:
        server.wait_until(lambda: server.printed == {1, 2, 3}, message="three printed acks")
        assert server.deliveries.count(1) >= 2
        time.sleep(0.3)
        assert printer.prints == [job_bytes(1), job_bytes(2), job_bytes(3)]
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=10)
    log = second.stderr.read()
    second.stderr.close()
    assert second.returncode == 0
    assert "job=1 already printed (journal)" in log
    assert TOKEN not in log


def test_sigterm_during_a_print_lets_it_finish_then_exits_zero(server, tmp_path):
    printer = FakePrinter(delay=1.0)  # reads only after a second: the agent is still sending
    data = job_bytes(1) + b"x" * (6 << 20)  # more than the sockets between the two buffer
    server.add_job(1, data)
    process = start(server, printer, tmp_path / "journal")
    try:
        deadline = time.monotonic() + 5
        while printer.connections == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert printer.connections == 1
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    process.stderr.close()

    assert process.returncode == 0
    assert printer.wait_for(1) == [data]
    assert (tmp_path / "journal").read_text() == "1\n"
    assert server.acks_of(1) == ["printed"]  # sent on the way out
    printer.close()


def test_sigterm_while_the_printer_is_off_exits_zero_without_printing(server, printer, tmp_path):
    printer.down()  # the agent is retrying job 1 when the signal comes
    server.add_job(1, job_bytes(1))
    process = start(server, printer, tmp_path / "journal")
    try:
        server.wait_until(lambda: server.acks_of(1) == ["failed"], timeout=5, message="a failed ack")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    log = process.stderr.read()
    process.stderr.close()

    assert process.returncode == 0
    assert "SIGTERM received" in log
    assert "agent stopped" in log
    assert printer.prints == []

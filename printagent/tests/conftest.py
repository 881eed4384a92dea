"""Fixtures: a fake server, a fake printer, and an agent running in a thread against both."""

import threading

import pytest

from printagent.agent import Agent, Timings
from printagent.client import ServerClient
from printagent.journal import Journal
from printagent.printer import parse_address
from printagent.tests.fake_printer import FakePrinter
from printagent.tests.fake_server import TOKEN, FakeServer


@pytest.fixture
def server():
    server = FakeServer()
    yield server
    server.close()


@pytest.fixture
def printer():
    printer = FakePrinter()
    yield printer
    printer.close()


@pytest.fixture
def start_agent(server, printer, tmp_path):
    """Starts an agent (its Timings shortened where a test passes some) and stops it afterwards."""
    running = []

    def start(token=TOKEN, read_token=None, **timings):
        journal = Journal(tmp_path / "journal")
        agent = Agent(
            client=ServerClient(server.url, token),
            printer_address=parse_address(printer.address),
            journal=journal,
            timings=Timings(**timings),
            read_token=read_token,
        )
        thread = threading.Thread(target=agent.run, daemon=True)
        thread.start()
        running.append((agent, thread, journal))
        return agent

    yield start
    for agent, thread, journal in running:
        agent.stop()
        thread.join(timeout=10)
        journal.close()
        assert not thread.is_alive(), "the agent did not stop"


def job_bytes(job_id: int) -> bytes:
    """A small print whose text names its job."""
    return b"\x1b@\x1bR\x0d\x1c&" + f"job {job_id}\n".encode() + b"\x1dVB\x03"

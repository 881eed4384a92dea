"""The whole print path for real: the app as production serves it (a subprocess on this test
run's committed PostgreSQL database), the print agent as a process (`python -m printagent`), and a
fake receipt printer on a TCP port. Orders are placed and deleted here, in the test process;
the server hears them as any other process's writes.

Each test takes a few seconds to a minute (the agent's retry backoff is its production one).
"""

import contextlib
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from accounts.services import setup_table
from accounts.tokens import manager_tokens
from conftest import postgres_only
from core.tests.processes import app_server, stop
from kitchen.models import Alert, AlertKind, JobStatus, PrintJob
from kitchen.tests.printing import make_printer, place
from orders.services import delete_order
from printagent.tests.fake_printer import FakePrinter, decode

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

REPOSITORY = Path(__file__).resolve().parents[2]
ORDER_NUMBER = re.compile(r"주문 (#\d+)")


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


@contextmanager
def print_agent(server_url, token, printer, journal, log_path):
    """`python -m printagent` against the server and the printer, stopped (SIGTERM) afterwards."""
    process = start_agent(server_url, token, printer, journal, log_path)
    try:
        yield process
    finally:
        stop(process)


def start_agent(server_url, token, printer, journal, log_path):
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "printagent", "--server", server_url, "--token", token),
                *("--printer", printer.address, "--journal", str(journal)),
            ],
            cwd=REPOSITORY,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def order_numbers(prints):
    return [ORDER_NUMBER.search(decode(data).text).group(1) for data in prints]


@pytest.fixture
def tables(store):
    # Orders spread over tables: one table may place only so many a minute.
    return [setup_table(store=store, number=number, password="1234")[0] for number in range(1, 5)]


@pytest.fixture
def world(store, tables, menu, tmp_path):
    """The server, a kitchen printer with its token, and the fake printer it stands for."""
    printer_row, token = make_printer(store)
    printer = FakePrinter()
    with ExitStack() as stack:
        stack.callback(printer.close)
        url = stack.enter_context(app_server(tmp_path / "server.log"))
        yield {"url": url, "token": token, "row": printer_row, "printer": printer, "tmp": tmp_path}


def place_orders(tables, menu, count, start=0):
    return [
        place(tables[(start + index) % len(tables)], menu[(start + index) % len(menu)], 1 + index % 3)
        for index in range(count)
    ]


def all_printed(printer_row, count):
    return PrintJob.objects.filter(printer=printer_row, status=JobStatus.PRINTED).count() == count


def test_each_order_prints_once_in_order_in_korean_and_a_reprint_says_so(world, tables, menu, manager):
    printer = world["printer"]
    with print_agent(world["url"], world["token"], printer, world["tmp"] / "journal", world["tmp"] / "agent.log"):
        placed = place_orders(tables, menu, 4)
        prints = printer.wait_for(4, timeout=15)
        wait_until(lambda: all_printed(world["row"], 4), 10, "every job acknowledged as printed")
        assert order_numbers(prints) == [order.display_number for order in placed]
        for data, order in zip(prints, placed, strict=True):
            page = decode(data)
            assert page.korean_mode and page.cuts == 1 and page.cut_last
            assert page.find(f"테이블 {order.table.number}").double_size
            assert order.lines.get().name in page.text
            assert "재출력" not in page.text and "취소" not in page.text

        response = httpx.post(
            f"{world['url']}/api/v1/admin/orders/{placed[1].id}/reprint",
            headers={"Authorization": f"Bearer {manager_tokens(manager)['access']}"},
        )
        assert response.status_code == 200 and response.json() == {"jobs": 1}
        reprint = decode(printer.wait_for(5, timeout=10)[4])
        assert reprint.find("재출력").double_size
        assert ORDER_NUMBER.search(reprint.text).group(1) == placed[1].display_number
        time.sleep(1.5)
        assert len(printer.prints) == 5
    wait_until(lambda: all_printed(world["row"], 5), 10, "the reprint acknowledged")


def test_an_agent_killed_mid_run_and_restarted_loses_and_doubles_nothing(world, tables, menu):
    printer = FakePrinter(delay=0.3)  # a slow printer: the kill lands mid-queue
    journal, log = world["tmp"] / "journal", world["tmp"] / "agent.log"
    try:
        first = start_agent(world["url"], world["token"], printer, journal, log)
        try:
            placed = place_orders(tables, menu, 8)
            printer.wait_for(3, timeout=20)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=5)
        # Killed after its third print at the latest (jobs may still wait, or have printed without
        # their acknowledgement); two more orders come while it is down.
        placed += place_orders(tables, menu, 2, start=8)
        assert PrintJob.objects.filter(printer=world["row"], status=JobStatus.PENDING).exists()
        with print_agent(world["url"], world["token"], printer, journal, log):
            wait_until(lambda: all_printed(world["row"], 10), 60, "all ten printed after the restart")
            time.sleep(1.5)
            assert order_numbers(printer.prints) == [order.display_number for order in placed]
    finally:
        printer.close()


def test_a_printer_that_refuses_raises_an_alert_and_its_queue_drains_in_order_once_back(world, tables, menu, manager):
    printer = world["printer"]
    printer.down()
    with print_agent(world["url"], world["token"], printer, world["tmp"] / "journal", world["tmp"] / "agent.log"):
        placed = place_orders(tables, menu, 3)
        started = time.monotonic()
        wait_until(
            lambda: Alert.objects.filter(kind=AlertKind.PRINTER_FAILED, resolved_at__isnull=True).exists(),
            20,
            "a printer_failed alert",
        )
        assert time.monotonic() - started < 20
        alerts = httpx.get(
            f"{world['url']}/api/v1/admin/alerts",
            headers={"Authorization": f"Bearer {manager_tokens(manager)['access']}"},
        ).json()["results"]
        assert [(alert["kind"], alert["printer"]["id"]) for alert in alerts] == [("printer_failed", world["row"].id)]
        assert not printer.prints

        printer.up()
        prints = printer.wait_for(3, timeout=30)
        assert order_numbers(prints) == [order.display_number for order in placed]
        wait_until(lambda: all_printed(world["row"], 3), 10, "the queue acknowledged")
        wait_until(lambda: not Alert.objects.filter(resolved_at__isnull=True).exists(), 10, "the alert resolved")
        time.sleep(1)
        assert len(printer.prints) == 3


class LossyProxy:
    """A TCP proxy in front of the app that loses the answers to the first `lose` acknowledgements:
    `after_forward` (the server recorded the ack, the agent never hears so) or not forwarded at
    all, which also cuts the agent's open stream (a network drop), so the server sends the job again."""

    def __init__(self, upstream_port, *, lose=1, after_forward=True):
        self.upstream_port, self.lose, self.after_forward = upstream_port, lose, after_forward
        self.lost = 0
        self.streams_opened = 0
        self._streams = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self._listener.close()

    def _accept(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(65536)
            if not chunk:
                client.close()
                return
            head += chunk
        request_line = head.split(b"\r\n", 1)[0]
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        with self._lock:
            lose = b"/ack " in request_line and self.lost < self.lose
            if lose:
                self.lost += 1
            if b"/stream " in request_line:
                self.streams_opened += 1
                self._streams.append(client)
        if lose:
            if self.after_forward:
                upstream.sendall(head)
                answer = b""
                while b"\r\n\r\n" not in answer and (chunk := upstream.recv(65536)):
                    answer += chunk
            else:
                with self._lock:
                    streams, self._streams = self._streams, []
                for stream in streams:
                    stream.shutdown(socket.SHUT_RDWR)
            upstream.close()
            client.close()
            return
        upstream.sendall(head)
        threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()
        self._pipe(client, upstream)

    @staticmethod
    def _pipe(source, target):
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)


@pytest.mark.parametrize("after_forward", [True, False], ids=["answer-lost", "ack-and-stream-lost"])
def test_a_lost_acknowledgement_prints_nothing_twice(world, tables, menu, after_forward):
    printer = world["printer"]
    proxy = LossyProxy(int(world["url"].rsplit(":", 1)[1]), lose=2, after_forward=after_forward)
    try:
        with print_agent(proxy.url, world["token"], printer, world["tmp"] / "journal", world["tmp"] / "agent.log"):
            (placed,) = place_orders(tables, menu, 1)
            printer.wait_for(1, timeout=15)
            wait_until(lambda: all_printed(world["row"], 1), 30, "the job acknowledged in the end")
            if not after_forward:
                wait_until(lambda: proxy.streams_opened >= 2, 30, "the agent's stream reconnected")
            time.sleep(2)
            assert proxy.lost == 2
            assert order_numbers(printer.prints) == [placed.display_number]
    finally:
        proxy.close()


def test_an_order_deleted_while_its_ticket_prints_is_followed_by_a_cancel_ticket(world, tables, menu):
    printer = FakePrinter(delay=2.0)
    try:
        with print_agent(world["url"], world["token"], printer, world["tmp"] / "journal", world["tmp"] / "agent.log"):
            (placed,) = place_orders(tables, menu, 1)
            wait_until(lambda: printer.connections >= 1, 15, "the ticket printing")
            delete_order(order=placed, actor=None)
            ticket, cancel = (decode(data) for data in printer.wait_for(2, timeout=20))
            assert "취소" not in ticket.text
            assert cancel.find("*** 취소 ***").double_size
            assert cancel.find(f"테이블 {placed.table.number}").double_size
            assert order_numbers(printer.prints) == [placed.display_number] * 2
            assert cancel.cuts == 1
            wait_until(lambda: all_printed(world["row"], 2), 10, "both acknowledged")
    finally:
        printer.close()

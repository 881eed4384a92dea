"""The agent against a fake server and a fake printer: order, exactly-once, failures, reconnects."""

import logging
import threading
import time

from printagent.agent import Acknowledger, Timings
from printagent.client import ServerClient
from printagent.tests.conftest import job_bytes
from printagent.tests.fake_server import TOKEN


def test_each_job_prints_once_in_id_order_and_is_acknowledged(server, printer, start_agent):
    for job_id in (1, 2, 3):
        server.add_job(job_id, job_bytes(job_id))
    start_agent()
    printer.wait_for(3)
    server.add_job(4, job_bytes(4))
    server.add_job(5, job_bytes(5))

    assert printer.wait_for(5) == [job_bytes(job_id) for job_id in range(1, 6)]
    server.wait_until(lambda: server.printed == {1, 2, 3, 4, 5}, message="five printed acks")
    time.sleep(0.5)  # heartbeats go on; nothing more is printed or acknowledged
    assert len(printer.prints) == 5
    assert [server.acks_of(job_id) for job_id in range(1, 6)] == [["printed"]] * 5


def test_a_dropped_stream_reconnects_with_the_last_event_id(server, printer, start_agent):
    for job_id in (1, 2, 3, 4):
        server.add_job(job_id, job_bytes(job_id))
    server.drop_after = 2
    start_agent()

    assert printer.wait_for(4) == [job_bytes(job_id) for job_id in (1, 2, 3, 4)]
    server.wait_until(lambda: server.printed == {1, 2, 3, 4}, message="four printed acks")
    assert server.last_event_ids[0] is None
    assert server.last_event_ids[1] in ("2", "3", "4")


def test_a_stalled_stream_is_given_up_and_reopened(server, printer, start_agent):
    server.stall_next = True
    server.add_job(1, job_bytes(1))
    start_agent(stream_timeout=1.0)

    assert printer.wait_for(1, timeout=5) == [job_bytes(1)]
    assert len(server.stream_statuses) >= 2


def test_printer_off_reports_failed_then_prints_in_order_when_back(server, printer, start_agent):
    printer.down()
    server.add_job(1, job_bytes(1))
    server.add_job(2, job_bytes(2))
    started = time.monotonic()
    start_agent()

    server.wait_until(lambda: server.acks_of(1) == ["failed"], timeout=3, message="a failed ack")
    assert time.monotonic() - started < 3
    failed = next(body for job_id, body in server.acks if job_id == 1)
    assert failed["error"] == "connection refused"
    assert server.acks_of(2) == []  # job 2 waits behind job 1
    printer.up()

    assert printer.wait_for(2, timeout=8) == [job_bytes(1), job_bytes(2)]
    server.wait_until(lambda: server.printed == {1, 2}, message="printed acks")
    assert server.acks_of(1) == ["failed", "printed"]
    assert server.acks_of(2) == ["printed"]


def test_while_the_printer_stays_off_failed_is_repeated_at_the_interval(server, printer, start_agent):
    printer.down()
    server.add_job(1, job_bytes(1))
    start_agent(print_retry_min=0.1, print_retry_max=0.2, failed_ack_interval=1.0)
    time.sleep(2.5)

    failed = server.acks_of(1)
    assert 2 <= len(failed) <= 3
    assert set(failed) == {"failed"}
    assert printer.prints == []


def test_an_ack_the_server_lost_brings_the_job_again_but_no_second_print(server, printer, start_agent):
    server.lose_acks[1] = "500"  # not recorded; the stream drops; the job comes again
    server.add_job(1, job_bytes(1))
    server.add_job(2, job_bytes(2))
    start_agent()

    server.wait_until(lambda: server.printed == {1, 2}, message="both printed acks")
    assert server.deliveries.count(1) >= 2
    time.sleep(0.3)
    assert printer.prints == [job_bytes(1), job_bytes(2)]


def test_an_ack_whose_answer_was_lost_is_sent_again(server, printer, start_agent):
    server.lose_acks[1] = "close"  # recorded, but the agent never hears the answer
    server.add_job(1, job_bytes(1))
    start_agent(ack_retry_min=0.2)

    server.wait_until(lambda: server.acks_of(1) == ["printed", "printed"], message="the ack sent again")
    assert printer.prints == [job_bytes(1)]


def test_a_refused_token_is_logged_and_retried_until_fixed(server, printer, start_agent, caplog):
    caplog.set_level(logging.INFO, logger="printagent")
    server.token = "another-token"
    server.add_job(1, job_bytes(1))
    start_agent(unauthorized_retry=0.3)

    server.wait_until(lambda: server.stream_statuses.count(401) >= 2, timeout=3, message="two refused connections")
    assert printer.prints == []
    assert "token is wrong or was revoked" in caplog.text
    server.token = TOKEN

    assert printer.wait_for(1, timeout=5) == [job_bytes(1)]
    assert TOKEN not in caplog.text


def test_a_new_token_in_the_token_file_is_used_after_a_401(server, printer, start_agent, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("revoked-token\n")
    server.add_job(1, job_bytes(1))
    start_agent(token="revoked-token", read_token=lambda: token_file.read_text().strip(), unauthorized_retry=60)

    server.wait_until(lambda: server.stream_statuses.count(401) >= 1, timeout=3, message="a refused connection")
    time.sleep(0.3)
    assert server.stream_statuses == [401]  # the next try is a minute away
    token_file.write_text(TOKEN + "\n")

    # The owner pasted the new token: no restart, no minute's wait.
    assert printer.wait_for(1, timeout=3) == [job_bytes(1)]
    assert server.stream_statuses == [401, 200]


def test_a_job_in_the_journal_is_acknowledged_without_printing(server, printer, start_agent, tmp_path):
    (tmp_path / "journal").write_text("1\n")  # printed before the agent restarted, ack lost
    server.add_job(1, job_bytes(1))
    server.add_job(2, job_bytes(2))
    start_agent()

    server.wait_until(lambda: server.printed == {1, 2}, message="both printed acks")
    assert printer.prints == [job_bytes(2)]


def test_an_ack_for_a_job_not_of_this_printer_is_dropped_not_retried(server):
    stopping = threading.Event()
    acknowledger = Acknowledger(ServerClient(server.url, TOKEN), Timings(ack_retry_min=0.1), stopping)
    acknowledger.start()
    acknowledger.submit(99, "printed")
    time.sleep(1.0)
    stopping.set()
    acknowledger.join(timeout=3)

    assert server.ack_statuses == [(99, 404)]


def test_an_ack_the_server_keeps_refusing_does_not_delay_the_others(server):
    server.add_job(1, job_bytes(1))
    server.add_job(2, job_bytes(2))
    server.fail_acks.add(1)
    stopping = threading.Event()
    acknowledger = Acknowledger(ServerClient(server.url, TOKEN), Timings(ack_retry_min=2.0), stopping)
    acknowledger.start()
    acknowledger.submit(1, "printed")
    server.wait_until(lambda: (1, 500) in server.ack_statuses, timeout=3, message="the refused ack")
    submitted = time.monotonic()
    acknowledger.submit(2, "printed")

    server.wait_until(lambda: server.printed == {2}, timeout=3, message="the second ack")
    assert time.monotonic() - submitted < 0.5
    stopping.set()
    acknowledger.join(timeout=3)

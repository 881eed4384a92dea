"""Faults under load (`make faults` runs the same with longer phases): reliability.faults.

Each worker is killed with SIGKILL in turn, then PostgreSQL is stopped and started again,
while tablets order, managers work and every stream is open. It runs on a private
PostgreSQL server that the run makes and removes (reliability.postgres), never the suite's;
it runs when the suite does run on PostgreSQL, the app's production database.
"""

import pytest

from conftest import ON_POSTGRES
from reliability.faults import run_faults, unseen_faults
from reliability.postgres import unavailable_reason
from reliability.workload import report_lines

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="fault runs need PostgreSQL (run the suite with DATABASE_URL=postgres://…, or `make faults`)",
    ),
    pytest.mark.skipif(bool(unavailable_reason()), reason=f"no private PostgreSQL server: {unavailable_reason()}"),
]


@pytest.fixture(scope="module")
def run():
    findings = run_faults(warmup=3, down_seconds=5, settle=5, stores=2, tables=4)
    report = "\n".join(
        [
            *report_lines("faults", findings),
            *(f"  {fault}: {figures}" for fault, figures in findings.figures["faults"].items()),
        ]
    )
    print(report)
    return findings, report


def test_nothing_acknowledged_is_lost_and_retries_make_no_duplicates(run):
    findings, report = run
    figures = findings.figures
    assert not findings.violations, report
    assert figures["orders acknowledged"] == figures["orders found"] > 0, report
    assert figures["duplicates"] == figures["orders given up"] == 0, report
    # Orders were retried with their keys (after a cut connection or a 503) and answered.
    assert figures["orders answered after a retry"] > 0, report


def test_killed_workers_are_replaced_and_every_client_and_stream_recovers(run):
    findings, report = run
    killed = findings.figures["faults"]["kill -9 workers"]
    assert killed["workers killed"] == 2, report
    assert all(seconds < 10 for seconds in killed["replaced after s"]), report
    # Both workers that held the streams died: every stream was cut and came back (after
    # the `retry` of 3 s the server asks for).
    assert killed["streams cut"] >= findings.figures["streams"], report
    assert killed["longest stream reconnect s"] < 10, report
    assert killed["every affected client succeeded again after s"] < 10, report
    assert killed["other 5xx answers"] == 0, report


def test_a_database_outage_is_503_with_the_error_shape_then_recovers_by_itself(run):
    findings, report = run
    outage = findings.figures["faults"]["postgresql down and up"]
    assert outage["503 answers"] > 0, report
    assert outage["other 5xx answers"] == 0, report
    assert findings.figures["5xx other than 503 with the error shape"] == 0, report
    assert outage["first order acknowledged after s"] is not None and outage["first order acknowledged after s"] < 10
    assert outage["every affected client succeeded again after s"] < 15, report
    # Every worker is healthy again, the quiet ones too (as a load balancer would find them).
    assert outage["health checks after it, on new connections"] == {200: 16}, report
    assert not unseen_faults(findings), report


def test_open_streams_resume_and_miss_nothing(run):
    findings, report = run
    assert findings.figures["lost events"] == findings.figures["events delivered twice"] == 0, report
    assert not [rule for rule in findings.violations if rule.startswith("stream")], report

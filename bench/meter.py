"""What the server spent on a measured phase, read from outside its processes.

    meter = ServerMeter(base_url, database_url)
    before = meter.snapshot()
    ...                                   # the measured phase
    spent = meter.spent(before, meter.snapshot())

CPU is utime + stime from /proc/<pid>/stat (every thread of the process, at the kernel's
clock-tick resolution, SC_CLK_TCK, usually 1/100 s): of the gunicorn master's workers (the app),
of the PostgreSQL backends connected to the benchmark's database, and of this process (the
load generator, which shares the machine).

Database work comes from PostgreSQL's own counters for the database (pg_stat_database:
transactions committed and rolled back, rows returned and fetched). pg_stat_statements is
not loaded on this server, and Django logs queries only in debug mode, so a transaction is
the unit counted: every statement outside an explicit transaction is one (a statement the
driver prepares first, one more), a transaction block is one whatever it holds. So 0 means
no query at all; more is the number of round trips of that kind, not of statements. A
backend reports its counters at most once a second and, once idle, up to 10 s later
(PGSTAT_IDLE_INTERVAL), so `database_counters` first waits `settle` seconds.
"""

import os
import time
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# A backend idle for this long has reported every counter it held back.
STATS_SETTLE_SECONDS = 11.0


def cpu_seconds(pid):
    """utime + stime of a process and all its threads, in seconds; None once it has exited."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # Fields after the command name (which may hold spaces) start at field 3; utime and
    # stime are fields 14 and 15.
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _postgres_connect(database_url):
    """A connection to the server's `postgres` database (so it adds nothing to the measured one), and the name."""
    import psycopg

    info = psycopg.conninfo.conninfo_to_dict(database_url)
    return psycopg.connect(**{**info, "dbname": "postgres"}, autocommit=True), info["dbname"]


def is_postgres(database_url):
    return database_url.startswith(("postgres://", "postgresql://"))


def backend_pids(database_url):
    """PIDs of the client backends connected to the URL's database."""
    conn, name = _postgres_connect(database_url)
    with conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'", [name]
        ).fetchall()
    return [pid for (pid,) in rows]


def database_counters(database_url, *, settle=STATS_SETTLE_SECONDS):
    """{"transactions", "rows_read"} of the URL's database so far, after `settle` idle seconds."""
    time.sleep(settle)
    conn, name = _postgres_connect(database_url)
    with conn:
        transactions, rows_read = conn.execute(
            "SELECT xact_commit + xact_rollback, tup_returned + tup_fetched FROM pg_stat_database WHERE datname = %s",
            [name],
        ).fetchone()
    return {"transactions": transactions, "rows_read": rows_read}


def counters_per(before, after, count):
    """Database counters between two `database_counters` readings, per one of `count` requests."""
    return {key: round((after[key] - before[key]) / count, 4) if count else None for key in before}


class ServerMeter:
    """CPU of the app's workers, of the database's backends and of this process between snapshots.

    Snapshots read /proc and query pg_stat_activity: from a running event loop, take them
    with `await asyncio.to_thread(meter.snapshot)`.
    """

    def __init__(self, base_url, database_url):
        self.base_url = base_url
        self.database_url = database_url

    def snapshot(self):
        backends = backend_pids(self.database_url) if is_postgres(self.database_url) else []
        return {
            "at": time.perf_counter(),
            "workers": {pid: cpu_seconds(pid) for pid in self.base_url.worker_pids()},
            "postgres": {pid: cpu_seconds(pid) for pid in backends},
            "client": time.process_time(),
        }

    @staticmethod
    def spent(before, after):
        """{"seconds", "workers_cpu_s", "postgres_cpu_s", "client_cpu_s"} between two snapshots.

        A worker or backend that started in between counts from zero; one that ended in between is lost.
        """

        def total(kind):
            seconds = 0.0
            for pid, now in after[kind].items():
                if now is not None:
                    seconds += now - (before[kind].get(pid) or 0.0)
            return round(seconds, 3)

        return {
            "seconds": round(after["at"] - before["at"], 3),
            "workers_cpu_s": total("workers"),
            "postgres_cpu_s": total("postgres"),
            "client_cpu_s": round(after["client"] - before["client"], 3),
        }


def cpu_per(spent, count):
    """CPU milliseconds per one of `count` (requests, orders): app workers, PostgreSQL, load generator."""
    if not count:
        return {"workers_ms": None, "postgres_ms": None, "client_ms": None}
    return {
        "workers_ms": round(1000 * spent["workers_cpu_s"] / count, 3),
        "postgres_ms": round(1000 * spent["postgres_cpu_s"] / count, 3),
        "client_ms": round(1000 * spent["client_cpu_s"] / count, 3),
    }

"""Soak: many tablets and managers across several stores, for a while, then every rule checked.

    python -m reliability soak [--seconds 180] [--stores 3] [--tables 6] [--managers 2]

Starts the app like production (gunicorn, 2 uvicorn workers) on a PostgreSQL database of its
own (created if missing; the run's stores are re-made each time), seeds the stores, opens a
stream per tablet and per store, lets the clients of `reliability.load` work for `--seconds`,
then checks `reliability.invariants`. Prints the figures; exits 1 if a rule broke.
"""

import argparse
import asyncio
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from reliability.workload import report_lines, run_coroutine, run_load, seed_stores, serving

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tableorder_soak"


def default_database_url():
    """Next to DATABASE_URL's database when that is PostgreSQL (its name + `_soak`), else DEFAULT_DATABASE_URL."""
    parts = urlsplit(os.environ.get("DATABASE_URL", ""))
    if parts.scheme not in ("postgres", "postgresql") or not parts.path.strip("/"):
        return DEFAULT_DATABASE_URL
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_soak"))


def run_soak(*, database_url, seconds, stores=3, tables=6, managers=2, workers=2, seed=None, log_path=None):
    """One soak; returns (Findings, the server's log path)."""
    with serving(database_url, workers=workers, log_path=log_path) as base_url:
        seeded = seed_stores(database_url, stores=stores, tables=tables)

        async def wait(_run):
            await asyncio.sleep(seconds)

        findings, _run = run_coroutine(
            run_load(base_url, database_url, seeded, during=wait, managers_per_store=managers, seed=seed)
        )
        findings.figures["setup"] = {
            "stores": stores,
            "tables per store": tables,
            "managers per store": managers,
            "workers": workers,
        }
        return findings, base_url.log_path


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m reliability soak", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", "180")))
    parser.add_argument("--stores", type=int, default=3)
    parser.add_argument("--tables", type=int, default=6, help="tables (tablets) per store")
    parser.add_argument("--managers", type=int, default=2, help="managers per store")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None, help="random seed of the clients' choices")
    parser.add_argument("--database-url", default=None, help="default: DATABASE_URL's database + _soak")
    parser.add_argument("--json", type=Path, help="also write the findings as JSON to this file")
    args = parser.parse_args(argv)
    findings, log_path = run_soak(
        database_url=args.database_url or default_database_url(),
        seconds=args.seconds,
        stores=args.stores,
        tables=args.tables,
        managers=args.managers,
        workers=args.workers,
        seed=args.seed,
    )
    print("\n".join(report_lines(f"soak: {args.seconds:.0f} s (server log: {log_path})", findings)))
    if args.json:
        findings.save(args.json)
    return 1 if findings.violations else 0


if __name__ == "__main__":
    sys.exit(main())

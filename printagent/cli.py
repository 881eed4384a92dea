"""Command line: `python -m printagent --server URL (--token TOKEN | --token-file FILE) --printer HOST[:PORT]`."""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import sys
from pathlib import Path

from printagent import __version__
from printagent.agent import Agent
from printagent.client import ServerClient
from printagent.journal import Journal
from printagent.printer import parse_address

log = logging.getLogger("printagent")


def default_journal(host: str, port: int) -> Path:
    """A per-printer file in the user's state directory (XDG on Linux, %LOCALAPPDATA% on Windows)."""
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    safe_host = re.sub(r"[^A-Za-z0-9.-]", "_", host)
    return base / "tableorder-printagent" / f"journal-{safe_host}-{port}"


def read_token_file(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m printagent",
        description="Receives this printer's print jobs from the Table Order server and prints them.",
    )
    parser.add_argument("--server", required=True, help="the Table Order server, e.g. https://order.example.com")
    token = parser.add_mutually_exclusive_group(required=True)
    token.add_argument("--token", help="the printer's agent token (visible to other users in the process list)")
    token.add_argument("--token-file", type=Path, help="a file holding the token (keeps it out of the process list)")
    parser.add_argument("--printer", required=True, help="the receipt printer, HOST[:PORT] (port 9100 by default)")
    parser.add_argument("--journal", type=Path, help="printed job ids file (default: per printer, ~/.local/state)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    arguments = parser.parse_args(argv)
    try:
        arguments.printer_address = parse_address(arguments.printer)
    except ValueError as exc:
        parser.error(str(exc))
    if arguments.token_file is not None:
        try:
            arguments.token = read_token_file(arguments.token_file)
        except OSError as exc:
            parser.error(f"cannot read the token file: {exc.strerror}")
    if not arguments.token:
        parser.error("the token is empty")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if arguments.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    try:
        client = ServerClient(arguments.server, arguments.token)
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    journal_path = arguments.journal or default_journal(*arguments.printer_address)
    journal = Journal(journal_path)
    log.info("journal %s (%d printed jobs remembered)", journal_path, len(journal))
    token_file = arguments.token_file
    agent = Agent(
        client=client,
        printer_address=arguments.printer_address,
        journal=journal,
        read_token=(lambda: read_token_file(token_file)) if token_file is not None else None,
    )

    def stop(signum: int, _frame: object) -> None:
        log.info("%s received: finishing the print in progress", signal.Signals(signum).name)
        agent.stop()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        agent.run()
    finally:
        journal.close()
    return 0

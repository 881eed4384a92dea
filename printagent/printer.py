"""Sending one print to a network receipt printer (raw TCP, port 9100 by convention)."""

from __future__ import annotations

import socket

DEFAULT_PORT = 9100


def parse_address(address: str) -> tuple[str, int]:
    """'HOST[:PORT]' (an IPv6 address in brackets) as (host, port), port 9100 when left out."""
    host, port = address, DEFAULT_PORT
    if address.startswith("["):
        host, _, rest = address[1:].partition("]")
        if rest.startswith(":"):
            port = int(rest[1:])
    elif address.count(":") == 1:
        host, _, port_text = address.partition(":")
        port = int(port_text)
    if not host or not 0 < port < 65536:
        raise ValueError(f"not a printer address: {address!r}")
    return host, port


def send(host: str, port: int, data: bytes, *, timeout: float = 5.0) -> None:
    """Connects, writes `data`, half-closes and closes; raises OSError if the printer did not take it.

    Returning means the printer accepted the connection and every byte was handed to the
    network without error: as far as the agent can know, printed (the printer answers nothing
    on this port, so nothing is read back).
    """
    with socket.create_connection((host, port), timeout=timeout) as connection:
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)

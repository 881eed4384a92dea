"""A receipt printer stand-in for tests: a TCP port that records each print, and a decoder.

    printer = FakePrinter()          # listens on 127.0.0.1, an ephemeral port (delay=: a slow reader)
    printer.address                  # "127.0.0.1:PORT", as the agent's --printer takes it
    printer.wait_for(2)              # blocks until two prints arrived; returns printer.prints
    printer.prints                   # list of bytes, one per connection, in connection order
    printer.down(); printer.up()     # refuse connections, then listen again on the same port
    printer.close()

    page = decode(printer.prints[0]) # Printout: .lines, .text, .segments, .cuts, .cut_last, .korean_mode
    page.find("테이블 7").double_size # Segment: .text, .line, .bold, .width, .height, .align

Standard library only (the print agent's tests and the server's tests both use it).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field

# The printer's answer to no command at all: how long a connection may stay silent.
_READ_TIMEOUT = 5.0


class FakePrinter:
    """Records the bytes of each connection (one print each) in `prints`, in arrival order."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay  # seconds a connection waits before its bytes are read, like a busy printer
        # One slot per connection in the order they were accepted, filled when the sender closes:
        # connections are read by threads of their own, which may finish in any order.
        self._slots: list[bytes | None] = []
        self._lock = threading.Condition()
        self._listener: socket.socket | None = None
        self.port = 0
        self.up()

    @property
    def prints(self) -> list[bytes]:
        """The bytes of each finished print, in the order the connections came (empty ones left out)."""
        with self._lock:
            return [data for data in self._slots if data]

    @property
    def connections(self) -> int:
        """Connections accepted so far, finished or not."""
        with self._lock:
            return len(self._slots)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def up(self) -> None:
        """Listens (again) on the same port; connections are accepted and recorded."""
        if self._listener is not None:
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.delay:
            # A small fixed receive buffer, like a printer's: a sender soon waits for the reader.
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(8)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        """Closes the listening socket: connecting is refused until `up()`."""
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown wakes the accept() blocked in the thread; close alone may not on Linux.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    close = down

    def wait_for(self, count: int, timeout: float = 10.0) -> list[bytes]:
        """Blocks until at least `count` prints arrived; raises AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.prints) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} prints, got {len(self.prints)}")
                self._lock.wait(remaining)
            return self.prints

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._slots.append(None)
                slot = len(self._slots) - 1
            threading.Thread(target=self._receive, args=(connection, slot), daemon=True).start()

    def _receive(self, connection: socket.socket, slot: int) -> None:
        chunks = []
        time.sleep(self.delay)
        connection.settimeout(_READ_TIMEOUT)
        with connection:
            try:
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
            except OSError:
                return
        with self._lock:
            self._slots[slot] = b"".join(chunks)
            self._lock.notify_all()


@dataclass(frozen=True)
class Segment:
    """A run of text printed with one style, on line number `line` (0-based)."""

    text: str
    line: int
    bold: bool = False
    width: int = 1
    height: int = 1
    align: str = "left"

    @property
    def double_size(self) -> bool:
        return self.width >= 2 and self.height >= 2


@dataclass
class Printout:
    """What a print would put on paper, as text segments with their style, and the cuts."""

    segments: list[Segment] = field(default_factory=list)
    line_count: int = 0
    cuts: int = 0
    korean_mode: bool = False
    cut_last: bool = False

    @property
    def lines(self) -> list[str]:
        lines = [""] * self.line_count
        for segment in self.segments:
            lines[segment.line] += segment.text
        return lines

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def find(self, text: str) -> Segment:
        """The first segment containing `text`; raises LookupError if none does."""
        for segment in self.segments:
            if text in segment.text:
                return segment
        raise LookupError(text)


# Commands and how many argument bytes follow them; any other command is a decoding error.
_ESC_ARGS: dict[bytes, int | None] = {
    b"@": 0,
    b"R": 1,
    b"E": 1,
    b"a": 1,
    b"d": 1,
    b"!": 1,
    b"-": 1,
    b"t": 1,
    b"M": 1,
    b"J": 1,
}
_GS_ARGS: dict[bytes, int | None] = {b"!": 1, b"V": None}
_FS_ARGS: dict[bytes, int | None] = {b"&": 0, b".": 0}
_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


def decode(data: bytes, encoding: str = "cp949") -> Printout:
    """Decodes ESC/POS `data` as a Korean printer in Kanji (Korean) mode prints it.

    Raises ValueError on a command it does not know, so an encoder mistake shows in tests.
    """
    out = Printout()
    style: dict = {}
    text = bytearray()
    position = 0

    def flush() -> None:
        if text:
            out.segments.append(Segment(text=text.decode(encoding, errors="replace"), line=out.line_count, **style))
            text.clear()

    def reset() -> None:
        style.clear()
        style.update(bold=False, width=1, height=1, align="left")

    reset()
    while position < len(data):
        byte = data[position]
        if byte in (0x1B, 0x1D, 0x1C):
            flush()
            table = {0x1B: _ESC_ARGS, 0x1D: _GS_ARGS, 0x1C: _FS_ARGS}[byte]
            command = data[position + 1 : position + 2]
            if command not in table:
                raise ValueError(f"unknown command {bytes([byte]) + command!r} at {position}")
            arguments = table[command]
            if arguments is None:  # GS V m [n]: function B (65, 66) takes a feed amount.
                arguments = 2 if data[position + 2] in (65, 66) else 1
            argument = data[position + 2] if arguments else 0
            _apply(out, style, byte, command, argument, reset)
            position += 2 + arguments
            out.cut_last = byte == 0x1D and command == b"V" and position == len(data)
            continue
        out.cut_last = False
        if byte == 0x0A:
            flush()
            out.line_count += 1
        elif out.korean_mode and byte >= 0x81 and position + 1 < len(data):
            text += data[position : position + 2]
            position += 1
        else:
            text.append(byte)
        position += 1
    flush()
    if out.segments and out.segments[-1].line == out.line_count:
        out.line_count += 1
    return out


def _apply(out: Printout, style: dict, prefix: int, command: bytes, n: int, reset) -> None:
    if prefix == 0x1C:
        out.korean_mode = command == b"&"
    elif prefix == 0x1D and command == b"V":
        out.cuts += 1
    elif prefix == 0x1D:  # GS ! n: width in the high nibble, height in the low one
        style.update(width=(n >> 4) + 1, height=(n & 0x0F) + 1)
    elif command == b"@":
        reset()
        out.korean_mode = False
    elif command == b"E":
        style["bold"] = bool(n & 1)
    elif command == b"a":
        style["align"] = _ALIGN.get(n, "left")
    elif command == b"!":  # ESC ! n: bold bit 3, double height bit 4, double width bit 5
        style.update(bold=bool(n & 0x08), height=2 if n & 0x10 else 1, width=2 if n & 0x20 else 1)

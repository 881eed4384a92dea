"""The journal: ids of jobs this agent handed to the printer, so a job received again is not printed twice.

One id a line. `record` appends and fsyncs before returning: the caller acknowledges a job only
after that, so every job the server believes printed is in the journal. The file keeps the last
`keep` ids; when it has grown to twice that it is rewritten to a temporary file, fsynced and
renamed over the old one (atomic on POSIX and on Windows' os.replace), so a crash during
compaction leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from pathlib import Path


class Journal:
    """The last `keep` printed job ids, on disk at `path` (created with its directory if missing)."""

    def __init__(self, path: Path | str, keep: int = 2000) -> None:
        self.path = Path(path)
        self.keep = keep
        self._ids: deque[int] = deque(maxlen=keep)
        self._lines = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        existing = self.path.read_bytes() if self.path.exists() else b""
        # Only whole lines count: a crash while appending "123\n" may leave "12", which is not job 12.
        for line in existing.split(b"\n")[:-1]:
            if line.strip().isdigit():
                self._ids.append(int(line))
                self._lines += 1
        self._members = set(self._ids)
        self._file = open(self.path, "a", encoding="ascii")  # noqa: SIM115 (kept open for appends)
        if existing and not existing.endswith(b"\n"):
            self._compact()  # rewritten without the cut-short line, which an append would complete

    def __contains__(self, job_id: int) -> bool:
        return job_id in self._members

    def __len__(self) -> int:
        return len(self._ids)

    def record(self, job_id: int) -> None:
        """Appends `job_id` and fsyncs it; compacts the file once it holds twice `keep` lines.

        The id counts as recorded in memory even if writing fails (OSError), so this process
        does not print the job twice; only a restart would have forgotten it.
        """
        if len(self._ids) == self.keep:
            self._members.discard(self._ids[0])
        self._ids.append(job_id)
        self._members.add(job_id)
        self._lines += 1
        self._file.write(f"{job_id}\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        if self._lines >= 2 * self.keep:
            self._compact()

    def close(self) -> None:
        self._file.close()

    def _compact(self) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        with open(temporary, "w", encoding="ascii") as rewritten:
            rewritten.write("".join(f"{job_id}\n" for job_id in self._ids))
            rewritten.flush()
            os.fsync(rewritten.fileno())
        self._file.close()
        os.replace(temporary, self.path)
        _fsync_directory(self.path.parent)
        self._file = open(self.path, "a", encoding="ascii")  # noqa: SIM115
        self._lines = len(self._ids)


def _fsync_directory(directory: Path) -> None:
    """Makes a rename durable on POSIX; Windows cannot open a directory and needs no such step."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

"""Servers that tests start as child processes: waiting until one answers, and stopping it."""

import subprocess
import time
import urllib.request


def wait_until_answering(process, url, *, what, timeout=30, log=lambda: ""):
    """Return once `url` answers 2xx; RuntimeError (with `log()`) if `process` exits first
    or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{log()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if 200 <= response.status < 300:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer within {timeout} s:\n{log()}")


def stop(process):
    """Terminate `process`, kill it if it has not ended within 10 s, and reap it."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

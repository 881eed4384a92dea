"""moto's server mode as a local AWS for tests: real HTTP and real boto3 clients, nothing mocked."""

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest

from tableorder.tests.browser import free_port

MOTO_SERVER = Path(sys.executable).parent / "moto_server"
REGION = "ap-northeast-2"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class MotoServer:
    """`moto_server` on a free loopback port for the length of a `with` block."""

    def __enter__(self):
        if not MOTO_SERVER.exists():
            pytest.skip(f"needs moto's server ({MOTO_SERVER}): pip install -r requirements-dev.txt")
        self.endpoint = f"http://127.0.0.1:{free_port()}"
        port = self.endpoint.rsplit(":", 1)[1]
        self.process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", port],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=1).close()
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__()
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)

    def __exit__(self, *exc_info):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def env(self):
        """The environment that points a process's boto3 Secrets Manager client at this server."""
        return {**CREDENTIALS, "AWS_DEFAULT_REGION": REGION, "AWS_ENDPOINT_URL_SECRETS_MANAGER": self.endpoint}

    def client(self, service):
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

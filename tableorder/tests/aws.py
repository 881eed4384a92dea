"""moto's server mode as a local AWS for tests: real HTTP and real boto3 clients, nothing mocked."""

import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from core.tests import processes
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
        try:
            processes.wait_until_answering(self.process, f"{self.endpoint}/moto-api/data.json", what="moto_server")
        except RuntimeError:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info):
        processes.stop(self.process)

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

"""The client address django-axes counts failures under, behind our proxies."""

import pytest
from django.test import RequestFactory

from accounts.login import client_ip


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "127.0.0.1"),
        (1, "9.9.9.9, 1.1.1.1", "1.1.1.1"),
        (2, "9.9.9.9, 1.1.1.1, 10.0.0.5", "1.1.1.1"),
        (2, "10.0.0.5", "127.0.0.1"),
    ],
)
def test_forwarded_addresses_are_read_from_the_right(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected

"""ASGI entry point: the way Table Order is served (SSE needs an async server).

Django's handler with two changes: a request to a sync view takes one thread hop, and an open
event stream holds no thread (core.runtime.handler).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tableorder.settings")
django.setup(set_prefix=False)

from core.runtime.handler import ASGIHandler  # noqa: E402 (after setup, as get_asgi_application does)

application = ASGIHandler()

"""ASGI entry point: the way Table Order is served (SSE needs an async server)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tableorder.settings")
application = get_asgi_application()

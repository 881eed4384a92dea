"""gunicorn settings for Table Order: ASGI through uvicorn workers, configured from the environment.

    gunicorn -c deploy/gunicorn.conf.py

The application is `tableorder.asgi:application`; SSE streams need an async worker.
"""

import os

wsgi_app = "tableorder.asgi:application"
worker_class = "uvicorn_worker.UvicornWorker"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# Open SSE streams would hold a stop or restart for the whole graceful timeout; the app ends
# them on SIGTERM and clients reconnect with Last-Event-ID, so a short timeout loses nothing.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "5"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Longer than the load balancer's idle timeout (ALB: 60 s), so the balancer closes first.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# The app reads X-Forwarded-For itself (FORWARDED_ALLOW_IPS, TRUSTED_PROXY_COUNT): keep the peer.
forwarded_allow_ips = ""

# The app writes one JSON line per request itself; gunicorn's access log would repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# gunicorn 27 otherwise opens a control socket under ~/.gunicorn/.
control_socket_disable = True


def post_worker_init(worker):
    # The app is loaded (CoreConfig.ready has set the collector's thresholds and the switch
    # interval, core.runtime.collector): freeze it, so full collections skip it.
    from core.runtime import collector

    collector.settle()

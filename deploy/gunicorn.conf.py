"""gunicorn settings for Table Order: ASGI through uvicorn workers, configured from the environment.

    gunicorn -c /srv/tableorder/app/deploy/gunicorn.conf.py

The application is `tableorder.asgi:application`; SSE streams need an async worker.

A deploy reloads (SIGHUP: `systemctl reload tableorder`, deploy/deploy.sh) rather than
restarts. gunicorn's master keeps the listening socket, starts new workers from the release
the `app` symlink now names (this file is read again through it, and `chdir` below goes
through it too), and sends the old workers SIGTERM at once. An old worker keeps taking
connections for STREAM_HANDOVER_SECONDS while the new ones start, then stops taking them and
ends its event streams spread out (orders/hub.py), each client reconnecting with its
Last-Event-ID to a new worker: no connection is refused and no event is lost.
"""

import os

wsgi_app = "tableorder.asgi:application"
worker_class = "uvicorn_worker.UvicornWorker"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# The project directory as this file was named (not resolved): through the `app` symlink, a
# reload's new workers import the release it names now.
chdir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Connections waiting to be accepted: a reconnect storm queues here rather than being reset
# (the kernel caps it at net.core.somaxconn, 4096 on Debian 12).
backlog = int(os.environ.get("GUNICORN_BACKLOG", "4096"))

# The old workers' part of a reload or stop (orders/hub.py): serve on while the new workers
# start, then end their streams within STREAM_DRAIN_SECONDS. The graceful timeout covers both.
os.environ.setdefault("STREAM_HANDOVER_SECONDS", "3")
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "40"))
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

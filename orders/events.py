"""Publishing order events: an outbox row in the change's own transaction.

On PostgreSQL the same transaction issues NOTIFY, which the database delivers only at
commit, so rolled-back changes are never announced. Elsewhere (SQLite in development)
the event is handed to the in-process broker once the transaction commits.
"""

from django.db import connection, transaction

from orders.models import OrderEvent

CHANNEL = "tableorder_events"


def publish(*, store, event_type, payload, table=None, session=None):
    """Record an event for the store's screens; call inside the change's transaction."""
    event = OrderEvent.objects.create(store=store, table=table, session=session, type=event_type, payload=payload)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(event.id)])
    else:
        transaction.on_commit(lambda: broker.deliver(event))
    return event


class LocalBroker:
    """Single-process fan-out for databases without LISTEN/NOTIFY."""

    def __init__(self):
        self.subscribers = set()

    def deliver(self, event):
        for callback in list(self.subscribers):
            callback(event)


broker = LocalBroker()

"""The event streams and their ticket endpoint, under /api/v1/."""

from django.urls import path

from orders.sse import admin_stream, tablet_stream
from orders.stream_access import StreamTicketView

urlpatterns = [
    path("admin/stream", admin_stream, name="admin-stream"),
    path("orders/stream", tablet_stream, name="tablet-stream"),
    path("stream-ticket", StreamTicketView.as_view(), name="stream-ticket"),
]

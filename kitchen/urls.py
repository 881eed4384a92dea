from django.urls import path

from kitchen import agent_stream, api, printer_api

urlpatterns = [
    path("admin/stations", api.StationsView.as_view(), name="manager-stations"),
    path("admin/stations/<int:pk>", api.StationDetailView.as_view(), name="manager-station"),
    path("admin/kitchen/tickets", api.TicketsView.as_view(), name="kitchen-tickets"),
    path("admin/kitchen/tickets/<uuid:pk>/start", api.StartTicketView.as_view(), name="kitchen-ticket-start"),
    path("admin/kitchen/tickets/<uuid:pk>/done", api.FinishTicketView.as_view(), name="kitchen-ticket-done"),
    path("admin/kitchen/tickets/<uuid:pk>/recall", api.RecallTicketView.as_view(), name="kitchen-ticket-recall"),
    path("admin/printers", printer_api.PrintersView.as_view(), name="manager-printers"),
    path("admin/printers/<int:pk>", printer_api.PrinterDetailView.as_view(), name="manager-printer"),
    path("admin/printers/<int:pk>/token", printer_api.PrinterTokenView.as_view(), name="manager-printer-token"),
    path(
        "admin/printers/<int:pk>/revoke-token",
        printer_api.PrinterRevokeTokenView.as_view(),
        name="manager-printer-revoke-token",
    ),
    path("admin/printers/<int:pk>/test-print", printer_api.PrinterTestPrintView.as_view(), name="manager-printer-test"),
    path("admin/orders/<int:pk>/reprint", printer_api.ReprintOrderView.as_view(), name="manager-order-reprint"),
    path("admin/tables/<int:pk>/print-bill", printer_api.PrintBillView.as_view(), name="manager-table-print-bill"),
    path("admin/alerts", printer_api.AlertsView.as_view(), name="kitchen-alerts"),
    path("print-agent/stream", agent_stream.agent_stream, name="print-agent-stream"),
    path("print-agent/jobs/<int:pk>/ack", agent_stream.AckView.as_view(), name="print-agent-ack"),
]

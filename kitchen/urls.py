from django.urls import path

from kitchen import api

urlpatterns = [
    path("admin/stations", api.StationsView.as_view(), name="manager-stations"),
    path("admin/stations/<int:pk>", api.StationDetailView.as_view(), name="manager-station"),
    path("admin/kitchen/tickets", api.TicketsView.as_view(), name="kitchen-tickets"),
    path("admin/kitchen/tickets/<uuid:pk>/start", api.StartTicketView.as_view(), name="kitchen-ticket-start"),
    path("admin/kitchen/tickets/<uuid:pk>/done", api.FinishTicketView.as_view(), name="kitchen-ticket-done"),
    path("admin/kitchen/tickets/<uuid:pk>/recall", api.RecallTicketView.as_view(), name="kitchen-ticket-recall"),
]

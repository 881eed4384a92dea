from django.urls import path

from reports import api

urlpatterns = [
    path("admin/reports/sales", api.SalesReportView.as_view(), name="manager-reports-sales"),
]

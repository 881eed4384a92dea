from django.urls import path

from orders.api import TableOrdersView

urlpatterns = [
    path("orders", TableOrdersView.as_view(), name="table-orders"),
]

from django.urls import path

from orders import manager_api, move_api
from orders.api import TableOrdersView
from orders.bill_api import TableBillAdminView, TableBillView
from orders.staff_call_api import TableStaffCallsView
from orders.store_api import StoreSettingsView

urlpatterns = [
    path("orders", TableOrdersView.as_view(), name="table-orders"),
    path("admin/tables", manager_api.TablesView.as_view(), name="manager-tables"),
    path("admin/tables/<int:pk>", manager_api.TableDetailView.as_view(), name="manager-table"),
    path("admin/tables/<int:pk>/revoke-tablet", manager_api.RevokeTabletView.as_view(), name="manager-table-revoke"),
    path("admin/tables/<int:pk>/close-session", manager_api.CloseSessionView.as_view(), name="manager-table-close"),
    path("admin/tables/<int:pk>/move", move_api.MoveTableView.as_view(), name="manager-table-move"),
    path("admin/orders", manager_api.CurrentOrdersView.as_view(), name="manager-orders"),
    path("admin/orders/<int:pk>", manager_api.OrderDetailView.as_view(), name="manager-order"),
    path(
        "admin/orders/<int:pk>/acknowledge",
        manager_api.AcknowledgeOrderView.as_view(),
        name="manager-order-acknowledge",
    ),
    path("admin/orders/<int:pk>/move", move_api.MoveOrderView.as_view(), name="manager-order-move"),
    path("bill", TableBillView.as_view(), name="table-bill"),
    path("admin/tables/<int:pk>/bill", TableBillAdminView.as_view(), name="manager-table-bill"),
    path("admin/history", manager_api.HistoryView.as_view(), name="manager-history"),
    path("admin/store", StoreSettingsView.as_view(), name="manager-store"),
    path("staff-calls", TableStaffCallsView.as_view(), name="table-staff-calls"),
    path("admin/staff-calls", manager_api.StaffCallsView.as_view(), name="manager-staff-calls"),
    path(
        "admin/staff-calls/<int:pk>/acknowledge",
        manager_api.AcknowledgeStaffCallView.as_view(),
        name="manager-staff-call-acknowledge",
    ),
]

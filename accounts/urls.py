from django.urls import path

from accounts.api import ManagerLoginView, TableLoginView, TableRefreshView

urlpatterns = [
    path("auth/login", ManagerLoginView.as_view(), name="manager-login"),
    path("auth/table/login", TableLoginView.as_view(), name="table-login"),
    path("auth/table/refresh", TableRefreshView.as_view(), name="table-refresh"),
]

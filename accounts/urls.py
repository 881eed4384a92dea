from django.urls import path

from accounts.api import ManagerLoginView

urlpatterns = [
    path("auth/login", ManagerLoginView.as_view(), name="manager-login"),
]

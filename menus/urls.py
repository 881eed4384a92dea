from django.urls import path

from menus.api import MenuView

urlpatterns = [
    path("menu", MenuView.as_view(), name="menu"),
]

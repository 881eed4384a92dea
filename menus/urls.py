from django.urls import path

from menus import manager_api
from menus.api import MenuView

urlpatterns = [
    path("menu", MenuView.as_view(), name="menu"),
    path("admin/categories", manager_api.CategoriesView.as_view(), name="manager-categories"),
    path("admin/categories/<int:pk>", manager_api.CategoryDetailView.as_view(), name="manager-category"),
    path("admin/menu-items", manager_api.MenuItemsView.as_view(), name="manager-menu-items"),
    path("admin/menu-items/<int:pk>", manager_api.MenuItemDetailView.as_view(), name="manager-menu-item"),
]

"""The manager API's menu endpoints: categories and menu items (image upload included)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core.api import StoreScopedMixin, validated
from menus.models import Category, MenuItem
from menus.serializers import (
    ManagerCategorySerializer,
    ManagerMenuItemSerializer,
    ManagerMenuItemWriteSerializer,
    MenuItemFilterSerializer,
)
from menus.services import delete_category, delete_menu_item, save_category, save_menu_item

TAGS = ["manager: menu"]
# JSON, or multipart with an `image` file (the schema documents other bodies as JSON only).
MENU_ITEM_BODY = {
    "application/json": ManagerMenuItemWriteSerializer,
    "multipart/form-data": ManagerMenuItemWriteSerializer,
}


@extend_schema(tags=TAGS)
class CategoriesView(StoreScopedMixin, GenericAPIView):
    """The store's menu categories in display order."""

    queryset = Category.objects.all()
    serializer_class = ManagerCategorySerializer

    @extend_schema(responses=ManagerCategorySerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses={201: ManagerCategorySerializer})
    def post(self, request):
        category = Category(store=request.user.store, **validated(self.get_serializer(data=request.data)))
        return Response(self.get_serializer(save_category(category=category)).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class CategoryDetailView(StoreScopedMixin, GenericAPIView):
    queryset = Category.objects.all()
    serializer_class = ManagerCategorySerializer

    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)

    def put(self, request, pk):
        return self._update(request, partial=False)

    def patch(self, request, pk):
        return self._update(request, partial=True)

    def _update(self, request, *, partial):
        category = self.get_object()
        for field, value in validated(self.get_serializer(category, data=request.data, partial=partial)).items():
            setattr(category, field, value)
        return Response(self.get_serializer(save_category(category=category)).data)

    @extend_schema(responses={204: OpenApiResponse(description=_("Deleted."))})
    def delete(self, request, pk):
        delete_category(category=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS)
class MenuItemsView(StoreScopedMixin, GenericAPIView):
    """The store's menu items in display order."""

    queryset = MenuItem.objects.all()
    serializer_class = ManagerMenuItemSerializer

    @extend_schema(parameters=[MenuItemFilterSerializer], responses=ManagerMenuItemSerializer(many=True))
    def get(self, request):
        items = self.get_queryset()
        category = validated(MenuItemFilterSerializer(data=request.query_params)).get("category")
        if category is not None:
            items = items.filter(category_id=category)
        page = self.paginate_queryset(items)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=MENU_ITEM_BODY, responses={201: ManagerMenuItemSerializer})
    def post(self, request):
        writer = ManagerMenuItemWriteSerializer(data=request.data, context=self.get_serializer_context())
        validated(writer)
        item = save_menu_item(item=writer.apply(MenuItem(store=request.user.store)))
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class MenuItemDetailView(StoreScopedMixin, GenericAPIView):
    queryset = MenuItem.objects.all()
    serializer_class = ManagerMenuItemSerializer

    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=MENU_ITEM_BODY)
    def put(self, request, pk):
        return self._update(request, partial=False)

    @extend_schema(request=MENU_ITEM_BODY)
    def patch(self, request, pk):
        return self._update(request, partial=True)

    def _update(self, request, *, partial):
        item = self.get_object()
        writer = ManagerMenuItemWriteSerializer(
            item, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        validated(writer)
        return Response(self.get_serializer(save_menu_item(item=writer.apply(item))).data)

    @extend_schema(responses={204: OpenApiResponse(description=_("Deleted; past orders keep their lines."))})
    def delete(self, request, pk):
        delete_menu_item(item=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

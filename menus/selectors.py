"""Menu reads: the whole menu of a store, in the shape of GET /api/v1/menu."""

from django.db.models import Prefetch

from menus.models import Category, MenuItem


def store_menu(store):
    """`{categories: [{id, name, items: [...]}]}` in display order; two queries."""
    categories = Category.objects.filter(store=store).prefetch_related(
        Prefetch("items", queryset=MenuItem.objects.order_by("display_order", "id"))
    )
    return {
        "categories": [
            {"id": category.id, "name": category.name, "items": [menu_item_dict(item) for item in category.items.all()]}
            for category in categories
        ]
    }


def menu_item_dict(item):
    return {
        "id": item.id,
        "name": item.name,
        "price": item.price,
        "description": item.description,
        "image_url": item.display_image_url,
        "is_available": item.is_available,
    }

"""Create (or re-create) a benchmark store: a manager, numbered tables and a small menu.

    python -m bench.seed --code bench --tables 20

Run with the server's environment (DATABASE_URL, SECRET_KEY); prints one JSON line:
{"store_code", "store_id", "manager": {"username", "password"}, "table_password",
 "tables": [{"id", "number"}], "menu_item_ids": [...]}.
"""

import argparse
import json
import os

MANAGER_USERNAME = "bench"
MANAGER_PASSWORD = "bench-pass-1234"
TABLE_PASSWORD = "1234"
MENU = [
    ("식사", [("김치찌개", 9000), ("된장찌개", 8000), ("제육볶음", 11000), ("비빔밥", 10000), ("공기밥", 1000)]),
    ("음료", [("콜라", 2000), ("사이다", 2000), ("맥주", 5000), ("소주", 5000)]),
]


def seed(*, code, tables):
    from django.db import transaction

    from accounts.models import Store
    from accounts.services import create_store, setup_table
    from menus.models import Category, MenuItem
    from orders.models import Order, OrderEvent, OrderLine, TableSession

    with transaction.atomic():
        old = Store.objects.filter(code=code).first()
        if old is not None:
            # Orders protect their tables and sessions; remove them first, outbox included.
            OrderEvent.objects.filter(store=old).delete()
            OrderLine.objects.filter(order__store=old).delete()
            Order.objects.filter(store=old).delete()
            TableSession.objects.filter(store=old).delete()
            # Menu items protect their categories, which the store's delete would reach first.
            MenuItem.objects.filter(store=old).delete()
            old.delete()
        store, _manager = create_store(
            code=code, name=f"벤치 {code}", manager_username=MANAGER_USERNAME, manager_password=MANAGER_PASSWORD
        )
        made_tables = [setup_table(store=store, number=n, password=TABLE_PASSWORD)[0] for n in range(1, tables + 1)]
        item_ids = []
        for position, (category_name, items) in enumerate(MENU, start=1):
            category = Category.objects.create(store=store, name=category_name, display_order=position)
            for order, (name, price) in enumerate(items, start=1):
                item = MenuItem.objects.create(
                    store=store, category=category, name=name, price=price, display_order=order
                )
                item_ids.append(item.id)
    return {
        "store_code": store.code,
        "store_id": store.id,
        "manager": {"username": MANAGER_USERNAME, "password": MANAGER_PASSWORD},
        "table_password": TABLE_PASSWORD,
        "tables": [{"id": table.id, "number": table.number} for table in made_tables],
        "menu_item_ids": item_ids,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", default="bench")
    parser.add_argument("--tables", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tableorder.settings")
    import django

    django.setup()
    print(json.dumps(seed(code=args.code, tables=args.tables)))


if __name__ == "__main__":
    main()

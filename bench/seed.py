"""Create (or re-create) a benchmark store: a manager, numbered tables and a small menu.

    python -m bench.seed --code bench --tables 20
    python -m bench.seed --code bench-s --tables 4 --stores 50

Run with the server's environment (DATABASE_URL, SECRET_KEY); prints one JSON line:
{"store_code", "store_id", "manager": {"username", "password"}, "table_password",
 "tables": [{"id", "number"}], "menu_item_ids": [...]}.
With `--stores N` it makes stores CODE-1 … CODE-N instead and prints {"stores": [...]}, each
as above plus "manager_token" and a "token" per table, minted the way the logins mint them
(logging 50 managers in would cost the server a bcrypt hash each, which is not what a
benchmark measures).

Passwords are hashed with the production hasher at bcrypt's fewest rounds, so a tablet login
costs the server next to nothing, not a full-strength hash; a manager's login re-hashes once.

bench/server.py runs this file inside the checkout being measured (`root`), so it imports
nothing from bench/.
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
QUICK_BCRYPT_ROUNDS = 4


def remove_stores(codes):
    """Delete the stores of these codes with everything they hold (orders protect their tables
    and sessions, menu items their categories: those go first)."""
    from accounts.models import Store
    from menus.models import MenuItem
    from orders.models import Order, OrderEvent, OrderLine, TableSession

    old = Store.objects.filter(code__in=codes)
    OrderEvent.objects.filter(store__in=old).delete()
    OrderLine.objects.filter(order__store__in=old).delete()
    Order.objects.filter(store__in=old).delete()
    TableSession.objects.filter(store__in=old).delete()
    MenuItem.objects.filter(store__in=old).delete()
    old.delete()


def summary(store, made_tables, item_ids):
    return {
        "store_code": store.code,
        "store_id": store.id,
        "manager": {"username": MANAGER_USERNAME, "password": MANAGER_PASSWORD},
        "table_password": TABLE_PASSWORD,
        "tables": [{"id": table.id, "number": table.number} for table in made_tables],
        "menu_item_ids": item_ids,
    }


def seed(*, code, tables):
    from django.db import transaction

    from accounts.services import create_store, setup_table
    from menus.models import Category, MenuItem

    with transaction.atomic():
        remove_stores([code])
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
    return summary(store, made_tables, item_ids)


def seed_with_tokens(*, prefix, stores, tables):
    """Stores PREFIX-1 … PREFIX-N as `seed` makes them, with a manager token and a token per table.

    The rows are the same as `seed`'s (accounts.services.create_store's and setup_table's),
    written in bulk: managers share one password and tables another, so one hash serves each
    kind, and managers, tables, categories and items go in one INSERT per kind.
    """
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import Store, Table, User
    from accounts.services import store_manager_group
    from accounts.tokens import manager_tokens, table_tokens
    from menus.models import Category, MenuItem

    codes = [f"{prefix}-{index}" for index in range(1, stores + 1)]
    manager_hash, table_hash = make_password(MANAGER_PASSWORD), make_password(TABLE_PASSWORD)
    with transaction.atomic():
        remove_stores(codes)
        # One by one, as accounts.services.create_store saves them: a new store's post_save
        # gives it its first kitchen station.
        made_stores = []
        for code in codes:
            store = Store(code=code, name=f"벤치 {code}")
            store.full_clean()
            store.save()
            made_stores.append(store)
        # create_manager's rows: a manager (the default role) in the "store manager" group.
        managers = User.objects.bulk_create(
            User(store=store, username=MANAGER_USERNAME, is_staff=True, password=manager_hash) for store in made_stores
        )
        group = store_manager_group()
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=manager.id, group_id=group.id) for manager in managers
        )
        made = list(zip(made_stores, managers, strict=True))
        all_tables = Table.objects.bulk_create(
            Table(store=store, number=n, password=table_hash) for store, _manager in made for n in range(1, tables + 1)
        )
        categories = Category.objects.bulk_create(
            Category(store=store, name=name, display_order=position)
            for store, _manager in made
            for position, (name, _items) in enumerate(MENU, start=1)
        )
        menu_items = MenuItem.objects.bulk_create(
            MenuItem(store=category.store, category=category, name=name, price=price, display_order=order)
            for category, (_name, items) in zip(categories, MENU * stores, strict=True)
            for order, (name, price) in enumerate(items, start=1)
        )
    seeded = []
    for index, (store, manager) in enumerate(made):
        store_tables = all_tables[index * tables : (index + 1) * tables]
        per_store = len(menu_items) // stores
        item_ids = [item.id for item in menu_items[index * per_store : (index + 1) * per_store]]
        result = summary(store, store_tables, item_ids)
        result["manager_token"] = manager_tokens(manager)["access"]
        for table, made_table in zip(result["tables"], store_tables, strict=True):
            table["token"] = table_tokens(made_table)["access"]
        seeded.append(result)
    return seeded


def use_quick_hashes():
    """Passwords made by this process get the production hasher's format at the fewest rounds.

    The rounds travel in each hash, so the server verifies them at that cost (a one-shot
    seeding process is the only place this class attribute changes).
    """
    from django.contrib.auth.hashers import get_hasher

    type(get_hasher("default")).rounds = QUICK_BCRYPT_ROUNDS


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", default="bench", help="the store's code (with --stores, their prefix)")
    parser.add_argument("--tables", type=int, default=20, help="tables per store")
    parser.add_argument("--stores", type=int, default=0, help="make this many stores, with tokens")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tableorder.settings")
    import django

    django.setup()
    use_quick_hashes()
    if args.stores:
        print(json.dumps({"stores": seed_with_tokens(prefix=args.code, stores=args.stores, tables=args.tables)}))
    else:
        print(json.dumps(seed(code=args.code, tables=args.tables)))


if __name__ == "__main__":
    main()

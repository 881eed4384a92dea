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


def seed_with_tokens(*, prefix, stores, tables):
    """Stores PREFIX-1 … PREFIX-N as `seed` makes them, with a manager token and a token per table."""
    from accounts.models import Store, Table
    from accounts.tokens import manager_tokens, table_tokens

    seeded = []
    for index in range(1, stores + 1):
        made = seed(code=f"{prefix}-{index}", tables=tables)
        store = Store.objects.get(pk=made["store_id"])
        made["manager_token"] = manager_tokens(store.users.get(username=MANAGER_USERNAME))["access"]
        tokens = {table.id: table_tokens(table)["access"] for table in Table.objects.filter(store=store)}
        for table in made["tables"]:
            table["token"] = tokens[table["id"]]
        seeded.append(made)
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

"""The app under uvicorn for browser tests, on a database the test process can change too.

pytest-django's live_server is WSGI and cannot hold an EventSource, so the app runs as a
subprocess. Changes a manager would make mid-test run as small subprocesses against the same
database, through the same services the back office uses (`run_in_app`).
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from core.tests import processes
from menus.demo_languages import REASON_LABELS

BASE_DIR = Path(settings.BASE_DIR)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = BASE_DIR / "test-output" / "screenshots"

STORE_CODE = "browser-cafe"
STORE_NAME = "브라우저 식당"
MANAGER = "manager"
TABLE_PASSWORD = "sesame-7482!"
TABLES = range(1, 13)
# (category, name, price, description, picture shape, colour, accent, available)
MENU = [
    ("식사", "김치찌개", 9000, "잘 익은 김치와 돼지고기를 넣고 끓인 얼큰한 찌개", "bowl", "#c8402a", "#f3d36b", True),
    ("식사", "된장찌개", 8000, "두부와 애호박을 듬뿍 넣은 구수한 된장찌개", "bowl", "#a4742f", "#7ea84a", True),
    ("식사", "제육볶음", 11000, "매콤달콤한 양념에 볶은 돼지고기", "plate", "#b5381f", "#5f9e3a", True),
    ("식사", "비빔밥", 10000, "", "bowl", "#e0a53a", "#3f8f3a", True),
    ("사이드", "공기밥", 1000, "갓 지은 흰 쌀밥", "bowl", "#f4efe4", "#ffffff", True),
    ("사이드", "계란말이", 7000, "폭신하게 말아낸 계란말이 <b>치즈</b> 추가", "plate", "#f2c14e", "#e07b39", True),
    ("음료", "콜라", 2000, "355ml", "glass", "#3b1f14", "#d9d9d9", True),
    ("음료", "생맥주", 5000, "시원한 생맥주 500cc", "glass", "#e8b534", "#fff8e1", False),
]

# The menu in the guest languages (SPEC 3.10), the country of origin and the allergens (SPEC 3.12).
CATEGORY_TRANSLATIONS = {
    "식사": {"en": "Meals", "zh-hans": "主食", "ja": "お食事"},
    "사이드": {"en": "Sides", "zh-hans": "小菜", "ja": "サイド"},
    "음료": {"en": "Drinks", "zh-hans": "饮料", "ja": "ドリンク"},
}
# {item: {language: (name, description, origin)}}
ITEM_TRANSLATIONS = {
    "김치찌개": {
        "en": (
            "Kimchi stew",
            "A hearty, spicy stew of well-ripened kimchi and pork",
            "Pork: Korea; cabbage kimchi (cabbage: Korea, chili powder: China)",
        ),
        "zh-hans": (
            "泡菜汤",
            "用熟成泡菜和猪肉炖煮的香辣汤锅",
            "猪肉：韩国产；白菜泡菜（白菜：韩国产，辣椒粉：中国产）",
        ),
        "ja": (
            "キムチチゲ",
            "よく漬かったキムチと豚肉を煮込んだ辛口のチゲ",
            "豚肉：韓国産、白菜キムチ（白菜：韓国産、唐辛子粉：中国産）",
        ),
    },
    "된장찌개": {
        "en": (
            "Soybean paste stew",
            "Savoury doenjang stew with plenty of tofu and zucchini",
            "Soybeans (doenjang, tofu): Korea",
        ),
        "zh-hans": ("大酱汤", "加入大量豆腐和西葫芦的香浓大酱汤", "大豆（大酱、豆腐）：韩国产"),
        "ja": ("テンジャンチゲ", "豆腐とズッキーニたっぷりの香ばしい味噌チゲ", "大豆（味噌・豆腐）：韓国産"),
    },
    "제육볶음": {
        "en": ("Spicy stir-fried pork", "Pork stir-fried in a sweet and spicy sauce", "Pork: Korea"),
        "zh-hans": ("辣炒猪肉", "用甜辣酱汁炒制的猪肉", "猪肉：韩国产"),
        "ja": ("チェユクポックム", "甘辛いタレで炒めた豚肉", "豚肉：韓国産"),
    },
    "비빔밥": {
        "en": ("Bibimbap", "", "Rice: Korea; beef: Australia"),
        "zh-hans": ("拌饭", "", "大米：韩国产；牛肉：澳大利亚产"),
        "ja": ("ビビンバ", "", "米：韓国産、牛肉：オーストラリア産"),
    },
    "공기밥": {
        "en": ("Bowl of rice", "Freshly cooked white rice", "Rice: Korea"),
        "zh-hans": ("米饭", "现煮白米饭", "大米：韩国产"),
        "ja": ("ライス", "炊きたての白ごはん", "米：韓国産"),
    },
    "계란말이": {
        "en": ("Rolled omelette", "Fluffy rolled omelette, <b>cheese</b> on request", ""),
        "zh-hans": ("鸡蛋卷", "松软的鸡蛋卷，可加<b>芝士</b>", ""),
        "ja": ("韓国風卵焼き", "ふわふわの卵焼き、<b>チーズ</b>追加できます", ""),
    },
    "콜라": {"en": ("Coke", "", ""), "zh-hans": ("可乐", "", ""), "ja": ("コーラ", "", "")},
    "생맥주": {
        "en": ("Draft beer", "Ice-cold draft beer, 500 cc", ""),
        "zh-hans": ("生啤酒", "冰爽生啤 500cc", ""),
        "ja": ("生ビール", "キンキンに冷えた生ビール 500cc", ""),
    },
    "쫄면": {"en": ("Chewy spicy noodles", "", ""), "zh-hans": ("辣拌筋面", "", ""), "ja": ("チョルミョン", "", "")},
}
ORIGINS = {
    "김치찌개": "돼지고기: 국내산, 배추김치(배추: 국내산, 고춧가루: 중국산)",
    "된장찌개": "대두(된장·두부): 국내산",
    "제육볶음": "돼지고기: 국내산",
    "비빔밥": "쌀: 국내산, 쇠고기: 호주산",
    "공기밥": "쌀: 국내산",
}
ALLERGENS = {
    "김치찌개": ["대두", "밀", "새우", "돼지고기"],
    "된장찌개": ["대두", "밀", "조개류"],
    "제육볶음": ["대두", "밀", "돼지고기"],
    "비빔밥": ["알류", "대두", "밀", "쇠고기"],
    "계란말이": ["알류", "우유"],
    "생맥주": ["밀"],
}
# Option groups and options other tests give items (add_item_options), by name.
OPTION_TRANSLATIONS = {
    "맵기": {"en": "Spiciness", "zh-hans": "辣度", "ja": "辛さ"},
    "순한맛": {"en": "Mild", "zh-hans": "微辣", "ja": "マイルド"},
    "매운맛": {"en": "Spicy", "zh-hans": "辣", "ja": "辛口"},
    "추가": {"en": "Extras", "zh-hans": "加料", "ja": "トッピング"},
    "치즈 추가": {"en": "Extra cheese", "zh-hans": "加芝士", "ja": "チーズ追加"},
    "계란 추가": {"en": "Extra egg", "zh-hans": "加鸡蛋", "ja": "卵追加"},
}
# The staff-call reasons in the guest languages, as the demo store has them.
REASON_TRANSLATIONS = REASON_LABELS
ORIGIN_NOTICE = (
    "돼지고기: 국내산\n쇠고기: 호주산\n쌀: 국내산\n배추김치: 배추 국내산, 고춧가루 중국산\n대두(된장·두부): 국내산"
)
ORIGIN_NOTICE_TRANSLATIONS = {
    "en": "Pork: Korea\nBeef: Australia\nRice: Korea\nKimchi: cabbage from Korea, chili powder from China\n"
    "Soybeans (doenjang, tofu): Korea",
    "zh-hans": "猪肉：韩国产\n牛肉：澳大利亚产\n大米：韩国产\n泡菜：白菜为韩国产，辣椒粉为中国产\n"
    "大豆（大酱、豆腐）：韩国产",
    "ja": "豚肉：韓国産\n牛肉：オーストラリア産\n米：韓国産\nキムチ：白菜は韓国産、唐辛子粉は中国産\n"
    "大豆（テンジャン・豆腐）：韓国産",
}


def item_translations(name):
    return {
        language: {"name": title, "description": description, "origin": origin}
        for language, (title, description, origin) in ITEM_TRANSLATIONS.get(name, {}).items()
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BrowserDatabase:
    """A database of its own: a temporary SQLite file, or `<name>_browser_<suffix>` on PostgreSQL.

    Each server gets its own (the session's browser server and test_nginx's run side by side):
    creating one must never drop another's.
    """

    def __init__(self):
        self.main_url = os.environ.get("DATABASE_URL", "")
        self.tempdir = tempfile.TemporaryDirectory(prefix="tableorder-browser-")
        if self.main_url.startswith(("postgres://", "postgresql://")):
            parts = urlsplit(self.main_url)
            suffix = Path(self.tempdir.name).name.rsplit("-", 1)[-1].lower()
            self.pg_name = f"{parts.path.lstrip('/')}_browser_{suffix}"
            self.url = urlunsplit(parts._replace(path=f"/{self.pg_name}"))
        else:
            self.pg_name = None
            self.url = f"sqlite:///{self.tempdir.name}/browser.sqlite3"

    def _admin(self, *statements):
        import psycopg

        with psycopg.connect(self.main_url, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def create(self):
        if self.pg_name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)', f'CREATE DATABASE "{self.pg_name}"')

    def drop(self):
        if self.pg_name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        self.tempdir.cleanup()


class AppServer:
    """uvicorn serving the project on a free 127.0.0.1 port, plus helpers acting as the manager."""

    def __init__(self):
        self.database = BrowserDatabase()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        workdir = Path(self.database.tempdir.name)
        self.log_path = workdir / "server.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database.url,
            # DEBUG serves static files through whitenoise's finders and media through Django.
            "DEBUG": "1",
            "SECRET_KEY": "browser-tests-only",
            "MEDIA_ROOT": str(workdir / "media"),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "tableorder.settings",
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.process = None

    def manage(self, *args):
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=self.env, check=True, capture_output=True
        )

    def run_in_app(self, function, *args, module="tableorder.tests.browser"):
        """Call `<module>.<function>(*args)` in a process on the app's database; its JSON result."""
        code = (
            "import django, importlib, json, sys; django.setup(); "
            "print(json.dumps(getattr(importlib.import_module(sys.argv[1]), sys.argv[2])(*json.loads(sys.argv[3]))))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code, module, function, json.dumps(args)],
            cwd=BASE_DIR,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(result.stdout.strip().splitlines()[-1])

    def start(self):
        self.database.create()
        self.manage("migrate", "--noinput")
        self.run_in_app("seed_store")
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "tableorder.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--timeout-graceful-shutdown",
                "2",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.wait_until_answering(self.process, f"{self.url}/healthz", what="uvicorn", log=self.log_path.read_text)
        return self

    def stop(self):
        if self.process is not None:
            processes.stop(self.process)
        self.database.drop()


def small_touch_targets(page, selector="button, input, a[href], [role=button]"):
    """Visible elements matching `selector` smaller than 44×44 CSS px, as "name W×H"."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el.id || el.className || el.textContent.trim(), el.getBoundingClientRect()])
            .filter(([, box]) => box.width < 44 || box.height < 44)
            .map(([name, box]) => `${name} ${Math.round(box.width)}×${Math.round(box.height)}`)""",
        selector,
    )


# ---------------------------------------------------------------- run inside the app's database


def seed_store():
    """The test store: a manager, tables 1–12 and a small menu with pictures, one item sold out."""
    from django.core.files.base import ContentFile

    from accounts.services import create_store, setup_table
    from menus.demo_images import demo_image
    from menus.models import Category, MenuItem
    from menus.services import save_menu_item

    store, _manager = create_store(
        code=STORE_CODE, name=STORE_NAME, manager_username=MANAGER, manager_password="manager-pass-1"
    )
    store.origin_notice = ORIGIN_NOTICE
    store.origin_notice_translations = ORIGIN_NOTICE_TRANSLATIONS
    store.staff_call_reason_translations = REASON_TRANSLATIONS
    store.save(update_fields=["origin_notice", "origin_notice_translations", "staff_call_reason_translations"])
    for number in TABLES:
        setup_table(store=store, number=number, password=TABLE_PASSWORD)
    categories = {}
    for position, (category, name, price, description, shape, color, accent, available) in enumerate(MENU):
        if category not in categories:
            categories[category] = Category.objects.create(
                store=store,
                name=category,
                display_order=len(categories),
                translations={language: {"name": text} for language, text in CATEGORY_TRANSLATIONS[category].items()},
            )
        item = MenuItem(
            store=store,
            category=categories[category],
            name=name,
            price=price,
            description=description,
            is_available=available,
            display_order=position,
            origin=ORIGINS.get(name, ""),
            allergens=ALLERGENS.get(name, []),
            translations=item_translations(name),
        )
        picture = demo_image(shape=shape, color=_rgb(color), accent=_rgb(accent), seed=name)
        item.image = ContentFile(picture, name=f"item-{position}.jpg")
        # Through the service, which makes the image's display sizes as an upload gets them.
        save_menu_item(item=item)
    return store.id


def _rgb(hex_color):
    return tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))


def set_available(name, available):
    """The sold-out switch of the test store's item, through the service (a new menu version)."""
    from menus.models import MenuItem
    from menus.services import save_menu_item

    item = MenuItem.objects.get(store__code=STORE_CODE, name=name)
    item.is_available = available
    save_menu_item(item=item)
    return 1


def close_table_session(number):
    """The manager's "이용 완료" for a table."""
    from accounts.models import Table
    from orders.services import close_session

    table = Table.objects.select_related("store").get(store__code=STORE_CODE, number=number)
    session = close_session(table=table, actor=table.store.users.get(username=MANAGER))
    return session.id


def change_table_orders_status(number, status):
    """The manager moves every current order of a table to `status`."""
    from orders.models import Order
    from orders.services import change_order_status

    orders = Order.objects.live().filter(table__store__code=STORE_CODE, table__number=number, session__closed_at=None)
    return [change_order_status(order=order, status=status).display_number for order in orders]


def reset_table_password(number, password):
    from accounts.models import Store
    from accounts.services import setup_table

    setup_table(store=Store.objects.get(code=STORE_CODE), number=number, password=password)
    return number


def revoke_table(number):
    """Sign the test store's table `number` out, as the back office's action does."""
    from accounts.models import Table
    from accounts.services import revoke_tablet

    revoke_tablet(table=Table.objects.get(store__code=STORE_CODE, number=number))
    return number


def table_orders(number):
    """[(display number, total)] of every order the table ever placed."""
    from orders.models import Order

    orders = Order.objects.filter(table__store__code=STORE_CODE, table__number=number).order_by("id")
    return [[order.display_number, order.total] for order in orders]


def add_table(number):
    """A table of the test store (created, or its password reset to TABLE_PASSWORD)."""
    from accounts.models import Store
    from accounts.services import setup_table

    table, _created = setup_table(store=Store.objects.get(code=STORE_CODE), number=number, password=TABLE_PASSWORD)
    return table.id


def add_menu_item(name, price):
    """An available item in the test store's first category; returns its id."""
    from menus.models import Category, MenuItem
    from menus.services import save_menu_item

    category = Category.objects.filter(store__code=STORE_CODE).order_by("display_order").first()
    item = MenuItem.objects.filter(category=category, name=name).first()
    if item is None:
        item = save_menu_item(
            item=MenuItem(
                store=category.store,
                category=category,
                name=name,
                price=price,
                display_order=99,
                translations=item_translations(name),
            )
        )
    return item.id


def backdate_orders(order_ids, days):
    """Move orders `days` back in time, as if placed then (for the history's date filter)."""
    from datetime import timedelta

    from django.db.models import F

    from orders.models import Order

    return Order.objects.filter(id__in=order_ids).update(created_at=F("created_at") - timedelta(days=days))


def save_item_availability(name, available):
    """The manager's sold-out switch, through `menus.services.save_menu_item` (announces menu.updated)."""
    from menus.models import MenuItem
    from menus.services import save_menu_item

    item = MenuItem.objects.get(store__code=STORE_CODE, name=name)
    item.is_available = available
    return save_menu_item(item=item).id


def place_table_order(number, name):
    """An order for a table placed through the service, as another request would; its display number."""
    from accounts.models import Table
    from menus.models import MenuItem
    from orders.services import place_order

    table = Table.objects.select_related("store").get(store__code=STORE_CODE, number=number)
    item = MenuItem.objects.get(store=table.store, name=name)
    order, _created = place_order(table=table, items=[{"menu_item_id": item.id, "quantity": 1}])
    return order.display_number


def delete_table_orders(number):
    """The manager deletes (직권 수정) every current order of a table."""
    from accounts.models import User
    from orders.models import Order
    from orders.services import delete_order

    manager = User.objects.get(store__code=STORE_CODE, username=MANAGER)
    orders = Order.objects.live().filter(table__store__code=STORE_CODE, table__number=number, session__closed_at=None)
    return [delete_order(order=order, actor=manager).display_number for order in orders]


def set_staff_call_reasons(reasons, translations=None):
    """The test store's staff-call reasons (and their translations: by default those of the
    reasons kept), as a manager sets them; returns the old reasons and translations, to give
    back as they were (`set_staff_call_reasons(*old)`)."""
    from accounts.models import Store
    from accounts.services import update_store

    store = Store.objects.get(code=STORE_CODE)
    old = [store.staff_call_reasons, store.staff_call_reason_translations]
    if translations is None:
        translations = {key: texts for key, texts in old[1].items() if key in reasons}
    store.staff_call_reasons = reasons
    store.staff_call_reason_translations = translations
    update_store(store=store, fields=["staff_call_reasons", "staff_call_reason_translations"])
    return old


def set_reminder_chime(on):
    """Whether the test store's unsent-cart reminder chimes, set as a manager sets it."""
    from accounts.models import Store
    from accounts.services import update_store_settings

    update_store_settings(store=Store.objects.get(code=STORE_CODE), actor=None, cart_reminder_chime=on)


def set_origin_notice_translations(translations):
    """The test store's origin notice in the guest languages, as a manager sets it; returns the old ones."""
    from accounts.models import Store
    from accounts.services import update_store_settings

    store = Store.objects.get(code=STORE_CODE)
    old = store.origin_notice_translations
    update_store_settings(store=store, actor=None, origin_notice_translations=translations)
    return old


def add_item_options(name, groups):
    """Option groups for the test store's item `name`, announced like any menu edit.

    `groups` is [[group name, min_select, max_select, [[option name, price_delta], …]], …];
    returns {option name: id}.
    """
    from menus.models import ItemOptionGroup, MenuItem, Option, OptionGroup
    from menus.services import save_menu_item

    item = MenuItem.objects.get(store__code=STORE_CODE, name=name)
    ids = {}
    for group_order, (group_name, min_select, max_select, options) in enumerate(groups):
        group = item.option_groups.filter(name=group_name).first() or OptionGroup(store=item.store, name=group_name)
        group.min_select, group.max_select = min_select, max_select
        group.translations = {
            language: {"name": text} for language, text in OPTION_TRANSLATIONS.get(group_name, {}).items()
        }
        group.save()
        ItemOptionGroup.objects.update_or_create(item=item, group=group, defaults={"display_order": group_order})
        for option_order, (option_name, price_delta) in enumerate(options):
            translations = {
                language: {"name": text} for language, text in OPTION_TRANSLATIONS.get(option_name, {}).items()
            }
            option, _created = Option.objects.update_or_create(
                group=group,
                name=option_name,
                defaults={"price_delta": price_delta, "display_order": option_order, "translations": translations},
            )
            ids[option_name] = option.id
    save_menu_item(item=item)
    return ids


def acknowledge_table_calls(number):
    """The manager acknowledges every waiting staff call of a table; returns their reasons."""
    from accounts.models import User
    from orders.models import StaffCall
    from orders.staff_calls import acknowledge_staff_call

    manager = User.objects.get(store__code=STORE_CODE, username=MANAGER)
    calls = StaffCall.objects.filter(
        store__code=STORE_CODE, table__number=number, acknowledged_at__isnull=True, session__closed_at=None
    )
    return [acknowledge_staff_call(call=call, actor=manager)[0].reason for call in calls]


def table_order_details(number):
    """The table's orders as the database holds them: note, and each line's name, options, unit price, quantity."""
    from orders.models import Order

    orders = Order.objects.filter(table__store__code=STORE_CODE, table__number=number).prefetch_related("lines")
    return [
        {
            "note": order.note,
            "total": order.total,
            "lines": [
                [line.name, [option["name"] for option in line.options], line.unit_price, line.quantity]
                for line in order.lines.all()
            ],
        }
        for order in orders.order_by("id")
    ]


def set_option_availability(item_name, option_name, available):
    """The sold-out switch of one option of the test store's item, announced like any menu edit."""
    from menus.models import MenuItem, Option
    from menus.services import save_menu_item

    item = MenuItem.objects.get(store__code=STORE_CODE, name=item_name)
    changed = Option.objects.filter(group__items=item, name=option_name).update(is_available=available)
    save_menu_item(item=item)
    return changed


def table_calls(number):
    """[[reason, acknowledged?]] of the staff calls of a table's open session, oldest first."""
    from orders.models import StaffCall

    calls = StaffCall.objects.filter(store__code=STORE_CODE, table__number=number, session__closed_at=None)
    return [[call.reason, call.acknowledged_at is not None] for call in calls.order_by("id")]


def demo_store_activity():
    """The demo store (seed_demo) after a little service: orders at tables 1–3 (one preparing,
    one deleted), a waiting staff call, and table 1 closed. Returns the ids of the orders."""
    from accounts.models import Table
    from menus.models import MenuItem
    from orders.services import change_order_status, close_session, delete_order, place_order
    from orders.staff_calls import call_staff

    tables = {table.number: table for table in Table.objects.select_related("store").filter(store__code="demo")}
    store = tables[1].store
    manager = store.users.get(username="manager")
    items = list(MenuItem.objects.filter(store=store, option_groups__isnull=True, is_available=True)[:4])
    orders = []
    for number in (1, 2, 3):
        for item in items[:3]:
            lines = [{"menu_item_id": item.id, "quantity": 2}, {"menu_item_id": items[3].id, "quantity": 1}]
            orders.append(place_order(table=tables[number], items=lines, note="덜 맵게 해 주세요")[0])
    change_order_status(order=orders[-1], status="preparing")
    delete_order(order=orders[-2], actor=manager)
    call_staff(table=tables[2], reason="물")
    close_session(table=tables[1], actor=manager)
    return [order.id for order in orders]


def table_audit(number):
    """[(display number, kind, from, to, reason, reason text, by)] of the table's order audit, oldest first."""
    from orders.models import OrderAudit

    records = OrderAudit.objects.filter(order__table__store__code=STORE_CODE, order__table__number=number)
    return [
        [r.order.display_number, r.kind, r.from_status, r.to_status, r.reason, r.reason_text, r.actor.username]
        for r in records.select_related("order", "actor").order_by("at", "id")
    ]


def acknowledge_store_orders():
    """The managers have seen every order of the test store and answered every call: nothing waits."""
    from django.utils import timezone

    from orders.models import Order, StaffCall

    now = timezone.now()
    StaffCall.objects.filter(store__code=STORE_CODE, acknowledged_at=None).update(acknowledged_at=now)
    return Order.objects.filter(store__code=STORE_CODE, acknowledged_at=None).update(acknowledged_at=now)


def busy_floor(first):
    """Twelve tables from number `first` as a busy evening has them, through the services: orders
    done, cooking, seen and new, with options and notes, three free tables and a bill call.
    Returns the tables' ids."""
    from accounts.models import Store, User
    from accounts.services import setup_table
    from menus.models import MenuItem
    from orders.services import acknowledge_order, change_order_status, place_order
    from orders.staff_calls import call_staff

    store = Store.objects.get(code=STORE_CODE)
    manager = User.objects.get(store=store, username=MANAGER)
    menu = MenuItem.objects.filter(store=store).prefetch_related("option_groups__options")
    items = {item.name: item for item in menu}
    options = {option.name: option.id for group in items["쫄면"].option_groups.all() for option in group.options.all()}
    tables = [setup_table(store=store, number=first + n, password=TABLE_PASSWORD)[0] for n in range(12)]

    def order(n, lines, note="", status=None, seen=False):
        rows = [
            {"menu_item_id": items[name].id, "quantity": quantity, "option_ids": [options[o] for o in chosen]}
            for name, quantity, *chosen in lines
        ]
        placed, _created = place_order(table=tables[n], items=rows, note=note)
        if status:
            change_order_status(order=placed, status=status)
        elif seen:
            acknowledge_order(order=placed, actor=manager)

    order(0, [("김치찌개", 2), ("공기밥", 2)], status="completed")
    order(0, [("계란말이", 1)], status="preparing")
    order(0, [("콜라", 2)])
    order(1, [("제육볶음", 1), ("공기밥", 1), ("콜라", 1)], note="제육은 아주 맵게 해 주세요")
    order(2, [("쫄면", 2, "순한맛", "치즈 추가"), ("쫄면", 1, "매운맛", "계란 추가")], status="preparing")
    order(3, [("된장찌개", 2), ("비빔밥", 1)], seen=True)
    order(5, [("비빔밥", 3)], status="completed")
    order(
        6,
        [("김치찌개", 1), ("된장찌개", 1), ("제육볶음", 1), ("공기밥", 3), ("계란말이", 1)],
        note="아이 의자 하나랑 앞접시 세 개 부탁드려요",
    )
    order(8, [("콜라", 4)], status="preparing")
    order(8, [("계란말이", 2)])
    order(9, [("된장찌개", 1)], seen=True)
    order(11, [("제육볶음", 2), ("공기밥", 2)])
    call_staff(table=tables[5], reason="계산 요청")
    return [table.id for table in tables]


def add_tables(numbers):
    """Tables of the test store (`add_table` for each); their ids."""
    return [add_table(number) for number in numbers]

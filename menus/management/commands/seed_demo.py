"""A complete demo restaurant, so a newcomer sees Table Order working within a minute."""

from typing import NamedTuple

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, Store
from accounts.services import (
    apply_role,
    create_manager,
    create_store,
    setup_table,
    store_manager_group,
    update_store_settings,
)
from menus import demo_languages
from menus.demo_images import demo_image
from menus.models import Category, MenuItem, Station
from menus.services import import_menu, make_image_sizes, save_menu_item

DEMO_CODE = "demo"
DEMO_NAME = "데모 식당"
DEMO_MANAGER = "manager"
DEMO_MANAGER_PASSWORD = "demo1234"
DEMO_TABLES = range(1, 13)
DEMO_TABLE_PASSWORD = "1234"
# Kitchen staff see the kitchen display only.
DEMO_KITCHEN = "kitchen"
# The bar makes the drinks; the kitchen (every store's first station) the rest.
DEMO_BAR = "주류"
DEMO_BAR_CATEGORIES = ("음료", "주류")

BROWN, RED, GREEN, WHITE, YELLOW = (120, 62, 38), (205, 58, 32), (88, 150, 62), (246, 242, 232), (246, 204, 60)


class DemoItem(NamedTuple):
    key: str  # file name of the generated image, and key of DESCRIPTIONS
    name: str
    price: int
    shape: str  # see menus.demo_images.SHAPES
    color: tuple
    accent: tuple


DEMO_MENU = {
    "메인 메뉴": [
        DemoItem("bulgogi", "소불고기 정식", 15000, "plate", BROWN, GREEN),
        DemoItem("kimchi-jjigae", "김치찌개", 9000, "bowl", RED, WHITE),
        DemoItem("doenjang-jjigae", "된장찌개", 8000, "bowl", (168, 118, 58), GREEN),
        DemoItem("bibimbap", "돌솥비빔밥", 11000, "bowl", (214, 150, 62), YELLOW),
        DemoItem("jeyuk", "제육볶음", 12000, "plate", (196, 72, 40), GREEN),
        DemoItem("galbi-jjim", "소갈비찜", 28000, "plate", (108, 58, 34), (232, 148, 58)),
    ],
    "사이드": [
        DemoItem("gyeran-jjim", "계란찜", 5000, "bowl", (246, 202, 92), GREEN),
        DemoItem("haemul-pajeon", "해물파전", 16000, "plate", (212, 170, 92), (80, 140, 60)),
        DemoItem("japchae", "잡채", 10000, "plate", (150, 102, 62), (232, 120, 40)),
        DemoItem("tteokbokki", "떡볶이", 7000, "plate", (220, 62, 40), WHITE),
        DemoItem("gun-mandu", "군만두", 6000, "plate", (226, 180, 112), (122, 80, 40)),
    ],
    "음료": [
        DemoItem("cola", "콜라", 2500, "glass", (64, 32, 22), (232, 232, 232)),
        DemoItem("cider", "사이다", 2500, "glass", (226, 238, 218), (150, 200, 90)),
        DemoItem("sikhye", "식혜", 3500, "glass", (236, 220, 180), WHITE),
        DemoItem("omija-ade", "오미자 에이드", 5500, "glass", (218, 70, 92), (250, 220, 220)),
    ],
    "주류": [
        DemoItem("soju", "소주", 5000, "bottle", (60, 150, 82), (240, 240, 240)),
        DemoItem("beer", "맥주", 6000, "bottle", (122, 72, 22), (232, 190, 62)),
        DemoItem("makgeolli", "생막걸리", 7000, "bottle", (236, 232, 220), (60, 120, 60)),
        DemoItem("bokbunja", "복분자주", 15000, "bottle", (92, 22, 42), (220, 180, 90)),
    ],
    "디저트": [
        DemoItem("injeolmi-bingsu", "인절미 빙수", 9000, "dessert", (232, 212, 162), (150, 70, 60)),
        DemoItem("green-tea-icecream", "녹차 아이스크림", 4000, "dessert", (150, 190, 110), (250, 245, 230)),
        DemoItem("yakgwa", "약과 세트", 5000, "dessert", (172, 102, 42), (240, 200, 90)),
        DemoItem("hotteok", "씨앗호떡", 4500, "plate", (196, 134, 62), (110, 70, 40)),
    ],
}
DESCRIPTIONS = {
    "bulgogi": "달콤한 간장 양념에 재운 소고기를 불향 가득 구워 밥, 국과 함께 냅니다.",
    "kimchi-jjigae": "잘 익은 묵은지와 돼지고기를 푹 끓인 얼큰한 찌개. 공기밥 포함.",
    "doenjang-jjigae": "집된장에 애호박, 두부, 바지락을 넣어 구수하게 끓였습니다.",
    "bibimbap": "뜨거운 돌솥에 나물 다섯 가지와 달걀 프라이, 고추장을 올렸습니다.",
    "jeyuk": "매콤달콤한 고추장 양념 돼지고기 볶음, 쌈 채소와 함께.",
    "galbi-jjim": "부드럽게 조린 소갈비에 밤, 대추, 당근을 넣은 주말 한정 메뉴.",
    "gyeran-jjim": "뚝배기에 부풀린 폭신한 계란찜.",
    "haemul-pajeon": "오징어, 새우, 쪽파를 듬뿍 넣어 바삭하게 부친 전.",
    "japchae": "당면에 소고기, 시금치, 당근, 버섯을 넣고 참기름으로 버무렸습니다.",
    "tteokbokki": "쫄깃한 쌀떡과 어묵을 달콤 매콤한 양념에 졸였습니다.",
    "gun-mandu": "겉은 바삭, 속은 촉촉한 고기 만두 여섯 개.",
    "cola": "355ml 캔.",
    "cider": "355ml 캔.",
    "sikhye": "직접 삭힌 쌀알이 동동 뜨는 달콤한 전통 음료.",
    "omija-ade": "다섯 가지 맛이 나는 오미자청에 탄산수를 더했습니다.",
    "soju": "360ml 병. 참이슬 또는 처음처럼.",
    "beer": "500ml 병. 카스 또는 테라.",
    "makgeolli": "750ml. 부드럽고 톡 쏘는 지역 양조장 막걸리.",
    "bokbunja": "375ml. 달콤한 산딸기 향의 과실주.",
    "injeolmi-bingsu": "우유 얼음에 고소한 콩고물과 인절미, 팥을 올렸습니다.",
    "green-tea-icecream": "보성 녹차로 만든 쌉싸름한 아이스크림 두 스쿱.",
    "yakgwa": "꿀과 조청으로 만든 미니 약과 다섯 개와 수정과 한 잔.",
    "hotteok": "해바라기씨와 흑설탕 시럽이 듬뿍 든 부산식 호떡.",
}
# The demo shows what a sold-out item looks like.
SOLD_OUT = {"galbi-jjim"}


def _option_names(name):
    return demo_languages.names(name, demo_languages.OPTION_NAMES)


def _choose_one(group, *names):
    """A required option group: exactly one of `names`, none costing extra."""
    return {
        "name": group,
        "min_select": 1,
        "max_select": 1,
        "options": [{"name": name, "translations": _option_names(name)} for name in names],
        "translations": _option_names(group),
    }


def _extras(group, max_select, *options):
    """An optional option group: up to `max_select` of the (name, extra price, available) options."""
    return {
        "name": group,
        "min_select": 0,
        "max_select": max_select,
        "options": [
            {"name": name, "price_delta": price_delta, "is_available": available, "translations": _option_names(name)}
            for name, price_delta, available in options
        ],
        "translations": _option_names(group),
    }


SPICINESS = _choose_one("맵기", "순한맛", "보통", "매운맛")
# Option groups of a few items (choose one, choose up to two); one sold-out extra shows what
# that looks like.
DEMO_OPTIONS = {
    "kimchi-jjigae": [
        SPICINESS,
        _extras("사리 추가", 2, ("라면 사리", 1000, True), ("햄 사리", 2000, True), ("공기밥 추가", 1000, True)),
    ],
    "tteokbokki": [
        SPICINESS,
        _extras(
            "추가",
            2,
            ("라면 사리", 1000, True),
            ("치즈", 1000, True),
            ("삶은 계란", 500, True),
            ("모둠 튀김", 3000, False),
        ),
    ],
    "soju": [_choose_one("종류", "참이슬", "처음처럼")],
    "beer": [_choose_one("종류", "카스", "테라")],
}


class Command(BaseCommand):
    help = _(
        "Create or refresh the demo store: store 'demo' (데모 식당), manager 'manager' / 'demo1234', "
        "tables 1-12 with table password '1234', and a menu with generated images and options on a few "
        "items (맵기, 사리 추가). Safe to re-run: "
        "it restores the demo values and never duplicates anything."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-absent", action="store_true", help=_("Do nothing if the demo store already exists (fast).")
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Run outside DEBUG too: resets store demo's manager and table passwords to the known ones."),
        )

    def handle(self, *args, if_absent=False, force=False, **options):
        if not settings.DEBUG and not force:
            # The demo passwords are public: never reset them on a production database by accident.
            raise CommandError(
                _("seed_demo resets store demo to publicly known passwords: it runs only with DEBUG on or --force.")
            )
        if if_absent and Store.objects.filter(code=DEMO_CODE).exists():
            self.stdout.write(_("The demo store already exists; nothing to do."))
            return
        # One transaction: a half-built demo would make every later --if-absent skip it.
        with transaction.atomic():
            store = ensure_demo_store()
            tables_set = ensure_demo_tables(store)
            result = import_menu(store=store, rows=demo_menu_rows())
            ensure_demo_languages(store)
            ensure_demo_kitchen(store)
            images = attach_demo_images(store)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo store '%(code)s' ready: manager %(manager)s / %(password)s, tables %(first)d-%(last)d "
                    "(table password %(table_password)s; %(tables_set)d set up now), %(created)d menu items added, "
                    "%(updated)d updated, %(images)d images drawn."
                )
                % {
                    "code": store.code,
                    "manager": DEMO_MANAGER,
                    "password": DEMO_MANAGER_PASSWORD,
                    "first": DEMO_TABLES[0],
                    "last": DEMO_TABLES[-1],
                    "table_password": DEMO_TABLE_PASSWORD,
                    "tables_set": tables_set,
                    "created": result.items_created,
                    "updated": result.items_updated,
                    "images": images,
                }
            )
        )


def ensure_demo_store():
    store = Store.objects.filter(code=DEMO_CODE).first()
    if store is None:
        store, _manager = create_store(
            code=DEMO_CODE, name=DEMO_NAME, manager_username=DEMO_MANAGER, manager_password=DEMO_MANAGER_PASSWORD
        )
        return store
    if store.name != DEMO_NAME:
        store.name = DEMO_NAME
        store.save(update_fields=["name"])
    manager = store.users.filter(username=DEMO_MANAGER).first()
    if manager is None:
        create_manager(store=store, username=DEMO_MANAGER, password=DEMO_MANAGER_PASSWORD)
        return store
    if not manager.check_password(DEMO_MANAGER_PASSWORD):
        manager.set_password(DEMO_MANAGER_PASSWORD)
    manager.is_staff = manager.is_active = True
    manager.save()
    manager.groups.add(store_manager_group())
    return store


def ensure_demo_languages(store):
    """The demo's origin notice in every guest language and the translations of its staff-call
    reasons (those it still has)."""
    store.refresh_from_db()
    translations = {
        reason: labels for reason, labels in demo_languages.REASON_LABELS.items() if reason in store.staff_call_reasons
    }
    changes = {}
    if store.origin_notice != demo_languages.ORIGIN_NOTICE:
        changes["origin_notice"] = demo_languages.ORIGIN_NOTICE
    if store.origin_notice_translations != demo_languages.ORIGIN_NOTICE_TRANSLATIONS:
        changes["origin_notice_translations"] = demo_languages.ORIGIN_NOTICE_TRANSLATIONS
    if store.staff_call_reason_translations != translations:
        changes["staff_call_reason_translations"] = translations
    if changes:
        update_store_settings(store=store, actor=None, **changes)


def ensure_demo_kitchen(store):
    """The demo's bar station for the drinks, and its kitchen staff user."""
    bar, _created = Station.objects.get_or_create(store=store, name=DEMO_BAR, defaults={"display_order": 1})
    Category.objects.filter(store=store, name__in=DEMO_BAR_CATEGORIES).update(station=bar)
    cook = store.users.filter(username=DEMO_KITCHEN).first()
    if cook is None:
        create_manager(store=store, username=DEMO_KITCHEN, password=DEMO_MANAGER_PASSWORD, role=Role.KITCHEN)
        return
    cook.role, cook.is_staff, cook.is_active = Role.KITCHEN, True, True
    if not cook.check_password(DEMO_MANAGER_PASSWORD):
        cook.set_password(DEMO_MANAGER_PASSWORD)
    cook.save()
    apply_role(cook)


def ensure_demo_tables(store):
    """Set up the demo tables that are missing or have another password; returns how many."""
    existing = {table.number: table for table in store.tables.filter(number__in=DEMO_TABLES)}
    count = 0
    for number in DEMO_TABLES:
        table = existing.get(number)
        # A reset signs the tablet out, so leave tables that already have the demo password.
        if table is None or not table.check_password(DEMO_TABLE_PASSWORD):
            setup_table(store=store, number=number, password=DEMO_TABLE_PASSWORD)
            count += 1
    return count


def demo_menu_rows():
    return [
        {
            "category": category,
            "name": item.name,
            "price": item.price,
            "description": DESCRIPTIONS[item.key],
            "image_url": "",
            "is_available": item.key not in SOLD_OUT,
            "option_groups": DEMO_OPTIONS.get(item.key, []),
            "origin": demo_languages.ORIGINS.get(item.key, ("", {}))[0],
            "allergens": demo_languages.ALLERGENS.get(item.key, []),
            "translations": demo_languages.item_translations(item.key),
            "category_translations": demo_languages.names(category, demo_languages.CATEGORY_NAMES),
        }
        for category, items in DEMO_MENU.items()
        for item in items
    ]


def attach_demo_images(store):
    """Draw and store an image, with its display sizes, for each demo item without one (or whose
    file is gone); give a stored one that lacks display sizes (drawn before they existed) its sizes."""
    items = {
        (item.category.name, item.name): item
        for item in MenuItem.objects.filter(store=store).select_related("category")
    }
    drawn = 0
    for category, entries in DEMO_MENU.items():
        for entry in entries:
            item = items[(category, entry.name)]
            if item.image_url:
                continue
            if item.image and default_storage.exists(item.image.name):
                make_image_sizes(item=item)
                continue
            picture = demo_image(shape=entry.shape, color=entry.color, accent=entry.accent, seed=entry.key)
            item.image = ContentFile(picture, name=f"demo-{entry.key}.jpg")
            # Through the service, so the image gets its display sizes and tablets the new menu version.
            save_menu_item(item=item)
            drawn += 1
    return drawn

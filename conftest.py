"""Shared fixtures: a store with a manager, tables and a small menu."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import BCryptSHA256PasswordHasher
from django.utils import translation

from accounts.services import create_store, setup_table
from menus.models import Category, MenuItem, OptionGroup

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL: its locks, LISTEN/NOTIFY and truly concurrent connections (SQLite serializes all writes)",
)


def make_store(code="alpha", name="알파 식당", username="manager", password="s3cret-pass"):
    store, _manager = create_store(code=code, name=name, manager_username=username, manager_password=password)
    return store


def make_menu(store, *, items=(("김치찌개", 9000), ("된장찌개", 8000), ("공기밥", 1000))):
    category = Category.objects.create(store=store, name="식사", display_order=1)
    return [
        MenuItem.objects.create(store=store, category=category, name=name, price=price, display_order=index)
        for index, (name, price) in enumerate(items)
    ]


def make_option_group(*items, display_order=0, **fields):
    """An option group of the items' store, attached to each of `items` (no announcement)."""
    group = OptionGroup.objects.create(store=items[0].store, **fields)
    group.items.add(*items, through_defaults={"display_order": display_order})
    return group


@pytest.fixture
def store(db):
    return make_store()


@pytest.fixture
def manager(store):
    return store.users.get()


@pytest.fixture
def table(store):
    return setup_table(store=store, number=1, password="1234")[0]


@pytest.fixture
def menu(store):
    return make_menu(store)


@pytest.fixture
def other_store(db):
    store = make_store(code="beta", name="베타 식당")
    make_menu(store, items=(("비빔밥", 11000),))
    return store


class FastBCryptSHA256PasswordHasher(BCryptSHA256PasswordHasher):
    """The production hasher with the fewest rounds bcrypt allows, to keep the suite fast."""

    rounds = 4


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["conftest.FastBCryptSHA256PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _unhashed_static_files(settings):
    """Pages render without a collectstatic run; test_settings checks the real manifest build."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _english_messages(settings):
    """Tests assert on the English source messages; tableorder/tests/test_i18n.py checks the Korean."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield

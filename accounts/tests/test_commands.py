"""create_store and setup_table: the command-line store set-up."""

import io

import pytest
from django.core.management import CommandError, call_command, load_command_class
from django.utils import translation

from accounts.models import Store, Table, User
from conftest import make_store

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_store_creates_the_store_and_a_staff_manager():
    output = run(
        "create_store", "gangnam-1", "--name", "강남 1호점", "--manager", "boss", "--password", "long-secret-9"
    )

    store = Store.objects.get(code="gangnam-1")
    manager = store.users.get()
    assert "Created store gangnam-1" in output
    assert store.name == "강남 1호점"
    assert (manager.username, manager.is_staff) == ("boss", True)
    assert manager.check_password("long-secret-9")


@pytest.mark.parametrize(
    ("code", "password", "message"),
    [
        ("Bad Code!", "long-secret-9", "CODE: "),
        ("x", "long-secret-9", "CODE: "),
        ("fresh", "1234", "--password: "),
        ("fresh", "short", "--password: "),
    ],
)
def test_create_store_rejects_bad_input_and_leaves_nothing_behind(code, password, message):
    with pytest.raises(CommandError) as caught:
        call_command("create_store", code, "--name", "식당", "--manager", "boss", "--password", password)

    assert "The store was not created." in str(caught.value)
    assert message in str(caught.value)
    assert not Store.objects.exists()
    assert not User.objects.exists()


def test_create_store_rejects_a_taken_code_and_changes_nothing():
    existing = make_store(code="alpha", name="알파 식당")

    with translation.override("en"), pytest.raises(CommandError, match=r"CODE: .*already exists"):
        call_command(
            "create_store", "alpha", "--name", "다른 식당", "--manager", "other", "--password", "long-secret-9"
        )

    assert list(Store.objects.values_list("code", "name")) == [("alpha", "알파 식당")]
    assert list(User.objects.values_list("username", flat=True)) == ["manager"]
    assert Store.objects.get() == existing


def test_setup_table_creates_a_table(store):
    output = run("setup_table", store.code, "5", "--password", "4321")

    table = Table.objects.get(store=store, number=5)
    assert table.check_password("4321")
    assert "Created table 5" in output


def test_setup_table_reset_changes_the_password_and_signs_the_tablet_out(table):
    version = table.token_version

    output = run("setup_table", table.store.code, str(table.number), "--password", "9876")

    table.refresh_from_db()
    assert table.token_version == version + 1
    assert table.check_password("9876") and not table.check_password("1234")
    assert "its tablet is signed out" in output
    assert Table.objects.filter(store=table.store).count() == 1


def test_setup_table_rejects_an_unknown_store(db):
    with pytest.raises(CommandError, match="no store with the identifier 'nowhere'"):
        call_command("setup_table", "nowhere", "1", "--password", "1234")
    assert not Table.objects.exists()


@pytest.mark.parametrize(
    ("number", "password", "message"),
    [("0", "1234", "NUMBER: "), ("1", "12", "--password: "), ("one", "1234", "invalid int value")],
)
def test_setup_table_rejects_bad_input(store, number, password, message):
    with pytest.raises(CommandError, match=message):
        call_command("setup_table", store.code, number, "--password", password)
    assert not Table.objects.filter(store=store).exists()


@pytest.mark.parametrize("name", ["create_store", "setup_table"])
def test_help_renders(name):
    help_text = load_command_class("accounts", name).create_parser("manage.py", name).format_help()

    assert "store CODE" in help_text

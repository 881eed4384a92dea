"""Manager passwords pass Django's validators wherever they are set: not a common password, not
like the username. Table passwords keep their own rule (digits allowed)."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.models import Store, User
from accounts.services import setup_table

TOO_COMMON = "너무 흔히 사용되는 비밀번호입니다."
TOO_SIMILAR = "비밀번호가 아이디와 너무 유사합니다."
KOREAN = {"HTTP_ACCEPT_LANGUAGE": "ko"}


@pytest.mark.parametrize(
    ("password", "messages"), [("password", [TOO_COMMON]), ("manager1", [TOO_SIMILAR, TOO_COMMON])]
)
def test_create_store_refuses_a_common_or_similar_password(db, password, messages):
    with translation.override("ko"), pytest.raises(CommandError) as refused:
        call_command("create_store", "fresh", "--name", "식당", "--manager", "manager", "--password", password)
    for message in messages:
        assert message in str(refused.value)
    assert not Store.objects.filter(code="fresh").exists()


def test_a_password_like_the_username_is_refused(db):
    with translation.override("ko"), pytest.raises(CommandError, match=TOO_SIMILAR):
        call_command("create_store", "fresh", "--name", "식당", "--manager", "hongildong", "--password", "hongildong9")


def test_the_admin_refuses_a_common_password_for_a_new_manager(client, manager):
    client.force_login(manager)
    body = {"username": "waiter", "password1": "password", "password2": "password"}
    response = client.post("/admin/accounts/user/add/", body, **KOREAN)
    assert response.status_code == 200
    assert TOO_COMMON in response.content.decode()
    assert not User.objects.filter(username="waiter").exists()


def test_the_admin_password_change_refuses_a_password_like_the_username(client, manager):
    client.force_login(manager)
    body = {"old_password": "s3cret-pass", "new_password1": "manager1", "new_password2": "manager1"}
    response = client.post("/admin/password_change/", body, **KOREAN)
    assert response.status_code == 200
    page = response.content.decode()
    assert TOO_SIMILAR in page and TOO_COMMON in page
    manager.refresh_from_db()
    assert manager.check_password("s3cret-pass")


def test_table_passwords_keep_their_own_rule(store):
    table, _created = setup_table(store=store, number=1, password="1234")
    assert table.check_password("1234")
    table, _created = setup_table(store=store, number=2, password="password")
    assert table.check_password("password")

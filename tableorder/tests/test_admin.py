"""The back-office admin: a platform admin sees every store; a store manager runs tables,
orders and users of their own store, and every change of order state goes through the services."""

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Store, Table, User
from accounts.roles import STORE_MANAGER_GROUP
from accounts.services import setup_table
from accounts.tokens import table_tokens
from conftest import make_option_group, make_store
from menus.models import Option
from orders.models import EventType, Order, OrderEvent, OrderStatus, StaffCall, TableSession
from orders.services import change_order_status, close_session, delete_order, place_order
from orders.staff_calls import acknowledge_staff_call, call_staff

ACTION_CHECKBOX = admin.helpers.ACTION_CHECKBOX_NAME  # type: ignore[attr-defined]


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser(username="root", password="root-pass-123"))
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def order(table, menu):
    return place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 2}])[0]


@pytest.fixture
def staff_call(table):
    return call_staff(table=table, reason="물")[0]


@pytest.fixture
def option_group(menu):
    group = make_option_group(menu[0], name="맵기", min_select=1, max_select=1)
    Option.objects.create(group=group, name="순한맛")
    return group


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _act(client, model, action, objects, **extra):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return client.post(url, {"action": action, ACTION_CHECKBOX: [obj.pk for obj in objects], **extra}, follow=True)


def test_every_project_model_is_registered():
    registered = {model._meta.label for model in admin.site._registry}
    assert {
        "accounts.Store",
        "accounts.User",
        "accounts.Table",
        "menus.Category",
        "menus.MenuItem",
        "orders.TableSession",
        "orders.Order",
        "orders.OrderEvent",
        "orders.StaffCall",
        "orders.OrderAudit",
    } <= registered


@pytest.fixture
def deleted_order(table, menu, manager):
    placed = place_order(table=table, items=[{"menu_item_id": menu[1].id, "quantity": 1}])[0]
    return delete_order(order=placed, actor=manager, reason="other", reason_text="손님이 자리를 옮김")


def test_changelists_and_change_pages_open_for_a_platform_admin(
    admin_client, order, deleted_order, staff_call, option_group
):
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label not in {"accounts", "menus", "orders"}:
            continue
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert admin_client.get(changelist).status_code == 200, changelist
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[model.objects.first().pk])
        assert admin_client.get(change).status_code == 200, change
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "김치찌개" in page


def test_a_platform_admin_sees_every_store_with_a_store_filter(admin_client, menu, other_store):
    page = admin_client.get(reverse("admin:menus_menuitem_changelist")).content.decode()

    assert "김치찌개" in page
    assert "비빔밥" in page
    assert f"?store__id__exact={other_store.pk}" in page
    filtered = admin_client.get(reverse("admin:menus_menuitem_changelist"), {"store__id__exact": other_store.pk})
    assert "김치찌개" not in filtered.content.decode()


def test_a_manager_sees_no_store_column_filter_or_field(manager_client, menu, other_store):
    page = manager_client.get(reverse("admin:menus_menuitem_changelist")).content.decode()
    form = manager_client.get(reverse("admin:menus_menuitem_change", args=[menu[0].pk])).content.decode()

    assert "store__id__exact" not in page
    assert "비빔밥" not in page
    assert 'name="store"' not in form


def test_a_store_less_staff_user_sees_nothing(client, menu):
    staff = User.objects.create_user(username="staff", password="staff-pass-123", is_staff=True)
    client.force_login(staff)

    assert client.get(reverse("admin:menus_menuitem_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


# Tables


def test_a_manager_adds_a_table_with_a_hashed_write_only_password(manager_client, store):
    response = manager_client.post(reverse("admin:accounts_table_add"), {"number": "5", "new_password": "5555"})

    table = Table.objects.get(store=store, number=5)
    assert response.status_code == 302
    assert table.check_password("5555")
    assert table.password != "5555"
    page = manager_client.get(reverse("admin:accounts_table_change", args=[table.pk])).content.decode()
    assert "5555" not in page
    assert table.password not in page


def test_adding_a_table_number_that_exists_is_refused(manager_client, table):
    response = manager_client.post(reverse("admin:accounts_table_add"), {"number": "1", "new_password": "9999"})

    assert response.status_code == 200
    assert "This table number is already set up; reset its password instead." in response.content.decode()
    table.refresh_from_db()
    assert table.check_password("1234")


def test_a_short_table_password_is_refused(manager_client, store):
    response = manager_client.post(reverse("admin:accounts_table_add"), {"number": "5", "new_password": "12"})

    assert response.status_code == 200
    assert not Table.objects.filter(store=store, number=5).exists()


def test_resetting_a_table_password_signs_its_tablet_out(manager_client, table):
    url = reverse("admin:accounts_table_change", args=[table.pk])

    manager_client.post(url, {"new_password": "4321"})

    version = table.token_version
    table.refresh_from_db()
    assert table.check_password("4321")
    assert table.token_version == version + 1


def test_saving_a_table_without_a_new_password_keeps_it(manager_client, table):
    manager_client.post(reverse("admin:accounts_table_change", args=[table.pk]), {"new_password": ""})

    version = table.token_version
    table.refresh_from_db()
    assert table.check_password("1234")
    assert table.token_version == version


def test_the_table_list_shows_session_and_total_in_constant_queries(
    manager_client, store, table, menu, django_assert_max_num_queries
):
    place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 2}])
    url = reverse("admin:accounts_table_changelist")
    manager_client.get(url)
    with django_assert_max_num_queries(12) as few:
        manager_client.get(url)
    for number in range(2, 12):
        other = setup_table(store=store, number=number, password="1234")[0]
        place_order(table=other, items=[{"menu_item_id": menu[1].id, "quantity": 1}])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = manager_client.get(url).content.decode()
    assert "₩18,000" in page or "₩18000" in page


def test_revoking_a_tablet_through_the_action(manager_client, table):
    version = table.token_version

    response = _act(manager_client, Table, "revoke_tablets", [table])

    table.refresh_from_db()
    assert table.token_version == version + 1
    assert any("Done" in message for message in _messages(response))


def test_closing_a_session_through_the_table_action(manager_client, manager, table, order):
    response = _act(manager_client, Table, "close_sessions", [table])

    session = TableSession.objects.get(table=table)
    assert session.closed_at is not None
    assert session.closed_by == manager
    assert OrderEvent.objects.filter(type=EventType.SESSION_CLOSED, table=table).exists()
    assert any("Done" in message for message in _messages(response))


def test_closing_a_table_without_a_session_reports_the_failure(manager_client, table):
    response = _act(manager_client, Table, "close_sessions", [table])

    assert any("no open session" in message for message in _messages(response))


def test_closing_an_ended_session_from_the_session_list_reports_the_failure(manager_client, manager, table, order):
    session = close_session(table=table, actor=manager)

    response = _act(manager_client, TableSession, "close_sessions", [session])

    assert any("already ended" in message for message in _messages(response))


# Orders


def test_changing_an_orders_status_through_the_actions(manager_client, order):
    _act(manager_client, Order, "mark_preparing", [order])
    order.refresh_from_db()
    assert order.status == OrderStatus.PREPARING

    response = _act(manager_client, Order, "mark_preparing", [order])

    assert any("only move forward" in message for message in _messages(response))
    assert OrderEvent.objects.filter(type=EventType.ORDER_UPDATED).count() == 1


def test_deleting_orders_asks_first_then_soft_deletes_through_the_service(manager_client, manager, order):
    confirm = _act(manager_client, Order, "delete_orders", [order])

    assert order.display_number in confirm.content.decode()
    order.refresh_from_db()
    assert order.deleted_at is None

    _act(manager_client, Order, "delete_orders", [order], post="yes")

    order.refresh_from_db()
    assert order.deleted_at is not None
    assert order.deleted_by == manager
    assert OrderEvent.objects.filter(type=EventType.ORDER_DELETED).count() == 1
    page = manager_client.get(reverse("admin:orders_order_changelist")).content.decode()
    assert "Deleted by manager" in page


def test_deleting_orders_in_the_admin_asks_the_reason_and_keeps_it(manager_client, manager, order):
    confirm = _act(manager_client, Order, "delete_orders", [order]).content.decode()
    assert 'name="reason" value="wrong_order"' in confirm and 'name="reason_text"' in confirm

    refused = _act(manager_client, Order, "delete_orders", [order], post="yes", reason="other", reason_text=" ")
    assert "Say why the order is deleted." in refused.content.decode()
    order.refresh_from_db()
    assert order.deleted_at is None

    _act(manager_client, Order, "delete_orders", [order], post="yes", reason="other", reason_text="단체 손님 취소")
    order.refresh_from_db()
    assert order.deleted_by == manager
    page = manager_client.get(reverse("admin:orders_order_changelist")).content.decode()
    assert "Deleted by manager" in page and "Other · 단체 손님 취소" in page
    changes = manager_client.get(reverse("admin:orders_orderaudit_changelist")).content.decode()
    assert "단체 손님 취소" in changes and order.display_number in changes


def test_an_order_page_shows_its_step_backs_and_its_close(manager_client, manager, table, order):
    change_order_status(order=order, status=OrderStatus.PREPARING, actor=manager, allow_step_back=True)
    change_order_status(order=order, status=OrderStatus.PENDING, actor=manager, allow_step_back=True)
    close_session(table=table, actor=manager)
    page = manager_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert f"{order.display_number} Moved back a step" in page
    assert "Table closed before it was completed" in page


def test_the_bulk_status_actions_never_move_an_order_back(manager_client, order):
    change_order_status(order=order, status=OrderStatus.COMPLETED)
    response = _act(manager_client, Order, "mark_preparing", [order])
    assert any("only move forward" in message for message in _messages(response))
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED


def test_orders_cannot_be_hard_deleted_added_or_edited(manager_client, order):
    changelist = manager_client.get(reverse("admin:orders_order_changelist")).content.decode()
    change = manager_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    assert manager_client.get(reverse("admin:orders_order_delete", args=[order.pk])).status_code == 403
    delete = manager_client.post(reverse("admin:orders_order_delete", args=[order.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert manager_client.get(reverse("admin:orders_order_add")).status_code == 403
    assert 'value="delete_selected"' not in changelist
    assert 'name="_save"' not in change
    manager_client.post(reverse("admin:orders_order_change", args=[order.pk]), {"status": "completed"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert Order.objects.filter(pk=order.pk).exists()


def test_order_events_are_for_platform_admins_only(manager_client, order):
    assert manager_client.get(reverse("admin:orders_orderevent_changelist")).status_code == 403


# Users


def test_a_manager_sees_only_their_stores_users(manager_client, other_store):
    page = manager_client.get(reverse("admin:accounts_user_changelist")).content.decode()
    other = other_store.users.get()

    assert reverse("admin:accounts_user_change", args=[other.pk]) not in page
    assert manager_client.get(reverse("admin:accounts_user_change", args=[other.pk])).status_code == 404


def test_a_manager_cannot_change_their_own_permissions(manager_client, manager, store, other_store):
    url = reverse("admin:accounts_user_change", args=[manager.pk])
    page = manager_client.get(url).content.decode()

    response = manager_client.post(
        url,
        {
            "username": "manager",
            "first_name": "길동",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_superuser": "on",
            "is_staff": "on",
            "store": str(other_store.pk),
            "groups": [],
            "user_permissions": ["1"],
        },
    )

    assert response.status_code == 302
    for field in ("is_superuser", "groups", "user_permissions", "store", "is_staff"):
        assert f'name="{field}"' not in page
    manager.refresh_from_db()
    assert manager.first_name == "길동"
    assert not manager.is_superuser
    assert manager.store == store
    assert manager.user_permissions.count() == 0
    assert list(manager.groups.values_list("name", flat=True)) == [STORE_MANAGER_GROUP]


def test_a_manager_adds_a_manager_of_their_own_store(manager_client, store):
    response = manager_client.post(
        reverse("admin:accounts_user_add"),
        {"username": "kim", "password1": "kim-pass-4321", "password2": "kim-pass-4321", "is_superuser": "on"},
    )

    kim = User.objects.get(username="kim")
    assert response.status_code == 302
    assert kim.store == store
    assert kim.is_staff
    assert not kim.is_superuser
    assert kim.check_password("kim-pass-4321")
    assert list(kim.groups.values_list("name", flat=True)) == [STORE_MANAGER_GROUP]


def test_a_manager_adds_kitchen_staff_who_get_no_back_office_permission(manager_client, store):
    response = manager_client.post(
        reverse("admin:accounts_user_add"),
        {"username": "cook", "role": "kitchen", "password1": "cook-pass-4321", "password2": "cook-pass-4321"},
    )

    cook = User.objects.get(username="cook")
    assert response.status_code == 302
    assert (cook.store, cook.role, cook.is_staff) == (store, "kitchen", True)
    assert list(cook.groups.all()) == []
    promoted = manager_client.post(
        reverse("admin:accounts_user_change", args=[cook.pk]),
        {"username": "cook", "role": "manager", "is_active": "on"},
    )
    assert promoted.status_code == 302
    assert list(cook.groups.values_list("name", flat=True)) == [STORE_MANAGER_GROUP]


def test_a_username_taken_in_another_store_is_free_in_this_one(manager_client, store):
    make_store(code="gamma", name="감마", username="kim")
    response = manager_client.post(
        reverse("admin:accounts_user_add"),
        {"username": "kim", "password1": "kim-pass-4321", "password2": "kim-pass-4321"},
    )

    assert response.status_code == 302
    assert User.objects.filter(username="kim").count() == 2
    again = manager_client.post(
        reverse("admin:accounts_user_add"),
        {"username": "KIM", "password1": "kim-pass-4321", "password2": "kim-pass-4321"},
    )
    assert again.status_code == 200
    assert User.objects.filter(store=store, username__iexact="kim").count() == 1


# The store's settings


def _store_form(client, store, **changes):
    form = {"code": store.code, "name": store.name, "staff_call_reasons": "\n".join(store.staff_call_reasons)}
    if store.cart_reminder_chime:
        form["cart_reminder_chime"] = "on"
    return client.post(reverse("admin:accounts_store_change", args=[store.pk]), {**form, **changes})


def test_view_site_opens_a_managers_live_dashboard_not_the_tablet_setup(manager_client):
    live = reverse("admin:live")
    for page in (reverse("admin:accounts_store_changelist"), live):
        response = manager_client.get(page)
        assert response.context["site_url"] == live
        assert f'<a href="{live}">' in response.content.decode()

    # A platform admin has no store to watch: no link, rather than one to the tablet's screen.
    platform_admin = Client()
    platform_admin.force_login(User.objects.create_superuser(username="root", password="root-pass-123"))
    response = platform_admin.get(reverse("admin:accounts_store_changelist"))
    assert response.context["site_url"] is None
    assert '<a href="/">' not in response.content.decode()


def test_a_manager_sees_only_their_own_store(manager_client, store, other_store):
    page = manager_client.get(reverse("admin:accounts_store_changelist")).content.decode()

    assert reverse("admin:accounts_store_change", args=[store.pk]) in page
    assert reverse("admin:accounts_store_change", args=[other_store.pk]) not in page
    assert manager_client.get(reverse("admin:accounts_store_change", args=[other_store.pk])).status_code == 404
    assert manager_client.get(reverse("admin:accounts_store_add")).status_code == 403
    assert manager_client.get(reverse("admin:accounts_store_delete", args=[store.pk])).status_code == 403
    assert 'value="delete_selected"' not in page


def test_a_manager_edits_the_name_and_the_call_reasons_but_never_the_code(manager_client, store):
    page = manager_client.get(reverse("admin:accounts_store_change", args=[store.pk])).content.decode()

    reasons = "  물  \r\n\r\n냅킨\r\n아기 의자\n"
    response = _store_form(manager_client, store, name="  알파 한식당 ", code="hijack", staff_call_reasons=reasons)

    assert "물\n앞접시\n수저\n계산 요청\n기타" in page
    assert 'name="name"' in page
    assert 'name="code"' not in page
    assert response.status_code == 302, response.content.decode()
    store.refresh_from_db()
    assert store.staff_call_reasons == ["물", "냅킨", "아기 의자"]
    assert (store.code, store.name) == ("alpha", "알파 한식당")
    # Open tablets re-read the menu, which carries the reasons and the name.
    (event,) = OrderEvent.objects.filter(store=store, type="menu.updated")
    assert event.table_id is None
    # The history names what changed in the manager's language, not in the stored English.
    with translation.override("ko"):
        assert LogEntry.objects.get().get_change_message() == "변경한 항목: 매장 이름 및 직원 호출 사유."


def test_a_manager_sees_their_store_as_store_information(manager_client, store):
    response = manager_client.get(reverse("admin:accounts_store_change", args=[store.pk]))

    assert response.context["title"] == "Store information"


@pytest.mark.parametrize("name", ["", "   ", "가" * 101], ids=["empty", "blank", "too-long"])
def test_a_bad_store_name_is_refused_and_changes_nothing(manager_client, store, name):
    response = _store_form(manager_client, store, name=name)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"]
    store.refresh_from_db()
    assert store.name == "알파 식당"
    assert not OrderEvent.objects.filter(store=store).exists()


def test_the_new_name_reaches_the_tablets_menu_and_the_dashboard(manager_client, store, table):
    tablet = APIClient()
    tablet.credentials(HTTP_AUTHORIZATION=f"Bearer {table_tokens(table)['access']}")
    before = tablet.get("/api/v1/menu")

    _store_form(manager_client, store, name="알파 한식당")

    after = tablet.get("/api/v1/menu", HTTP_IF_NONE_MATCH=before["ETag"])
    assert (before.json()["store_name"], after.status_code) == ("알파 식당", 200)
    assert after.json()["store_name"] == "알파 한식당"
    assert '<span class="dash-store">알파 한식당</span>' in manager_client.get(reverse("admin:live")).content.decode()


@pytest.mark.parametrize(
    "reasons",
    ["", "물\n물", "\n".join(f"이유 {n}" for n in range(11)), "가" * 31],
    ids=["none", "repeated", "eleven", "too-long"],
)
def test_bad_call_reasons_are_refused_by_the_stores_own_check(manager_client, store, reasons):
    response = _store_form(manager_client, store, staff_call_reasons=reasons)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["staff_call_reasons"]
    store.refresh_from_db()
    assert store.staff_call_reasons == ["물", "앞접시", "수저", "계산 요청", "기타"]


def test_saving_the_store_never_writes_back_a_stale_order_counter(rf, manager, store, table, menu):
    model_admin = admin.site._registry[Store]
    request = rf.post("/")
    request.user = manager
    stale = Store.objects.get(pk=store.pk)
    place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1}])
    form = model_admin.get_form(request, stale)({"name": stale.name, "staff_call_reasons": "물\n냅킨"}, instance=stale)
    assert form.is_valid(), form.errors

    model_admin.save_model(request, form.save(commit=False), form, change=True)

    store.refresh_from_db()
    assert store.staff_call_reasons == ["물", "냅킨"]
    assert store.last_order_number == 1
    assert place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1}])[0].number == 2


def test_a_platform_admin_edits_any_stores_name_and_reasons(admin_client, store, other_store):
    response = _store_form(admin_client, other_store, name="베타 본점", staff_call_reasons="물\n기타")

    assert response.status_code == 302
    other_store.refresh_from_db()
    assert (other_store.name, other_store.staff_call_reasons) == ("베타 본점", ["물", "기타"])
    page = admin_client.get(reverse("admin:accounts_store_changelist")).content.decode()
    assert "알파 식당" in page
    assert "베타 본점" in page


# Staff calls


def test_a_manager_lists_the_stores_calls_with_their_state(manager_client, manager, table, other_store):
    waiting = call_staff(table=table, reason="물")[0]
    seen = call_staff(table=table, reason="수저")[0]
    acknowledge_staff_call(call=seen, actor=manager)
    other_table = setup_table(store=other_store, number=9, password="1234")[0]
    foreign = call_staff(table=other_table, reason="기타")[0]

    page = manager_client.get(reverse("admin:orders_staffcall_changelist")).content.decode()

    assert reverse("admin:orders_staffcall_change", args=[waiting.pk]) in page
    assert reverse("admin:orders_staffcall_change", args=[seen.pk]) in page
    assert reverse("admin:orders_staffcall_change", args=[foreign.pk]) not in page
    assert '<td class="field-state">Waiting</td>' in page
    assert '<td class="field-state">Acknowledged</td>' in page


def test_acknowledging_calls_through_the_action(manager_client, manager, staff_call):
    response = _act(manager_client, StaffCall, "acknowledge_calls", [staff_call])

    staff_call.refresh_from_db()
    assert staff_call.acknowledged_by == manager
    assert staff_call.acknowledged_at is not None
    assert OrderEvent.objects.filter(type=EventType.STAFF_CALL_ACKNOWLEDGED).count() == 1
    assert any("Done" in message for message in _messages(response))


def test_acknowledging_a_call_of_an_ended_session_reports_the_failure(manager_client, manager, table, staff_call):
    close_session(table=table, actor=manager)

    response = _act(manager_client, StaffCall, "acknowledge_calls", [staff_call])

    assert any("already ended" in message for message in _messages(response))
    staff_call.refresh_from_db()
    assert staff_call.acknowledged_at is None
    page = manager_client.get(reverse("admin:orders_staffcall_changelist")).content.decode()
    assert '<td class="field-state">Ended (table closed)</td>' in page


def test_calls_cannot_be_added_edited_or_deleted_in_the_admin(manager_client, staff_call):
    change_url = reverse("admin:orders_staffcall_change", args=[staff_call.pk])
    change = manager_client.get(change_url).content.decode()

    manager_client.post(change_url, {"reason": "기타", "acknowledged_at": "2030-01-01 00:00"})

    assert 'name="_save"' not in change
    assert manager_client.get(reverse("admin:orders_staffcall_add")).status_code == 403
    assert manager_client.get(reverse("admin:orders_staffcall_delete", args=[staff_call.pk])).status_code == 403
    staff_call.refresh_from_db()
    assert (staff_call.reason, staff_call.acknowledged_at) == ("물", None)


def test_an_order_page_shows_the_note_and_each_lines_options(manager_client, table, menu):
    spicy = make_option_group(menu[0], name="맵기", min_select=1, max_select=1)
    hot = Option.objects.create(group=spicy, name="매운맛")
    extra = make_option_group(menu[0], name="추가", min_select=0, max_select=2)
    cheese = Option.objects.create(group=extra, name="치즈", price_delta=1000)
    order, _created = place_order(
        table=table,
        items=[{"menu_item_id": menu[0].id, "quantity": 1, "option_ids": [hot.id, cheese.id]}],
        note="덜 맵게 해 주세요",
    )

    page = manager_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    assert "덜 맵게 해 주세요" in page
    assert "매운맛, 치즈 (+₩1,000)" in page


def test_a_manager_sets_the_kitchen_displays_timers(manager_client, store):
    response = _store_form(manager_client, store, kitchen_amber_minutes="7", kitchen_red_minutes="15")
    assert response.status_code == 302
    store.refresh_from_db()
    assert (store.kitchen_amber_minutes, store.kitchen_red_minutes) == (7, 15)
    refused = _store_form(manager_client, store, kitchen_amber_minutes="15", kitchen_red_minutes="7")
    assert refused.status_code == 200
    store.refresh_from_db()
    assert (store.kitchen_amber_minutes, store.kitchen_red_minutes) == (7, 15)

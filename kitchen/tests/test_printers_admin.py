"""The kitchen's back-office pages: stations, printers and their tokens, alerts, tickets."""

import json

import pytest
from django.urls import reverse

from kitchen.alerts import raise_alert
from kitchen.models import Alert, AlertKind, JobKind, Printer, PrintJob
from kitchen.printers import printer_for_token
from kitchen.tests.printing import make_printer, place
from menus.models import Category, MenuItem, Station

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, manager):
    client.force_login(manager)
    return client


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_a_manager_has_every_kitchen_page(admin_client, store, table, menu):
    printer, _token = make_printer(store)
    raise_alert(printer=printer, kind=AlertKind.JOB_LATE, detail="늦은 작업")
    place(table, menu[0])

    for url, expected in [
        (changelist(Station), "주방"),
        (changelist(Printer), "주방 프린터"),
        (reverse("admin:kitchen_alert_changelist"), "늦은 작업"),
        (reverse("admin:kitchen_kitchenticket_changelist") + "?status__exact=new", "주방"),
        (reverse("admin:menus_station_add"), "name"),
        (reverse("admin:kitchen_printer_add"), "columns"),
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert expected in response.content.decode(), url


def test_issuing_a_token_shows_it_once_and_only_its_hash_is_kept(admin_client, store):
    printer, _token = make_printer(store, token=False)

    response = admin_client.post(
        changelist(Printer), {"action": "issue_token", "_selected_action": [printer.pk]}, follow=True
    )

    page = response.content.decode()
    token = response.context["token"]
    assert token in page and "python -m printagent" in page
    assert printer_for_token(token) == printer
    again = admin_client.get(reverse("admin:kitchen_printer_change", args=[printer.pk])).content.decode()
    assert token not in again


def test_revoke_and_test_print_actions(admin_client, store):
    printer, token = make_printer(store)
    bare, _ = make_printer(store, "새 프린터", token=False)

    response = admin_client.post(
        changelist(Printer), {"action": "test_print", "_selected_action": [printer.pk, bare.pk]}, follow=True
    )
    assert PrintJob.objects.get().kind == JobKind.TEST
    assert "새 프린터" in response.content.decode()  # named in the error message

    admin_client.post(changelist(Printer), {"action": "revoke_token", "_selected_action": [printer.pk]})
    assert printer_for_token(token) is None


def test_a_printer_saved_in_the_admin_belongs_to_the_store_and_its_station(admin_client, store, other_store):
    station = Station.objects.get(store=store)
    foreign = Station.objects.get(store=other_store)

    refused = admin_client.post(
        reverse("admin:kitchen_printer_add"), {"name": "바", "station": foreign.pk, "columns": 42}
    )
    added = admin_client.post(
        reverse("admin:kitchen_printer_add"), {"name": "바", "station": station.pk, "columns": 42}
    )

    assert refused.status_code == 200  # the form again, with the error
    assert added.status_code == 302
    assert Printer.objects.get().store == store


def test_stations_are_reordered_within_the_store(admin_client, store, other_store):
    first = Station.objects.get(store=store)
    second = Station.objects.create(store=store, name="주류", display_order=1)
    foreign = Station.objects.get(store=other_store)
    url = reverse("admin:menus_station_sortable_update")

    moved = admin_client.post(url, json.dumps({"updatedItems": [[second.pk, 0], [first.pk, 1]]}), "application/json")
    refused = admin_client.post(url, json.dumps({"updatedItems": [[foreign.pk, 5]]}), "application/json")

    assert moved.status_code == 200
    assert list(Station.objects.filter(store=store).values_list("name", flat=True)) == ["주류", "주방"]
    assert refused.status_code == 400
    foreign.refresh_from_db()
    assert foreign.display_order == 0


def test_the_last_station_cannot_be_deleted(admin_client, store):
    station = Station.objects.get(store=store)

    response = admin_client.post(reverse("admin:menus_station_delete", args=[station.pk]), {"post": "yes"}, follow=True)

    assert Station.objects.filter(pk=station.pk).exists()
    assert "at least one kitchen station" in response.content.decode()


def test_item_and_category_forms_offer_only_the_stores_stations(admin_client, store, other_store, menu):
    ours = Station.objects.create(store=store, name="주류", display_order=1)

    for url in (
        reverse("admin:menus_menuitem_change", args=[menu[0].pk]),
        reverse("admin:menus_category_change", args=[menu[0].category_id]),
    ):
        offered = admin_client.get(url).context["adminform"].form.fields["station"].queryset
        assert set(offered) == {Station.objects.get(store=store, name="주방"), ours}

    item = MenuItem.objects.get(pk=menu[0].pk)
    assert item.station is None and Category.objects.get(pk=item.category_id).station is None


def test_kitchen_pages_are_read_only(admin_client, store, table, menu):
    printer, _token = make_printer(store)
    alert = raise_alert(printer=printer, kind=AlertKind.JOB_LATE)
    ticket = place(table, menu[0]).tickets.get()

    assert admin_client.get(reverse("admin:kitchen_alert_add")).status_code == 403
    assert admin_client.get(reverse("admin:kitchen_kitchenticket_add")).status_code == 403
    page = admin_client.get(reverse("admin:kitchen_kitchenticket_change", args=[ticket.pk])).content.decode()
    assert "김치찌개 × 1" in page
    deleting = admin_client.post(reverse("admin:kitchen_alert_delete", args=[alert.pk]), {"post": "yes"})
    assert deleting.status_code == 403
    assert Alert.objects.filter(pk=alert.pk).exists()

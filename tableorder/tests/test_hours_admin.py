"""The store page's 영업 설정: pause, break times per weekday, last order and opening time."""

import datetime

import pytest
from django.urls import reverse

from orders.models import OrderEvent


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def store_form(client, store, **changes):
    form = {"code": store.code, "name": store.name, "staff_call_reasons": "\n".join(store.staff_call_reasons)}
    return client.post(reverse("admin:accounts_store_change", args=[store.pk]), {**form, **changes})


def test_a_manager_sets_the_hours_on_the_store_page(manager_client, store):
    page = manager_client.get(reverse("admin:accounts_store_change", args=[store.pk])).content.decode()
    assert 'name="breaks_0"' in page and 'name="breaks_6"' in page and 'name="ordering_paused"' in page

    response = store_form(
        manager_client,
        store,
        ordering_paused="on",
        pause_message="재료 준비 중",
        breaks_0=" 15:00-17:00 , 9:30~10:00",
        breaks_6="15:00-16:00",
        last_order_time="21:00",
        opening_time="11:00",
    )

    assert response.status_code == 302, response.content.decode()
    store.refresh_from_db()
    assert store.ordering_paused is True
    assert store.pause_message == "재료 준비 중"
    assert store.break_times == [
        {"weekday": 0, "start": "09:30", "end": "10:00"},
        {"weekday": 0, "start": "15:00", "end": "17:00"},
        {"weekday": 6, "start": "15:00", "end": "16:00"},
    ]
    assert (store.last_order_time, store.opening_time) == (datetime.time(21), datetime.time(11))
    (event,) = OrderEvent.objects.filter(store=store, type="store.updated")
    assert event.payload["ordering"]["reason"] == "paused"
    again = manager_client.get(reverse("admin:accounts_store_change", args=[store.pk])).content.decode()
    assert 'value="09:30-10:00, 15:00-17:00"' in again


@pytest.mark.parametrize(
    "breaks",
    ["15:00", "15:00-17:00; 18:00-19:00", "17:00-15:00", "15:00-17:00, 16:00-18:00", "25:00-26:00"],
)
def test_bad_break_times_are_refused_on_their_weekday_and_nothing_changes(manager_client, store, breaks):
    response = store_form(manager_client, store, breaks_2=breaks)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["breaks_2"]
    store.refresh_from_db()
    assert store.break_times == []
    assert not OrderEvent.objects.filter(store=store).exists()

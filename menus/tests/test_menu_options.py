"""Option groups (the fewest and most choices in each) and options (a price change and a
sold-out switch each): written through the services, validated, announced, and shown
read-only in the manager API."""

import pytest
from django.core.exceptions import ValidationError

from accounts.tokens import manager_tokens
from conftest import make_option_group
from menus.models import MAX_PRICE, ItemOptionGroup, MenuItem, Option, OptionGroup
from menus.selectors import menu_version
from menus.services import delete_option_group, link_option_groups, save_option_group, save_options
from orders.models import EventType, OrderEvent

API = "/api/v1/admin"


def menu_events(store):
    return list(OrderEvent.objects.filter(store=store, type=EventType.MENU_UPDATED))


@pytest.fixture
def stew(menu):
    return menu[0]


@pytest.fixture
def spice(stew):
    group = make_option_group(stew, name="맵기", min_select=1, max_select=1)
    Option.objects.create(group=group, name="순한맛", display_order=1)
    Option.objects.create(group=group, name="매운맛", display_order=2)
    return group


def test_saving_groups_and_options_is_one_announcement_each_with_the_new_version(store, stew):
    before = MenuItem.objects.get(pk=stew.pk).updated_at
    spice = save_option_group(group=OptionGroup(store=store, name="맵기", min_select=1))
    extra = save_option_group(group=OptionGroup(store=store, name="추가", max_select=2))
    link_option_groups(
        store_id=store.pk,
        links=[ItemOptionGroup(item=stew, group=extra, display_order=2), ItemOptionGroup(item=stew, group=spice)],
    )
    save_options(
        group=extra, options=[Option(group=extra, name="치즈", price_delta=1000), Option(group=extra, name="햄")]
    )

    assert [link.group.name for link in stew.group_links.all()] == ["맵기", "추가"]
    assert [(option.name, option.price_delta) for option in extra.options.all()] == [("치즈", 1000), ("햄", 0)]
    events = menu_events(store)
    assert len(events) == 4
    assert events[-1].payload == {"version": menu_version(store)}
    assert MenuItem.objects.get(pk=stew.pk).updated_at > before


def test_deleting_a_group_deletes_its_options_and_a_deleted_name_can_be_reused(store, stew, spice):
    delete_option_group(group=spice)
    again = save_option_group(group=OptionGroup(store=store, name="맵기", min_select=0, max_select=2))
    link_option_groups(store_id=store.pk, links=[ItemOptionGroup(item=stew, group=again)])

    assert list(stew.option_groups.values_list("name", "max_select")) == [("맵기", 2)]
    assert not Option.objects.filter(group_id=spice.id).exists()
    assert len(menu_events(store)) == 3


def test_detaching_a_group_keeps_it_for_the_store_and_its_other_items(store, menu, stew, spice):
    spice.items.add(menu[1])

    link_option_groups(store_id=store.pk, deleted=list(stew.group_links.all()))

    assert list(stew.option_groups.all()) == []
    assert list(menu[1].option_groups.all()) == [spice]
    assert spice.options.count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"max_select": 0}, "__all__"), ({"min_select": 3, "max_select": 2}, "min_select"), ({"name": ""}, "name")],
)
def test_an_invalid_group_is_refused_and_nothing_is_written_or_announced(store, stew, spice, fields, field):
    group = OptionGroup(store=store, **{"name": "추가", **fields})

    with pytest.raises(ValidationError) as error:
        save_option_group(group=group)

    assert field in error.value.message_dict
    assert list(OptionGroup.objects.all()) == [spice]
    assert menu_events(store) == []


def test_an_item_cannot_offer_two_groups_of_one_name(store, menu, stew, spice):
    other_spice = make_option_group(menu[1], name="맵기", max_select=1)

    with pytest.raises(ValidationError) as error:
        link_option_groups(store_id=store.pk, links=[ItemOptionGroup(item=stew, group=other_spice)])

    assert "group" in error.value.message_dict
    assert list(stew.option_groups.all()) == [spice]
    assert menu_events(store) == []


def test_another_stores_group_or_item_cannot_be_attached(store, stew, spice, other_store):
    foreign_item = other_store.menu_items.get()
    foreign_group = make_option_group(foreign_item, name="곱빼기 여부")

    with pytest.raises(ValidationError):
        link_option_groups(store_id=store.pk, links=[ItemOptionGroup(item=stew, group=foreign_group)])
    with pytest.raises(ValidationError):
        link_option_groups(store_id=store.pk, links=[ItemOptionGroup(item=foreign_item, group=spice)])

    assert list(stew.option_groups.all()) == [spice]
    assert list(foreign_item.option_groups.all()) == [foreign_group]
    assert menu_events(store) == menu_events(other_store) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"price_delta": MAX_PRICE + 1}, "price_delta"), ({"name": "순한맛"}, "__all__"), ({"name": ""}, "name")],
)
def test_an_invalid_option_is_refused_with_the_whole_batch(store, spice, fields, field):
    good = Option(group=spice, name="보통")
    bad = Option(group=spice, **{"name": "아주 매운맛", **fields})

    with pytest.raises(ValidationError) as error:
        save_options(group=spice, options=[good, bad])

    assert field in error.value.message_dict
    assert list(spice.options.values_list("name", flat=True)) == ["순한맛", "매운맛"]
    assert menu_events(store) == []


def test_groups_and_options_of_another_parent_are_refused(store, menu, spice, other_store):
    foreign_item = other_store.menu_items.get()
    foreign_group = make_option_group(foreign_item, name="곱빼기 여부")

    with pytest.raises(ValueError, match="belong"):
        save_options(group=foreign_group, options=[Option(group=spice, name="보통")])
    with pytest.raises(ValueError, match="belong"):
        save_options(group=spice, deleted=[Option.objects.create(group=foreign_group, name="곱빼기")])

    assert OptionGroup.objects.filter(pk=spice.pk).exists()
    assert spice.options.count() == 2
    assert menu_events(store) == menu_events(other_store) == []


# The manager API shows option groups, read-only


@pytest.fixture
def api(client, manager):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {manager_tokens(manager)['access']}"
    return client


def test_manager_api_items_show_their_option_groups(api, stew, spice):
    mild, hot = spice.options.all()

    body = api.get(f"{API}/menu-items/{stew.id}").json()

    assert body["option_groups"] == [
        {
            "id": spice.id,
            "name": "맵기",
            "min_select": 1,
            "max_select": 1,
            "options": [
                {"id": mild.id, "name": "순한맛", "price_delta": 0, "is_available": True, "translations": {}},
                {"id": hot.id, "name": "매운맛", "price_delta": 0, "is_available": True, "translations": {}},
            ],
            "translations": {},
        }
    ]
    listed = {item["name"]: item for item in api.get(f"{API}/menu-items").json()["results"]}
    assert listed["김치찌개"]["option_groups"] == body["option_groups"]
    assert listed["공기밥"]["option_groups"] == []


def test_manager_api_option_groups_are_read_only(api, stew, spice):
    response = api.patch(
        f"{API}/menu-items/{stew.id}",
        {"price": 9500, "option_groups": [{"name": "가로챈 그룹", "min_select": 0, "max_select": 1, "options": []}]},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert [group["name"] for group in response.json()["option_groups"]] == ["맵기"]
    assert list(OptionGroup.objects.values_list("name", flat=True)) == ["맵기"]


def test_manager_api_item_list_reads_options_in_the_same_queries_for_any_number(
    api, store, menu, django_assert_num_queries
):
    def give_options(item):
        group = make_option_group(item, name="추가", max_select=2)
        Option.objects.bulk_create(Option(group=group, name=f"옵션 {n}") for n in range(3))

    give_options(menu[0])
    # The manager with their store, the count, the page, its option groups and options.
    with django_assert_num_queries(5) as one:
        api.get(f"{API}/menu-items")
    for item in menu[1:]:
        give_options(item)

    with django_assert_num_queries(len(one.captured_queries)):
        results = api.get(f"{API}/menu-items").json()["results"]

    assert all(len(item["option_groups"][0]["options"]) == 3 for item in results)

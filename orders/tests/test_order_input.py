"""An order body's plain path (`orders.serializers.plain_order_input`) against the serializer it
stands in for: whatever it takes, the serializer takes, and to the same data."""

from hypothesis import given, settings
from hypothesis import strategies as st

from orders.serializers import MAX_ID, OrderInputSerializer, plain_order_input

# Values a tablet, a buggy client or an attacker might send in each place.
edges = st.sampled_from([0, 1, -1, MAX_ID, MAX_ID + 1, -MAX_ID, -MAX_ID - 1, True, False, None, "3", "", 3.0, 2.5])
anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4) | edges,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)
ids = st.integers(min_value=-(2**64), max_value=2**64) | edges
texts = st.text(max_size=8) | st.sampled_from(["\x00", "물\x00", "\ud800", "a\udfff", "덜 맵게"])
lines = st.fixed_dictionaries(
    {"menu_item_id": ids, "quantity": ids},
    optional={"option_ids": st.lists(ids, max_size=3) | anything, "name": anything, "price": anything},
)
bodies = (
    st.fixed_dictionaries(
        {"items": st.lists(lines | anything, max_size=3) | anything},
        optional={"note": texts | anything, "total": anything},
    )
    | anything
)


def plain(value):
    """The serializer's validated data as plain dicts and lists."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


@settings(max_examples=1500, deadline=None)
@given(bodies)
def test_what_the_plain_path_takes_the_serializer_takes_alike(body):
    taken = plain_order_input(body)
    if taken is None:
        return
    serializer = OrderInputSerializer(data=body)
    assert serializer.is_valid(), serializer.errors
    assert plain(serializer.validated_data) == taken


def test_a_tablets_order_takes_the_plain_path():
    body = {
        "items": [
            {"menu_item_id": 7, "quantity": 2, "option_ids": [3, 4], "name": "김치찌개", "unit_price": 9000},
            {"menu_item_id": 8, "quantity": 1},
        ],
        "note": "덜 맵게 해 주세요",
    }
    assert plain_order_input(body) == {
        "items": [{"menu_item_id": 7, "quantity": 2, "option_ids": [3, 4]}, {"menu_item_id": 8, "quantity": 1}],
        "note": "덜 맵게 해 주세요",
    }
    assert plain_order_input({"items": []}) == {"items": []}


def test_a_body_the_serializer_must_word_errors_for_does_not():
    for body in (
        {"items": [{"menu_item_id": "7", "quantity": 1}]},
        {"items": [{"menu_item_id": True, "quantity": 1}]},
        {"items": [{"menu_item_id": MAX_ID + 1, "quantity": 1}]},
        {"items": [{"menu_item_id": 7}]},
        {"items": [{"menu_item_id": 7, "quantity": 1, "option_ids": None}]},
        {"items": [{"menu_item_id": 7, "quantity": 1}], "note": None},
        {"items": [{"menu_item_id": 7, "quantity": 1}], "note": "물\x00"},
        {"items": {"menu_item_id": 7, "quantity": 1}},
        {"note": "물"},
        [],
    ):
        assert plain_order_input(body) is None, body

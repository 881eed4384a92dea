"""Kitchen stations: a new store's first one, and the manager's writes of them."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Store
from accounts.services import lock_store
from core.exceptions import Conflict
from menus.models import Station

# A store's data, in its language (Korean), like the demo's menu.
FIRST_STATION_NAME = "주방"


def add_first_station(sender: type[Store], *, instance: Store, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """`post_save` of Store: a new store gets one station, 주방, which takes the whole menu."""
    if created and not raw:
        Station.objects.create(store=instance, name=FIRST_STATION_NAME, display_order=0)


@transaction.atomic
def save_station(*, station: Station) -> Station:
    """Create or update a station after full validation (names are unique in a store)."""
    lock_store(station.store_id)
    station.full_clean()
    station.save()
    return station


@transaction.atomic
def delete_station(*, station: Station) -> None:
    """Delete a station: its categories and items go to the store's first station from then on,
    and its printers become counter printers. A store keeps at least one: Conflict."""
    lock_store(station.store_id)
    if not Station.objects.filter(store_id=station.store_id).exclude(pk=station.pk).exists():
        raise Conflict(_("A store needs at least one kitchen station."), "last_station")
    station.delete()

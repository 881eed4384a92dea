from django.db import migrations
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_existing_orders(apps, schema_editor):
    """Start each store's counter at its highest order number so far."""
    Store = apps.get_model("accounts", "Store")
    Order = apps.get_model("orders", "Order")
    highest = Order.objects.filter(store=OuterRef("pk")).values("store").annotate(n=Max("number")).values("n")
    Store.objects.update(last_order_number=Coalesce(Subquery(highest), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_store_last_order_number"),
        ("orders", "0001_initial"),
    ]

    operations = [migrations.RunPython(count_existing_orders, migrations.RunPython.noop)]

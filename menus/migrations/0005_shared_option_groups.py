"""Option groups belong to the store and are attached to items (one 맵기, many items).

Every existing group stays as it was for its item: it becomes a group of the item's store,
attached to that item alone at the group's old place among the item's groups. Groups with the
same content on several items are not merged here; a manager can attach one and delete the others.
"""

import django.db.models.deletion
from django.db import migrations, models


def attach_groups_to_their_items(apps, schema_editor):
    OptionGroup = apps.get_model("menus", "OptionGroup")
    ItemOptionGroup = apps.get_model("menus", "ItemOptionGroup")
    groups = OptionGroup.objects.select_related("item").order_by("id")
    for group in groups.iterator(chunk_size=1000):
        OptionGroup.objects.filter(pk=group.pk).update(store_id=group.item.store_id)
    ItemOptionGroup.objects.bulk_create(
        (
            ItemOptionGroup(item_id=group.item_id, group_id=group.pk, display_order=group.display_order)
            for group in groups.iterator(chunk_size=1000)
        ),
        batch_size=1000,
    )


def detach_groups(apps, schema_editor):
    """Back to one item per group: each group goes with its first item (a group shared by
    several items cannot be told apart again; its other attachments are dropped)."""
    OptionGroup = apps.get_model("menus", "OptionGroup")
    ItemOptionGroup = apps.get_model("menus", "ItemOptionGroup")
    done = set()
    for link in ItemOptionGroup.objects.order_by("group_id", "id").iterator(chunk_size=1000):
        if link.group_id not in done:  # its first item (DISTINCT ON is PostgreSQL's alone)
            done.add(link.group_id)
            OptionGroup.objects.filter(pk=link.group_id).update(item_id=link.item_id, display_order=link.display_order)
    OptionGroup.objects.filter(item__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("menus", "0004_price_messages_in_won"),
    ]

    operations = [
        migrations.AddField(
            model_name="optiongroup",
            name="store",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="option_groups",
                to="accounts.store",
                verbose_name="store",
            ),
        ),
        migrations.AlterField(
            model_name="optiongroup",
            name="item",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="menus.menuitem",
                verbose_name="menu item",
            ),
        ),
        migrations.CreateModel(
            name="ItemOptionGroup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("display_order", models.PositiveIntegerField(default=0, verbose_name="display order")),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="item_links",
                        to="menus.optiongroup",
                        verbose_name="option group",
                    ),
                ),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="group_links",
                        to="menus.menuitem",
                        verbose_name="menu item",
                    ),
                ),
            ],
            options={
                "verbose_name": "option group of an item",
                "verbose_name_plural": "option groups of the item",
                "ordering": ["display_order", "id"],
                "constraints": [models.UniqueConstraint(fields=("item", "group"), name="item_option_group_once")],
            },
        ),
        migrations.RunPython(attach_groups_to_their_items, detach_groups),
        migrations.AlterField(
            model_name="optiongroup",
            name="store",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="option_groups",
                to="accounts.store",
                verbose_name="store",
            ),
        ),
        migrations.RemoveConstraint(model_name="optiongroup", name="option_group_name_unique_per_item"),
        migrations.RemoveField(model_name="optiongroup", name="item"),
        migrations.RemoveField(model_name="optiongroup", name="display_order"),
        migrations.AlterModelOptions(
            name="optiongroup",
            options={"ordering": ["name", "id"], "verbose_name": "option group", "verbose_name_plural": "option groups"},
        ),
        migrations.AddField(
            model_name="menuitem",
            name="option_groups",
            field=models.ManyToManyField(
                blank=True,
                related_name="items",
                through="menus.ItemOptionGroup",
                to="menus.optiongroup",
                verbose_name="option groups",
            ),
        ),
    ]

"""Store managers may run their kitchen stations and printers, and see alerts and tickets."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.roles import ensure_store_manager_group

# Frozen as it was at this migration; later migrations set the group's permissions anew.
PERMISSIONS = {
    ("menus", "category"): ("view", "add", "change", "delete"),
    ("menus", "menuitem"): ("view", "add", "change", "delete"),
    ("menus", "optiongroup"): ("view", "add", "change", "delete"),
    ("menus", "option"): ("view", "add", "change", "delete"),
    ("menus", "itemoptiongroup"): ("view", "add", "change", "delete"),
    ("accounts", "store"): ("view", "change"),
    ("accounts", "table"): ("view", "add", "change"),
    ("accounts", "user"): ("view", "add", "change"),
    ("orders", "order"): ("view", "change"),
    ("orders", "orderline"): ("view",),
    ("orders", "tablesession"): ("view", "change"),
    ("orders", "staffcall"): ("view", "change"),
    ("orders", "orderaudit"): ("view",),
    ("menus", "station"): ("view", "add", "change", "delete"),
    ("kitchen", "printer"): ("view", "add", "change", "delete"),
    ("kitchen", "alert"): ("view",),
    ("kitchen", "kitchenticket"): ("view",),
}


def grant(apps, schema_editor):
    # Permissions of new models are otherwise created only after every migration has run.
    for app_label in {app_label for app_label, _model in PERMISSIONS}:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    ensure_store_manager_group(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("kitchen", "0001_initial"),
        ("accounts", "0012_kitchen_role_and_timers"),
        ("menus", "0007_kitchen_stations"),
        ("orders", "0010_alter_orderevent_type"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

"""The "store manager" group (accounts.roles), and every existing manager in it as staff."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.roles import STORE_MANAGER_GROUP, ensure_store_manager_group

# Frozen as it was at this migration; later migrations set the group's permissions anew.
PERMISSIONS = {
    ("menus", "category"): ("view", "add", "change", "delete"),
    ("menus", "menuitem"): ("view", "add", "change", "delete"),
    ("accounts", "table"): ("view", "add", "change"),
    ("accounts", "user"): ("view", "add", "change"),
    ("orders", "order"): ("view", "change"),
    ("orders", "orderline"): ("view",),
    ("orders", "tablesession"): ("view", "change"),
}

def create_group(apps, schema_editor):
    # Permissions are otherwise created only after every migration has run.
    for app_label in {app_label for app_label, _model in PERMISSIONS}:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    group = ensure_store_manager_group(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), PERMISSIONS)
    User = apps.get_model("accounts", "User")
    for manager in User.objects.filter(store__isnull=False):
        manager.groups.add(group)
        if not manager.is_staff:
            manager.is_staff = True
            manager.save(update_fields=["is_staff"])


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=STORE_MANAGER_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_token_version"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("menus", "0001_initial"),
        ("orders", "0002_store_order_counters"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]

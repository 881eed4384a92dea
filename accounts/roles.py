"""The "store manager" role: which back-office pages a store's managers may use.

The admin limits every page to the manager's own store; these permissions say which pages.
"""

STORE_MANAGER_GROUP = "store manager"
STORE_MANAGER_PERMISSIONS = {
    ("menus", "category"): ("view", "add", "change", "delete"),
    ("menus", "menuitem"): ("view", "add", "change", "delete"),
    ("accounts", "table"): ("view", "add", "change"),
    ("accounts", "user"): ("view", "add", "change"),
    ("orders", "order"): ("view", "change"),
    ("orders", "orderline"): ("view",),
    ("orders", "tablesession"): ("view", "change"),
}


def ensure_store_manager_group(group_model, permission_model):
    """The group, created with its permissions if missing (model classes passed in, so a
    migration can use its historical models)."""
    group, created = group_model.objects.get_or_create(name=STORE_MANAGER_GROUP)
    if created:
        group.permissions.set(
            permission_model.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
            for (app_label, model), actions in STORE_MANAGER_PERMISSIONS.items()
            for action in actions
        )
    return group

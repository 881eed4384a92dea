"""The "store manager" role: which back-office pages a store's managers may use.

The admin limits every page to the manager's own store; these permissions say which pages.
"""

from collections.abc import Mapping

from django.contrib.auth.models import Group, Permission

STORE_MANAGER_GROUP = "store manager"
STORE_MANAGER_PERMISSIONS = {
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


def ensure_store_manager_group(
    group_model: type[Group],
    permission_model: type[Permission],
    permissions: Mapping[tuple[str, str], tuple[str, ...]] = STORE_MANAGER_PERMISSIONS,
) -> Group:
    """The group with exactly `permissions` (model classes passed in, so a migration can use
    its historical models and its own frozen list)."""
    group, _created = group_model.objects.get_or_create(name=STORE_MANAGER_GROUP)
    group.permissions.set(
        permission_model.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
        for (app_label, model), actions in permissions.items()
        for action in actions
    )
    return group

"""A store's option groups in the back office: 맵기 made once, with its options, and attached
to every item that offers it (on the group's page or on the item's). Every save goes through
`menus.services`, so tablets hear `menu.updated`."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.store_admin import StoreScopedAdmin, StoreScopedInline
from menus.models import ItemOptionGroup, Option, OptionGroup
from menus.services import delete_option_group, link_option_groups, save_option_group, save_options
from menus.translation_forms import translation_field_names, translations_fieldset, with_translations


class OptionGroupLinkInline(StoreScopedInline, admin.TabularInline):
    """The option groups attached to an item, in the item's order; groups are made once on the
    option groups page and attached to as many items as offer them."""

    model = ItemOptionGroup
    store_lookup = "item__store"
    fields = ["group", "options_of_group", "display_order"]
    readonly_fields = ["options_of_group"]
    extra = 0
    verbose_name = _("option group")
    verbose_name_plural = _("option groups")

    @admin.display(description=_("options"))
    def options_of_group(self, link):
        """The group's options, linking to the group's page where they are edited."""
        if not link.group_id:
            return "-"
        url = reverse("admin:menus_optiongroup_change", args=[link.group_id])
        return format_html('<a href="{}">{}</a>', url, option_summary(link.group) or _("no options yet"))


def option_summary(group):
    """A group's options as the admin lists them: "순한맛 · 보통 · 매운맛 (+₩500)"."""
    return " · ".join(
        f"{option.name} (+₩{option.price_delta:,})" if option.price_delta else option.name
        for option in group.options.all()
    )


def save_links(store_id, formset):
    links = formset.save(commit=False)
    if links or formset.deleted_objects:
        link_option_groups(store_id=store_id, links=links, deleted=formset.deleted_objects)


class OptionInline(StoreScopedInline, admin.TabularInline):
    model = Option
    form = with_translations(forms.ModelForm, Option)
    store_lookup = "group__store"
    fields = ["name", *translation_field_names(Option), "price_delta", "is_available", "display_order"]
    extra = 1


class ItemsOfGroupInline(StoreScopedInline, admin.TabularInline):
    """The items a group is attached to, on the group's page: attach 맵기 to many items at once."""

    model = ItemOptionGroup
    store_lookup = "item__store"
    fields = ["item", "display_order"]
    autocomplete_fields = ["item"]
    extra = 1
    verbose_name = _("menu item offering this group")
    verbose_name_plural = _("menu items offering this group")


@admin.register(OptionGroup)
class OptionGroupAdmin(StoreScopedAdmin):
    """A store's option group (the fewest and most choices a guest makes in it) with its
    options and the items that offer it. Every save goes through `menus.services`, so tablets
    hear `menu.updated`."""

    form = with_translations(forms.ModelForm, OptionGroup)
    inlines = [OptionInline, ItemsOfGroupInline]
    fieldsets = [(None, {"fields": ["store", "name", "min_select", "max_select"]}), translations_fieldset(OptionGroup)]
    list_display = ["name", "min_select", "max_select", "options_list", "items_list"]
    list_display_links = ["name"]
    search_fields = ["name", "options__name", "items__name"]
    ordering = ["name", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("options", "items")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A group allows at least one choice (the table's check constraint, shown as a field error).
        if db_field.name == "max_select":
            kwargs["min_value"] = 1
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("options"))
    def options_list(self, group):
        return option_summary(group)

    @admin.display(description=_("menu items"))
    def items_list(self, group):
        return ", ".join(item.name for item in group.items.all()) or "-"

    def save_model(self, request, obj, form, change):
        self.bind_store(request, obj)
        save_option_group(group=obj)

    def delete_model(self, request, obj):
        delete_option_group(group=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for group in queryset:
                delete_option_group(group=group)

    def save_formset(self, request, form, formset, change):
        if formset.model is ItemOptionGroup:
            save_links(form.instance.store_id, formset)
            return
        options = formset.save(commit=False)
        if options or formset.deleted_objects:
            save_options(group=form.instance, options=options, deleted=formset.deleted_objects)

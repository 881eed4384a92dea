"""The one base every store-owned model's admin uses: a store manager sees and edits only
their own store; a platform admin (superuser, no store) sees every store, with a store filter.

A manager is a staff user with a `store`. Their querysets, foreign-key choices, autocomplete
and search results, and related list filters are limited to that store; the `store` field is
neither shown nor editable and is set from the user. Staff users with neither a store nor
superuser status see nothing.
"""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import Http404, HttpRequest
from django.utils import translation
from django.utils.text import capfirst

from accounts.models import Store

STORE_FIELD = "store"


def user_store(request: HttpRequest) -> Store | None:
    """The store of the requesting manager, or None for a platform admin."""
    # The admin site lets only signed-in staff in: the user is never anonymous here.
    return request.user.store if request.user.store_id else None  # type: ignore[union-attr]


def may_use_admin(request):
    """Managers and platform admins may; a store-less staff user without superuser may not."""
    return request.user.is_superuser or request.user.store_id is not None


def has_store_field(model):
    try:
        return model._meta.get_field(STORE_FIELD).related_model is Store
    except FieldDoesNotExist:
        return False


def limit_to_store(queryset, store, lookup=None):
    """`queryset` limited to `store`: through `lookup`, else the model's own `store` field.

    A model with no path to a store gives nothing, so a new relation is closed until it is
    given a lookup rather than open to every store.
    """
    model = queryset.model
    if model is Store:
        return queryset.filter(pk=store.pk)
    if lookup is None and has_store_field(model):
        lookup = STORE_FIELD
    if lookup is None:
        return queryset.none()
    return queryset.filter(**{lookup: store})


def without_store(names):
    return [name for name in names if name != STORE_FIELD]


class StoreBoundForm:
    """Form mixin: a manager's new objects belong to their store before validation runs,
    so model checks (`clean`, unique constraints with `store`) see the right store."""

    bound_store = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.bound_store is not None and has_store_field(self._meta.model):
            self.instance.store = self.bound_store

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.bound_store is not None:
            # The store is not a form field, but constraints that include it must still be checked.
            exclude.discard(STORE_FIELD)
        return exclude


def bind_form_to_store(form_class, store):
    if store is None:
        return form_class
    return type(form_class.__name__, (StoreBoundForm, form_class), {"bound_store": store})


class StoreScopedMixin:
    """What store-scoped model admins and inlines share. `store_lookup` names the path from
    the model to its store when it has no `store` field of its own (e.g. "order__store")."""

    store_lookup: str | None = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not may_use_admin(request):
            return queryset.none()
        store = user_store(request)
        return queryset if store is None else limit_to_store(queryset, store, self.store_lookup)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        store = user_store(request)
        if store is not None and "queryset" not in kwargs:
            kwargs["queryset"] = limit_to_store(self._related_queryset(db_field, request), store)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        store = user_store(request)
        if store is not None and "queryset" not in kwargs:
            kwargs["queryset"] = limit_to_store(self._related_queryset(db_field, request), store)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _related_queryset(self, db_field, request):
        # Keeps the related admin's ordering, as Django's own get_field_queryset does.
        return self.get_field_queryset(None, db_field, request) or db_field.remote_field.model._default_manager.all()

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if user_store(request) is not None and has_store_field(self.model):
            exclude.append(STORE_FIELD)
        return exclude

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return without_store(fields) if user_store(request) is not None else fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if user_store(request) is None:
            return fieldsets
        return [(name, {**options, "fields": without_store(options["fields"])}) for name, options in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return without_store(fields) if user_store(request) is not None else fields

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return may_use_admin(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return may_use_admin(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return may_use_admin(request) and super().has_delete_permission(request, obj)


class StoreScopedAdmin(StoreScopedMixin, admin.ModelAdmin):
    """ModelAdmin of a store-owned model; see the module docstring."""

    def get_form(self, request, obj=None, **kwargs):
        return bind_form_to_store(super().get_form(request, obj, **kwargs), user_store(request))

    def get_object(self, request, object_id, from_field=None):
        """The object if it is the user's to see, else 404: another store's object is not found."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        store = user_store(request)
        if store is not None:
            # Autocomplete hands in this admin's queryset; limit again so no caller can widen it.
            queryset = limit_to_store(queryset, store, self.store_lookup)
        return queryset, may_have_duplicates

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if user_store(request) is not None:
            return without_store(columns)
        if STORE_FIELD not in columns and has_store_field(self.model):
            columns.insert(1, STORE_FIELD)
        return columns

    def get_list_filter(self, request):
        """Related filters list only the user's store's objects; platform admins also filter by store."""
        filters = [self._store_limited_filter(spec) for spec in super().get_list_filter(request)]
        if user_store(request) is not None:
            return [spec for spec in filters if not _filters_store(spec)]
        if has_store_field(self.model) and not any(_filters_store(spec) for spec in filters):
            filters.insert(0, STORE_FIELD)
        return filters

    def _store_limited_filter(self, spec):
        if not isinstance(spec, str) or spec == STORE_FIELD or "__" in spec:
            return spec
        if isinstance(self.model._meta.get_field(spec), models.ForeignKey | models.ManyToManyField):
            return (spec, admin.RelatedOnlyFieldListFilter)
        return spec

    def save_model(self, request, obj, form, change):
        self.bind_store(request, obj)
        super().save_model(request, obj, form, change)

    def construct_change_message(self, request, form, formsets, add=False):
        """Django's history entry, with each changed model field named by its verbose name.

        Django keeps a form's labels untranslated and translates them when the history is shown;
        a model field's label is its verbose name capitalised ("Store name"), which no catalog
        holds, so the history would show it in English. The verbose name itself is translated.
        """
        message = super().construct_change_message(request, form, formsets, add)
        with translation.override(None):
            models_ = [self.model, *(formset.model for formset in formsets or [])]
            names = {
                capfirst(str(field.verbose_name)): str(field.verbose_name)
                for model in models_
                for field in model._meta.get_fields()
                if hasattr(field, "verbose_name")
            }
        for entry in message:
            changed = entry.get("changed")
            if changed:
                changed["fields"] = [names.get(label, label) for label in changed["fields"]]
        return message

    def bind_store(self, request, obj):
        """A manager's object always belongs to the manager's store, whatever the form held."""
        store = user_store(request)
        if store is not None and has_store_field(type(obj)):
            obj.store = store


class StoreScopedInline(StoreScopedMixin):
    """Inline mixin for store-owned models: use as `class X(StoreScopedInline, admin.TabularInline)`."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = bind_form_to_store(formset.form, user_store(request))
        return formset


def _filters_store(spec):
    name = spec[0] if isinstance(spec, tuple) else spec
    return name == STORE_FIELD

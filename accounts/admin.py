"""Stores (a manager edits their own store's settings) and users. Tables are registered by
orders.admin, which can show their sessions and totals (accounts must not import orders)."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, Store, User
from accounts.services import apply_role, create_manager, update_store
from accounts.store_admin import StoreScopedAdmin, user_store


class ReasonLinesField(forms.CharField):
    """A list of strings edited as a textarea, one a line; blank lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 6})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in super().to_python(value).splitlines() if line.strip()]


class StoreForm(forms.ModelForm):
    """The reasons are checked by `Store.clean()` (how many, how long, no repeats)."""

    staff_call_reasons = ReasonLinesField(
        label=Store._meta.get_field("staff_call_reasons").verbose_name,
        help_text=_("One per line, in the order the tablet shows them (1–10 reasons, each up to 30 characters)."),
    )

    class Meta:
        model = Store
        fields = ["code", "name", "staff_call_reasons", "kitchen_amber_minutes", "kitchen_red_minutes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out of a form (an older page, a script), the kitchen's timers keep their values.
        for name in ("kitchen_amber_minutes", "kitchen_red_minutes"):
            self.fields[name].required = False

    def clean_kitchen_amber_minutes(self):
        return self._kept("kitchen_amber_minutes")

    def clean_kitchen_red_minutes(self):
        return self._kept("kitchen_red_minutes")

    def _kept(self, name):
        value = self.cleaned_data.get(name)
        return getattr(self.instance, name) if value is None else value

    @property
    def changed_data(self):
        kept = {"kitchen_amber_minutes", "kitchen_red_minutes"} - set(self.data)
        return [name for name in super().changed_data if name not in kept]


@admin.register(Store)
class StoreAdmin(StoreScopedAdmin):
    """Platform admins manage every store. A manager sees only their own ("매장 정보") and edits
    its name, staff-call reasons and the kitchen display's timers, never its identifier (their
    logins and tablets name it); adding and deleting stores stays the platform's (the group has
    no such permission)."""

    form = StoreForm
    fields = ["code", "name", "staff_call_reasons", "kitchen_amber_minutes", "kitchen_red_minutes"]
    list_display = ["code", "name", "created_at"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        if user_store(request) is not None:
            return ["code"]
        return super().get_readonly_fields(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if user_store(request) is not None:
            extra_context = {"title": _("Store information"), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        update_store(store=obj, fields=form.changed_data)


class StoreUserCreationForm(AdminUserCreationForm):
    """Usernames are unique per store (in any letter case), not across the platform. The role
    defaults to manager when the form leaves it out."""

    role = forms.ChoiceField(label=_("role"), choices=Role.choices, initial=Role.MANAGER, required=False)

    def clean_role(self):
        return self.cleaned_data.get("role") or Role.MANAGER

    def clean_username(self):
        username = self.cleaned_data.get("username")
        store = self.cleaned_data.get("store", self.instance.store if self.instance.store_id else None)
        if username and User.objects.filter(store=store, username__iexact=username).exists():
            self.add_error("username", self.instance.unique_error_message(User, ["username"]))
            return None
        return username


@admin.register(User)
class StoreUserAdmin(StoreScopedAdmin, UserAdmin):
    """A manager sees their store's users and edits only names, e-mail, the active switch and
    passwords; users they add become managers of the same store. Platform admins edit all."""

    add_form = StoreUserCreationForm
    list_display = ["username", "role", "first_name", "last_name", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_active"]
    fieldsets = [(None, {"fields": ["store"]}), *UserAdmin.fieldsets]  # type: ignore[misc]
    add_fieldsets = [(None, {"fields": ["store"]}), *UserAdmin.add_fieldsets]
    manager_fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Permissions"), {"fields": ["role", "is_active"]}),
    ]
    manager_add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "role", "password1", "password2"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        if user_store(request) is None:
            return super().get_fieldsets(request, obj)
        if obj is None:
            return self.manager_add_fieldsets
        if obj.pk == request.user.pk:
            # A manager who made themselves kitchen staff would lock themselves out of this page.
            return [
                (name, {"fields": [f for f in options["fields"] if f != "role"]})
                for name, options in self.manager_fieldsets
            ]
        return self.manager_fieldsets

    def save_model(self, request, obj, form, change):
        store = user_store(request)
        if store is None or change:
            super().save_model(request, obj, form, change)
            if change and "role" in form.changed_data:
                apply_role(obj)
            return
        manager = create_manager(
            store=store, username=obj.username, password=form.cleaned_data["password1"], role=obj.role
        )
        # The admin goes on with `obj` (its change link, the log entry): make it the saved row.
        obj.pk = manager.pk
        obj.refresh_from_db()

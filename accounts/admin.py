"""Stores (a manager edits their own store's settings) and users. Tables are registered by
orders.admin, which can show their sessions and totals (accounts must not import orders)."""

import re

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.dates import WEEKDAYS
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.hours import clean_break_times, parse_clock
from accounts.models import Role, Store, User
from accounts.services import apply_role, create_manager, update_store_settings
from accounts.store_admin import StoreScopedAdmin, user_store
from core.languages import TRANSLATED_LANGUAGE_NAMES, TRANSLATED_LANGUAGES


class ReasonLinesField(forms.CharField):
    """A list of strings edited as a textarea, one a line; blank lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 6})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in super().to_python(value).splitlines() if line.strip()]


WEEKDAY_FIELDS = [f"breaks_{day}" for day in range(7)]
REASON_TRANSLATION_FIELDS = {
    f"reason_translations_{language.replace('-', '_')}": language for language in TRANSLATED_LANGUAGES
}
NOTICE_TRANSLATION_FIELDS = {
    f"origin_notice_{language.replace('-', '_')}": language for language in TRANSLATED_LANGUAGES
}


def _reason_translations_field(language):
    return forms.CharField(
        label=format_lazy(_("Staff call reasons: {}"), TRANSLATED_LANGUAGE_NAMES[language]),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One line per reason: the Korean reason, =, and what guests read in this language (물 = Water). "
            "Nothing after = shows the Korean reason."
        ),
    )


def _notice_translation_field(language):
    return forms.CharField(
        label=format_lazy(_("Origin notice: {}"), TRANSLATED_LANGUAGE_NAMES[language]),
        required=False,
        max_length=Store._meta.get_field("origin_notice").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What guests read in this language; empty shows the Korean notice."),
    )


_SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-~–]\s*(\d{1,2}:\d{2})\s*$")


def _day_breaks(weekday, text):
    """A weekday's breaks written as "15:00-17:00, 21:00-21:30" → break_times entries."""
    entries = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        match = _SPAN.match(part)
        start, end = (f"{int(t[:-3]):02d}{t[-3:]}" for t in match.groups()) if match else (None, None)
        if start is None or parse_clock(start) is None or parse_clock(end) is None:
            raise ValidationError(
                _("Write each break as start-end in 24-hour time, e.g. 15:00-17:00, separated by commas.")
            )
        entries.append({"weekday": weekday, "start": start, "end": end})
    return entries


def _weekday_breaks_field(day):
    return forms.CharField(
        label=format_lazy(_("Break times: {}"), WEEKDAYS[day]),
        required=False,
        help_text=_("e.g. 15:00-17:00, separated by commas; empty for none."),
    )


class StoreForm(forms.ModelForm):
    """The reasons are checked by `Store.clean()` (how many, how long, no repeats); the break
    times are edited as one line per weekday and checked by accounts.hours."""

    breaks_0 = _weekday_breaks_field(0)
    breaks_1 = _weekday_breaks_field(1)
    breaks_2 = _weekday_breaks_field(2)
    breaks_3 = _weekday_breaks_field(3)
    breaks_4 = _weekday_breaks_field(4)
    breaks_5 = _weekday_breaks_field(5)
    breaks_6 = _weekday_breaks_field(6)

    staff_call_reasons = ReasonLinesField(
        label=Store._meta.get_field("staff_call_reasons").verbose_name,
        help_text=_("One per line, in the order the tablet shows them (1–10 reasons, each up to 30 characters)."),
    )
    reason_translations_en = _reason_translations_field("en")
    reason_translations_zh_hans = _reason_translations_field("zh-hans")
    reason_translations_ja = _reason_translations_field("ja")
    origin_notice_en = _notice_translation_field("en")
    origin_notice_zh_hans = _notice_translation_field("zh-hans")
    origin_notice_ja = _notice_translation_field("ja")

    class Meta:
        model = Store
        fields = [
            "code",
            "name",
            "staff_call_reasons",
            "kitchen_amber_minutes",
            "kitchen_red_minutes",
            "ordering_paused",
            "pause_message",
            "last_order_time",
            "opening_time",
            "origin_notice",
            "cart_reminder_chime",
        ]
        widgets = {
            "last_order_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "opening_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        breaks = self.instance.break_times if self.instance.pk else []
        for day, name in enumerate(WEEKDAY_FIELDS):
            self.initial.setdefault(name, ", ".join(f"{b['start']}-{b['end']}" for b in breaks if b["weekday"] == day))
        reasons = self.instance.staff_call_reasons if self.instance.pk else []
        translations = self.instance.staff_call_reason_translations if self.instance.pk else {}
        self._reason_translations_before = translations
        for name, language in REASON_TRANSLATION_FIELDS.items():
            lines = [f"{reason} = {(translations.get(reason) or {}).get(language, '')}".rstrip() for reason in reasons]
            self.initial.setdefault(name, "\n".join(lines))
        notices = self.instance.origin_notice_translations if self.instance.pk else {}
        for name, language in NOTICE_TRANSLATION_FIELDS.items():
            self.initial.setdefault(name, notices.get(language, ""))
        # Left out of a form (an older page, a script), the kitchen's timers keep their values.
        for name in ("kitchen_amber_minutes", "kitchen_red_minutes"):
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        breaks = []
        for day, name in enumerate(WEEKDAY_FIELDS):
            try:
                day_breaks = _day_breaks(day, cleaned.get(name) or "")
                clean_break_times(day_breaks)
            except ValidationError as error:
                self.add_error(name, error)
                continue
            breaks.extend(day_breaks)
        if not any(name in self.errors for name in WEEKDAY_FIELDS):
            self.instance.break_times = clean_break_times(breaks)
        self._clean_reason_translations(cleaned)
        # Left out of a form (an older page, a script), a language keeps its notice.
        kept = self.instance.origin_notice_translations if self.instance.pk else {}
        notices = {
            language: cleaned.get(name) if name in self.data else kept.get(language)
            for name, language in NOTICE_TRANSLATION_FIELDS.items()
        }
        self.instance.origin_notice_translations = {language: text for language, text in notices.items() if text}
        return cleaned

    def _clean_reason_translations(self, cleaned):
        """The textareas "물 = Water" → `staff_call_reason_translations`; a line of a reason just
        removed is dropped, one naming no reason is an error."""
        reasons = cleaned.get("staff_call_reasons") or []
        former = self.instance.staff_call_reasons if self.instance.pk else []
        kept = self.instance.staff_call_reason_translations if self.instance.pk else {}
        translations = {}
        for name, language in REASON_TRANSLATION_FIELDS.items():
            if name not in self.data:
                # Left out of a form (an older page, a script): this language keeps its texts.
                for reason in reasons:
                    if (kept.get(reason) or {}).get(language):
                        translations.setdefault(reason, {})[language] = kept[reason][language]
                continue
            for line in (cleaned.get(name) or "").splitlines():
                if not line.strip():
                    continue
                reason, equals, text = line.partition("=")
                reason, text = reason.strip(), text.strip()
                if not equals:
                    self.add_error(name, _("Write each line as the Korean reason, =, and its translation."))
                elif reason not in reasons and reason not in former:
                    self.add_error(name, _("%(reason)s is not one of the staff call reasons.") % {"reason": reason})
                elif reason in reasons and text:
                    translations.setdefault(reason, {})[language] = text
        self.instance.staff_call_reason_translations = {
            reason: {language: texts[language] for language in TRANSLATED_LANGUAGES if language in texts}
            for reason, texts in translations.items()
        }

    def changed_settings(self):
        """The changed fields as update_store_settings takes them (the weekdays: `break_times`)."""
        translation_fields = {**REASON_TRANSLATION_FIELDS, **NOTICE_TRANSLATION_FIELDS}
        names = [name for name in self.changed_data if name not in WEEKDAY_FIELDS and name not in translation_fields]
        if any(name in self.changed_data for name in WEEKDAY_FIELDS):
            names.append("break_times")
        if any(name in self.changed_data for name in REASON_TRANSLATION_FIELDS):
            names.append("staff_call_reason_translations")
        if any(name in self.changed_data for name in NOTICE_TRANSLATION_FIELDS):
            names.append("origin_notice_translations")
        return {name: getattr(self.instance, name) for name in names}

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
        if self.instance.staff_call_reason_translations == self._reason_translations_before:
            # The textareas as written differ from those shown (spaces, empty "수저 =" lines) but mean the same.
            kept |= set(REASON_TRANSLATION_FIELDS)
        return [name for name in super().changed_data if name not in kept]


@admin.register(Store)
class StoreAdmin(StoreScopedAdmin):
    """Platform admins manage every store. A manager sees only their own ("매장 정보") and edits
    its name, staff-call reasons (and their translations), the kitchen display's timers, its hours,
    its origin notice (and its translations) and the reminder's chime, never its identifier (their
    logins and tablets name it); adding and deleting stores stays the platform's (the group has
    no such permission)."""

    form = StoreForm
    fieldsets = [
        (None, {"fields": ["code", "name", "staff_call_reasons", "kitchen_amber_minutes", "kitchen_red_minutes"]}),
        (
            _("Hours"),
            {
                "fields": ["ordering_paused", "pause_message", *WEEKDAY_FIELDS, "last_order_time", "opening_time"],
                "description": _(
                    "Tablets take no orders while paused, during a break, or from the last order until the opening "
                    "time (06:00 when empty). Times are Korean time."
                ),
            },
        ),
        (_("Tablet"), {"fields": ["origin_notice", *NOTICE_TRANSLATION_FIELDS, "cart_reminder_chime"]}),
        (
            _("Translations"),
            {
                "classes": ["collapse"],
                "fields": list(REASON_TRANSLATION_FIELDS),
                "description": _(
                    "What guests read for each staff call reason in English, Simplified Chinese and Japanese; the "
                    "staff see the Korean reason."
                ),
            },
        ),
    ]
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
        update_store_settings(store=obj, actor=request.user, **form.changed_settings())

    def construct_change_message(self, request, form, formsets, add=False):
        """The history names the reasons' and the notice's translations once each, by the model
        field's name."""
        message = super().construct_change_message(request, form, formsets, add)
        with translation.override(None):
            names = {}
            for fields, model_field in (
                (REASON_TRANSLATION_FIELDS, "staff_call_reason_translations"),
                (NOTICE_TRANSLATION_FIELDS, "origin_notice_translations"),
            ):
                field_name = str(Store._meta.get_field(model_field).verbose_name)
                names.update({str(form.fields[name].label): field_name for name in fields if name in form.fields})
        for entry in message:
            changed = entry.get("changed")
            if changed:
                named = [names.get(label, label) for label in changed["fields"]]
                changed["fields"] = list(dict.fromkeys(named))
        return message


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

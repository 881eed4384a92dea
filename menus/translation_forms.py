"""The menu's translations in the back office: one form field per language and translated field
(`name_en`, `description_zh-hans`, `origin_ja`…) in place of the `translations` JSON, and the
"번역 누락" list of what still lacks a translation (menus.translations)."""

from dataclasses import dataclass

from django import forms
from django.db import models
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Store
from core.languages import TRANSLATED_LANGUAGE_NAMES, TRANSLATED_LANGUAGES
from menus.models import Category, MenuItem, OptionGroup
from menus.translations import TRANSLATED_FIELDS, missing

TRANSLATIONS_TITLE = _("Translations")


def translation_field_names(model: type[models.Model]) -> list[str]:
    """The form fields of `model`'s translations, language by language."""
    return [f"{field}_{language}" for language in TRANSLATED_LANGUAGES for field in TRANSLATED_FIELDS[model.__name__]]


def translations_fieldset(model: type[models.Model]) -> tuple:
    """An admin fieldset "번역" of `model`'s translation fields, folded until opened."""
    return (
        TRANSLATIONS_TITLE,
        {
            "classes": ["collapse"],
            "fields": translation_field_names(model),
            "description": _(
                "What guests see in English, Simplified Chinese and Japanese. Leave a field empty to show the "
                "Korean text."
            ),
        },
    )


class TranslationsFormMixin:
    """A ModelForm's translation fields: filled from the instance's `translations`, written back
    to it before the model's own validation (which drops blanks and checks lengths)."""

    translated_model: type[models.Model]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.translations or {}
        for name in translation_field_names(self.translated_model):
            field, language = name.rsplit("_", 1)
            self.initial.setdefault(name, stored.get(language, {}).get(field, ""))

    def clean(self):
        cleaned = super().clean()
        translations = {}
        for name in translation_field_names(self.translated_model):
            field, language = name.rsplit("_", 1)
            text = (cleaned.get(name) or "").strip()
            if text:
                translations.setdefault(language, {})[field] = text
        self.instance.translations = translations
        return cleaned


def with_translations(form_class: type[forms.ModelForm], model: type[models.Model]) -> type[forms.ModelForm]:
    """`form_class` with a field for each language of each field `model` translates."""
    fields: dict[str, forms.Field] = {}
    for name in translation_field_names(model):
        field, language = name.rsplit("_", 1)
        model_field: models.Field = model._meta.get_field(field)  # type: ignore[assignment]
        fields[name] = forms.CharField(
            label=format_lazy("{} ({})", model_field.verbose_name, TRANSLATED_LANGUAGE_NAMES[language]),
            required=False,
            max_length=model_field.max_length,
            widget=forms.Textarea(attrs={"rows": 2}) if field == "description" else forms.TextInput,
        )
    return type(
        form_class.__name__,
        (TranslationsFormMixin, form_class),
        {**fields, "translated_model": model, "__module__": __name__},
    )


@dataclass(frozen=True)
class Missing:
    """An object lacking a translation: what it is, its Korean name, what is missing, its edit page."""

    kind: str
    name: str
    fields: list[str]
    url: str


def missing_translations(store: Store) -> dict[str, list[Missing]]:
    """Language code → the store's categories, items, option groups and options whose name has no
    translation in it, and items with a Korean description but none in it."""
    categories = list(Category.objects.filter(store=store))
    items = list(
        MenuItem.objects.filter(store=store)
        .select_related("category")
        .order_by("category__display_order", "category_id", "display_order", "id")
    )
    groups = list(OptionGroup.objects.filter(store=store).prefetch_related("options"))
    found: dict[str, list[Missing]] = {}
    for language in TRANSLATED_LANGUAGES:
        entries = []
        for category in categories:
            if missing(category.translations, "name", language):
                entries.append(Missing(str(_("category")), category.name, [str(_("name"))], _edit(category)))
        for item in items:
            fields = []
            if missing(item.translations, "name", language):
                fields.append(str(_("name")))
            if item.description.strip() and missing(item.translations, "description", language):
                fields.append(str(_("description")))
            if fields:
                entries.append(Missing(str(_("menu item")), f"{item.category.name} › {item.name}", fields, _edit(item)))
        for group in groups:
            if missing(group.translations, "name", language):
                entries.append(Missing(str(_("option group")), group.name, [str(_("name"))], _edit(group)))
            for option in group.options.all():
                if missing(option.translations, "name", language):
                    entries.append(
                        Missing(str(_("option")), f"{group.name} › {option.name}", [str(_("name"))], _edit(group))
                    )
        found[language] = entries
    return found


def _edit(obj: models.Model) -> str:
    """The admin page where `obj` is edited (an option: its group's page)."""
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])

"""The menu in the back office: categories, and items with the option groups attached to them
(the groups' own page is `menus.option_group_admin`). Every save, delete and reorder goes
through `menus.services`, so it is validated under the store lock and open tablets hear
`menu.updated`."""

import json
from collections import defaultdict

from adminsortable2.admin import SortableAdminMixin
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Max
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Store
from accounts.store_admin import StoreScopedAdmin, user_store
from core.exceptions import Conflict
from core.languages import TRANSLATED_LANGUAGE_NAMES
from menus import menu_files
from menus.allergens import ALLERGEN_NAMES
from menus.images import clean_image
from menus.models import Category, MenuItem
from menus.option_group_admin import OptionGroupLinkInline, save_links
from menus.selectors import store_menu
from menus.services import (
    delete_category,
    delete_menu_item,
    import_menu,
    reorder_menu,
    save_category,
    save_menu_item,
)
from menus.translation_forms import missing_translations, translations_fieldset, with_translations

MAX_MENU_FILE_BYTES = 2 * 1024 * 1024
# The item list's category filter: with it set, the items can be dragged into a new order.
REORDER_FILTER = "category__id__exact"


class MenuAdmin(SortableAdminMixin, StoreScopedAdmin):
    """Drag-and-drop display order (django-admin-sortable2), kept inside the store and
    written through the services. `save_object` / `delete_object` name the service."""

    def get_actions(self, request):
        # The library's "move to page" actions write display orders with queryset updates, past the services.
        return {name: action for name, action in super().get_actions(request).items() if not name.startswith("move_")}

    def update_order(self, request):
        """The drag-and-drop endpoint: `{"updatedItems": [[pk, display_order], …]}`."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            orders = {int(pk): int(order) for pk, order in json.loads(request.body)["updatedItems"]}
        except (ValueError, TypeError, KeyError, RecursionError):  # RecursionError: nested too deeply
            return HttpResponseBadRequest(_("Send updatedItems: a list of [id, display order] pairs."))
        objects = self.get_queryset(request).in_bulk(orders)
        if len(objects) != len(orders):
            return HttpResponseBadRequest(_("Some of these objects do not exist."))
        if len({self.reorder_group(obj) for obj in objects.values()}) > 1:
            return HttpResponseBadRequest(_("Reorder the items of one category at a time."))
        by_store = defaultdict(list)
        for pk, obj in objects.items():
            obj.display_order = orders[pk]
            by_store[obj.store_id].append(obj)
        try:
            with transaction.atomic():
                for store_id, objs in by_store.items():
                    reorder_menu(store_id=store_id, objects=objs)
        except (ValidationError, Conflict) as error:
            return HttpResponseBadRequest(" ".join(getattr(error, "messages", [str(error)])))
        return HttpResponse(_("Updated %(count)d.") % {"count": len(objects)})

    def reorder_group(self, obj):
        """What one drag must stay within (None: no limit beyond the stores the user may see)."""
        return None

    def save_model(self, request, obj, form, change):
        self.bind_store(request, obj)
        if not change:
            obj.display_order = self.next_display_order(obj)
        self.save_object(obj)

    def delete_model(self, request, obj):
        self.delete_object(obj)

    def delete_view(self, request, object_id, extra_context=None):
        # Items added to a category between its confirmation page and the delete: say so, no 500.
        try:
            return super().delete_view(request, object_id, extra_context)
        except Conflict as error:
            self.message_user(request, error.message, messages.ERROR)
            opts = self.opts
            return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_object(obj)


@admin.register(Category)
class CategoryAdmin(MenuAdmin):
    form = with_translations(forms.ModelForm, Category)
    fieldsets = [(None, {"fields": ["store", "name", "station"]}), translations_fieldset(Category)]
    list_display = ["display_order", "name", "item_count"]
    search_fields = ["name"]
    # Counting items groups the rows, and grouped queries drop the model's default ordering.
    ordering = ["display_order", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=models.Count("items"))

    @admin.display(description=_("items"), ordering="item_count")
    def item_count(self, category):
        return category.item_count

    def next_display_order(self, category):
        last = Category.objects.filter(store=category.store).aggregate(last=Max("display_order"))["last"]
        return (last or 0) + 1

    def save_object(self, category):
        save_category(category=category)

    def delete_object(self, category):
        delete_category(category=category)

    def get_urls(self):
        return [
            path(
                "missing-translations/",
                self.admin_site.admin_view(self.missing_translations_view),
                name="menus_missing_translations",
            ),
            *super().get_urls(),
        ]

    def missing_translations_view(self, request):
        """번역 누락: per guest language, the store's categories, items, option groups and options
        without a translated name (and items whose description has none), each linking to its
        edit page. A platform admin first chooses the store."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        store = user_store(request)
        stores = None
        if store is None:
            stores = Store.objects.all()
            store = stores.filter(pk=request.GET["store"]).first() if request.GET.get("store", "").isdigit() else None
        found = missing_translations(store) if store is not None else {}
        return TemplateResponse(
            request,
            "admin/menus/missing_translations.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Missing translations"),
                "opts": self.model._meta,
                "store": store,
                "stores": stores,
                "languages": [
                    {"code": code, "name": TRANSLATED_LANGUAGE_NAMES[code], "missing": entries}
                    for code, entries in found.items()
                ],
            },
        )


class ImagePreviewInput(AdminFileWidget):
    """The image upload with a preview: the current image (its smallest display size) above
    the field, and a picture the manager chooses as soon as it is chosen."""

    class Media:
        js = [forms.Script("backoffice/image_preview.js", defer=True)]

    def render(self, name, value, attrs=None, renderer=None):
        item = getattr(value, "instance", None)
        url = item.thumbnail_url if value and isinstance(item, MenuItem) else ""
        current = (
            format_html('<img class="image-preview" src="{}" alt="{}" width="240"><br>', url, _("The current image"))
            if url
            else ""
        )
        chosen = format_html(
            '<img class="image-preview" data-preview-of="{}" alt="{}" width="240" hidden>',
            (attrs or {}).get("id", ""),
            _("The chosen image"),
        )
        # One block: the admin lays a field's row out as a flex row.
        return format_html(
            "<div>{}{}<div>{}</div></div>", current, super().render(name, value, attrs, renderer), chosen
        )


class MenuItemForm(forms.ModelForm):
    """The admin chooses the fields; this form adds the image check and preview, and the
    allergens as checkboxes (the model keeps them in the official list's order)."""

    allergens = forms.MultipleChoiceField(
        label=MenuItem._meta.get_field("allergens").verbose_name,
        choices=[(name, name) for name in ALLERGEN_NAMES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The allergens of the Ministry of Food and Drug Safety's list that the dish contains."),
    )

    class Meta:
        model = MenuItem
        fields = ["image"]
        widgets = {"image": ImagePreviewInput}
        help_texts = {
            "origin": _(
                "The country of origin as the law asks the menu to show it "
                "(돼지고기: 국내산, 배추김치(배추: 국내산, 고춧가루: 중국산))."
            )
        }

    def clean_image(self):
        image = self.cleaned_data.get("image")
        # A new upload is checked and renamed by its content; a kept or cleared image is not an upload.
        return clean_image(image) if isinstance(image, UploadedFile) else image


@admin.register(MenuItem)
class MenuItemAdmin(MenuAdmin):
    form = with_translations(MenuItemForm, MenuItem)
    inlines = [OptionGroupLinkInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "store",
                    "category",
                    "station",
                    "name",
                    "price",
                    "description",
                    "image",
                    "image_url",
                    "is_available",
                ]
            },
        ),
        (_("Origin and allergens"), {"fields": ["origin", "allergens"]}),
        translations_fieldset(MenuItem),
    ]
    change_list_template = "admin/menus/menuitem/change_list.html"
    list_display = ["display_order", "thumbnail", "name", "category", "price", "is_available"]
    list_display_links = ["name"]
    list_editable = ["price", "is_available"]
    list_filter = ["category", "is_available"]
    list_select_related = ["category", "store"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["category"]
    # An image URL typed without a scheme is https (Django 6's default too).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("image"))
    def thumbnail(self, item):
        url = item.thumbnail_url
        if not url:
            return "-"
        return format_html('<img src="{}" alt="" width="48" height="48" loading="lazy">', url)

    def get_ordering(self, request):
        # Items of a category together, in their display order: a drag reorders within one category.
        # (Not `ordering`: django-admin-sortable2 reads its first field as the one drags write.)
        return ["category__display_order", "category_id", "display_order", "id"]

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # Dragging is offered on one category's items only, in display order, so every drag means one thing.
        params = changelist.params
        self.enable_sorting = REORDER_FILTER in params and ORDER_VAR not in params and not changelist.query
        return changelist

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "reorder_filter": REORDER_FILTER}
        store = user_store(request)
        if store is not None and REORDER_FILTER not in request.GET:
            # The way to reordering: a link to each category's items.
            extra_context["reorder_categories"] = Category.objects.filter(store=store)
        return super().changelist_view(request, extra_context)

    def reorder_group(self, item):
        return item.category_id

    def next_display_order(self, item):
        items = MenuItem.objects.filter(store=item.store, category_id=item.category_id)
        return (items.aggregate(last=Max("display_order"))["last"] or 0) + 1

    def save_object(self, item):
        save_menu_item(item=item)

    def delete_object(self, item):
        delete_menu_item(item=item)

    def save_formset(self, request, form, formset, change):
        save_links(form.instance.store_id, formset)

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="menus_menu_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name="menus_menu_export"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a whole menu (JSON or CSV, as `export_menu` writes it) into the store."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = MenuImportForm(request.POST or None, request.FILES or None, store=user_store(request))
        if request.method == "POST" and form.is_valid():
            try:
                result = import_menu(store=form.store(), rows=form.cleaned_data["rows"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _(
                        "Menu imported: %(categories)d new categories, %(created)d new items, "
                        "%(updated)d updated, %(unchanged)d unchanged."
                    )
                    % {
                        "categories": result.categories_created,
                        "created": result.items_created,
                        "updated": result.items_updated,
                        "unchanged": result.items_unchanged,
                    },
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:menus_menuitem_changelist", current_app=self.admin_site.name))
        return self._menu_file_page(request, form, _("Import the menu"))

    def export_view(self, request):
        """Download the store's whole menu; a platform admin first chooses the store."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = MenuExportForm(request.GET or None, store=user_store(request))
        if not form.is_valid():
            return self._menu_file_page(request, form, _("Export the menu"))
        store, fmt = form.store(), form.cleaned_data["format"]
        text = menu_files.dump_menu(store_menu(store), fmt)
        # A byte order mark lets spreadsheet programs read the Korean in a CSV, as export_menu writes it.
        response = HttpResponse(
            text.encode("utf-8-sig" if fmt == "csv" else "utf-8"),
            content_type="text/csv; charset=utf-8" if fmt == "csv" else "application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="menu-{store.code}.{fmt}"'
        return response

    def _menu_file_page(self, request, form, title):
        return TemplateResponse(
            request,
            "admin/menus/menuitem/menu_file.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "form": form,
                "is_import": form.is_multipart(),
                "media": self.media + form.media,
            },
        )


class MenuFileForm(forms.Form):
    """A platform admin names the store; a manager's is their own."""

    store_choice = forms.ModelChoiceField(label=_("store"), queryset=Store.objects.all())

    def __init__(self, *args, store=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_store = store
        if store is not None:
            del self.fields["store_choice"]

    def store(self):
        return self.user_store or self.cleaned_data["store_choice"]


class MenuExportForm(MenuFileForm):
    format = forms.ChoiceField(label=_("format"), choices=[(fmt, fmt.upper()) for fmt in menu_files.FORMATS])


class MenuImportForm(MenuFileForm):
    file = forms.FileField(
        label=_("menu file"),
        help_text=format_lazy(
            "{} {}",
            _(
                "JSON as the export writes it (option groups and translations included), or CSV with the columns "
                "%(columns)s and any of %(optional)s: name_en and the like are translations, origin the Korean "
                "origin text, allergens their Korean names separated by commas. A column left out leaves what it "
                "holds as it is, as a CSV does with items' options and categories' translations."
            )
            % {"columns": ",".join(menu_files.CSV_COLUMNS), "optional": ",".join(menu_files.EXTRA_CSV_COLUMNS)},
            menu_files.CSV_FORMULA_HELP,
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_MENU_FILE_BYTES:
            raise ValidationError(_("The file is larger than %(max)d MB.") % {"max": MAX_MENU_FILE_BYTES // 2**20})
        fmt = upload.name.rsplit(".", 1)[-1].lower()
        if fmt not in menu_files.FORMATS:
            raise ValidationError(_("Choose a .json or .csv file."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(_("The file must be UTF-8 text.")) from error
        self.cleaned_data["rows"] = menu_files.parse_menu(text, fmt)
        return upload

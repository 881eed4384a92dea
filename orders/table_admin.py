"""Tables in the back office, and running a service on each object an admin action selected.

Tables are registered here, in orders, because their list shows open sessions and totals:
orders data that accounts must not import.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import Table
from accounts.services import create_table, revoke_tablet, setup_table, validate_table_password
from accounts.store_admin import StoreScopedAdmin
from core.exceptions import Conflict
from core.money import won
from orders.models import Order, TableSession
from orders.services import close_session

CLOSE_SESSION_LABEL = _("Close table")


def _problem(error):
    """The message of a service's refusal (Conflict or ValidationError)."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return error.message


def _report(modeladmin, request, done, failed):
    """One message for what worked and one per object that did not."""
    if done:
        modeladmin.message_user(
            request, _("Done: %(objects)s.") % {"objects": ", ".join(str(obj) for obj in done)}, messages.SUCCESS
        )
    for obj, error in failed:
        modeladmin.message_user(
            request, _("%(object)s: %(problem)s") % {"object": obj, "problem": _problem(error)}, messages.ERROR
        )


def run_each(modeladmin, request, objects, service):
    """An admin action: `service` on each selected object, refusals reported one by one."""
    done, failed = [], []
    for obj in objects:
        try:
            service(obj)
        except (Conflict, ValidationError) as error:
            failed.append((obj, error))
        else:
            done.append(obj)
    _report(modeladmin, request, done, failed)


class TableForm(forms.ModelForm):
    """Number and password; the password is write-only and hashed by `setup_table`."""

    new_password = forms.CharField(
        label=_("table password"),
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("The tablet signs in with it. Changing it signs the tablet out."),
    )

    class Meta:
        model = Table
        fields = ["store", "number"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["new_password"].required = False
            self.fields["new_password"].label = _("New table password")
            self.fields["new_password"].help_text = _(
                "Leave empty to keep the current one. A new one signs the tablet out."
            )

    def clean_new_password(self):
        password = self.cleaned_data["new_password"]
        if password or not self.instance.pk:
            try:
                validate_table_password(password)
            except ValidationError as error:
                raise ValidationError(error.message_dict["password"]) from error
        return password


@admin.register(Table)
class TableAdmin(StoreScopedAdmin):
    form = TableForm
    list_display = ["__str__", "session_open", "current_total", "created_at"]
    fields = ["store", "number", "new_password"]
    ordering = ["store", "number"]
    actions = ["revoke_tablets", "close_sessions"]

    def get_readonly_fields(self, request, obj=None):
        # A table keeps its number and store: its tablet and its orders are tied to them.
        return super().get_readonly_fields(request, obj) if obj is None else ["store", "number"]

    def get_queryset(self, request):
        open_sessions = TableSession.objects.filter(table=OuterRef("pk"), closed_at__isnull=True)
        open_total = (
            Order.objects.live()
            .filter(session__table=OuterRef("pk"), session__closed_at__isnull=True)
            .values("session__table")
            .annotate(total=Sum("total"))
            .values("total")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(has_open_session=Exists(open_sessions), open_total=Coalesce(Subquery(open_total), 0))
        )

    @admin.display(description=_("Session open"), boolean=True, ordering="has_open_session")
    def session_open(self, table):
        return table.has_open_session

    @admin.display(description=_("Current total"), ordering="open_total")
    def current_total(self, table):
        return won(table.open_total)

    def save_model(self, request, obj, form, change):
        self.bind_store(request, obj)
        password = form.cleaned_data["new_password"]
        if change and not password:
            return
        if change:
            table, _created = setup_table(store=obj.store, number=obj.number, password=password)
        else:
            table = create_table(store=obj.store, number=obj.number, password=password)
        # The admin goes on with `obj` (its change link, the log entry): make it the saved row.
        obj.pk = table.pk
        obj.refresh_from_db()

    @admin.action(description=_("Revoke the tablet (sign it out)"), permissions=["change"])
    def revoke_tablets(self, request, queryset):
        run_each(self, request, queryset, lambda table: revoke_tablet(table=table))

    @admin.action(description=CLOSE_SESSION_LABEL, permissions=["change"])
    def close_sessions(self, request, queryset):
        run_each(self, request, queryset, lambda table: close_session(table=table, actor=request.user))

"""The back-office login form: store identifier + username + password."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _


class StoreAuthenticationForm(AdminAuthenticationForm):
    """The admin login with a store field; a platform admin leaves it empty.

    Authenticates through `accounts.backends.StoreUserBackend` (and django-axes, which counts
    failures per store + username + address).
    """

    store_code = forms.CharField(
        label=_("Store identifier"),
        max_length=30,
        required=False,
        help_text=_("Platform admins leave this empty."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocapitalize": "none", "autocomplete": "organization"}),
    )
    field_order = ["store_code", "username", "password"]

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _("Store identifier, username or password is incorrect."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].label = _("Username")

    def clean(self):
        store_code = (self.cleaned_data.get("store_code") or "").strip().lower()
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = authenticate(
                self.request, store_code=store_code or None, username=username, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

"""Logins through django-axes, answering a lockout with 429 for API clients."""

from typing import TYPE_CHECKING, Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt, AccessFailureLog
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from core.api import LockedOut
from core.errors import error_response

if TYPE_CHECKING:
    from rest_framework.request import Request

    from accounts.models import Table, User

    class AxesRequest(HttpRequest):
        """A request as axes' middleware and handler leave it."""

        axes_ip_address: str | None
        axes_locked_out: bool
        axes_credentials: dict[str, Any] | None


def authenticate_or_lock(request: "Request", **credentials: Any) -> "User | Table | None":
    """`authenticate()` with axes counting failures; raises LockedOut (429) when locked.

    DRF wraps the request, so AxesMiddleware never sees an API lockout: check here.
    """
    http_request = request._request
    user = authenticate(http_request, **credentials)
    if getattr(http_request, "axes_locked_out", False):
        raise LockedOut()
    if user is not None and settings.AXES_RESET_ON_SUCCESS:
        # Token logins never call login(), so axes' own reset on user_logged_in never runs;
        # reset here, with the store code that scopes the failures.
        public = {key: value for key, value in credentials.items() if key != "password"}
        AxesProxyHandler.get_implementation().reset_user_attempts(http_request, public)
    return user


class AddressLimitedAxesHandler(AxesDatabaseHandler):
    """AXES_HANDLER: axes' database handler with two more limits, per account and per address.

    Axes counts failures per store + username (or table) + address and locks at
    AXES_FAILURE_LIMIT; a success resets that count. Beside it, within AXES_COOLOFF_TIME:

    - an account (store + username, or store + table) is locked for every address after
      AXES_ACCOUNT_FAILURE_LIMIT failures from any mix of addresses, counted in axes' failure
      log (AccessFailureLog, one row per failure), which a success does not reset;
    - an address is locked out of every login once it has failed on AXES_ADDRESS_FAILURE_LIMIT
      distinct accounts it has not since signed in to (axes' AccessAttempt rows, one per
      account + address, which a success deletes). Distinct accounts, not attempts: people
      behind one shared address (a carrier NAT, a store's Wi-Fi) who mistype and then sign in
      do not add up, while one address trying a password on every table does.

    A locked account or address is answered like axes' own lockout: `request.axes_locked_out`,
    so 429 from the API and the locked-out page.
    """

    def __init__(self) -> None:
        if not settings.AXES_ENABLE_ACCESS_FAILURE_LOG:
            raise ImproperlyConfigured("The per-account login limit counts AXES_ENABLE_ACCESS_FAILURE_LOG rows.")
        super().__init__()

    def address_accounts(self, request: "AxesRequest") -> int:
        """Accounts the request's address failed on within the cool-off and has not signed in to since."""
        if not request.axes_ip_address:
            return 0
        attempts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        )
        return attempts.values("username").distinct().count()

    def account_failures(self, request: "AxesRequest", credentials: dict[str, Any] | None) -> int:
        """Failed logins on the credentials' account within the cool-off, from any address."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        return AccessFailureLog.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        ).count()

    def limits_reached(self, request: "AxesRequest", credentials: dict[str, Any] | None) -> bool:
        if not settings.AXES_LOCK_OUT_AT_FAILURE:  # type: ignore[misc]
            return False
        return (
            self.address_accounts(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT
            or self.account_failures(request, credentials) >= settings.AXES_ACCOUNT_FAILURE_LIMIT
        )

    def reset_attempts(
        self, *, ip_address: str | None = None, username: str | None = None, ip_or_username: bool = False
    ) -> int:
        """Also lifts the address and account locks (`manage.py axes_reset_ip`,
        `axes_reset_username`, `axes_reset`): forgets the matching failures that count, those
        within the cool-off; older ones stay in the log."""
        count = super().reset_attempts(ip_address=ip_address, username=username, ip_or_username=ip_or_username)
        recent = AccessFailureLog.objects.filter(attempt_time__gte=timezone.now() - get_cool_off())
        fields = {"ip_address": ip_address, "username": username}
        matches = [Q(**{field: value}) for field, value in fields.items() if value]
        if matches:
            recent = recent.filter(matches[0] | matches[-1] if ip_or_username else matches[0] & matches[-1])
        recent.delete()
        return count

    def is_locked(self, request: "AxesRequest", credentials: dict[str, Any] | None = None) -> bool:
        return super().is_locked(request, credentials) or self.limits_reached(request, credentials)

    def user_login_failed(
        self, sender: object, credentials: dict[str, Any], request: "AxesRequest | None" = None, **kwargs: Any
    ) -> None:
        # Axes records the failure (AccessAttempt for the account, AccessFailureLog for all).
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if self.limits_reached(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )


def lockout_response(
    request: HttpRequest, original_response: object, credentials: dict[str, Any] | None
) -> HttpResponseBase:
    """AXES_LOCKOUT_CALLABLE: our JSON error for the API, a page for people."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        # Under ASGI, axes 8.3.1's middleware passes the credentials dict in the response's place.
        if isinstance(original_response, HttpResponseBase) and original_response.status_code == status:
            return original_response
        return error_response(status, LockedOut.default_code, LockedOut.default_detail)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=status)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: counted from the right of X-Forwarded-For past our own proxies.

    Only a request from one of TRUSTED_PROXY_ADDRESSES (the last proxy, nginx) is read that
    way; anyone else connecting straight to the app is their own address, whatever header
    they send. Entries further left than TRUSTED_PROXY_COUNT are whatever the client sent and
    cannot be trusted. A request from a proxy with fewer entries than TRUSTED_PROXY_COUNT
    means the count is too high (every client would share the proxy's address, or pick its
    own): the login is refused with ImproperlyConfigured, logged, rather than counted wrong.
    """
    peer = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if not count or peer not in settings.TRUSTED_PROXY_ADDRESSES:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXY_COUNT is {count}, but a request from the proxy {peer} came through "
            f"{len(forwarded)} proxies (X-Forwarded-For has {len(forwarded)} entries): set it to the "
            "number of proxies that append to X-Forwarded-For (nginx: 1, ALB + nginx: 2)."
        )
    return forwarded[-count]

"""Logins through django-axes, answering a lockout with 429 for API clients."""

from django.contrib.auth import authenticate

from tableorder.api import LockedOut


def authenticate_or_lock(request, **credentials):
    """`authenticate()` with axes counting failures; raises LockedOut (429) when locked.

    DRF wraps the request, so AxesMiddleware never sees an API lockout: check here.
    """
    http_request = request._request
    user = authenticate(http_request, **credentials)
    if getattr(http_request, "axes_locked_out", False):
        raise LockedOut()
    return user

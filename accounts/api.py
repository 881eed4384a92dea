"""Login endpoints."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from accounts.authentication import table_from_token
from accounts.login import authenticate_or_lock
from accounts.models import Table
from accounts.serializers import (
    ManagerLoginResponseSerializer,
    ManagerLoginSerializer,
    TableLoginResponseSerializer,
    TableLoginSerializer,
    TableRefreshSerializer,
)
from accounts.tokens import TableRefreshToken, manager_tokens, table_tokens


class LoginView(APIView):
    """Base for credential logins: open to anyone, failures are 401 with a Bearer challenge."""

    authentication_classes = []
    permission_classes = []

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class ManagerLoginView(LoginView):
    """Store identifier + username + password → 16-hour tokens carrying the store."""

    @extend_schema(request=ManagerLoginSerializer, responses=ManagerLoginResponseSerializer)
    def post(self, request):
        serializer = ManagerLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate_or_lock(request, **serializer.validated_data)
        if user is None or user.store_id is None:
            raise AuthenticationFailed(_("Store identifier, username or password is incorrect."))
        return Response(
            {
                **manager_tokens(user),
                "user": {"username": user.username},
                "store": {"code": user.store.code, "name": user.store.name},
            }
        )


def _table_login_body(table):
    return {
        **table_tokens(table),
        "store": {"code": table.store.code, "name": table.store.name},
        "table": {"id": table.id, "number": table.number},
    }


class TableLoginView(LoginView):
    """Store identifier + table number + table password → tokens for that table's tablet.

    Failures count toward the same lockout as manager logins.
    """

    @extend_schema(request=TableLoginSerializer, responses=TableLoginResponseSerializer)
    def post(self, request):
        serializer = TableLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        table = authenticate_or_lock(request, **serializer.validated_data)
        if not isinstance(table, Table):
            raise AuthenticationFailed(_("Store identifier, table number or table password is incorrect."))
        return Response(_table_login_body(table))


class TableRefreshView(LoginView):
    """A tablet's refresh token → new tokens, while its table password and tablet stand."""

    @extend_schema(request=TableRefreshSerializer, responses=TableLoginResponseSerializer)
    def post(self, request):
        serializer = TableRefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            refresh = TableRefreshToken(serializer.validated_data["refresh"])
        except TokenError as error:
            raise InvalidToken({"detail": _("Token is invalid or expired."), "code": "token_not_valid"}) from error
        return Response(_table_login_body(table_from_token(refresh)))

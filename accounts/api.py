"""Login endpoints."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.login import authenticate_or_lock
from accounts.serializers import ManagerLoginResponseSerializer, ManagerLoginSerializer
from accounts.tokens import manager_tokens


class ManagerLoginView(APIView):
    """Store identifier + username + password → 16-hour tokens carrying the store."""

    authentication_classes = []
    permission_classes = []

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

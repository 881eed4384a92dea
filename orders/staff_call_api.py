"""The tablet's staff calls (직원 호출): call for a reason, and list this table's calls."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.authentication import TableJWTAuthentication
from accounts.permissions import IsTablet
from core.api import validated
from orders.models import StaffCall
from orders.schema import RETRY_AFTER, rate_limited
from orders.selectors import open_session, session_staff_calls
from orders.serializers import StaffCallInputSerializer, StaffCallSerializer
from orders.staff_calls import call_staff


class TableStaffCallsView(GenericAPIView):
    """Staff calls of the requesting table's current session."""

    authentication_classes = [TableJWTAuthentication]
    permission_classes = [IsTablet]
    serializer_class = StaffCallSerializer

    def get_queryset(self):
        session = open_session(self.request.user)
        return session_staff_calls(session) if session else StaffCall.objects.none()

    @extend_schema(responses=StaffCallSerializer(many=True), description=_("Oldest first."))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([call.as_dict() for call in page])

    @extend_schema(
        request=StaffCallInputSerializer,
        responses={
            201: StaffCallSerializer,
            200: StaffCallSerializer,
            429: rate_limited(
                "`rate_limited`: this table made TABLE_STAFF_CALL_LIMIT new calls within TABLE_RATE_WINDOW_SECONDS; "
                "nothing was called. A waiting call for the reason still comes back with 200."
            ),
        },
        parameters=[RETRY_AFTER],
        description=_(
            "201 with a new call. While a call for that reason is waiting at this table, 200 with that call: "
            "no second alert. A call opens the table's session when none is open."
        ),
    )
    def post(self, request):
        data = validated(StaffCallInputSerializer(data=request.data))
        call, created = call_staff(table=request.user, reason=data["reason"])
        return Response(call.as_dict(), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

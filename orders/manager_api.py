"""The manager API for the floor: tables, their sessions, current orders, history and staff calls.

Views parse with a serializer, call a service or selector and shape the result; objects
come through `StoreScopedMixin`, so another store's are 404.
"""

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.models import Table
from accounts.services import create_table, revoke_tablet, setup_table
from core.api import StoreScopedMixin, validated
from orders.models import Order, OrderAudit, StaffCall
from orders.selectors import (
    current_orders,
    dashboard_tables,
    open_staff_calls,
    order_history,
    recent_staff_calls,
    session_totals,
    table_state,
)
from orders.serializers import (
    CloseSessionResponseSerializer,
    CurrentOrdersFilterSerializer,
    DashboardTableSerializer,
    DeleteOrderInputSerializer,
    HistoryFilterSerializer,
    HistoryOrderSerializer,
    ManagerOrderSerializer,
    OrderSerializer,
    OrderStatusInputSerializer,
    StaffCallFilterSerializer,
    StaffCallSerializer,
    TableCreateSerializer,
    TablePasswordSerializer,
)
from orders.services import acknowledge_order, change_order_status, close_session, delete_order
from orders.staff_calls import acknowledge_staff_call

TAGS = ["manager: floor"]
# An order's audit trail with its managers, in one query for a page of orders.
AUDIT = Prefetch("audits", queryset=OrderAudit.objects.select_related("actor", "from_table", "to_table"))


def audit_of(order):
    """`{"audit": [...]}` of an order whose audit records were read with AUDIT."""
    return {"audit": [record.as_dict() for record in order.audits.all()]}


class TableViewBase(StoreScopedMixin, GenericAPIView):
    queryset = Table.objects.order_by("number")
    serializer_class = DashboardTableSerializer

    def table_response(self, table, status_code=status.HTTP_200_OK):
        return Response(dashboard_tables([table])[0], status=status_code)


@extend_schema(tags=TAGS)
class TablesView(TableViewBase):
    """The store's tables by number, each with its open session's total and latest orders."""

    @extend_schema(responses=DashboardTableSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(dashboard_tables(page))

    @extend_schema(request=TableCreateSerializer, responses={201: DashboardTableSerializer})
    def post(self, request):
        data = validated(TableCreateSerializer(data=request.data))
        table = create_table(store=request.user.store, number=data["number"], password=data["password"])
        return self.table_response(table, status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class TableDetailView(TableViewBase):
    @extend_schema(responses=DashboardTableSerializer)
    def get(self, request, pk):
        return self.table_response(self.get_object())

    @extend_schema(
        request=TablePasswordSerializer,
        responses=DashboardTableSerializer,
        description=_("Resets the table password; the table's tablet is signed out."),
    )
    def patch(self, request, pk):
        table = self.get_object()
        data = validated(TablePasswordSerializer(data=request.data))
        table, _created = setup_table(store=request.user.store, number=table.number, password=data["password"])
        return self.table_response(table)


@extend_schema(tags=TAGS)
class RevokeTabletView(TableViewBase):
    @extend_schema(
        request=None,
        responses=DashboardTableSerializer,
        description=_("Signs the table's tablet out; it must be set up again with the table password."),
    )
    def post(self, request, pk):
        return self.table_response(revoke_tablet(table=self.get_object()))


@extend_schema(tags=TAGS)
class CloseSessionView(TableViewBase):
    @extend_schema(
        request=None,
        responses=CloseSessionResponseSerializer,
        description=_("Close table: the table's current orders move to history and its total resets."),
    )
    def post(self, request, pk):
        table = self.get_object()
        session = close_session(table=table, actor=request.user)
        total, count = session_totals(session.id)
        body = {
            "session": {
                "id": session.id,
                "opened_at": session.opened_at.isoformat(),
                "closed_at": session.closed_at.isoformat(),
                "total": total,
                "order_count": count,
                "unfinished_count": session.unfinished_count,
            },
            "table": table_state(table, None),
        }
        return Response(body)


class OrderViewBase(StoreScopedMixin, GenericAPIView):
    queryset = Order.objects.all()
    serializer_class = OrderSerializer


@extend_schema(tags=TAGS)
class CurrentOrdersView(OrderViewBase):
    """Orders of the open table sessions, oldest first."""

    @extend_schema(parameters=[CurrentOrdersFilterSerializer], responses=OrderSerializer(many=True))
    def get(self, request):
        filters = validated(CurrentOrdersFilterSerializer(data=request.query_params))
        orders = current_orders(self.get_queryset(), table_ids=filters.get("table"), status=filters.get("status"))
        page = self.paginate_queryset(orders)
        return self.get_paginated_response([order.as_dict() for order in page])


@extend_schema(tags=TAGS)
class OrderDetailView(OrderViewBase):
    def get_queryset(self):
        return super().get_queryset().with_lines().select_related("deleted_by")

    @extend_schema(responses=ManagerOrderSerializer, description=_("Any order of the store, deleted ones too."))
    def get(self, request, pk):
        order = self.get_object()
        prefetch_related_objects([order], AUDIT)
        deleted_by = order.deleted_by.get_username() if order.deleted_by else None
        deleted_at = order.deleted_at.isoformat() if order.deleted_at else None
        return Response({**order.as_dict(), "deleted_at": deleted_at, "deleted_by": deleted_by, **audit_of(order)})

    @extend_schema(
        request=OrderStatusInputSerializer,
        responses=OrderSerializer,
        description=_(
            "Forward any number of steps, or back exactly one (completed → preparing, preparing → pending) "
            "to undo a mis-tap; a step back is recorded with who and when. Anything else is a 409."
        ),
    )
    def patch(self, request, pk):
        order = self.get_object()
        data = validated(OrderStatusInputSerializer(data=request.data))
        changed = change_order_status(order=order, status=data["status"], actor=request.user, allow_step_back=True)
        return Response(changed.as_dict())

    @extend_schema(
        request=DeleteOrderInputSerializer,
        responses={204: OpenApiResponse(description=_("Deleted; kept for audit with who, when and why."))},
        description=_(
            "Manager's correction: the order counts nowhere any more; a deleted order is a 404 here. "
            "The body is optional: `reason` (`customer_cancel`, `wrong_order` or `other`, which needs a "
            "`reason_text`) is kept with the audit record; a bad one is a 400 and deletes nothing."
        ),
    )
    def delete(self, request, pk):
        order = self.get_object()
        data = validated(DeleteOrderInputSerializer(data=request.data))
        delete_order(
            order=order, actor=request.user, reason=data.get("reason", ""), reason_text=data.get("reason_text", "")
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS)
class AcknowledgeOrderView(OrderViewBase):
    @extend_schema(
        request=None,
        responses=OrderSerializer,
        description=_(
            "Acknowledges the order (확인): it is no longer new, on every dashboard. Again is fine "
            "(no second event); a status change or a delete does it too."
        ),
    )
    def post(self, request, pk):
        order, _changed = acknowledge_order(order=self.get_object(), actor=request.user)
        return Response(order.as_dict())


@extend_schema(tags=TAGS)
class HistoryView(OrderViewBase):
    """Orders of ended table sessions, newest first, each with the time its session ended."""

    @extend_schema(parameters=[HistoryFilterSerializer], responses=HistoryOrderSerializer(many=True))
    def get(self, request):
        filters = validated(HistoryFilterSerializer(data=request.query_params))
        orders = order_history(
            self.get_queryset().prefetch_related(AUDIT),
            table_ids=filters.get("table"),
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
        )
        page = self.paginate_queryset(orders)
        return self.get_paginated_response(
            [
                {**order.as_dict(), "session_closed_at": order.session.closed_at.isoformat(), **audit_of(order)}
                for order in page
            ]
        )


class StaffCallViewBase(StoreScopedMixin, GenericAPIView):
    queryset = StaffCall.objects.select_related("table")
    serializer_class = StaffCallSerializer


@extend_schema(tags=TAGS)
class StaffCallsView(StaffCallViewBase):
    """Staff calls of the open table sessions: the waiting ones (`status=open`) or all of them."""

    @extend_schema(parameters=[StaffCallFilterSerializer], responses=StaffCallSerializer(many=True))
    def get(self, request):
        filters = validated(StaffCallFilterSerializer(data=request.query_params))
        select = open_staff_calls if filters.get("status") == "open" else recent_staff_calls
        page = self.paginate_queryset(select(self.get_queryset(), table_ids=filters.get("table")))
        return self.get_paginated_response([call.as_dict() for call in page])


@extend_schema(tags=TAGS)
class AcknowledgeStaffCallView(StaffCallViewBase):
    @extend_schema(
        request=None,
        responses=StaffCallSerializer,
        description=_("Marks the call seen, on every dashboard and on the tablet; again is fine (no second event)."),
    )
    def post(self, request, pk):
        call, _changed = acknowledge_staff_call(call=self.get_object(), actor=request.user)
        return Response(call.as_dict())

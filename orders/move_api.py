"""The manager API for moving guests (이동·합석): a table's session, or one order, to another table.

Thin views over orders.moves; the target table is found among the request's store's tables
(another store's id is a 400, like an unknown one).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from core.api import validated
from orders.manager_api import OrderViewBase, TableViewBase
from orders.moves import move_order, move_session
from orders.serializers import MoveOrderInputSerializer, MoveTableInputSerializer, OrderSerializer

TAGS = ["manager: floor"]


@extend_schema(tags=TAGS)
class MoveTableView(TableViewBase):
    @extend_schema(
        request=MoveTableInputSerializer,
        responses={
            200: TableViewBase.serializer_class,
            409: OpenApiResponse(description=_("`no_open_session` or `table_in_use`.")),
        },
        description=_(
            "Moves the table's guests (its open session: orders, staff calls) to another table; order "
            "numbers stay. A table in use is a 409 `table_in_use` unless `merge` is true (합석: they join "
            "its session, one bill). Answers the target table as the tables list shows it."
        ),
    )
    def post(self, request, pk):
        table = self.get_object()
        data = validated(MoveTableInputSerializer(data=request.data, context={"request": request}))
        move_session(table=table, to_table=data["to_table_id"], merge=data["merge"], actor=request.user)
        return self.table_response(data["to_table_id"])


@extend_schema(tags=TAGS)
class MoveOrderView(OrderViewBase):
    @extend_schema(
        request=MoveOrderInputSerializer,
        responses={200: OrderSerializer, 409: OpenApiResponse(description=_("`order_deleted` or `session_closed`."))},
        description=_(
            "Moves one order to another table: it joins that table's open session (opening one); its "
            "number stays. A deleted order or one of an ended session is a 409."
        ),
    )
    def post(self, request, pk):
        order = self.get_object()
        data = validated(MoveOrderInputSerializer(data=request.data, context={"request": request}))
        return Response(move_order(order=order, to_table=data["to_table_id"], actor=request.user).as_dict())

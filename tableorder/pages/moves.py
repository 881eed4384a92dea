"""The dashboard's strings for moving guests (이동·합석, dashboard/move.js); `{name}`
placeholders are filled in by the script."""

from django.utils.translation import gettext_lazy as _

MOVE_STRINGS = {
    "move": _("Move"),
    "moveLabel": _("Move table {number}'s guests to another table"),
    "moveTitle": _("Move table {number}"),
    "moveChoose": _("Choose the table the guests move to. A table in use asks to merge."),
    "moveBusy": _("In use · {total}"),
    "moveConfirm": _(
        "Move the guests of table {from} to table {to}? Their orders and calls go along; order numbers stay."
    ),
    "moved": _("Moved table {from} to table {to}."),
    "merge": _("Merge"),
    "mergeTitle": _("Merge tables"),
    "mergeConfirm": _(
        "Table {to} has guests. Merge table {from} into it? Their orders become one table with one bill, "
        "and table {from} is cleared."
    ),
    "merged": _("Merged table {from} into table {to}."),
    "moveOrderTitle": _("Move order {number}"),
    "moveOrderChoose": _("Choose the table the order moves to."),
    "moveOrderConfirm": _("Move order {number} from table {from} to table {to}?"),
    "orderMoved": _("Moved order {number} to table {to}."),
    "movedAudit": _("{time} {by}: moved from table {from} to table {to}"),
}

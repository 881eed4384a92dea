"""The live order dashboard, a page of the admin site at `/admin/live/` (SPEC 4.2, 4.3).

The admin site mounts `urlpatterns` under `/admin/`, each view wrapped in `admin_view`, so
only signed-in staff reach it. The page is a shell: its script follows the store's event
stream and works through the manager API (`/api/v1/admin/…`) with the session cookie.
"""

import secrets

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext_lazy as _

from accounts.store_admin import user_store
from menus.views import CONTENT_SECURITY_POLICY
from orders.models import STATUS_FLOW

# Strings the dashboard's JavaScript shows; `{name}` placeholders are filled in by the script.
DASHBOARD_STRINGS = {
    "tableLabel": _("{number}번"),
    "tableTitle": _("{number}번 테이블"),
    "orderCount": _("{count}건"),
    "idle": _("빈 테이블"),
    "noOrders": _("주문 없음"),
    "moreOrders": _("주문 {count}건 더 보기"),
    "lineItem": _("{name} × {quantity}"),
    "linesShort": _("{first} 외 {rest}"),
    "new": _("NEW"),
    "newCount": _("새 주문 {count}"),
    "since": _("{time}부터"),
    "connecting": _("연결 중…"),
    "live": _("실시간 연결됨"),
    "reconnecting": _("다시 연결 중…"),
    "allTables": _("전체 테이블"),
    "someTables": _("{count}개 테이블"),
    "filterEmpty": _("선택한 테이블이 없습니다. 필터를 바꿔 주세요."),
    "noTables": _("아직 테이블이 없습니다. 관리 화면에서 테이블을 추가해 주세요."),
    "chimeOn": _("알림음 켜짐"),
    "chimeOff": _("알림음 꺼짐"),
    "statusChanged": _("{number} 주문을 '{status}'(으)로 바꿨습니다."),
    "deleteConfirm": _("{number} 주문({total})을 삭제할까요? 테이블 합계에서 빠지고, 되돌릴 수 없습니다."),
    "deleted": _("{number} 주문을 삭제했습니다."),
    "history": _("과거 내역"),
    "closeTable": _("이용 완료"),
    "delete": _("삭제"),
    "busyTables": _("이용 중 {busy}/{all}"),
    "floorTotal": _("합계 {total}"),
    "closeTitle": _("{number}번 테이블 이용 완료"),
    "closeConfirm": _(
        "{number}번 테이블을 이용 완료로 처리할까요? "
        "주문 {count}건({total})이 과거 내역으로 옮겨지고 테이블이 비워집니다."
    ),
    "closed": _("{number}번 테이블을 이용 완료 처리했습니다."),
    "deleteTitle": _("주문 삭제"),
    "orderedAt": _("{time} 주문"),
    "closedAt": _("이용 완료 {time}"),
    "historyTitle": _("{number}번 테이블 과거 내역"),
    "historyAll": _("전체 테이블 과거 내역"),
    "historyCount": _("{count}건"),
    "historyEmpty": _("이 기간에 끝난 주문이 없습니다."),
    "badRange": _("시작일이 종료일보다 늦습니다."),
    "loadFailed": _("불러오지 못했습니다: {message}"),
    "networkError": _("서버에 연결할 수 없습니다. 네트워크를 확인해 주세요."),
    "serverError": _("서버에 문제가 생겼습니다. 잠시 후 다시 시도해 주세요."),
    "orderGone": _("이미 삭제되었거나 끝난 주문입니다."),
    "optionPrice": _("{name} +{price}"),
    "noteLabel": _("요청사항"),
    "callsTitle": _("직원 호출 {count}건"),
    "callsLabel": _("직원 호출"),
    "callCount": _("호출 {count}"),
    "callAck": _("확인"),
    "callAckLabel": _("{number}번 테이블 {reason} 호출 확인"),
    "callAcked": _("{number}번 테이블의 호출({reason})을 확인했습니다."),
    "callGone": _("이미 확인되었거나 끝난 호출입니다."),
}


def _menu_admin_url():
    """The menu's admin pages; the admin index would send a store manager back here."""
    try:
        return reverse("admin:app_list", kwargs={"app_label": "menus"})
    except NoReverseMatch:
        return reverse("admin:index")


def live(request):
    """The dashboard page for the signed-in manager's store (a platform admin gets a notice)."""
    nonce = secrets.token_urlsafe(16)
    store = user_store(request)
    context = {
        **admin.site.each_context(request),
        "title": _("실시간 주문 현황"),
        # The grid needs the whole width; the admin's app sidebar stays on the admin pages.
        "is_nav_sidebar_enabled": False,
        "csp_nonce": nonce,
        "store": store,
        "menu_admin_url": _menu_admin_url(),
        "strings": {key: str(text) for key, text in DASHBOARD_STRINGS.items()},
        "config": {
            "storeCode": store.code if store else "",
            "api": "/api/v1/admin/",
            "stream": reverse("admin-stream"),
            "statuses": {status.value: str(status.label) for status in STATUS_FLOW},
            "loginUrl": f"{reverse('admin:login')}?next={reverse('admin:live')}",
        },
    }
    response = TemplateResponse(request, "dashboard/live.html", context)
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.format(nonce=nonce)
    return response


urlpatterns = [
    path("live/", live, name="live"),
]

"""The guest's tablet app at `/`: one page; everything else it does goes through the API."""

from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from core.csp import apply_policy, new_nonce

# Strings the tablet's JavaScript shows; `{name}` placeholders are filled in by the script.
TABLET_STRINGS = {
    "tableLabel": _("{number}번 테이블"),
    "add": _("담기"),
    "addNamed": _("{name} 담기"),
    "addWithPrice": _("{price} 담기"),
    "soldOut": _("품절"),
    "inCart": _("{count}개 담김"),
    "increase": _("{name} 하나 더"),
    "decrease": _("{name} 하나 빼기"),
    "remove": _("{name} 빼기"),
    "removeShort": _("삭제"),
    "quantity": _("수량"),
    "total": _("합계"),
    "cartCount": _("{count}개"),
    "cartEmpty": _("담은 메뉴가 없습니다."),
    "orderWithTotal": _("{total} 주문하기"),
    "sending": _("주문 보내는 중…"),
    "countdown": _("{seconds}초 후 메뉴로 돌아갑니다"),
    "setupInvalid": _("매장 식별자, 테이블 번호, 테이블 비밀번호를 모두 입력해 주세요."),
    "setupLocked": _("잘못된 비밀번호가 여러 번 입력되어 잠시 잠겼습니다. 잠시 후 다시 시도해 주세요."),
    "setupFailed": _("매장 식별자, 테이블 번호 또는 비밀번호가 올바르지 않습니다."),
    "networkError": _("서버에 연결할 수 없습니다. Wi-Fi 연결을 확인하고 다시 시도해 주세요."),
    "orderNetworkError": _(
        "주문 결과를 확인하지 못했습니다. 장바구니는 그대로입니다. "
        "다시 시도하면 같은 주문으로 처리되어 두 번 주문되지 않습니다."
    ),
    "orderFailed": _("주문하지 못했습니다. 장바구니는 그대로입니다."),
    "orderKeyExpired": _(
        "이전 주문 요청이 만료되어 이번 주문은 접수되지 않았습니다. 장바구니는 그대로입니다. "
        "주문 내용을 확인하고 다시 주문해 주세요."
    ),
    "soldOutInCart": _("품절된 메뉴가 있습니다: {names}. 장바구니에서 빼고 다시 주문해 주세요."),
    "serverError": _("서버에 문제가 생겼습니다. 잠시 후 다시 시도해 주세요."),
    "menuLoadFailed": _("메뉴를 불러오지 못했습니다."),
    "menuEmpty": _("아직 등록된 메뉴가 없습니다."),
    "retry": _("다시 시도"),
    "historyEmpty": _("아직 주문 내역이 없습니다."),
    "historyLoadFailed": _("주문 내역을 불러오지 못했습니다."),
    "historyTotal": _("지금까지 {count}건 · {total}"),
    "orderTime": _("{time} 주문"),
    "lineItem": _("{name} × {quantity}"),
    "signedOut": _("이 태블릿의 설정이 해제되었습니다. 관리자에게 다시 설정을 요청해 주세요."),
    "required": _("필수"),
    "optional": _("선택"),
    "chooseExactly": _("{count}개 선택"),
    "chooseBetween": _("{min}~{max}개 선택"),
    "chooseUpTo": _("최대 {max}개"),
    "chooseRequired": _("필수 옵션을 골라 주세요"),
    "optionsChanged": _("옵션 변경됨"),
    "optionsChangedInCart": _("옵션이 바뀐 메뉴가 있습니다: {names}. 장바구니에서 빼고 다시 담아 주세요."),
    "noteCount": _("{count}/{max}자"),
    "noteShown": _("요청사항: {note}"),
    "callWaiting": _("직원을 호출했습니다 · {reasons} · 대기 중"),
    "callSeen": _("직원이 확인했습니다 · {reasons} · 확인됨 {time}"),
    "callSending": _("호출하는 중…"),
    "callStateWaiting": _("대기 중"),
    "callStateSeen": _("확인됨 {time}"),
    "callFailed": _("직원을 호출하지 못했습니다."),
    "callReasonGone": _("호출 사유가 바뀌었습니다. 다시 골라 주세요."),
}


class TabletView(TemplateView):
    """The tablet page at `/`: setup, menu, cart, ordering and the session's orders."""

    template_name = "tablet/index.html"

    def get(self, request, *args, **kwargs):
        nonce = new_nonce()
        return apply_policy(self.render_to_response(self.get_context_data(csp_nonce=nonce, **kwargs)), nonce)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["strings"] = {key: str(text) for key, text in TABLET_STRINGS.items()}
        return context


tablet = TabletView.as_view()

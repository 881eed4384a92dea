"""The guest's tablet app at `/`: one page; everything else it does goes through the API."""

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from core.csp import apply_policy, new_nonce
from core.languages import GUEST_LANGUAGE_CODES, GUEST_LANGUAGES, LANGUAGE_TAGS, STORE_LANGUAGE
from menus.allergens import ALLERGENS
from orders.models import OrderStatus
from tableorder.pages.ordering import ORDERING_STRINGS

# Strings the tablet's JavaScript shows; `{name}` placeholders are filled in by the script.
TABLET_STRINGS = {
    **ORDERING_STRINGS,
    "tableLabel": _("Table {number}"),
    "added": _("{name} added to the cart"),
    "addNamed": _("Add {name}"),
    "addWithPrice": _("Add · {price}"),
    "soldOut": _("Sold out"),
    "inCart": _("In cart: {count}"),
    "increase": _("One more {name}"),
    "decrease": _("One less {name}"),
    "remove": _("Remove {name}"),
    "removeShort": _("Delete"),
    "quantity": _("Quantity"),
    "total": _("Total"),
    "cartCount": _("{count}"),
    "cartEmpty": _("Your cart is empty."),
    "cartChecking": _("Checking the cart kept on this tablet…"),
    "placeOrder": _("Place order"),
    "notInTotal": _("Not in the total"),
    "orderWithoutSoldOut": _("Order without the sold-out items · {total}"),
    "orderWithoutUnorderable": _("Order without the items that cannot be ordered · {total}"),
    "allSoldOut": _("Everything in the cart is sold out. Remove it and choose something else."),
    "nothingOrderable": _("Nothing in the cart can be ordered now. Remove it and choose again."),
    "orderWithTotal": _("Place order · {total}"),
    "sending": _("Sending your order…"),
    "countdown": _("Back to the menu in {seconds} s"),
    "setupInvalid": _("Enter the store identifier, the table number and the table password."),
    "setupLocked": _("Locked for a while after several wrong passwords. Please try again in a moment."),
    "setupFailed": _("Store identifier, table number or password is incorrect."),
    "networkError": _("Cannot reach the server. Check the Wi-Fi connection and try again."),
    "orderPending": _(
        "The order has not been confirmed yet: the connection dropped. Your cart is kept. "
        "The same order is sent again by itself once the connection is back, so it is never placed twice."
    ),
    "orderFailed": _("The order did not go through. Your cart is unchanged."),
    "orderKeyExpired": _(
        "The earlier order request expired, so this order was not placed. Your cart is unchanged. "
        "Check the order and place it again."
    ),
    "soldOutInCart": _("Sold out: {names}. They are not in the total and are left out of the order."),
    "serverError": _("Something went wrong on the server. Please try again in a moment."),
    "menuLoadFailed": _("Could not load the menu."),
    "menuEmpty": _("No menu items yet."),
    "retry": _("Try again"),
    "historyEmpty": _("No orders yet."),
    "historyLoadFailed": _("Could not load your orders."),
    "historyTotal": _("Orders so far: {count} · {total}"),
    "orderTime": _("Ordered {time}"),
    "lineItem": _("{name} × {quantity}"),
    "signedOut": _("This tablet has been signed out. Ask a manager to set it up again."),
    "required": _("Required"),
    "optional": _("Optional"),
    "chooseExactly": _("Choose {count}"),
    "chooseBetween": _("Choose {min}–{max}"),
    "chooseUpTo": _("Up to {max}"),
    "chooseRequired": _("Choose the required options"),
    "optionsChanged": _("Options changed"),
    "optionsChangedInCart": _("Options changed: {names}. Remove them from the cart and add them again."),
    "noteCount": _("{count}/{max} characters"),
    "noteShown": _("Note: {note}"),
    "callWaiting": _("Staff called · {reasons} · waiting"),
    "callSeen": _("Staff have seen your call · {reasons} · {time}"),
    "callSending": _("Calling…"),
    "callStateWaiting": _("Waiting"),
    "callStateSeen": _("Seen {time}"),
    "callFailed": _("Could not call staff."),
    "callReasonGone": _("The call reasons have changed. Please choose again."),
    # The bill (static/tablet/bill.js)
    "billLoadFailed": _("Could not load the bill."),
    "billOrders": _("{count} orders"),
    "billPeople": _("{count} people"),
    "billShareEach": _("{amount} each"),
    "billPickLine": _("{name} · {price} each"),
    "billPicked": _("{count} of {quantity}"),
    "billRequested": _("We let the staff know you would like to pay."),
    # Easy mode and voice (static/tablet/easy.js, voice.js)
    "easyNoteOpen": _("Write a note"),
    "voiceWon": _("{amount} won"),
    "voiceItem": _("{name}, {price}"),
    "voiceSoldOut": _("{name}, sold out"),
    "voiceCart": _("Cart: {count} items, total {total}"),
    "voiceOrdered": _("Your order is in. Order number {number}."),
    # Languages, origin and allergens (static/tablet/lang.js, menu.js, item.js; SPEC 3.10, 3.12)
    "origin": _("Origin: {origin}"),
    "allergens": _("Allergens: {names}"),
    "originNotice": _("Country of origin"),
    # Between the names of a list ("、" in Chinese and Japanese).
    "listSeparator": _(", "),
    # Read out when a cart line is deleted (static/tablet/cart-panel.js)
    "removed": _("{name} removed from the cart"),
    # An order's status in the session's orders (static/tablet/history.js), by its code: the
    # tablet's own words, as events carry the label in the language of whoever changed it.
    "status_pending": OrderStatus.PENDING.label,
    "status_preparing": OrderStatus.PREPARING.label,
    "status_completed": OrderStatus.COMPLETED.label,
}


class TabletView(TemplateView):
    """The tablet page at `/`: setup, menu, cart, ordering and the session's orders."""

    template_name = "tablet/index.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The page's language is the one in its address, Korean without one (SPEC 3.10): not the
        # browser's Accept-Language nor a cookie, so the next guests always start in Korean.
        language = request.GET.get("lang", "")
        if language not in GUEST_LANGUAGE_CODES:
            language = STORE_LANGUAGE
        nonce = new_nonce()
        with translation.override(language):
            context = self.get_context_data(csp_nonce=nonce, language=language, **kwargs)
            # Rendered now, while the language is the page's.
            response = cast(TemplateResponse, self.render_to_response(context))
            response.render()
        response["Content-Language"] = LANGUAGE_TAGS[language]
        return apply_policy(response, nonce)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        strings = {key: str(text) for key, text in TABLET_STRINGS.items()}
        # The official list is Korean: a Korean page shows the names as they are.
        korean = context["language"] == STORE_LANGUAGE
        allergens = {name: name if korean else str(label) for name, label in ALLERGENS}
        context["strings"] = {**strings, "allergenNames": allergens}
        context["html_lang"] = LANGUAGE_TAGS[context["language"]]
        context["language_name"] = dict(GUEST_LANGUAGES)[context["language"]]
        context["languages"] = [
            {"code": code, "name": name, "html_lang": LANGUAGE_TAGS[code], "current": code == context["language"]}
            for code, name in GUEST_LANGUAGES
        ]
        return context


tablet = TabletView.as_view()

// The tablet app: setup → menu (home) → cart → review → success, and the session's orders and bill.
// Each section owns its state; this module wires them together and starts a signed-in table.

import { keepAwake } from "../shared/wakelock.js";
import { ApiError, isSignOut, loadAuth, messageOf } from "./api.js";
import { billChanged, bindBill, openBill, refreshBill, resetBill } from "./bill.js";
import { StaffCalls } from "./calls.js";
import { bindCartPanel, closeSheet, renderCart } from "./cart-panel.js";
import { currentCart, openCart } from "./cart.js";
import { $, closeOnBackdrop, h, t, trapFocus } from "./dom.js";
import { bindEasy, setEasy } from "./easy.js";
import { bindHistory, onClosedSession, onSessionEnd, openHistory, resetHistory } from "./history.js";
import { addToCart, bindItem, openItem, refreshItem } from "./item.js";
import { backToKorean, bindLanguage } from "./lang.js";
import { startLive, stopLive } from "./live.js";
import { bindMenu, hasMenu, itemById, loadMenu, onMenu, refreshMenu, resetMenu } from "./menu.js";
import { bindOrdering, setOrdering } from "./ordering.js";
import { bindReminder } from "./reminder.js";
import { bindReview, isSending, refreshReview, renderPending, retryPending } from "./review.js";
import { guarded, onSignedOut, onView, showScreen, showView, toast } from "./screens.js";
import { bindSetup, showSetup } from "./setup.js";

// Without the stream's menu.updated, menu changes reach an idle tablet this often; an unchanged
// menu costs a 304.
const MENU_REFRESH_MS = 60000;

let signedIn = false;

const calls = new StaffCalls({
  guarded,
  onError: (error) => {
    // The store changed its reasons meanwhile: show the ones it has now.
    if (error instanceof ApiError && error.status === 400) {
      toast(t("callReasonGone"));
      refreshMenu();
    } else toast(`${t("callFailed")} ${messageOf(error)}`);
  },
});

async function start() {
  const auth = loadAuth();
  if (!auth) return showSetup();
  signedIn = true;
  const cart = openCart(auth.store.code, auth.table.number);
  cart.onChange(renderCart);
  cart.onChange(renderPending);
  renderPending();
  calls.reset();
  calls.setReasons([]);
  resetMenu(auth.store.code);
  resetHistory();
  resetBill();
  $("store-name").textContent = auth.store.name;
  $("table-label").textContent = t("tableLabel", { number: auth.table.number });
  renderCart();
  showScreen("main");
  showView("menu");
  startLive(calls, sessionClosed, retryPending);
  await guarded(loadMenu, (error) => {
    if (hasMenu()) return toast(messageOf(error));
    $("menu-content").replaceChildren(
      h("div", { class: "empty" },
        h("p", { text: `${t("menuLoadFailed")} ${messageOf(error)}` }),
        h("button", { type: "button", class: "btn btn-secondary", onclick: () => guarded(loadMenu, () => null), text: t("retry") }),
      ),
    );
  });
}

/**
 * The table's last closed session is `closedSessionId`. Heard live, the guests are leaving now;
 * heard on connecting or with the list of orders, they left while the tablet was off, asleep,
 * reloading or between two polls if the cart was kept under an earlier one. Either way the next
 * guests start clean: no cart, no note, no calls, no bill, no dialog or review of the last ones. Until
 * the first word, a cart the device kept is held back (Cart.followClosedSession).
 */
function sessionClosed(closedSessionId, live) {
  const cart = currentCart();
  const held = cart.isHeld;
  if (!cart.followClosedSession(closedSessionId) && !live) {
    // The kept cart is the current guests': an order it left unanswered (a reload) goes again.
    if (held) retryPending();
    return;
  }
  // A request on its way keeps its key until it is answered.
  if (!isSending()) cart.forgetIdempotencyKey();
  cart.clear();
  calls.clear(closedSessionId);
  resetBill();
  billChanged();
  closeSheet();
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  setEasy(false);
  backToKorean();
}

function signOut(message) {
  stopLive();
  signedIn = false;
  resetMenu(null);
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  showSetup(message);
}

function bind() {
  onSignedOut(signOut);
  bindSetup(start);
  bindMenu({ open: openItem, add: (item) => addToCart(item) });
  bindItem();
  bindCartPanel();
  bindReview();
  bindHistory();
  bindBill(calls);
  bindEasy();
  bindReminder();
  bindLanguage();
  onMenu((menu) => {
    calls.setReasons(menu.staff_call_reasons, menu.staff_call_reason_labels);
    // The stored login keeps the name the store had then; the menu carries the one it has now.
    if (menu.store_name) $("store-name").textContent = menu.store_name;
    setOrdering(menu.ordering);
    // Open dialogs show the menu as it is now: a sold-out item cannot be added or sent unnoticed.
    refreshItem(itemById);
    refreshReview();
    refreshBill();
  });
  bindOrdering({
    onChange: () => {
      renderCart();
      refreshReview();
    },
    recheck: () => signedIn && refreshMenu(),
  });
  onView((view) => {
    if (view === "history") openHistory();
    if (view === "bill") openBill();
  });
  onClosedSession((closedSessionId) => sessionClosed(closedSessionId, false));
  onSessionEnd(() => {
    // Its orders are history: a key kept for a retry must not replay one of them. A request on
    // its way keeps its key until it is answered.
    if (!isSending()) currentCart().forgetIdempotencyKey();
  });
  $("nav-menu").addEventListener("click", () => showView("menu"));
  $("nav-history").addEventListener("click", () => {
    closeSheet();
    showView("history");
  });
  $("nav-bill").addEventListener("click", () => {
    closeSheet();
    showView("bill");
  });
  $("call-open").addEventListener("click", () => {
    closeSheet();
    calls.open();
  });
  for (const dialog of document.querySelectorAll("dialog")) {
    // The review stays open while its order is on its way.
    closeOnBackdrop(dialog, () => dialog.id === "review-dialog" && isSending());
    trapFocus(dialog);
  }
  const refreshIdleMenu = () => {
    if (signedIn && document.body.dataset.screen === "main" && !document.hidden) refreshMenu();
  };
  setInterval(refreshIdleMenu, MENU_REFRESH_MS);
  document.addEventListener("visibilitychange", refreshIdleMenu);
  window.addEventListener("storage", (event) => {
    if (isSignOut(event)) signOut();
  });
}

bind();
start();
keepAwake();

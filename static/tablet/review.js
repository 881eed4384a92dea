// Review and order: the cart once more with the note (요청사항), the order sent under the cart's
// idempotency key, and the success screen with its countdown back to the menu.

import { ApiError, NetworkError, SignedOut, errorOf, loadAuth, request } from "./api.js";
import { cartSummary, closeSheet, lineName, orderLabel, renderCart } from "./cart-panel.js";
import { MAX_NOTE_LENGTH, currentCart } from "./cart.js";
import { $, displayNumber, h, t, won } from "./dom.js";
import { orderLine } from "./history.js";
import { pageLanguage } from "./lang.js";
import { loadMenu } from "./menu.js";
import { optionsLabel } from "./options.js";
import { closedText, orderingOpen } from "./ordering.js";
import { announce, guarded, showScreen, showView, signedOut } from "./screens.js";

const SUCCESS_SECONDS = 5;

let sending = false;
let successTimer = null;

/** An order is on its way: the review stays open and the cart's key is kept. */
export function isSending() {
  return sending;
}

/**
 * The lines the current menu cannot take leave the cart (the one tap of "품절 메뉴 빼고
 * 주문하기"); false when nothing could be ordered.
 */
function leaveOutProblems() {
  const { problems, orderable } = cartSummary();
  if (!orderable.length) return false;
  if (problems.size) currentCart().remove(...[...problems.keys()].map((line) => line.key));
  return true;
}

function openReview() {
  if (!leaveOutProblems()) return;
  closeSheet();
  renderReview();
  setError(currentCart().unconfirmed() ? t("orderPending") : null);
  warnSoldOut();
  $("review-note").value = currentCart().note;
  renderNoteCount();
  // Its title takes the focus (`autofocus`), never the note: a focused text field opens the
  // on-screen keyboard over the confirm button.
  $("review-dialog").showModal();
}

/** The menu changed: an open review shows what can still be ordered. */
export function refreshReview() {
  if (!$("review-dialog").open || sending) return;
  renderReview();
  warnSoldOut();
}

function renderNoteCount() {
  $("review-note-count").textContent = t("noteCount", { count: $("review-note").value.length, max: MAX_NOTE_LENGTH });
}

function renderReview() {
  const cart = currentCart();
  const summary = cartSummary();
  const { problems } = summary;
  $("review-lines").replaceChildren(
    ...cart.lines.map((line) =>
      h("li", { class: problems.has(line) ? "is-soldout" : null },
        h("span", { class: "review-name" },
          h("span", { text: t("lineItem", { name: line.name, quantity: line.quantity }) }),
          optionsLabel(line.options),
        ),
        problems.has(line) ? h("span", { class: "tag tag-danger", text: t(problems.get(line)) }) : null,
        h("span", { class: "review-amount", text: won(line.price * line.quantity) }),
      ),
    ),
  );
  $("review-total").textContent = won(summary.total);
  // With nothing left to order, the button is off and the error above it says why.
  const label = summary.orderable.length && orderLabel(summary);
  $("review-confirm").textContent = sending
    ? t("sending")
    : closedText() || label || t("orderWithTotal", { total: won(summary.total) });
  $("review-confirm").disabled = sending || !summary.orderable.length || !orderingOpen();
}

function setError(message, details = []) {
  const box = $("review-error");
  box.hidden = !message;
  box.replaceChildren();
  if (!message) return;
  box.append(h("p", { class: "alert-title", text: message }));
  if (details.length) box.append(h("ul", {}, details.map((detail) => h("li", { text: detail }))));
}

async function confirmOrder() {
  const cart = currentCart();
  if (sending) return;
  // An order that may have been placed already goes again as it was, under its key.
  const pending = cart.unconfirmed();
  if (!pending && !leaveOutProblems()) return;
  setError(null);
  await send(pending || { body: cart.orderBody(), key: cart.idempotencyKey() }, false);
}

/**
 * Send the order `body` under `key`. Without an answer for certain (the network, the server),
 * it stays on the device under the same key, to go again when the connection is back
 * (`retryPending`); `auto` is such a retry.
 */
async function send({ body, key }, auto) {
  const cart = currentCart();
  sending = true;
  renderReview();
  try {
    const response = await request("/api/v1/orders", { method: "POST", body, headers: { "Idempotency-Key": key } });
    if (response.status >= 500) throw await errorOf(response);
    if (!response.ok) {
      // The server answered for certain and made no order: a new attempt gets a new key.
      cart.forgetIdempotencyKey();
      throw await errorOf(response);
    }
    const order = await response.json();
    cart.forgetIdempotencyKey();
    cart.settle(body);
    // Confirmed in the background: whatever the guest had open gives way to the order's number.
    for (const dialog of document.querySelectorAll(auto ? "dialog[open]" : "#review-dialog[open]")) dialog.close();
    closeSheet();
    showSuccess(order);
  } catch (error) {
    if (error instanceof SignedOut) return signedOut(t("signedOut"));
    const unanswered = error instanceof NetworkError || !(error instanceof ApiError) || error.status >= 500;
    if (unanswered) cart.markUnconfirmed(key);
    if (auto && unanswered) return;
    // A refusal heard on a retry in the background is shown where the order was reviewed.
    if (!$("review-dialog").open) {
      closeSheet();
      $("review-dialog").showModal();
    }
    await orderFailed(error);
  } finally {
    sending = false;
    if ($("review-dialog").open) {
      renderReview();
      // The confirm button was off while sending: the keyboard comes back to it (or to the title).
      if (!$("review-dialog").contains(document.activeElement)) {
        ($("review-confirm").disabled ? $("review-title") : $("review-confirm")).focus();
      }
    }
  }
}

/** The order kept after a failed send goes again, under its key, if the device is online. */
export function retryPending() {
  const cart = currentCart();
  if (!cart || !loadAuth() || sending || cart.isHeld || !navigator.onLine || !cart.unconfirmed()) return;
  send(cart.unconfirmed(), true);
}

/** The bar that says an order waits for the connection. */
export function renderPending() {
  $("pending-bar").hidden = !currentCart()?.unconfirmed();
}

async function orderFailed(error) {
  if (error instanceof NetworkError) return setError(t("orderPending"));
  if (!(error instanceof ApiError) || error.status >= 500) return setError(t("serverError"));
  // The key's order left the table's session (closed, deleted): nothing was placed now, and
  // the next tap sends the cart under a new key.
  if (error.code === "idempotency_key_expired") return setError(t("orderKeyExpired"));
  // The store stopped taking orders meanwhile: the cart stays, the menu says until when.
  if (error.code === "ordering_closed") {
    await guarded(loadMenu, () => null);
    // The server words it in Korean; the tablet's own words are in the page's language.
    return setError((pageLanguage() !== "ko" && closedText()) || error.message);
  }
  // Something on the menu changed (sold out, removed): show it in the cart.
  await guarded(loadMenu, () => null);
  renderCart();
  if (warnSoldOut()) return;
  const details = error.fields ? Object.values(error.fields).flat().map(String) : [error.message];
  setError(t("orderFailed"), details);
}

/** Name the cart's lines that cannot be ordered in the review dialog; false when there are none. */
function warnSoldOut() {
  const summary = cartSummary();
  const problems = [...summary.problems];
  if (!problems.length) return false;
  if (!summary.orderable.length) {
    setError(orderLabel(summary));
    return true;
  }
  const names = (kind) => problems.filter(([, problem]) => problem === kind).map(([line]) => lineName(line));
  const soldOut = names("soldOut");
  const changed = names("optionsChanged");
  setError(
    soldOut.length ? t("soldOutInCart", { names: soldOut.join(", ") }) : t("optionsChangedInCart", { names: changed.join(", ") }),
    soldOut.length && changed.length ? [t("optionsChangedInCart", { names: changed.join(", ") })] : [],
  );
  return true;
}

function showSuccess(order) {
  $("success-number").textContent = displayNumber(order);
  $("success-total").textContent = won(order.total);
  $("success-lines").replaceChildren(...order.items.map(orderLine));
  $("success-note").textContent = order.note ? t("noteShown", { note: order.note }) : "";
  $("success-note").hidden = !order.note;
  showScreen("success");
  announce(`${$("success-title").textContent} · ${$("success-number-label").textContent} ${displayNumber(order)}`);
  $("success-back").focus();
  let remaining = SUCCESS_SECONDS;
  const tick = () => {
    $("success-countdown").textContent = t("countdown", { seconds: remaining });
    if (remaining <= 0) return backToMenu();
    remaining -= 1;
    successTimer = setTimeout(tick, 1000);
  };
  tick();
}

function backToMenu() {
  clearTimeout(successTimer);
  successTimer = null;
  showScreen("main");
  showView("menu");
  $("menu-view").scrollTo({ top: 0 });
  guarded(loadMenu, () => null);
}

export function bindReview() {
  $("cart-order").addEventListener("click", openReview);
  $("review-confirm").addEventListener("click", confirmOrder);
  $("success-back").addEventListener("click", backToMenu);
  $("review-note").addEventListener("input", () => {
    currentCart().setNote($("review-note").value);
    renderNoteCount();
  });
  $("review-dialog").addEventListener("cancel", (event) => {
    if (sending) event.preventDefault();
  });
  // Back online: an order kept for lack of an answer goes again (and when the stream is back
  // after a cut: app.js).
  window.addEventListener("online", retryPending);
}

// The tablet app: setup → menu (home) → cart → review → success, and the session's orders.

import { ApiError, NetworkError, SignedOut, errorOf, lastSetup, loadAuth, login, relative, request, requestJson } from "./api.js";
import { StaffCalls } from "./calls.js";
import { Cart, MAX_NOTE_LENGTH, MAX_QUANTITY } from "./cart.js";
import { $, clock, h, itemImage, t, won } from "./dom.js";
import { LiveStream } from "./live.js";
import {
  chosenOptions, hasOptions, lineProblem, optionNames, optionsById, optionsText, renderChooser, unitPrice, unmetGroups,
} from "./options.js";

const SUCCESS_SECONDS = 5;
const POLL_MS = 10000;
// Without the stream's menu.updated, menu changes reach an idle tablet this often; an unchanged
// menu costs a 304.
const MENU_REFRESH_MS = 60000;
const sheetQuery = window.matchMedia("(max-width: 1023px)");

const state = {
  auth: null,
  cart: null,
  menu: null,
  itemsById: new Map(),
  detailItem: null,
  detailQuantity: 1,
  // The option ids picked in the item dialog.
  detailChosen: new Set(),
  sending: false,
  successTimer: null,
  // `sessionId`: the session the list shows; `pending`: events heard while the list loads.
  history: { orders: [], next: null, sessionId: null, loadId: 0, pending: null },
  live: null,
  pollTimer: null,
  menuLoad: null,
  calls: null,
};

// ---------------------------------------------------------------- screens

function showScreen(name) {
  for (const id of ["loading-screen", "setup-screen", "main-screen", "success-screen"]) {
    $(id).hidden = id !== `${name}-screen`;
  }
  $("toast").hidden = true;
  document.body.dataset.screen = name;
}

function showView(name) {
  $("menu-view").hidden = name !== "menu";
  $("history-view").hidden = name !== "history";
  for (const [view, tab] of [["menu", "nav-menu"], ["history", "nav-history"]]) {
    if (view === name) $(tab).setAttribute("aria-current", "page");
    else $(tab).removeAttribute("aria-current");
  }
  document.body.dataset.view = name;
  if (name === "history") openHistory();
}

let toastTimer = null;
function toast(message) {
  const el = $("toast");
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 3500);
}

function signedOut(message) {
  stopLive();
  state.auth = null;
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  showSetup(message);
}

/** Run an API action; a revoked tablet goes back to setup, other errors go to `onError`. */
async function guarded(action, onError) {
  try {
    return await action();
  } catch (error) {
    if (error instanceof SignedOut) return signedOut(t("signedOut"));
    if (onError) return onError(error);
    throw error;
  }
}

function messageOf(error) {
  if (error instanceof NetworkError) return t("networkError");
  if (error instanceof ApiError && error.status >= 500) return t("serverError");
  return error.message || t("serverError");
}

// ---------------------------------------------------------------- setup

function showSetup(message) {
  const form = $("setup-form");
  const last = lastSetup();
  if (!form.store_code.value && last.store_code) form.store_code.value = last.store_code;
  if (!form.table_number.value && last.table_number) form.table_number.value = last.table_number;
  form.password.value = "";
  setSetupError(message || "");
  showScreen("setup");
  (form.store_code.value ? form.password : form.store_code).focus();
}

function setSetupError(message) {
  $("setup-error").textContent = message;
  $("setup-error").hidden = !message;
}

async function submitSetup(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const store_code = form.store_code.value.trim().toLowerCase();
  const table_number = Number.parseInt(form.table_number.value, 10);
  const password = form.password.value;
  if (!store_code || !Number.isInteger(table_number) || table_number < 1 || !password) {
    setSetupError(t("setupInvalid"));
    return;
  }
  const button = $("setup-submit");
  button.disabled = true;
  try {
    await login({ store_code, table_number, password });
    form.password.value = "";
    setSetupError("");
    await start();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) setSetupError(t("setupFailed"));
    else if (error instanceof ApiError && error.status === 429) setSetupError(t("setupLocked"));
    else if (error instanceof ApiError && error.status === 400 && error.fields) {
      setSetupError(Object.values(error.fields).flat().join(" "));
    } else setSetupError(messageOf(error));
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- menu

function menuCacheKey() {
  return `tableorder.menu.${state.auth.store.code}`;
}

/** The menu, revalidated with its ETag; the last copy is kept so a flaky network still shows it. */
async function loadMenu() {
  let cached = null;
  try {
    cached = JSON.parse(localStorage.getItem(menuCacheKey()));
  } catch {
    cached = null;
  }
  if (cached && !state.menu) setMenu(cached.menu);
  const headers = cached && cached.etag ? { "If-None-Match": cached.etag } : {};
  const response = await request("/api/v1/menu", { headers });
  if (response.status === 304 && cached) return setMenu(cached.menu);
  if (!response.ok) throw await errorOf(response);
  const menu = await response.json();
  const etag = response.headers.get("ETag");
  localStorage.setItem(menuCacheKey(), JSON.stringify({ etag, menu }));
  setMenu(menu);
}

/** After a menu.updated event: read the menu again, and once more if it changed during a read. */
async function refreshMenu() {
  if (state.menuLoad) {
    state.menuLoad.again = true;
    return;
  }
  const load = { again: true };
  state.menuLoad = load;
  try {
    while (load.again && state.auth) {
      load.again = false;
      await guarded(loadMenu, () => null);
    }
  } finally {
    state.menuLoad = null;
  }
}

function setMenu(menu) {
  state.menu = menu;
  state.itemsById = new Map(menu.categories.flatMap((category) => category.items.map((item) => [item.id, item])));
  state.cart.syncWithMenu(state.itemsById);
  state.calls.setReasons(menu.staff_call_reasons);
  renderMenu();
  // Open dialogs show the menu as it is now: a sold-out item cannot be added or sent unnoticed.
  if ($("item-dialog").open && state.detailItem) {
    const item = state.itemsById.get(state.detailItem.id);
    if (item) showItem(item);
    else $("item-dialog").close();
  }
  if ($("review-dialog").open && !state.sending) {
    renderReview();
    warnSoldOut();
  }
}

function renderMenu() {
  const bar = $("category-bar");
  const content = $("menu-content");
  const categories = state.menu.categories.filter((category) => category.items.length);
  bar.replaceChildren(
    ...categories.map((category, index) =>
      h("button", {
        type: "button",
        class: "chip",
        "data-category": category.id,
        "aria-current": index === 0 ? "true" : null,
        onclick: () => jumpTo(category.id),
        text: category.name,
      }),
    ),
  );
  if (!categories.length) {
    content.replaceChildren(h("p", { class: "empty", text: t("menuEmpty") }));
    return;
  }
  content.replaceChildren(
    ...categories.map((category) =>
      h("section", { class: "category", id: `category-${category.id}`, "aria-labelledby": `category-title-${category.id}` },
        h("h2", { class: "category-title", id: `category-title-${category.id}`, text: category.name }),
        h("ul", { class: "item-grid" }, category.items.map(itemCard)),
      ),
    ),
  );
  watchCategories();
  renderCardBadges();
}

function itemCard(item) {
  const soldOut = !item.is_available;
  return h("li", { class: `item${soldOut ? " is-soldout" : ""}`, "data-item": item.id },
    h("button", { type: "button", class: "item-card", "aria-haspopup": "dialog", onclick: () => openItem(item) },
      h("div", { class: "item-media" },
        itemImage(item, "item-image"),
        soldOut ? h("span", { class: "soldout-badge", text: t("soldOut") }) : null,
        h("span", { class: "in-cart-badge", hidden: true }),
      ),
      h("span", { class: "item-text" },
        h("span", { class: "item-name", text: item.name }),
        item.description ? h("span", { class: "item-desc", text: item.description }) : null,
        h("span", { class: "item-price", text: won(item.price) }),
      ),
    ),
    h("button", {
      type: "button",
      class: "item-add btn btn-icon",
      disabled: soldOut,
      "aria-label": soldOut ? `${item.name} ${t("soldOut")}` : t("addNamed", { name: item.name }),
      // An item with options is added through the chooser.
      "aria-haspopup": hasOptions(item) ? "dialog" : null,
      onclick: () => (hasOptions(item) ? openItem(item) : addToCart(item, 1)),
    }, soldOut ? t("soldOut") : plusIcon()),
  );
}

function plusIcon() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M12 5v14M5 12h14");
  svg.append(path);
  return svg;
}

function renderCardBadges() {
  for (const card of document.querySelectorAll("#menu-content .item")) {
    const count = state.cart.quantityOf(Number(card.dataset.item));
    const badge = card.querySelector(".in-cart-badge");
    badge.hidden = !count;
    badge.textContent = count ? t("inCart", { count }) : "";
  }
}

function jumpTo(categoryId) {
  const scroller = $("menu-view");
  const section = $(`category-${categoryId}`);
  const top = section.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop;
  scroller.scrollTo({ top: top - $("category-bar").offsetHeight, behavior: "smooth" });
  markCategory(categoryId);
}

function markCategory(categoryId) {
  const bar = $("category-bar");
  for (const chip of bar.children) {
    const current = chip.dataset.category === String(categoryId);
    chip.toggleAttribute("aria-current", current);
    if (!current) continue;
    chip.setAttribute("aria-current", "true");
    // Not scrollIntoView: it would also scroll the menu and cancel a jump in progress.
    if (chip.offsetLeft < bar.scrollLeft || chip.offsetLeft + chip.offsetWidth > bar.scrollLeft + bar.clientWidth) {
      bar.scrollTo({ left: chip.offsetLeft - 24, behavior: "smooth" });
    }
  }
}

let categoryObserver = null;
function watchCategories() {
  categoryObserver?.disconnect();
  categoryObserver = new IntersectionObserver(
    (entries) => {
      const visible = entries.filter((entry) => entry.isIntersecting);
      if (visible.length) markCategory(visible[0].target.id.replace("category-", ""));
    },
    { root: $("menu-view"), rootMargin: "-80px 0px -70% 0px" },
  );
  for (const section of document.querySelectorAll("#menu-content .category")) categoryObserver.observe(section);
}

// ---------------------------------------------------------------- item detail

function openItem(item) {
  state.detailQuantity = 1;
  state.detailChosen = new Set();
  showItem(item);
  $("item-dialog").showModal();
  $("item-scroll").scrollTo({ top: 0 });
}

function showItem(item) {
  state.detailItem = item;
  const soldOut = !item.is_available;
  // A choice the menu no longer offers (sold out meanwhile, or gone) is dropped.
  const offered = optionsById(item);
  for (const id of state.detailChosen) if (!offered.get(id)?.is_available) state.detailChosen.delete(id);
  $("item-media").replaceChildren(itemImage(item, "detail-image"));
  $("item-title").textContent = item.name;
  $("item-description").textContent = item.description;
  $("item-description").hidden = !item.description;
  $("item-soldout").hidden = !soldOut;
  $("item-dialog").classList.toggle("is-soldout", soldOut);
  $("item-dialog").classList.toggle("has-options", hasOptions(item));
  renderDetail();
}

function renderDetail() {
  const item = state.detailItem;
  const soldOut = !item.is_available;
  const unit = unitPrice(item, chosenOptions(item, state.detailChosen));
  const complete = !unmetGroups(item, state.detailChosen).length;
  renderChooser($("item-options"), item, state.detailChosen, renderDetail);
  $("item-price").textContent = won(unit);
  $("item-qty").textContent = String(state.detailQuantity);
  $("item-minus").disabled = soldOut || state.detailQuantity <= 1;
  $("item-plus").disabled = soldOut || state.detailQuantity >= MAX_QUANTITY;
  $("item-add").disabled = soldOut || !complete;
  $("item-add").textContent = soldOut
    ? t("soldOut")
    : complete
      ? t("addWithPrice", { price: won(unit * state.detailQuantity) })
      : t("chooseRequired");
}

function addToCart(item, quantity, options = []) {
  if (!item.is_available) return;
  state.cart.add(item, quantity, options);
  toast(`${item.name} ${t("add")} ✓`);
}

/** A line's name for screen readers: two lines of one item differ by their options. */
function lineName(line) {
  return line.options.length ? `${line.name} (${optionNames(line.options)})` : line.name;
}

// ---------------------------------------------------------------- cart

function renderCart() {
  const cart = state.cart;
  const problems = lineProblems();
  const lines = cart.lines.map((line) => {
    const problem = problems.get(line);
    const name = lineName(line);
    return h("li", { class: `cart-line${problem ? " is-soldout" : ""}`, "data-line": line.key },
      h("div", { class: "cart-line-text" },
        h("span", { class: "cart-line-name", text: line.name }),
        problem ? h("span", { class: "tag tag-danger", text: t(problem) }) : null,
        h("span", { class: "cart-line-price", text: won(line.price * line.quantity) }),
        optionsText(line.options),
      ),
      h("div", { class: "stepper stepper-sm", role: "group", "aria-label": `${name} ${t("quantity")}` },
        h("button", {
          type: "button", class: "btn btn-icon", "data-action": "decrease",
          "aria-label": t("decrease", { name }), onclick: () => cart.change(line.key, -1),
        }, "−"),
        h("output", { class: "qty", text: String(line.quantity) }),
        h("button", {
          type: "button", class: "btn btn-icon", "data-action": "increase", disabled: Boolean(problem) || line.quantity >= MAX_QUANTITY,
          "aria-label": t("increase", { name }), onclick: () => cart.change(line.key, 1),
        }, "+"),
      ),
      h("button", {
        type: "button", class: "btn btn-text btn-remove", "data-action": "remove",
        "aria-label": t("remove", { name }), onclick: () => cart.remove(line.key), text: t("removeShort"),
      }),
    );
  });
  $("cart-lines").replaceChildren(...lines);
  const empty = !cart.lines.length;
  $("cart-empty").hidden = !empty;
  $("cart-clear").disabled = empty;
  $("cart-order").disabled = empty;
  $("cart-total").textContent = won(cart.total);
  $("cart-count").textContent = empty ? "" : t("cartCount", { count: cart.count });
  $("cart-open-count").textContent = t("cartCount", { count: cart.count });
  document.body.classList.toggle("cart-has-items", !empty);
  if (empty) closeSheet();
  if (state.menu) renderCardBadges();
}

function openSheet() {
  if (!sheetQuery.matches) return;
  document.body.classList.add("sheet-open");
  $("toast").hidden = true;
  $("cart-backdrop").hidden = false;
  $("cart-open").setAttribute("aria-expanded", "true");
  $("cart-close").focus();
}

function closeSheet() {
  if (!document.body.classList.contains("sheet-open")) return;
  const hadFocus = $("cart").contains(document.activeElement);
  document.body.classList.remove("sheet-open");
  $("cart-backdrop").hidden = true;
  $("cart-open").setAttribute("aria-expanded", "false");
  if (hadFocus) $("cart-open").focus();
}

// ---------------------------------------------------------------- review and ordering

function openReview() {
  if (!state.cart.lines.length) return;
  closeSheet();
  renderReview();
  setReviewError(null);
  warnSoldOut();
  $("review-note").value = state.cart.note;
  renderNoteCount();
  $("review-dialog").showModal();
}

function renderNoteCount() {
  $("review-note-count").textContent = t("noteCount", { count: $("review-note").value.length, max: MAX_NOTE_LENGTH });
}

function renderReview() {
  const problems = lineProblems();
  $("review-lines").replaceChildren(
    ...state.cart.lines.map((line) =>
      h("li", { class: problems.has(line) ? "is-soldout" : null },
        h("span", { class: "review-name" },
          h("span", { text: t("lineItem", { name: line.name, quantity: line.quantity }) }),
          optionsText(line.options),
        ),
        problems.has(line) ? h("span", { class: "tag tag-danger", text: t(problems.get(line)) }) : null,
        h("span", { class: "review-amount", text: won(line.price * line.quantity) }),
      ),
    ),
  );
  $("review-total").textContent = won(state.cart.total);
  $("review-confirm").textContent = state.sending ? t("sending") : t("orderWithTotal", { total: won(state.cart.total) });
  $("review-confirm").disabled = state.sending;
}

function setReviewError(message, details = []) {
  const box = $("review-error");
  box.hidden = !message;
  box.replaceChildren();
  if (!message) return;
  box.append(h("p", { class: "alert-title", text: message }));
  if (details.length) box.append(h("ul", {}, details.map((detail) => h("li", { text: detail }))));
}

async function confirmOrder() {
  if (state.sending || !state.cart.lines.length) return;
  state.sending = true;
  renderReview();
  const cart = state.cart;
  const key = cart.idempotencyKey();
  try {
    const response = await request("/api/v1/orders", {
      method: "POST",
      body: cart.orderBody(),
      headers: { "Idempotency-Key": key },
    });
    if (response.status >= 500) throw await errorOf(response);
    if (!response.ok) {
      // The server answered for certain and made no order: a new attempt gets a new key.
      cart.forgetIdempotencyKey();
      throw await errorOf(response);
    }
    const order = await response.json();
    cart.forgetIdempotencyKey();
    cart.clear();
    $("review-dialog").close();
    showSuccess(order);
  } catch (error) {
    if (error instanceof SignedOut) return signedOut(t("signedOut"));
    await orderFailed(error);
  } finally {
    state.sending = false;
    if ($("review-dialog").open) renderReview();
  }
}

async function orderFailed(error) {
  if (error instanceof NetworkError) return setReviewError(t("orderNetworkError"));
  if (!(error instanceof ApiError) || error.status >= 500) return setReviewError(t("serverError"));
  // The key's order left the table's session (closed, deleted): nothing was placed now, and
  // the next tap sends the cart under a new key.
  if (error.code === "idempotency_key_expired") return setReviewError(t("orderKeyExpired"));
  // Something on the menu changed (sold out, removed): show it in the cart.
  await guarded(loadMenu, () => null);
  renderCart();
  if (warnSoldOut()) return;
  const details = error.fields ? Object.values(error.fields).flat().map(String) : [error.message];
  setReviewError(t("orderFailed"), details);
}

/**
 * Cart lines the current menu cannot take as they are, each with its problem ("soldOut": the
 * item or an option sold out or removed; "optionsChanged": the choice no longer fits).
 */
function lineProblems() {
  const problems = new Map();
  if (!state.menu) return problems;
  for (const line of state.cart.lines) {
    const problem = lineProblem(line, state.itemsById.get(line.id));
    if (problem) problems.set(line, problem);
  }
  return problems;
}

/** Name the cart's lines that cannot be ordered in the review dialog; false when there are none. */
function warnSoldOut() {
  const problems = [...lineProblems()];
  if (!problems.length) return false;
  const names = (kind) => problems.filter(([, problem]) => problem === kind).map(([line]) => lineName(line));
  const soldOut = names("soldOut");
  const changed = names("optionsChanged");
  setReviewError(
    soldOut.length ? t("soldOutInCart", { names: soldOut.join(", ") }) : t("optionsChangedInCart", { names: changed.join(", ") }),
    soldOut.length && changed.length ? [t("optionsChangedInCart", { names: changed.join(", ") })] : [],
  );
  return true;
}

function showSuccess(order) {
  $("success-number").textContent = order.display_number || `#${String(order.number).padStart(4, "0")}`;
  $("success-total").textContent = won(order.total);
  $("success-lines").replaceChildren(...order.items.map(orderLine));
  $("success-note").textContent = order.note ? t("noteShown", { note: order.note }) : "";
  $("success-note").hidden = !order.note;
  showScreen("success");
  $("success-back").focus();
  let remaining = SUCCESS_SECONDS;
  const tick = () => {
    $("success-countdown").textContent = t("countdown", { seconds: remaining });
    if (remaining <= 0) return backToMenu();
    remaining -= 1;
    state.successTimer = setTimeout(tick, 1000);
  };
  tick();
}

function backToMenu() {
  clearTimeout(state.successTimer);
  state.successTimer = null;
  showScreen("main");
  showView("menu");
  $("menu-view").scrollTo({ top: 0 });
  guarded(loadMenu, () => null);
}

// ---------------------------------------------------------------- order history

function renderHistory() {
  const { orders, next } = state.history;
  $("history-list").replaceChildren(...orders.map(orderCard));
  $("history-empty").hidden = orders.length > 0;
  $("history-more").hidden = !next;
  const total = orders.reduce((sum, order) => sum + order.total, 0);
  $("history-summary").textContent = orders.length ? t("historyTotal", { count: orders.length, total: won(total) }) : "";
}

function orderCard(order) {
  return h("li", { class: "order-card", "data-order": order.id },
    h("div", { class: "order-head" },
      h("strong", { class: "order-no", text: order.display_number || `#${order.number}` }),
      h("span", { class: "muted", text: t("orderTime", { time: clock(order.created_at) }) }),
      h("span", { class: `status status-${order.status}`, text: order.status_label || order.status }),
    ),
    h("ul", { class: "order-lines" }, order.items.map(orderLine)),
    order.note ? h("p", { class: "order-note", text: t("noteShown", { note: order.note }) }) : null,
    h("div", { class: "order-total" }, h("span", { text: t("total") }), h("strong", { text: won(order.total) })),
  );
}

/** A placed order's line: "name × quantity", its options under it, and its amount. */
function orderLine(line) {
  return h("li", {},
    h("span", { class: "order-line-name" },
      h("span", { text: t("lineItem", { name: line.name, quantity: line.quantity }) }),
      optionsText(line.options),
    ),
    h("span", { text: won(line.line_total) }),
  );
}

function fetchHistory(url = "/api/v1/orders") {
  return requestJson(url);
}

/**
 * Read the list afresh. Events heard meanwhile wait in `pending` and are applied on top once
 * it arrives, so a list read just before a change cannot undo it; only the latest read counts.
 */
async function loadHistory() {
  const history = state.history;
  const load = ++history.loadId;
  history.pending ??= [];
  $("history-error").hidden = true;
  await guarded(
    async () => {
      const page = await fetchHistory();
      let orders = page.results;
      let next = page.next;
      // Keep the pages already shown so a refresh does not shrink the list.
      while (next && orders.length < history.orders.length) {
        const more = await fetchHistory(relative(next));
        orders = mergeOrders(orders, more.results);
        next = more.next;
      }
      if (load !== history.loadId) return;
      history.orders = orders;
      history.next = next;
      if (orders.length) history.sessionId = orders[0].session_id;
      applyPending();
    },
    (error) => {
      if (load !== history.loadId) return;
      applyPending();
      $("history-error").textContent = `${t("historyLoadFailed")} ${messageOf(error)}`;
      $("history-error").hidden = false;
    },
  );
}

function applyPending() {
  const pending = state.history.pending || [];
  state.history.pending = null;
  for (const apply of pending) apply();
  renderHistory();
}

/** Apply a change to the list now, or after the read in progress. */
function changeHistory(apply) {
  if (state.history.pending) return state.history.pending.push(apply);
  apply();
  renderHistory();
}

/** `orders` with `more` added or replaced by id, oldest first. */
function mergeOrders(orders, more) {
  const byId = new Map(orders.map((order) => [order.id, order]));
  for (const order of more) byId.set(order.id, order);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

function putOrder(order) {
  const history = state.history;
  history.sessionId = order.session_id;
  const known = history.orders.some((other) => other.id === order.id);
  // A new order belongs after the pages not loaded yet; "더 보기" brings it.
  if (known || !history.next) history.orders = mergeOrders(history.orders, [order]);
}

function dropOrder(order) {
  state.history.orders = state.history.orders.filter((other) => other.id !== order.id);
}

/** The table's session ended ("이용 완료"): the next guests start with an empty list. */
function endSession() {
  Object.assign(state.history, { orders: [], next: null, sessionId: null });
  // Its orders are history: a key kept for a retry must not replay one of them. A request on
  // its way keeps its key until it is answered.
  if (!state.sending) state.cart.forgetIdempotencyKey();
}

async function loadMoreHistory() {
  const next = state.history.next;
  if (!next) return;
  await guarded(
    async () => {
      const page = await fetchHistory(relative(next));
      state.history.orders = mergeOrders(state.history.orders, page.results);
      state.history.next = page.next;
      renderHistory();
    },
    (error) => toast(messageOf(error)),
  );
}

function openHistory() {
  renderHistory();
  loadHistory();
}

const liveHandlers = {
  "order.created": ({ order }) => changeHistory(() => putOrder(order)),
  "order.updated": ({ order }) => changeHistory(() => putOrder(order)),
  "order.deleted": ({ order }) => changeHistory(() => dropOrder(order)),
  "session.closed": ({ session }) => {
    changeHistory(endSession);
    state.calls.clear(session.id);
  },
  "menu.updated": () => refreshMenu(),
  "staff_call.created": ({ call }) => state.calls.put(call),
  "staff_call.acknowledged": ({ call }) => state.calls.put(call),
};

/**
 * On the first connection, read the list. On a reconnect the stream replays what was missed,
 * except the end of a session the tablet no longer belongs to: a changed session id says so.
 */
function streamOpened({ session_id: sessionId }, resumed) {
  if (resumed && sessionId === state.history.sessionId) return;
  // The calls of a session the tablet no longer belongs to are over; read the current ones.
  if (resumed) state.calls.clear();
  state.calls.load();
  if (resumed) {
    // With a new session already open, a kept key may be its order's: keep it for the server to judge.
    if (state.history.sessionId !== null && sessionId === null) changeHistory(endSession);
    else changeHistory(() => Object.assign(state.history, { orders: [], next: null }));
  }
  state.history.sessionId = sessionId;
  loadHistory();
}

/** While signed in: the stream, or polling the list if the server has none. */
function startLive() {
  stopLive();
  const live = new LiveStream({
    handlers: liveHandlers,
    onOpen: streamOpened,
    onUnavailable: () => {
      state.pollTimer = setInterval(() => {
        if (document.body.dataset.view === "history") loadHistory();
        if (state.calls.waiting.length) state.calls.load();
      }, POLL_MS);
    },
    onSignedOut: () => signedOut(t("signedOut")),
  });
  state.live = live;
  live.start();
}

function stopLive() {
  clearInterval(state.pollTimer);
  state.live?.stop();
  state.live = null;
}

// ---------------------------------------------------------------- start

async function start() {
  state.auth = loadAuth();
  if (!state.auth) return showSetup();
  state.cart = new Cart(state.auth.store.code, state.auth.table.number);
  state.cart.onChange(renderCart);
  state.calls.reset();
  state.calls.setReasons([]);
  state.menu = null;
  // Another table's list, or a stale one, must not show: bumping loadId drops reads on their way.
  Object.assign(state.history, { orders: [], next: null, sessionId: null, pending: null });
  state.history.loadId += 1;
  $("store-name").textContent = state.auth.store.name;
  $("table-label").textContent = t("tableLabel", { number: state.auth.table.number });
  renderCart();
  showScreen("main");
  showView("menu");
  startLive();
  await guarded(loadMenu, (error) => {
    if (state.menu) return toast(messageOf(error));
    $("menu-content").replaceChildren(
      h("div", { class: "empty" },
        h("p", { text: `${t("menuLoadFailed")} ${messageOf(error)}` }),
        h("button", { type: "button", class: "btn btn-secondary", onclick: () => guarded(loadMenu, () => null), text: t("retry") }),
      ),
    );
  });
}

function bind() {
  $("setup-form").addEventListener("submit", submitSetup);
  $("nav-menu").addEventListener("click", () => showView("menu"));
  $("nav-history").addEventListener("click", () => {
    closeSheet();
    showView("history");
  });
  $("history-more").addEventListener("click", loadMoreHistory);
  $("cart-clear").addEventListener("click", () => state.cart.clear());
  $("cart-order").addEventListener("click", openReview);
  $("cart-open").addEventListener("click", openSheet);
  $("cart-close").addEventListener("click", closeSheet);
  $("cart-backdrop").addEventListener("click", closeSheet);
  sheetQuery.addEventListener("change", closeSheet);
  $("review-confirm").addEventListener("click", confirmOrder);
  $("success-back").addEventListener("click", backToMenu);
  $("item-minus").addEventListener("click", () => {
    state.detailQuantity = Math.max(1, state.detailQuantity - 1);
    renderDetail();
  });
  $("item-plus").addEventListener("click", () => {
    state.detailQuantity = Math.min(MAX_QUANTITY, state.detailQuantity + 1);
    renderDetail();
  });
  $("item-add").addEventListener("click", () => {
    const item = state.detailItem;
    if (unmetGroups(item, state.detailChosen).length) return;
    addToCart(item, state.detailQuantity, chosenOptions(item, state.detailChosen));
    $("item-dialog").close();
  });
  $("review-note").addEventListener("input", () => {
    state.cart.setNote($("review-note").value);
    renderNoteCount();
  });
  $("call-open").addEventListener("click", () => {
    closeSheet();
    state.calls.open();
  });
  for (const dialog of document.querySelectorAll("dialog")) {
    dialog.addEventListener("click", (event) => {
      const box = dialog.getBoundingClientRect();
      const outside =
        event.clientX < box.left || event.clientX > box.right || event.clientY < box.top || event.clientY > box.bottom;
      // A tap on the backdrop closes the dialog, unless an order is on its way.
      if ((outside && event.target === dialog) || event.target.closest("[data-close]")) {
        if (!(dialog.id === "review-dialog" && state.sending)) dialog.close();
      }
    });
  }
  $("review-dialog").addEventListener("cancel", (event) => {
    if (state.sending) event.preventDefault();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeSheet();
  });
  const refreshIdleMenu = () => {
    if (state.auth && document.body.dataset.screen === "main" && !document.hidden) refreshMenu();
  };
  setInterval(refreshIdleMenu, MENU_REFRESH_MS);
  document.addEventListener("visibilitychange", refreshIdleMenu);
  window.addEventListener("storage", (event) => {
    if (event.key === "tableorder.auth" && !event.newValue) signedOut();
  });
}

state.calls = new StaffCalls({
  guarded,
  onError: (error) => {
    // The store changed its reasons meanwhile: show the ones it has now.
    if (error instanceof ApiError && error.status === 400) {
      toast(t("callReasonGone"));
      refreshMenu();
    } else toast(`${t("callFailed")} ${messageOf(error)}`);
  },
});
bind();
start();

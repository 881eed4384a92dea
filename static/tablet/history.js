// The table's orders in its current session (주문 내역): read page by page, kept current by the
// stream through the session reducer the dashboard uses for its tables.

import { sessionReducer } from "../shared/session.js";
import { SnapshotBuffer } from "../shared/snapshot.js";
import { messageOf, requestJson } from "./api.js";
import { $, clock, displayNumber, h, t, won } from "./dom.js";
import { lineItemName, lineOptions } from "./lang.js";
import { optionsLabel } from "./options.js";
import { guarded, toast } from "./screens.js";

const ORDERS = "/api/v1/orders";
const EMPTY = { sessionId: null, orders: new Map(), next: null };

// `sessionId`: the session the list shows; `next`: the link to the pages not read yet.
let history = EMPTY;
let sessionEnded = () => {};
let closedStamp = () => {};
const buffer = new SnapshotBuffer({
  apply(type, data) {
    applyEvent(type, data);
    render();
  },
  replay: applyEvent,
});

/**
 * The tablet's reducer: the shared session reducer, and the pages not read yet. A new order
 * belongs after them, so "더 보기" brings it; they belong to their session only.
 */
function historyReducer(state, event) {
  const next = sessionReducer(state, event);
  if (next.sessionId !== state.sessionId || next.sessionId === null) return { ...next, next: null };
  const order = event.data.order;
  if (state.next && order && !state.orders.has(order.id) && next.orders.has(order.id)) {
    const orders = new Map(next.orders);
    orders.delete(order.id);
    return { ...next, orders };
  }
  return next;
}

function applyEvent(type, data) {
  history = historyReducer(history, { type, data });
  if (type === "session.closed" || (type === "session.moved" && data.table.session_id === null)) sessionEnded();
}

/** `listener()` runs when the table's session ends ("이용 완료"): the next guests start afresh. */
export function onSessionEnd(listener) {
  sessionEnded = listener;
}

/**
 * `listener(closedSessionId)` runs with each list read: the table's last closed session, as
 * the server says it (null before the first "이용 완료").
 */
export function onClosedSession(listener) {
  closedStamp = listener;
}

/** Another table signed in, or none: nothing of the last list shows, a read on its way is dropped. */
export function resetHistory() {
  history = EMPTY;
  buffer.reset(true);
}

/** A stream event about the table's orders or session. */
export function pushEvent(type, data) {
  buffer.push(type, data);
}

/**
 * A stream connection opened on `sessionId`. On the first one, read the list. On a reconnect
 * the stream replays what was missed, except the end of a session the tablet no longer belongs
 * to: a changed session id says so, and the list is read afresh. False when nothing changed.
 */
export function streamOpened(sessionId, resumed) {
  if (resumed && sessionId === history.sessionId) return false;
  if (resumed) {
    const ended = history.sessionId !== null && sessionId === null;
    buffer.reset(true);
    history = { ...EMPTY, sessionId };
    // With a new session already open, a kept key may be its order's: keep it for the server to judge.
    if (ended) sessionEnded();
    render();
  } else {
    history = { ...history, sessionId };
  }
  loadHistory();
  return true;
}

async function readHistory() {
  const page = await requestJson(ORDERS);
  if (page.closed_session_id !== undefined) closedStamp(page.closed_session_id);
  let orders = page.results;
  let next = page.next;
  // Keep the pages already shown so a refresh does not shrink the list.
  while (next && orders.length < history.orders.size) {
    const more = await requestJson(next);
    orders = orders.concat(more.results);
    next = more.next;
  }
  return { orders, next };
}

function install({ orders, next }) {
  const sessionId = orders.length ? orders[0].session_id : history.sessionId;
  history = { sessionId, orders: new Map(orders.map((order) => [order.id, order])), next };
}

/** Read the list afresh; events heard meanwhile are applied on top of it. False when the read failed. */
export async function loadHistory() {
  $("history-error").hidden = true;
  return guarded(
    async () => {
      if (await buffer.load(readHistory, install)) render();
      return true;
    },
    (error) => {
      render();
      $("history-error").textContent = `${t("historyLoadFailed")} ${messageOf(error)}`;
      $("history-error").hidden = false;
      return false;
    },
  );
}

/** Back after a cut: a read that failed meanwhile is tried again (the stream replays the events). */
export function retryFailedLoad() {
  if (!$("history-error").hidden) loadHistory();
}

async function loadMore() {
  const link = history.next;
  if (!link) return;
  await guarded(
    async () => {
      const page = await requestJson(link);
      const orders = new Map(history.orders);
      for (const order of page.results) orders.set(order.id, order);
      history = { ...history, orders, next: page.next };
      render();
    },
    (error) => toast(messageOf(error)),
  );
}

export function openHistory() {
  render();
  loadHistory();
}

export function bindHistory() {
  $("history-more").addEventListener("click", loadMore);
}

function render() {
  const orders = [...history.orders.values()].sort((a, b) => a.id - b.id);
  $("history-list").replaceChildren(...orders.map(orderCard));
  $("history-empty").hidden = orders.length > 0;
  $("history-more").hidden = !history.next;
  const total = orders.reduce((sum, order) => sum + order.total, 0);
  $("history-summary").textContent = orders.length ? t("historyTotal", { count: orders.length, total: won(total) }) : "";
}

function orderCard(order) {
  return h("li", { class: "order-card", "data-order": order.id },
    h("div", { class: "order-head" },
      h("strong", { class: "order-no", text: displayNumber(order) }),
      h("span", { class: "muted", text: t("orderTime", { time: clock(order.created_at) }) }),
      h("span", { class: `status status-${order.status}`, text: t(`status_${order.status}`) }),
    ),
    h("ul", { class: "order-lines" }, order.items.map(orderLine)),
    order.note ? h("p", { class: "order-note", text: t("noteShown", { note: order.note }) }) : null,
    h("div", { class: "order-total" }, h("span", { text: t("total") }), h("strong", { text: won(order.total) })),
  );
}

/** A placed order's line: "name × quantity", its options under it, and its amount. */
export function orderLine(line) {
  return h("li", {},
    h("span", { class: "order-line-name" },
      h("span", { text: t("lineItem", { name: lineItemName(line), quantity: line.quantity }) }),
      optionsLabel(lineOptions(line)),
    ),
    h("span", { text: won(line.line_total) }),
  );
}

// The live dashboard: a card per table and the open staff calls, kept current from the store's
// event stream. Stream first, then the snapshot: events that arrive meanwhile wait and are
// applied after it.

import { ALERT_EVENTS, AlertBanner } from "../shared/alerts.js";
import { SnapshotBuffer } from "../shared/snapshot.js";
import { ORDER_EVENTS } from "../shared/session.js";
import { OfflineBanner } from "../shared/offline.js";
import { EventStream } from "../shared/stream.js";
import { keepAwake } from "../shared/wakelock.js";
import { allPages, api, messageOf } from "./api.js";
import { renderAttention, trackTopHeight } from "./attention.js";
import { bindBill, openBill, refreshBill } from "./bill.js";
import { CALL_EVENTS, CallBoard, Calls } from "./calls.js";
import { Cards } from "./cards.js";
import { bindDensity } from "./density.js";
import { $, closeOnBackdrop, config, displayNumber, h, holdFocus, t, toast, won } from "./dom.js";
import { Floor } from "./floor.js";
import { bindHistory, openHistory } from "./history.js";
import { bindMove, moveTable } from "./move.js";
import { bindOrder, failed, refreshOrder, shownOrder } from "./order.js";
import { ORDERING_EVENTS, OrderingControl } from "./ordering.js";
import { Chime } from "./sound.js";
import { bindConfirm, bindDeleteReason, confirmDialog } from "./widgets.js";

const SNAPSHOT_RETRY_MS = 3000;
// How long the live region keeps what it said (for the next one to follow it).
const ANNOUNCE_MS = 5000;
const FILTER_KEY = `tableorder.dashboard.filter.${config.storeCode}`;

const floor = new Floor();
const calls = new Calls();
const callBoard = new CallBoard(calls, {
  onChange(tableId) {
    renderCard(tableId);
    renderSummary();
  },
});
const chime = new Chime({ onChange: () => renderSummary() });
const state = {
  filter: loadFilter(),
  expanded: new Set(),
};
const cards = new Cards({
  floor,
  callBoard,
  expanded: state.expanded,
  onHistory: showHistory,
  onClose: closeTable,
  onBill: openBill,
  onExpand: expand,
  onMove: moveTable,
  onChange(tableId) {
    renderCard(tableId);
    renderSummary();
  },
});

// ---------------------------------------------------------------- live data

const live = new SnapshotBuffer({
  apply: applyEvent,
  replay(type, data) {
    floor.apply(type, data);
    calls.apply(type, data);
  },
});

const alerts = new AlertBanner({ element: $("alerts"), api, t, toast, messageOf });

const ordering = new OrderingControl();
const offline = new OfflineBanner($("offline-banner"));

const stream = new EventStream({
  url: config.stream,
  types: [...ORDER_EVENTS, ...CALL_EVENTS, ...ALERT_EVENTS, ...ORDERING_EVENTS],
  onEvent(type, data) {
    if (ALERT_EVENTS.includes(type)) alerts.push(type, data);
    else if (ORDERING_EVENTS.includes(type)) ordering.push(data);
    else live.push(type, data);
  },
  onOpen() {
    loadSnapshot();
    alerts.load();
    ordering.load();
  },
  onState(status) {
    showConnection(status);
    offline.setDown(status === "reconnecting");
  },
  onClosed: checkLogin,
});

/** The floor and the open calls, once: afterwards the stream resumes where it left off. */
async function loadSnapshot() {
  if (live.loaded || live.loading) return;
  try {
    await live.load(
      () => Promise.all([allPages("tables?page_size=100"), allPages("staff-calls?status=open&page_size=100")]),
      ([tables, openCalls]) => {
        floor.load(tables);
        calls.load(openCalls);
      },
    );
    $("floor-error").hidden = true;
    renderFloor();
    callBoard.render();
  } catch (error) {
    $("floor-error").textContent = t("loadFailed", { message: messageOf(error) });
    $("floor-error").hidden = false;
    setTimeout(loadSnapshot, SNAPSHOT_RETRY_MS);
  }
}

function applyEvent(type, data) {
  const { tableId, created, fromTableId } = floor.apply(type, data);
  const called = calls.apply(type, data);
  if (!$(`table-${tableId}`)) renderFilterChips();
  renderCard(tableId);
  if (fromTableId !== undefined) renderCard(fromTableId);
  if (type.startsWith("staff_call.") || type === "session.closed" || type === "session.moved") callBoard.render();
  renderSummary();
  if (created) {
    chime.play("order");
    announce(t("announceOrder", { table: data.table.number, number: displayNumber(data.order) }));
  }
  if (called) {
    chime.play("call");
    announce(t("announceCall", { table: data.call.table.number, reason: data.call.reason }));
  }
  refreshOrder();
  refreshBill(tableId);
}

/** Say `message` through the live region, after what it says already (several may come at once). */
function announce(message) {
  const region = $("announce");
  region.textContent = region.textContent ? `${region.textContent} ${message}` : message;
  clearTimeout(announce.timer);
  announce.timer = setTimeout(() => {
    region.textContent = "";
  }, ANNOUNCE_MS);
}

/** The stream was refused: if the login ended, go to the login page (api() does on 401/403). */
function checkLogin() {
  api("tables?page_size=1").catch(() => null);
}

function showConnection(status) {
  const el = $("connection");
  el.className = `conn conn-${status}`;
  el.textContent = t(status);
}

// ---------------------------------------------------------------- the grid

function visible(table) {
  return !state.filter.size || state.filter.has(table.id);
}

function renderFloor() {
  const tables = floor.sorted();
  const shown = tables.filter(visible);
  $("grid").replaceChildren(...shown.map((table) => cards.card(table)));
  $("grid").setAttribute("aria-busy", "false");
  $("floor-empty").hidden = shown.length > 0;
  $("floor-empty").textContent = tables.length ? t("filterEmpty") : t("noTables");
  renderFilterChips();
  renderSummary();
}

function renderCard(tableId) {
  const table = floor.tables.get(tableId);
  const old = $(`table-${tableId}`);
  if (!visible(table)) return old?.remove();
  const drawn = cards.card(table);
  if (old) return old.replaceWith(drawn);
  // A table the page had not seen (added meanwhile): put it in its place by number.
  const after = [...$("grid").children].find((el) => Number(el.dataset.number) > table.number);
  $("grid").insertBefore(drawn, after || null);
  $("floor-empty").hidden = true;
}

async function expand(table) {
  try {
    floor.addOrders(table.id, await allPages(`orders?table=${table.id}&page_size=100`));
    state.expanded.add(table.id);
    renderCard(table.id);
  } catch (error) {
    toast(messageOf(error), { error: true });
  }
}

function renderSummary() {
  const tables = floor.sorted();
  const busy = tables.filter((table) => table.sessionId !== null);
  const total = busy.reduce((sum, table) => sum + table.total, 0);
  const waiting = calls.open.size;
  $("summary").replaceChildren(
    h("span", { text: t("busyTables", { busy: busy.length, all: tables.length }) }),
    h("strong", { text: t("floorTotal", { total: won(total) }) }),
  );
  if (waiting) $("summary").append(h("span", { class: "call-pill", text: t("callCount", { count: waiting }) }));
  renderAttention({ floor, calls, chime, showFloor });
}

// ---------------------------------------------------------------- filter

function loadFilter() {
  try {
    return new Set(JSON.parse(localStorage.getItem(FILTER_KEY)) || []);
  } catch {
    return new Set();
  }
}

function setFilter(ids) {
  state.filter = new Set(ids);
  localStorage.setItem(FILTER_KEY, JSON.stringify([...state.filter]));
  renderFloor();
}

function renderFilterChips() {
  const tables = floor.sorted();
  // Tables removed since the filter was saved do not count.
  const chosen = tables.filter((table) => state.filter.has(table.id));
  $("filter-label").textContent = chosen.length ? t("someTables", { count: chosen.length }) : t("allTables");
  $("filter").classList.toggle("is-filtered", chosen.length > 0);
  $("filter-chips").replaceChildren(
    ...tables.map((table) =>
      h("button", {
        type: "button",
        class: "chip",
        "aria-pressed": String(state.filter.has(table.id)),
        onclick: () => {
          const ids = new Set(state.filter);
          if (ids.has(table.id)) ids.delete(table.id);
          else ids.add(table.id);
          setFilter(ids);
        },
        text: String(table.number),
      }),
    ),
  );
}

// ---------------------------------------------------------------- a table

/** How many of the table's current orders are not completed: from the orders the page knows
 * when it knows them all, else from one read of them. */
async function unfinishedCount(table) {
  const known = floor.ordersOf(table);
  const orders = known.length >= table.orderCount ? known : await allPages(`orders?table=${table.id}&page_size=100`);
  return orders.filter((order) => order.status !== "completed").length;
}

async function closeTable(table) {
  let unfinished;
  try {
    unfinished = await unfinishedCount(table);
  } catch (error) {
    return failed(error, null);
  }
  const ok = await confirmDialog({
    title: t("closeTitle", { number: table.number }),
    message: t("closeConfirm", { number: table.number, count: table.orderCount, total: won(table.total) }),
    warning: unfinished ? t("unfinishedWarning", { count: unfinished }) : "",
    action: t("closeTable"),
  });
  if (!ok) return;
  try {
    const result = await api(`tables/${table.id}/close-session`, { method: "POST", body: {} });
    floor.closeSession(result);
    calls.endSession(result.session.id);
    callBoard.render();
    state.expanded.delete(table.id);
    renderCard(table.id);
    renderSummary();
    toast(t("closed", { number: table.number }));
  } catch (error) {
    failed(error, null);
  }
}

function showHistory(tableId) {
  $("floor-view").hidden = true;
  $("history-view").hidden = false;
  openHistory(floor.sorted(), tableId);
  $("history-back").focus();
}

function showFloor() {
  $("history-view").hidden = true;
  $("floor-view").hidden = false;
}

// ---------------------------------------------------------------- start

function bind() {
  $("open-history").addEventListener("click", () => showHistory(null));
  $("history-back").addEventListener("click", showFloor);
  $("filter-all").addEventListener("click", () => setFilter([]));
  $("filter-busy").addEventListener("click", () =>
    setFilter(floor.sorted().filter((table) => table.sessionId !== null).map((table) => table.id)),
  );
  bindOrder(floor, {
    onChange(tableId) {
      renderCard(tableId);
      renderSummary();
    },
  });
  bindMove(floor, { shownOrder });
  bindConfirm();
  bindDeleteReason();
  for (const dialog of document.querySelectorAll("dialog")) {
    closeOnBackdrop(dialog);
    holdFocus(dialog);
  }
  bindHistory();
  bindBill();
  bindDensity();
  trackTopHeight();
}

bind();
keepAwake();
chime.askOnce();
stream.start();

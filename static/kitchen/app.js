// The kitchen display: a station's tickets in arrival order, worked by touch or a bump bar, kept
// current from the store's event stream. Each (re)connection of the stream reads the list again,
// with the events heard meanwhile applied on top of it (shared/snapshot.js), and a ticket is
// kept by id, so none shows twice.

import { ALERT_EVENTS, AlertBanner } from "../shared/alerts.js";
import { ApiError } from "../shared/api.js";
import { SnapshotBuffer } from "../shared/snapshot.js";
import { EventStream } from "../shared/stream.js";
import { keepAwake } from "../shared/wakelock.js";
import { doneCard, tick, ticketCard } from "./cards.js";
import { $, allPages, api, config, displayNumber, h, messageOf, t, toast } from "./dom.js";
import { keyAction, ownedByControl } from "./keys.js";
import { TICKET_EVENTS, Tickets } from "./tickets.js";

const RETRY_MS = 3000;
const STATION_KEY = `tableorder.kitchen.station.${config.storeCode}`;
const KEYED = 9;

const tickets = new Tickets({ windowMs: config.recallMinutes * 60_000 });
const state = {
  stationId: savedStation(),
  selectedId: null,
  // Where the selection was among the tickets to cook: the next one takes its place.
  selectedIndex: 0,
  // Tickets with a step on its way.
  busy: new Set(),
};

const alerts = new AlertBanner({ element: $("alerts"), api, t, toast, messageOf });

const live = new SnapshotBuffer({
  apply(type, data) {
    tickets.put(data.ticket);
    render();
  },
  replay: (type, data) => tickets.put(data.ticket),
});

const stream = new EventStream({
  url: config.stream,
  types: [...TICKET_EVENTS, ...ALERT_EVENTS],
  onEvent(type, data) {
    if (ALERT_EVENTS.includes(type)) alerts.push(type, data);
    else live.push(type, data);
  },
  onOpen() {
    loadTickets();
    alerts.load();
  },
  onState: showConnection,
  onClosed: checkLogin,
});

// ---------------------------------------------------------------- the list

let retryTimer = null;

/** Read the shown station's tickets; on failure say so and try again shortly. */
async function loadTickets() {
  clearTimeout(retryTimer);
  const stationId = state.stationId;
  const query = stationId === null ? "" : `&station=${stationId}`;
  try {
    const loaded = await live.load(
      () => allPages(`kitchen/tickets?page_size=100${query}`),
      (list) => tickets.load(list, stationId),
    );
    if (!loaded) return;
    $("kds-error").hidden = true;
    render();
  } catch (error) {
    $("kds-error").textContent = t("loadFailed", { message: messageOf(error) });
    $("kds-error").hidden = false;
    render();
    retryTimer = setTimeout(loadTickets, RETRY_MS);
  }
}

/** The stream was refused: if the login ended, go to the login page (the client does on 401/403). */
function checkLogin() {
  api("kitchen/tickets?page_size=1").catch(() => null);
}

function showConnection(status) {
  const el = $("connection");
  el.className = `kds-conn conn-${status}`;
  el.textContent = `${status === "live" ? "●" : "○"} ${t(status)}`;
}

// ---------------------------------------------------------------- stations

function savedStation() {
  const id = Number(localStorage.getItem(STATION_KEY));
  return config.stations.some((station) => station.id === id) ? id : null;
}

function chooseStation(stationId) {
  state.stationId = stationId;
  if (stationId === null) localStorage.removeItem(STATION_KEY);
  else localStorage.setItem(STATION_KEY, String(stationId));
  renderStations();
  // What shows meanwhile is the other station's: clear it, then read this one's.
  tickets.load([], stationId);
  live.reset(false);
  render();
  loadTickets();
  // Off the station button, so a bump bar's Enter goes to the board again.
  document.activeElement?.blur();
}

function renderStations() {
  const choices = [{ id: null, name: t("allStations") }, ...config.stations];
  $("stations").hidden = config.stations.length < 2;
  $("stations").replaceChildren(
    ...choices.map((station) =>
      h("button", {
        type: "button",
        class: "kds-station",
        "aria-pressed": String(state.stationId === station.id),
        onclick: () => chooseStation(station.id),
        text: station.name,
      }),
    ),
  );
}

// ---------------------------------------------------------------- the board

function render() {
  const board = tickets.board();
  const open = tickets.open();
  keepSelection(open);
  const keys = new Map(open.slice(0, KEYED).map((ticket, i) => [ticket.id, i + 1]));
  const now = Date.now();
  const focusWasHere = focusIsOnBoard();
  $("kds-grid").replaceChildren(
    ...board.map((ticket) =>
      ticketCard(ticket, {
        key: keys.get(ticket.id) || null,
        selected: ticket.id === state.selectedId,
        busy: state.busy.has(ticket.id),
        now,
        onStep: advance,
        onSelect: (chosen) => select(chosen.id),
      }),
    ),
  );
  $("kds-grid").setAttribute("aria-busy", String(!live.loaded));
  $("kds-empty").hidden = board.length > 0 || !live.loaded;
  $("kds-empty").textContent = t("empty");
  renderDone();
  renderAllDay();
  if (focusWasHere) focusSelected({ scroll: false });
}

/** The selection stays on its ticket while it is to cook; else the one now in its place. */
function keepSelection(open) {
  const index = open.findIndex((ticket) => ticket.id === state.selectedId);
  if (index >= 0) {
    state.selectedIndex = index;
    return;
  }
  const next = open[Math.min(state.selectedIndex, open.length - 1)];
  state.selectedId = next ? next.id : null;
}

function renderDone() {
  const done = tickets.done();
  $("done-title").textContent = t("doneTitle", { minutes: config.recallMinutes });
  $("done-list").replaceChildren(
    ...done.map((ticket) => doneCard(ticket, { busy: state.busy.has(ticket.id), onRecall: recall })),
  );
  $("done-empty").hidden = done.length > 0;
  $("done-empty").textContent = t("doneEmpty");
}

function renderAllDay() {
  const counts = tickets.allDay();
  $("allday-title").textContent = t("allDayTitle");
  $("allday").replaceChildren(
    ...counts.map(([name, quantity]) =>
      h("li", { class: "allday-item" },
        h("span", { class: "allday-name", text: name }),
        h("strong", { class: "allday-qty", text: String(quantity) }),
      ),
    ),
  );
  $("allday-empty").hidden = counts.length > 0;
  $("allday-empty").textContent = t("allDayEmpty");
}

/** Each second: the cards' clocks, and finished or cancelled tickets leaving after the window. */
function everySecond() {
  if (tickets.prune()) return render();
  const now = Date.now();
  for (const card of $("kds-grid").querySelectorAll(".kt:not(.kt-cancelled)")) tick(card, now);
}

// ---------------------------------------------------------------- selection and keys

function focusIsOnBoard() {
  const active = document.activeElement;
  return !active || active === document.body || Boolean(active.closest("#kds-grid, #done-list"));
}

function selectedCard() {
  return state.selectedId ? document.querySelector(`.kt[data-ticket="${state.selectedId}"]`) : null;
}

/** Focus the selected card; `scroll` brings it into view (a bump bar's move: a tapped card is
 * in view, and the board stays still under the cook's fingers). */
function focusSelected({ scroll }) {
  const card = selectedCard();
  if (!card) return;
  card.focus({ preventScroll: true });
  if (scroll) card.scrollIntoView({ block: "nearest" });
}

function select(id, { scroll = false } = {}) {
  selectedCard()?.classList.remove("is-selected");
  state.selectedId = id;
  state.selectedIndex = Math.max(0, tickets.open().findIndex((ticket) => ticket.id === id));
  selectedCard()?.classList.add("is-selected");
  focusSelected({ scroll });
}

function onKey(event) {
  const key = keyAction(event);
  if (!key || ownedByControl(event, key) || document.querySelector("dialog[open]")) return;
  event.preventDefault();
  const open = tickets.open();
  const index = open.findIndex((ticket) => ticket.id === state.selectedId);
  if (key.action === "prev" || key.action === "next") {
    const step = key.action === "next" ? 1 : -1;
    const next = open[Math.min(open.length - 1, Math.max(0, index < 0 ? 0 : index + step))];
    if (next) select(next.id, { scroll: true });
  } else if (key.action === "pick") {
    if (open[key.index]) select(open[key.index].id, { scroll: true });
  } else if (key.action === "advance") {
    const ticket = tickets.get(state.selectedId);
    if (ticket) advance(ticket);
  } else if (key.action === "recall") {
    const [last] = tickets.done();
    if (last) recall(last);
    else toast(t("nothingToRecall"));
  }
}

// ---------------------------------------------------------------- steps

/** 조리 시작 for a new ticket, 완료 for one cooking. */
function advance(ticket) {
  select(ticket.id);
  return send(ticket, ticket.status === "new" ? "start" : "done");
}

async function recall(ticket) {
  if (await send(ticket, "recall")) {
    toast(t("recalled", { table: ticket.table.number, number: displayNumber(ticket) }));
  }
}

/** POST the step; its answer shows at once (its event on the other screens). A refusal is
 * explained, and the list read again: another screen got there first. */
async function send(ticket, step) {
  if (state.busy.has(ticket.id) || !["new", "cooking", "done"].includes(ticket.status)) return false;
  state.busy.add(ticket.id);
  render();
  try {
    tickets.putStep(await api(`kitchen/tickets/${ticket.id}/${step}`, { method: "POST", body: {} }), ticket.status);
    return true;
  } catch (error) {
    toast(refusal(error, ticket), { error: true });
    if (error instanceof ApiError && (error.status === 409 || error.status === 404)) loadTickets();
    return false;
  } finally {
    state.busy.delete(ticket.id);
    render();
  }
}

function refusal(error, ticket) {
  const names = { table: ticket.table.number, number: displayNumber(ticket) };
  if (!(error instanceof ApiError)) return messageOf(error);
  if (error.code === "ticket_recall_expired") return t("recallExpired", { minutes: config.recallMinutes });
  if (error.code === "ticket_cancelled" || error.status === 404) return t("cancelledMeanwhile", names);
  if (error.status === 409) return t("handledElsewhere", names);
  return messageOf(error);
}

// ---------------------------------------------------------------- start

renderStations();
render();
document.addEventListener("keydown", onKey);
setInterval(everySecond, 1000);
stream.start();
keepAwake();

// The tablet's live side: the table's event stream (orders, the session's end, staff calls,
// menu changes), or polling when the server has no stream; and the bar that says the tablet
// has lost its connection until it is back and caught up.

import { ORDER_EVENTS } from "../shared/session.js";
import { EventStream } from "../shared/stream.js";
import { SignedOut, errorOf, request } from "./api.js";
import { billChanged } from "./bill.js";
import { $, t } from "./dom.js";
import { loadHistory, pushEvent, retryFailedLoad, streamOpened } from "./history.js";
import { refreshMenu } from "./menu.js";
import { setOrdering } from "./ordering.js";
import { signedOut } from "./screens.js";

const STREAM = "/api/v1/orders/stream";
const TICKET = "/api/v1/stream-ticket";
const POLL_MS = 10000;
// A stream that drops comes back within a second when only the server restarted: the bar waits
// that long. The browser's own "offline" shows at once.
const BAR_DELAY_MS = 2000;

let stream = null;
let pollTimer = null;
let barTimer = null;
// The stream (or, without one, the last poll) has lost the server.
let cut = false;
// The bar was shown: coming back, the tablet catches up.
let wasDown = false;
let catchUp = () => {};

function showConnection() {
  const down = cut || !navigator.onLine;
  const bar = $("offline-bar");
  if (!down || !navigator.onLine) {
    clearTimeout(barTimer);
    barTimer = null;
  }
  if (!down) {
    bar.hidden = true;
    if (wasDown) catchUp();
    wasDown = false;
  } else if (!navigator.onLine) {
    bar.hidden = false;
    wasDown = true;
  } else if (bar.hidden && barTimer === null) {
    // Counted from the first failure: the attempts that fail meanwhile do not put it off.
    barTimer = setTimeout(() => {
      barTimer = null;
      bar.hidden = false;
      wasDown = true;
    }, BAR_DELAY_MS);
  }
}

function setCut(value) {
  cut = value;
  showConnection();
}

window.addEventListener("online", showConnection);
window.addEventListener("offline", showConnection);

/**
 * While signed in: the stream, or polling the list if the server has none. `calls`: the table's
 * StaffCalls; `sessionClosed(id, live)`: the table's last closed session is `id` (null before the
 * first), heard live (`session.closed`) or on connecting (`stream.open`); `reconnected()`: back
 * after a cut.
 */
export function startLive(calls, sessionClosed, reconnected = () => {}) {
  stopLive();
  // Back after a cut: the stream replays the events missed; the menu and the calls are read
  // again too (an unchanged menu costs a 304), and so is a list whose read failed meanwhile.
  catchUp = () => {
    refreshMenu();
    calls.load();
    retryFailedLoad();
    reconnected();
  };
  const poll = async () => {
    setCut(!(await loadHistory()));
    billChanged();
    if (calls.waiting.length) calls.load();
  };
  const handlers = {
    "session.closed": ({ session }) => {
      calls.clear(session.id);
      sessionClosed(session.id, true);
    },
    // 이동·합석: the table the guests left starts its next guests clean; the one they came to shows their calls.
    "session.moved": ({ table, from_session_id: left, calls: moved }) => {
      if (table.session_id !== null) return moved.forEach((call) => calls.put(call));
      calls.clear(left);
      sessionClosed(left, true);
    },
    "menu.updated": () => refreshMenu(),
    "store.updated": ({ ordering }) => setOrdering(ordering),
    "staff_call.created": ({ call }) => calls.put(call),
    "staff_call.acknowledged": ({ call }) => calls.put(call),
  };
  stream = new EventStream({
    url: STREAM,
    types: [...ORDER_EVENTS, "menu.updated", "store.updated", "staff_call.created", "staff_call.acknowledged"],
    // Tickets live 60 s: each connection takes a fresh one.
    async ticket() {
      let response;
      try {
        response = await request(TICKET, { method: "POST", body: {} });
      } catch (error) {
        if (!(error instanceof SignedOut)) throw error;
        signedOut(t("signedOut"));
        return null;
      }
      if (response.status === 404) {
        // No stream: the list, read now and then, says what changed and whether the session closed.
        pollTimer ??= setInterval(poll, POLL_MS);
        poll();
        return null;
      }
      if (!response.ok) throw await errorOf(response);
      return (await response.json()).ticket;
    },
    onEvent(type, data) {
      if (ORDER_EVENTS.includes(type)) {
        pushEvent(type, data);
        billChanged();
      }
      handlers[type]?.(data);
    },
    onOpen({ session_id: sessionId, closed_session_id: closedSessionId }, resumed) {
      // Every connection, first or not: the tablet may have been off or asleep when it closed.
      if (closedSessionId !== undefined) sessionClosed(closedSessionId, false);
      if (!streamOpened(sessionId, resumed)) return;
      billChanged();
      // The calls of a session the tablet no longer belongs to are over; read the current ones.
      if (resumed) calls.clear();
      calls.load();
    },
    onState: (state) => setCut(state !== "live"),
  });
  stream.start();
  showConnection();
}

export function stopLive() {
  clearInterval(pollTimer);
  pollTimer = null;
  stream?.stop();
  stream = null;
  clearTimeout(barTimer);
  barTimer = null;
  cut = false;
  wasDown = false;
  $("offline-bar").hidden = true;
}

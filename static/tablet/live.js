// The tablet's live side: the table's event stream (orders, the session's end, staff calls,
// menu changes), or polling when the server has no stream.

import { ORDER_EVENTS } from "../shared/session.js";
import { EventStream } from "../shared/stream.js";
import { SignedOut, errorOf, request } from "./api.js";
import { t } from "./dom.js";
import { loadHistory, pushEvent, streamOpened } from "./history.js";
import { refreshMenu } from "./menu.js";
import { currentView, signedOut } from "./screens.js";

const STREAM = "/api/v1/orders/stream";
const TICKET = "/api/v1/stream-ticket";
const POLL_MS = 10000;

let stream = null;
let pollTimer = null;

/**
 * While signed in: the stream, or polling the list if the server has none. `calls`: the table's
 * StaffCalls; `sessionClosed(id, live)`: the table's last closed session is `id` (null before the
 * first), heard live (`session.closed`) or on connecting (`stream.open`).
 */
export function startLive(calls, sessionClosed) {
  stopLive();
  const handlers = {
    "session.closed": ({ session }) => {
      calls.clear(session.id);
      sessionClosed(session.id, true);
    },
    "menu.updated": () => refreshMenu(),
    "staff_call.created": ({ call }) => calls.put(call),
    "staff_call.acknowledged": ({ call }) => calls.put(call),
  };
  stream = new EventStream({
    url: STREAM,
    types: [...ORDER_EVENTS, "menu.updated", "staff_call.created", "staff_call.acknowledged"],
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
        pollTimer = setInterval(() => {
          if (currentView() === "history") loadHistory();
          if (calls.waiting.length) calls.load();
        }, POLL_MS);
        return null;
      }
      if (!response.ok) throw await errorOf(response);
      return (await response.json()).ticket;
    },
    onEvent(type, data) {
      if (ORDER_EVENTS.includes(type)) pushEvent(type, data);
      handlers[type]?.(data);
    },
    onOpen({ session_id: sessionId, closed_session_id: closedSessionId }, resumed) {
      // Every connection, first or not: the tablet may have been off or asleep when it closed.
      if (closedSessionId !== undefined) sessionClosed(closedSessionId, false);
      if (!streamOpened(sessionId, resumed)) return;
      // The calls of a session the tablet no longer belongs to are over; read the current ones.
      if (resumed) calls.clear();
      calls.load();
    },
  });
  stream.start();
}

export function stopLive() {
  clearInterval(pollTimer);
  stream?.stop();
  stream = null;
}

// Staff calls (직원 호출): the open ones, on their table's card and in the list at the top of the
// page, until a manager on any dashboard acknowledges them or the table's session ends.
// Like the floor, it changes only from the snapshot, event payloads and write responses.

import { ApiError, api, messageOf } from "./api.js";
import { $, clock, h, t, toast } from "./dom.js";

export const CALL_EVENTS = ["staff_call.created", "staff_call.acknowledged"];

function oldestFirst(a, b) {
  return a.created_at.localeCompare(b.created_at) || a.id - b.id;
}

export class Calls {
  constructor() {
    /** id → call, the waiting ones only. */
    this.open = new Map();
  }

  /** Replace everything with a `GET admin/staff-calls?status=open` snapshot. */
  load(calls) {
    this.open = new Map(calls.map((call) => [call.id, call]));
  }

  /** Apply one stream event; true when it brought a call the page did not know. */
  apply(type, data) {
    if (type === "staff_call.created") {
      const known = this.open.has(data.call.id);
      this.open.set(data.call.id, data.call);
      return !known;
    }
    if (type === "staff_call.acknowledged") this.open.delete(data.call.id);
    else if (type === "session.closed") this.endSession(data.session.id);
    else if (type === "session.moved" && data.table.id === data.to_table.id) {
      // 이동·합석: the guests' waiting calls are at their new table now; any other ended with their old session.
      this.endSession(data.from_session_id);
      for (const call of data.calls) if (!call.acknowledged_at) this.open.set(call.id, call);
    }
    return false;
  }

  /** A session's calls end with it ("이용 완료"). */
  endSession(sessionId) {
    for (const call of this.open.values()) if (call.session_id === sessionId) this.open.delete(call.id);
  }

  sorted() {
    return [...this.open.values()].sort(oldestFirst);
  }

  ofTable(tableId) {
    return this.sorted().filter((call) => call.table.id === tableId);
  }
}

/**
 * The page's side of the calls: the list at the top, the banner of a card, and "확인".
 * `onChange(tableId)` redraws what else shows that table's calls (its card, the summary).
 */
export class CallBoard {
  constructor(calls, { onChange }) {
    this.calls = calls;
    this.onChange = onChange;
  }

  /** The list of every open call, oldest first; hidden when there is none. */
  render() {
    const open = this.calls.sorted();
    $("calls").hidden = open.length === 0;
    $("calls-title").textContent = t("callsTitle", { count: open.length });
    $("call-list").replaceChildren(
      ...open.map((call) =>
        h("li", { class: "call-item", "data-call": call.id },
          h("strong", { class: "call-table", text: t("tableLabel", { number: call.table.number }) }),
          h("span", { class: "call-reason", text: call.reason }),
          h("span", { class: "call-time", text: clock(call.created_at) }),
          this.#button(call),
        ),
      ),
    );
  }

  /** The banner on a table's card, one row per open call; null when it has none. */
  banner(tableId) {
    const open = this.calls.ofTable(tableId);
    if (!open.length) return null;
    return h("ul", { class: "card-calls", "aria-label": t("callsLabel") },
      open.map((call) =>
        h("li", { class: "card-call", "data-call": call.id },
          // "직원 호출 · 계산 요청 14:05": the reason and the time each wrap as a whole.
          h("span", { class: "card-call-text" },
            t("callsLabel"),
            " · ",
            h("span", { class: "card-call-reason", text: call.reason }),
            " ",
            h("span", { class: "card-call-time", text: clock(call.created_at) }),
          ),
          this.#button(call),
        ),
      ),
    );
  }

  #button(call) {
    return h("button", {
      type: "button",
      class: "dash-btn call-ack",
      "aria-label": t("callAckLabel", { number: call.table.number, reason: call.reason }),
      onclick: (event) => {
        // The card's own click marks its new orders seen; a call is answered on its own.
        event.stopPropagation();
        this.acknowledge(call, event.currentTarget);
      },
      text: t("callAck"),
    });
  }

  /** POST the acknowledgement; the answer takes the call off (its event does on other dashboards). */
  async acknowledge(call, button) {
    button.disabled = true;
    try {
      await api(`staff-calls/${call.id}/acknowledge`, { method: "POST", body: {} });
      toast(t("callAcked", { number: call.table.number, reason: call.reason }));
      this.#forget(call);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.code === "session_closed")) {
        // Its table session ended meanwhile: nothing is left to answer.
        toast(t("callGone"));
        this.#forget(call);
        return;
      }
      button.disabled = false;
      toast(messageOf(error), { error: true });
    }
  }

  #forget(call) {
    if (!this.calls.open.delete(call.id)) return;
    this.render();
    this.onChange(call.table.id);
  }
}

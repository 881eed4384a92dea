// Staff calls: the sheet with the store's reasons, and this table's calls of the
// current session, shown as waiting until a manager acknowledges them.

import { allPages, requestJson } from "./api.js";
import { $, clock, h, t } from "./dom.js";

const CALLS = "/api/v1/staff-calls";
// How long the banner says a call was seen once no call is waiting any more.
const SEEN_SHOWN_MS = 60000;

export class StaffCalls {
  /**
   * `guarded(action, onError)`: the app's wrapper for API actions (a revoked tablet goes to
   * setup). `onError(error)`: a call could not be made.
   */
  constructor({ guarded, onError }) {
    Object.assign(this, { guarded, onError });
    this.calls = new Map();
    this.reasons = [];
    // Each reason's words in the page's language; the Korean reason is what is sent.
    this.labels = new Map();
    this.sending = new Set();
    this.loadId = 0;
    // The calls acknowledged lately, for the banner.
    this.seen = [];
    this.seenTimer = null;
    // The last session known to have ended: an answer about its calls heard late is dropped.
    this.endedSession = 0;
  }

  /** The store's reasons, from the menu, and their `labels` in the page's language; no reasons, no button. */
  setReasons(reasons, labels = []) {
    this.reasons = reasons || [];
    this.labels = new Map(this.reasons.map((reason, index) => [reason, (labels || [])[index] || reason]));
    this.render();
  }

  /**
   * Take a call from the server (an answer, an event or the list). A call is only ever
   * acknowledged once: an older, waiting copy heard late does not undo that.
   */
  put(call) {
    if (call.session_id <= this.endedSession) return;
    const known = this.calls.get(call.id);
    if (known && known.acknowledged_at && !call.acknowledged_at) return;
    this.calls.set(call.id, call);
    if (call.acknowledged_at && !(known && known.acknowledged_at)) this.markSeen(call);
    this.render();
  }

  markSeen(call) {
    this.seen = [...this.seen.filter((other) => other.id !== call.id), call];
    clearTimeout(this.seenTimer);
    this.seenTimer = setTimeout(() => {
      this.seen = [];
      this.render();
    }, SEEN_SHOWN_MS);
  }

  /**
   * The session ended (`endedSessionId`), or the tablet belongs to another one now: its calls
   * are over. A list read on its way is dropped.
   */
  clear(endedSessionId = null) {
    if (endedSessionId) this.endedSession = Math.max(this.endedSession, endedSessionId);
    this.loadId += 1;
    this.calls.clear();
    this.seen = [];
    clearTimeout(this.seenTimer);
    this.render();
  }

  /** Another table signed in: nothing of the last one counts. */
  reset() {
    this.endedSession = 0;
    this.clear();
  }

  /** Read the session's calls; a clear() meanwhile drops the answer. */
  async load() {
    const load = ++this.loadId;
    await this.guarded(
      async () => {
        const calls = await allPages(CALLS);
        if (load !== this.loadId) return;
        for (const call of calls) this.put(call);
      },
      () => null,
    );
  }

  get waiting() {
    return [...this.calls.values()].filter((call) => !call.acknowledged_at);
  }

  /** The latest call for each reason. */
  latestByReason() {
    const latest = new Map();
    for (const call of [...this.calls.values()].sort((a, b) => a.id - b.id)) latest.set(call.reason, call);
    return latest;
  }

  open() {
    $("call-dialog").showModal();
    this.render();
  }

  async call(reason) {
    if (this.sending.has(reason)) return;
    this.sending.add(reason);
    this.render();
    try {
      await this.guarded(async () => {
        // Calling again for a reason that is waiting is harmless: the server answers with that call.
        this.put(await requestJson(CALLS, { method: "POST", body: { reason } }));
        $("call-dialog").close();
      }, this.onError);
    } finally {
      this.sending.delete(reason);
      this.render();
    }
  }

  label(reason) {
    return this.labels.get(reason) || reason;
  }

  render() {
    $("call-open").hidden = !this.reasons.length;
    const waiting = this.waiting;
    $("call-open").classList.toggle("is-waiting", waiting.length > 0);
    const banner = $("call-banner");
    if (waiting.length) {
      banner.className = "call-banner is-waiting";
      banner.textContent = t("callWaiting", { reasons: this.reasonList(waiting) });
    } else if (this.seen.length) {
      const last = this.seen[this.seen.length - 1];
      banner.className = "call-banner is-seen";
      banner.textContent = t("callSeen", { reasons: this.reasonList(this.seen), time: clock(last.acknowledged_at) });
    }
    banner.hidden = !waiting.length && !this.seen.length;
    if ($("call-dialog").open) this.renderSheet();
  }

  renderSheet() {
    const latest = this.latestByReason();
    const focused = $("call-reasons").contains(document.activeElement) ? document.activeElement.dataset.reason : null;
    $("call-reasons").replaceChildren(
      ...this.reasons.map((reason) => {
        const call = latest.get(reason);
        const sending = this.sending.has(reason);
        let status = null;
        if (sending) status = h("span", { class: "call-state", text: t("callSending") });
        else if (call && !call.acknowledged_at) status = h("span", { class: "call-state is-waiting", text: t("callStateWaiting") });
        else if (call) status = h("span", { class: "call-state is-seen", text: t("callStateSeen", { time: clock(call.acknowledged_at) }) });
        return h("button", {
          type: "button",
          class: `call-reason${call && !call.acknowledged_at ? " is-waiting" : ""}`,
          "data-reason": reason,
          // Not `disabled`: the button keeps the keyboard while its call is on its way.
          "aria-disabled": sending ? "true" : null,
          onclick: () => this.call(reason),
        }, h("span", { class: "call-reason-name", text: this.label(reason) }), status);
      }),
    );
    if (focused !== null) [...$("call-reasons").children].find((button) => button.dataset.reason === focused)?.focus();
  }

  reasonList(calls) {
    return [...new Set(calls.map((call) => this.label(call.reason)))].join(", ");
  }
}

// The tablet's event stream: resumes after its last event id on every reconnect, so nothing is
// missed, and hands each event on once, in id order, so nothing is applied twice.

import { SignedOut, errorOf, request } from "./api.js";

const STREAM = "/api/v1/orders/stream";
const TICKET = "/api/v1/stream-ticket";
// Waits before the next attempt after a drop: soon at first, then no more than every 10 s.
const RETRY_MS = [1000, 2000, 5000, 10000];

export class LiveStream {
  /**
   * `handlers`: {event type: (data) => …}. `onOpen(data, resumed)` runs on each connection with
   * the stream's `{last_event_id, session_id}`; `resumed` is false on the first one, whose state
   * the page must read itself. `onUnavailable()`: the server has no stream (poll instead).
   */
  constructor({ handlers, onOpen, onUnavailable, onSignedOut }) {
    Object.assign(this, { handlers, onOpen, onUnavailable, onSignedOut });
    this.lastEventId = null;
    this.source = null;
    this.connecting = false;
    this.closed = false;
    this.timer = null;
    this.failures = 0;
    this.online = () => this.reconnectNow();
    // A connection open when the Wi-Fi drops may stay half-open, silently, for minutes: drop it
    // and resume from the last event id once the device is back online.
    this.offline = () => this.disconnect();
  }

  start() {
    window.addEventListener("online", this.online);
    window.addEventListener("offline", this.offline);
    this.connect();
  }

  stop() {
    this.closed = true;
    window.removeEventListener("online", this.online);
    window.removeEventListener("offline", this.offline);
    this.disconnect();
  }

  disconnect() {
    clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
  }

  /** Back online: no need to wait for the retry timer. */
  reconnectNow() {
    if (this.closed || this.source || this.connecting) return;
    clearTimeout(this.timer);
    this.connect();
  }

  async connect() {
    if (this.closed || this.source || this.connecting) return;
    this.connecting = true;
    let ticket;
    try {
      // Tickets live 60 s: each connection takes a fresh one.
      const response = await request(TICKET, { method: "POST", body: {} });
      if (response.status === 404) return this.onUnavailable();
      if (!response.ok) throw await errorOf(response);
      ticket = (await response.json()).ticket;
    } catch (error) {
      if (error instanceof SignedOut) return this.onSignedOut();
      return this.retryLater();
    } finally {
      this.connecting = false;
    }
    if (this.closed) return;
    const params = new URLSearchParams({ ticket });
    if (this.lastEventId !== null) params.set("last_event_id", String(this.lastEventId));
    const source = new EventSource(`${STREAM}?${params}`);
    const resumed = this.lastEventId !== null;
    this.source = source;
    source.addEventListener("stream.open", (event) => {
      this.failures = 0;
      const data = JSON.parse(event.data);
      this.lastEventId = Math.max(this.lastEventId ?? 0, data.last_event_id);
      this.onOpen(data, resumed);
    });
    for (const [type, handler] of Object.entries(this.handlers)) {
      source.addEventListener(type, (event) => this.deliver(event, handler));
    }
    source.addEventListener("error", () => {
      // The browser would retry the same URL, with a ticket that may have expired by then.
      source.close();
      if (this.source === source) this.source = null;
      this.retryLater();
    });
  }

  deliver(event, handler) {
    const id = Number(event.lastEventId);
    if (!Number.isSafeInteger(id) || (this.lastEventId !== null && id <= this.lastEventId)) return;
    this.lastEventId = id;
    handler(JSON.parse(event.data));
  }

  retryLater() {
    if (this.closed) return;
    clearTimeout(this.timer);
    const wait = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)];
    this.failures += 1;
    this.timer = setTimeout(() => this.connect(), wait);
  }
}

// A page's event stream (Server-Sent Events). Every event is handed on once and in id order:
// ids at or below the last one handed on are ignored, and a new connection resumes after it
// with ?last_event_id= (the browser sends Last-Event-ID only on its own reconnects).
//
// A stream opened with a ticket must not be retried by the browser: its ticket may have expired
// by then, so each error closes it and a new connection takes a new ticket. Without a ticket
// the browser's own reconnect is kept; once it gives up for good, the page starts over.

// Waits before the next attempt after a drop: soon at first, then no more than every 10 s; each
// between half and one and a half times that, at random, so that the screens a restart or a
// deploy dropped together do not all come back in the same instant.
const RETRY_MS = [1000, 2000, 5000, 10000];

export class EventStream {
  /**
   * - `url`: the stream; `types`: the event types to hand on;
   * - `ticket()`: when given, resolves the ticket of each new connection, or null to give up
   *   quietly (the page has dealt with it); a rejection is retried later;
   * - `onEvent(type, data)`: an event not handed on before;
   * - `onOpen(data, resumed)`: each connection's `stream.open` data; `resumed` is false on the
   *   first one, whose state the page must read itself;
   * - `onState("live" | "reconnecting")`, `onClosed()`: a connection ended and will be replaced.
   */
  constructor({ url, types, ticket = null, onEvent, onOpen = () => {}, onState = () => {}, onClosed = () => {} }) {
    Object.assign(this, { url, types, ticket, onEvent, onOpen, onState, onClosed });
    this.lastEventId = null;
    this.source = null;
    this.connecting = false;
    this.stopped = false;
    this.timer = null;
    this.failures = 0;
    // A connection open when the network drops may stay half-open, silently, for minutes: drop
    // it, and resume from the last event id once the device is back online.
    this.offline = () => {
      this.disconnect();
      this.onState("reconnecting");
    };
    this.online = () => this.reconnect();
  }

  start() {
    window.addEventListener("offline", this.offline);
    window.addEventListener("online", this.online);
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("offline", this.offline);
    window.removeEventListener("online", this.online);
    this.disconnect();
  }

  disconnect() {
    clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
  }

  reconnect() {
    if (this.connecting) return;
    this.disconnect();
    this.connect();
  }

  async connect() {
    if (this.stopped || this.source || this.connecting) return;
    const params = new URLSearchParams();
    if (this.ticket) {
      this.connecting = true;
      try {
        const ticket = await this.ticket();
        if (ticket === null) return;
        params.set("ticket", ticket);
      } catch {
        this.onState("reconnecting");
        return this.retryLater();
      } finally {
        this.connecting = false;
      }
      if (this.stopped || this.source) return;
    }
    if (this.lastEventId !== null) params.set("last_event_id", String(this.lastEventId));
    const query = params.toString();
    const source = new EventSource(query ? `${this.url}?${query}` : this.url);
    const resumed = this.lastEventId !== null;
    this.source = source;
    source.addEventListener("stream.open", (event) => {
      if (this.source !== source) return;
      this.failures = 0;
      const data = JSON.parse(event.data);
      // Its id is the stream's position: a reconnect resumes from there even if no event came.
      this.advance(Number(event.lastEventId));
      this.onState("live");
      this.onOpen(data, resumed);
    });
    for (const type of this.types) {
      source.addEventListener(type, (event) => {
        const id = Number(event.lastEventId);
        if (this.source !== source || !Number.isSafeInteger(id) || (this.lastEventId !== null && id <= this.lastEventId)) return;
        this.lastEventId = id;
        this.onEvent(type, JSON.parse(event.data));
      });
    }
    source.addEventListener("error", () => {
      if (this.source !== source) return;
      this.onState("reconnecting");
      if (!this.ticket && source.readyState !== EventSource.CLOSED) return;
      source.close();
      this.source = null;
      this.onClosed();
      this.retryLater();
    });
  }

  advance(id) {
    if (Number.isSafeInteger(id) && (this.lastEventId === null || id > this.lastEventId)) this.lastEventId = id;
  }

  retryLater() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const wait = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)] * (0.5 + Math.random());
    this.failures += 1;
    this.timer = setTimeout(() => this.connect(), wait);
  }
}

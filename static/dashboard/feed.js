// The store's event stream. The browser's EventSource reconnects by itself with Last-Event-ID;
// when it gives up (closed for good), or the device reports its network back after a drop (an
// old connection may be dead without knowing it), a new one resumes with ?last_event_id=.
// Every event is handed on once: ids at or below the last one applied are ignored.

export const EVENT_TYPES = [
  "order.created",
  "order.updated",
  "order.deleted",
  "session.closed",
  "staff_call.created",
  "staff_call.acknowledged",
];
const RESTART_MS = [1000, 2000, 5000, 10000];

export class Feed {
  /**
   * onOpen(): the stream is live (each time it (re)connects);
   * onEvent(type, data): an event not seen before, in id order;
   * onState("live" | "reconnecting"); onClosed(): it gave up, before a restart.
   */
  constructor(url, { onOpen, onEvent, onState, onClosed }) {
    this.url = url;
    this.handlers = { onOpen, onEvent, onState, onClosed };
    this.lastId = null;
    this.source = null;
    this.failures = 0;
    this.timer = null;
  }

  start() {
    window.addEventListener("offline", () => {
      this.#stop();
      this.handlers.onState("reconnecting");
    });
    window.addEventListener("online", () => this.#open());
    this.#open();
  }

  #stop() {
    clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
  }

  #open() {
    this.#stop();
    const url = this.lastId === null ? this.url : `${this.url}?last_event_id=${this.lastId}`;
    const source = new EventSource(url);
    this.source = source;
    source.addEventListener("stream.open", (event) => {
      if (this.source !== source) return;
      this.failures = 0;
      this.#advance(event.lastEventId);
      this.handlers.onState("live");
      this.handlers.onOpen();
    });
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (event) => {
        const id = Number(event.lastEventId);
        if (this.source !== source || (this.lastId !== null && id <= this.lastId)) return;
        this.#advance(event.lastEventId);
        this.handlers.onEvent(type, JSON.parse(event.data));
      });
    }
    source.addEventListener("error", () => {
      this.handlers.onState("reconnecting");
      if (source.readyState !== EventSource.CLOSED) return;
      // Refused (e.g. the login ended) or broken for good: the browser will not retry this one.
      const delay = RESTART_MS[Math.min(this.failures, RESTART_MS.length - 1)];
      this.failures += 1;
      this.handlers.onClosed();
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.#open(), delay);
    });
  }

  #advance(rawId) {
    const id = Number(rawId);
    if (Number.isSafeInteger(id) && (this.lastId === null || id > this.lastId)) this.lastId = id;
  }
}

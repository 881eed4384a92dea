// The tickets the display knows, by id: from the list (`GET admin/kitchen/tickets`), the stream's
// ticket.* events and the answers of its own steps. Each ticket is kept once, whatever brought
// it; the newest word on it replaces the older. Finished and cancelled tickets leave after the
// recall window, as the server's list leaves them out after it.

export const TICKET_EVENTS = ["ticket.created", "ticket.updated"];

const OPEN = new Set(["new", "cooking"]);

function arrival(a, b) {
  return Date.parse(a.created_at) - Date.parse(b.created_at) || a.number - b.number || (a.station.id ?? 0) - (b.station.id ?? 0);
}

export class Tickets {
  /** `windowMs`: how long a finished or cancelled ticket stays. */
  constructor({ windowMs }) {
    this.windowMs = windowMs;
    /** id → ticket, of the shown station (all of them when `stationId` is null). */
    this.byId = new Map();
    this.stationId = null;
  }

  /** Replace everything with the list of `stationId` (null: every station). */
  load(list, stationId) {
    this.stationId = stationId;
    this.byId = new Map();
    for (const ticket of list) this.put(ticket);
  }

  /** A ticket as an event brings it; one of another station is not shown here. */
  put(ticket) {
    if (this.stationId !== null && ticket.station.id !== this.stationId) return;
    this.byId.set(ticket.id, ticket);
  }

  /** The answer of a step started from status `from`: taken while the page still shows `from`
   * (the step's event, or a later change's, may have come first). */
  putStep(ticket, from) {
    const known = this.byId.get(ticket.id);
    if (known && known.status === from) this.put(ticket);
  }

  get(id) {
    return this.byId.get(id) || null;
  }

  /** The board, in arrival order: tickets to cook and cancelled ones (struck through). */
  board() {
    return [...this.byId.values()].filter((ticket) => ticket.status !== "done").sort(arrival);
  }

  /** Tickets to cook (new or cooking), in arrival order. */
  open() {
    return this.board().filter((ticket) => OPEN.has(ticket.status));
  }

  /** Finished tickets, the latest finished first. */
  done() {
    return [...this.byId.values()]
      .filter((ticket) => ticket.status === "done")
      .sort((a, b) => Date.parse(b.done_at) - Date.parse(a.done_at));
  }

  /** [[item name, open quantity]] over the tickets to cook, the largest first. */
  allDay() {
    const counts = new Map();
    for (const ticket of this.open()) {
      for (const line of ticket.lines) counts.set(line.name, (counts.get(line.name) || 0) + line.quantity);
    }
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], "ko"));
  }

  /** Drop finished and cancelled tickets older than the window; true when any left. */
  prune(now = Date.now()) {
    let changed = false;
    for (const ticket of this.byId.values()) {
      const since = { done: ticket.done_at, cancelled: ticket.cancelled_at }[ticket.status];
      if (since && now - Date.parse(since) > this.windowMs) {
        this.byId.delete(ticket.id);
        changed = true;
      }
    }
    return changed;
  }
}

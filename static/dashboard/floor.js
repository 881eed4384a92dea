// The floor as the dashboard knows it: tables, their current session and its known orders.
// It changes only from the snapshot, event payloads and write responses: no refetch per event.
// Each table's session follows the stream through the reducer the tablet uses for its own.

import { sessionReducer } from "../shared/session.js";

const STATUS_RANK = { pending: 0, preparing: 1, completed: 2 };

export const STATUSES = Object.keys(STATUS_RANK);

export function statusRank(status) {
  return STATUS_RANK[status] ?? -1;
}

/** New: no manager has acted on it yet (확인, a status change or a delete), on any screen. */
export function isNew(order) {
  return !order.acknowledged_at;
}

export class Floor {
  constructor() {
    /** id → {id, number, sessionId, openedAt, total, orderCount, orders: Map(id → order)} */
    this.tables = new Map();
  }

  /** Replace everything with a `GET admin/tables` snapshot. */
  load(snapshot) {
    this.tables.clear();
    for (const table of snapshot) {
      const session = table.session;
      this.tables.set(table.id, {
        id: table.id,
        number: table.number,
        sessionId: session ? session.id : null,
        openedAt: session ? session.opened_at : null,
        total: session ? session.total : 0,
        orderCount: session ? session.order_count : 0,
        orders: new Map((session ? session.latest_orders : []).map((order) => [order.id, order])),
      });
    }
  }

  sorted() {
    return [...this.tables.values()].sort((a, b) => a.number - b.number);
  }

  findOrder(id) {
    for (const table of this.tables.values()) {
      const order = table.orders.get(id);
      if (order) return order;
    }
    return null;
  }

  /** Apply one stream event; returns {tableId, created, fromTableId} (created: an order the page
   * did not know; fromTableId: the other table a move changed). */
  apply(type, data) {
    if (type !== "session.moved" && type !== "order.moved") return this.#applyTable(type, data);
    // 이동·합석: both cards from the event of the table the guests went to, which carries the
    // other table's state too; the event of the table they left changes nothing more here.
    if (data.table.id !== data.to_table.id) {
      if (!this.tables.has(data.table.id)) this.tables.set(data.table.id, blankTable(data.table));
      return { tableId: data.table.id, created: false };
    }
    const from = this.#applyTable(type, { ...data, table: data.from_table_state });
    return { ...this.#applyTable(type, data), fromTableId: from.tableId };
  }

  #applyTable(type, data) {
    const before = this.tables.get(data.table.id) || blankTable(data.table);
    const sameSession = before.sessionId === data.table.session_id;
    const table = sessionReducer(
      {
        ...before,
        number: data.table.number,
        total: data.table.total,
        orderCount: data.table.order_count,
        openedAt: sameSession ? before.openedAt : null,
      },
      { type, data },
    );
    const order = type === "order.deleted" ? null : data.order;
    const created = type === "order.created" && table.orders.has(order.id) && !before.orders.has(order.id);
    for (const shown of [order, ...(data.orders || [])]) {
      if (shown && table.orders.has(shown.id) && (!table.openedAt || new Date(shown.created_at) < new Date(table.openedAt))) {
        table.openedAt = shown.created_at;
      }
    }
    this.tables.set(table.id, table);
    return { tableId: table.id, created };
  }

  /** An order from the response of a change made from status `from`: taken while the page still
   * shows `from` (an event of this change, or of a later one, may have been faster); a seen order
   * never becomes new again. */
  setOrder(order, from) {
    const table = this.tables.get(order.table.id);
    const known = table && table.orders.get(order.id);
    if (!known || known.status !== from) return;
    table.orders.set(order.id, { ...order, acknowledged_at: known.acknowledged_at || order.acknowledged_at });
  }

  /** A deletion the server confirmed (204, no body): take it off now; its event brings the exact totals. */
  removeOrder(order) {
    const table = this.tables.get(order.table.id);
    if (!table || !table.orders.has(order.id)) return;
    table.orders.delete(order.id);
    table.total = Math.max(0, table.total - order.total);
    table.orderCount = Math.max(0, table.orderCount - 1);
  }

  /** The answer of `close-session`: its session's orders leave, unless a later session began already. */
  closeSession(result) {
    const table = this.tables.get(result.table.id);
    if (!table || table.sessionId !== result.session.id) return;
    this.apply("session.closed", result);
  }

  /** Orders the page knows of a table, newest first. */
  ordersOf(table) {
    return [...table.orders.values()].sort((a, b) => b.id - a.id);
  }

  /** Merge a fuller list of a table's current orders (from `GET admin/orders?table=`). */
  addOrders(tableId, orders) {
    const table = this.tables.get(tableId);
    for (const order of orders) {
      if (order.session_id === table.sessionId && !table.orders.has(order.id)) table.orders.set(order.id, order);
    }
  }

  /** The new orders of a table, newest first (the snapshot and the stream bring every one). */
  newOf(table) {
    return this.ordersOf(table).filter(isNew);
  }

  /** Every new order of the floor, newest first. */
  newOrders() {
    return [...this.tables.values()].flatMap((table) => this.newOf(table)).sort((a, b) => b.id - a.id);
  }
}

function blankTable(state) {
  return { id: state.id, number: state.number, sessionId: null, openedAt: null, total: 0, orderCount: 0, orders: new Map() };
}

// A table's card: its total, its open calls and its orders as tickets with every line, the
// options and the note, so the floor reads what to cook without opening an order. A new order
// carries "확인"; any dashboard's 확인, status change or delete ends NEW everywhere (the event).

import { api } from "./api.js";
import { clock, displayNumber, h, lineOptions, linesShort, t, won } from "./dom.js";
import { isNew } from "./floor.js";
import { failed, openOrder } from "./order.js";

const PREVIEW_ORDERS = 3;

/**
 * `floor`, `callBoard`, `expanded` (ids of tables showing every order) and the card's actions:
 * `onHistory(tableId)`, `onClose(table)`, `onBill(table)`, `onExpand(table)`, `onChange(tableId)`,
 * `onMove(table, button)`.
 */
export class Cards {
  constructor({ floor, callBoard, expanded, onHistory, onClose, onBill, onExpand, onChange, onMove }) {
    Object.assign(this, { floor, callBoard, expanded, onHistory, onClose, onBill, onExpand, onChange, onMove });
  }

  card(table) {
    const orders = this.floor.ordersOf(table);
    // The newest few, and every order still new: a new order is never out of sight.
    const shown = this.expanded.has(table.id) ? orders : orders.filter((order, i) => i < PREVIEW_ORDERS || isNew(order));
    const newCount = this.floor.newOf(table).length;
    const busy = table.sessionId !== null;
    const hidden = table.orderCount - shown.length;
    const historyButton = h("button", { type: "button", class: "dash-btn dash-btn-quiet", onclick: () => this.onHistory(table.id), text: t("history") });
    const head = h("div", { class: "card-head" },
      h("h2", { class: "card-no", text: t("tableLabel", { number: table.number }) }),
      newCount ? h("span", { class: "new-pill", text: t("newCount", { count: newCount }) }) : null,
      busy
        ? h("span", { class: "card-since", text: table.openedAt ? t("since", { time: clock(table.openedAt) }) : "" })
        : h("span", { class: "card-idle", text: t("idle") }),
      busy ? null : historyButton,
    );
    const banner = this.callBoard.banner(table.id);
    const attrs = {
      id: `table-${table.id}`,
      class: `card${busy ? " is-busy" : ""}${newCount ? " has-new" : ""}${banner ? " has-call" : ""}`,
      "data-number": table.number,
    };
    if (!busy) return h("li", attrs, head, banner);
    return h("li", attrs,
      head,
      banner,
      h("div", { class: "card-total" },
        h("strong", { class: "total", text: won(table.total) }),
        h("span", { class: "count", text: t("orderCount", { count: table.orderCount }) }),
      ),
      h("ol", { class: "card-orders" }, shown.map((order) => this.ticket(order))),
      hidden > 0
        ? h("button", { type: "button", class: "dash-btn dash-btn-quiet more", onclick: () => this.onExpand(table), text: t("moreOrders", { count: hidden }) })
        : null,
      orders.length ? null : h("p", { class: "muted card-note", text: t("noOrders") }),
      h("div", { class: "card-actions" },
        historyButton,
        h("button", { type: "button", class: "dash-btn dash-btn-quiet", onclick: () => this.onBill(table), text: t("bill") }),
        h("button", {
          type: "button",
          class: "dash-btn dash-btn-quiet card-move",
          "aria-haspopup": "dialog",
          "aria-label": t("moveLabel", { number: table.number }),
          onclick: (event) => this.onMove(table, event.currentTarget),
          text: t("move"),
        }),
        h("button", { type: "button", class: "dash-btn dash-btn-primary", onclick: () => this.onClose(table), text: t("closeTable") }),
      ),
    );
  }

  /** An order on its card: tap it for the dialog (status, delete); a new one has its 확인. */
  ticket(order) {
    const fresh = isNew(order);
    const done = order.status === "completed";
    return h("li", { class: `ticket${fresh ? " is-new" : ""}${done ? " is-done" : ""}`, "data-ticket": order.id },
      h("button", {
        type: "button",
        class: "order-row",
        "data-order": order.id,
        "aria-haspopup": "dialog",
        onclick: () => openOrder(order.id),
      },
        h("span", { class: "o-head" },
          h("span", { class: "o-no", text: displayNumber(order) }),
          h("span", { class: "o-time", text: clock(order.created_at) }),
          h("span", { class: "o-amount", text: won(order.total) }),
          fresh
            ? h("span", { class: "new-tag", text: t("new") })
            : h("span", { class: `badge status-${order.status}`, text: order.status_label }),
        ),
        // A finished order needs no cooking: its lines in one short line.
        done
          ? h("span", { class: "o-summary", text: linesShort(order) })
          : h("span", { class: "o-lines" }, order.items.map((line) => ticketLine(line))),
        order.note && !done ? h("span", { class: "o-note", text: order.note }) : null,
      ),
      fresh
        ? h("button", {
          type: "button",
          class: "dash-btn o-ack",
          "aria-label": t("ackOrderLabel", { number: displayNumber(order), table: order.table.number }),
          onclick: (event) => this.acknowledge(order, event.currentTarget),
          text: t("ackOrder"),
        })
        : null,
    );
  }

  /** POST 확인; the answer ends NEW here at once, its event on the other dashboards. */
  async acknowledge(order, button) {
    button.disabled = true;
    try {
      const seen = await api(`orders/${order.id}/acknowledge`, { method: "POST", body: {} });
      this.floor.setOrder(seen, order.status);
      this.onChange(order.table.id);
    } catch (error) {
      button.disabled = false;
      failed(error, null);
    }
  }
}

/** "김치찌개 × 2" with the chosen options under it. */
function ticketLine(line) {
  const options = lineOptions(line);
  return h("span", { class: "o-line" },
    h("span", { class: "o-name", text: line.name }),
    // Read aloud as "김치찌개 × 2"; the grid lays the space out as nothing.
    " ",
    h("span", { class: "o-qty", text: t("quantity", { quantity: line.quantity }) }),
    options ? h("span", { class: "o-options", text: options }) : null,
  );
}

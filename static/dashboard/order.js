// An order in its dialog: its lines, note and total, its status steps (forward, or back one step
// after a confirmation), and deleting it with a reason.

import { ApiError, api, messageOf } from "./api.js";
import { $, clock, config, displayNumber, h, lineLabel, noteBlock, t, toast, won } from "./dom.js";
import { STATUSES, statusRank } from "./floor.js";
import { confirmDialog, deleteReasonDialog } from "./widgets.js";

let floor = null;
let onChange = () => {};
// The order the dialog shows, and the one this page is deleting (its own deletion reports itself).
let shownId = null;
let deletingId = null;

/** `onChange(tableId)`: redraw what shows that table after a change made here. */
export function bindOrder(theFloor, { onChange: changed }) {
  floor = theFloor;
  onChange = changed;
  $("order-delete").addEventListener("click", () => {
    const order = floor.findOrder(shownId);
    if (order) deleteOrder(order);
  });
  $("order-dialog").addEventListener("close", () => {
    shownId = null;
  });
}

/** The order the dialog shows, as the floor has it now; null when none. */
export function shownOrder() {
  return shownId === null ? null : floor.findOrder(shownId);
}

export function openOrder(orderId) {
  const order = floor.findOrder(orderId);
  if (!order) return;
  shownId = orderId;
  $("order-error").hidden = true;
  refreshOrder();
  $("order-dialog").showModal();
}

/** Show the open order as the floor has it now; it closes when the order is gone. */
export function refreshOrder() {
  if (shownId === null) return;
  const dialog = $("order-dialog");
  const order = floor.findOrder(shownId);
  if (!order) {
    if (dialog.open) {
      dialog.close();
      // Someone else's change; our own deletion reports itself.
      if (deletingId !== shownId) toast(t("orderGone"));
    }
    shownId = null;
    return;
  }
  $("order-title").textContent = `${displayNumber(order)} · ${t("tableTitle", { number: order.table.number })}`;
  $("order-status").className = `badge status-${order.status}`;
  $("order-status").textContent = order.status_label;
  $("order-meta").textContent = t("orderedAt", { time: clock(order.created_at) });
  $("order-note").replaceChildren(...(order.note ? [noteBlock(order.note)] : []));
  $("order-lines").replaceChildren(
    ...order.items.map((line) =>
      h("li", {},
        lineLabel(line),
        h("span", { class: "line-unit muted", text: won(line.unit_price) }),
        h("span", { class: "line-total", text: won(line.line_total) }),
      ),
    ),
  );
  $("order-total").textContent = won(order.total);
  const current = statusRank(order.status);
  $("order-steps").replaceChildren(
    ...STATUSES.map((status, rank) => {
      // The step just before the current one undoes a mis-tap, after a confirmation.
      const back = rank === current - 1;
      return h("button", {
        type: "button",
        class: `step step-${status}${rank === current ? " is-current" : ""}${rank < current ? " is-done" : ""}${back ? " is-back" : ""}`,
        "aria-pressed": String(rank === current),
        "aria-label": back ? t("stepBackLabel", { status: config.statuses[status] }) : null,
        disabled: rank < current - 1 || rank === current,
        onclick: () => (back ? stepBack(order, status) : changeStatus(order, status)),
        text: back ? `↩ ${config.statuses[status]}` : config.statuses[status],
      });
    }),
  );
}

async function stepBack(order, status) {
  const ok = await confirmDialog({
    title: t("stepBackTitle"),
    message: t("stepBackConfirm", { number: displayNumber(order), from: order.status_label, to: config.statuses[status] }),
    action: t("stepBack"),
  });
  if (ok) await changeStatus(order, status);
}

async function changeStatus(order, status) {
  const buttons = $("order-steps").querySelectorAll("button");
  for (const button of buttons) button.disabled = true;
  try {
    const updated = await api(`orders/${order.id}`, { method: "PATCH", body: { status } });
    floor.setOrder(updated, order.status);
    onChange(updated.table.id);
    toast(t("statusChanged", { number: displayNumber(updated), status: updated.status_label }));
  } catch (error) {
    failed(error, $("order-error"));
  } finally {
    refreshOrder();
  }
}

async function deleteOrder(order) {
  const reason = await deleteReasonDialog({
    message: t("deleteConfirm", { number: displayNumber(order), total: won(order.total) }),
  });
  if (!reason) return;
  deletingId = order.id;
  try {
    await api(`orders/${order.id}`, { method: "DELETE", body: reason });
    floor.removeOrder(order);
    onChange(order.table.id);
    $("order-dialog").close();
    toast(t("deleted", { number: displayNumber(order) }));
  } catch (error) {
    failed(error, $("order-error"));
  } finally {
    deletingId = null;
  }
}

/** Tell the manager what went wrong, in the dialog if one is open, and always as a toast. */
export function failed(error, box) {
  const message = messageOf(error);
  if (box) {
    box.textContent = message;
    box.hidden = false;
  }
  toast(message, { error: true });
  if (error instanceof ApiError && (error.status === 404 || error.code === "session_closed")) {
    // Gone meanwhile (another manager, or the table was closed): the stream brings the rest.
    refreshOrder();
  }
}

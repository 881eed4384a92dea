// 이동·합석: a table's guests, or one order, to another table, chosen in #move-dialog and then
// confirmed; a table in use is a merge (합석), asked for as such. The floor follows the stream's
// events, like every other dashboard's.

import { api } from "./api.js";
import { $, displayNumber, h, t, toast, won } from "./dom.js";
import { failed } from "./order.js";
import { confirmDialog } from "./widgets.js";

let floor = null;
let pickResolve = null;

/** `shownOrder()`: the order the order dialog shows, for its move button. */
export function bindMove(theFloor, { shownOrder }) {
  floor = theFloor;
  $("move-dialog").addEventListener("close", () => settlePick(null));
  $("order-move").addEventListener("click", (event) => {
    const order = shownOrder();
    if (order) moveOrder(order, event.currentTarget);
  });
}

function settlePick(table) {
  const resolve = pickResolve;
  pickResolve = null;
  if ($("move-dialog").open) $("move-dialog").close();
  resolve?.(table);
}

/** Ask for a table other than `except` in the modal #move-dialog; resolves it, or null. */
function pickTable({ title, message, except }) {
  settlePick(null);
  $("move-title").textContent = title;
  $("move-message").textContent = message;
  const choices = floor.sorted().filter((table) => table.id !== except);
  $("move-tables").replaceChildren(
    ...choices.map((table) => {
      const busy = table.sessionId !== null;
      return h("li", {},
        h("button", {
          type: "button",
          class: `move-table${busy ? " is-busy" : ""}`,
          "data-table": table.id,
          onclick: () => settlePick(table),
        },
          h("strong", { text: t("tableLabel", { number: table.number }) }),
          h("span", { text: busy ? t("moveBusy", { total: won(table.total) }) : t("idle") }),
        ),
      );
    }),
  );
  $("move-empty").hidden = choices.length > 0;
  $("move-dialog").showModal();
  ($("move-tables").querySelector("button") || $("move-cancel")).focus();
  return new Promise((resolve) => {
    pickResolve = resolve;
  });
}

/** Back where the manager was, or (the card redrawn meanwhile) on the card the guests went to. */
function refocus(opener, tableId = null) {
  const card = tableId === null ? null : document.getElementById(`table-${tableId}`);
  const target = opener?.isConnected ? opener : card?.querySelector(".card-move") || card?.querySelector("button");
  target?.focus();
}

/** 이동 or 합석 of `table`'s guests, from its card's button `opener`. */
export async function moveTable(table, opener) {
  const target = await pickTable({
    title: t("moveTitle", { number: table.number }),
    message: t("moveChoose"),
    except: table.id,
  });
  if (!target) return refocus(opener);
  const merge = target.sessionId !== null;
  const names = { from: table.number, to: target.number };
  const ok = await confirmDialog(
    merge
      ? { title: t("mergeTitle"), message: t("mergeConfirm", names), action: t("merge") }
      : { title: t("moveTitle", { number: table.number }), message: t("moveConfirm", names), action: t("move") },
  );
  if (!ok) return refocus(opener);
  try {
    await api(`tables/${table.id}/move`, { method: "POST", body: { to_table_id: target.id, merge } });
    toast(t(merge ? "merged" : "moved", names));
    refocus(null, target.id);
  } catch (error) {
    failed(error, null);
    refocus(opener);
  }
}

/** One order to another table, from the order dialog's button `opener`. */
async function moveOrder(order, opener) {
  const number = displayNumber(order);
  const target = await pickTable({
    title: t("moveOrderTitle", { number }),
    message: t("moveOrderChoose"),
    except: order.table.id,
  });
  if (!target) return refocus(opener);
  const ok = await confirmDialog({
    title: t("moveOrderTitle", { number }),
    message: t("moveOrderConfirm", { number, from: order.table.number, to: target.number }),
    action: t("move"),
  });
  if (!ok) return refocus(opener);
  try {
    await api(`orders/${order.id}/move`, { method: "POST", body: { to_table_id: target.id } });
    toast(t("orderMoved", { number, to: target.number }));
  } catch (error) {
    failed(error, $("order-error"));
  }
  refocus(opener);
}

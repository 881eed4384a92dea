// A table's bill (계산서) on the dashboard: its lines, total and even split in a dialog, read
// again when the table's orders change while it is open; and its print: on the counter printer
// when the store has one, else the browser's print dialog on receipt paper (bill.css keeps only
// the receipt, #bill-receipt, in print).

import { optionsText } from "../shared/format.js";
import { ApiError, api, messageOf } from "./api.js";
import { $, dateTime, h, t, toast, won } from "./dom.js";

const MIN_PEOPLE = 2;
const MAX_PEOPLE = 20;

// The table whose bill is open, and the last bill read for it.
let table = null;
let bill = null;
let loadId = 0;

/** Open the dialog with `target`'s bill (a floor table: `{id, number}`). */
export function openBill(target) {
  table = target;
  bill = null;
  $("bill-people").value = "";
  $("bill-title").textContent = t("billTitle", { number: table.number });
  render();
  $("bill-dialog").showModal();
  load();
}

/** The table's orders changed: an open bill of it is read again. */
export function refreshBill(tableId) {
  if ($("bill-dialog").open && table && table.id === tableId) load();
}

async function load() {
  const id = ++loadId;
  const people = $("bill-people").value;
  try {
    const answer = await api(`tables/${table.id}/bill${people ? `?split=${people}` : ""}`);
    if (id !== loadId) return;
    bill = answer;
    $("bill-error").hidden = true;
  } catch (error) {
    if (id !== loadId) return;
    bill = null;
    $("bill-error").textContent = messageOf(error);
    $("bill-error").hidden = false;
  }
  render();
}

/** 계산서 출력: the counter printer's job; without one, the browser prints the receipt. */
async function printBill() {
  try {
    await api(`tables/${table.id}/print-bill`, { method: "POST", body: {} });
    toast(t("billPrinting", { number: table.number }));
  } catch (error) {
    if (error instanceof ApiError && error.code === "no_counter_printer" && bill) return window.print();
    toast(messageOf(error), { error: true });
  }
}

function render() {
  $("bill-meta").textContent = bill ? t("billMeta", { time: dateTime(bill.opened_at), count: bill.order_count }) : "";
  $("bill-body").replaceChildren(...(bill ? receipt(bill) : []));
  $("bill-print").disabled = !bill;
  receiptElement().replaceChildren(
    ...(bill ? [h("h2", { text: storeName() }), h("p", { text: t("billTitle", { number: table.number }) }), ...receipt(bill)] : []),
    bill ? h("p", { class: "receipt-time", text: t("billPrintedAt", { time: dateTime(new Date().toISOString()) }) }) : null,
  );
}

/** The bill's lines, total and shares, for the dialog and the receipt alike. */
function receipt({ lines, total, split }) {
  return [
    h("ul", { class: "order-lines bill-lines" },
      lines.map((line) =>
        h("li", {},
          h("span", { class: "line-name" },
            h("span", { text: t("lineItem", { name: line.name, quantity: line.quantity }) }),
            line.options.length ? h("span", { class: "line-options", text: optionsText(line.options, (name) => name) }) : null,
          ),
          h("span", { class: "line-total", text: won(line.amount) }),
        ),
      ),
    ),
    h("div", { class: "order-sum" }, h("span", { text: t("billTotal") }), h("strong", { text: won(total) })),
    split
      ? h("ol", { class: "bill-shares" },
          split.shares.map((share, index) =>
            h("li", {}, h("span", { text: t("billPerson", { number: index + 1 }) }), h("strong", { text: won(share) })),
          ),
        )
      : null,
  ].filter(Boolean);
}

function storeName() {
  return document.querySelector(".dash-store")?.textContent || "";
}

/** The receipt the browser prints: a child of <body>, so print can hide everything else. */
function receiptElement() {
  let element = $("bill-receipt");
  if (!element) {
    element = h("div", { id: "bill-receipt", class: "bill-receipt" });
    document.body.append(element);
  }
  return element;
}

export function bindBill() {
  const people = $("bill-people");
  people.replaceChildren(
    h("option", { value: "", text: t("billNoSplit") }),
    ...Array.from({ length: MAX_PEOPLE - MIN_PEOPLE + 1 }, (_, index) =>
      h("option", { value: String(MIN_PEOPLE + index), text: t("billPeople", { count: MIN_PEOPLE + index }) }),
    ),
  );
  people.addEventListener("change", load);
  $("bill-print").addEventListener("click", printBill);
}

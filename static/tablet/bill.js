// The session's bill (계산서): its lines, total and order count as the server adds them up, read
// again when an order changes while it is shown; the even split (the server's shares for N
// people); the pick calculator (the sum of the lines a guest ticks); and 계산 요청, the store's
// staff call for the bill.

import { optionsText } from "../shared/format.js";
import { messageOf, requestJson } from "./api.js";
import { $, h, t, won } from "./dom.js";
import { lineItemName } from "./lang.js";
import { currentView, guarded, toast } from "./screens.js";

const BILL = "/api/v1/bill";
const MIN_PEOPLE = 2;
const MAX_PEOPLE = 20;
// Events come in bursts (an order and its table's total): one read after the last of them.
const RELOAD_DELAY_MS = 250;

let bill = null;
let people = MIN_PEOPLE;
// Line key → how many of that line the guest ticked.
let picks = new Map();
let loadId = 0;
let reloadTimer = null;
let calls = null;

function lineKey(line) {
  return JSON.stringify([line.menu_item_id, line.name, line.options, line.unit_price]);
}

/** Another table signed in, or the guests left: nothing of the last bill or its picks stays, a read on
 * its way is dropped. */
export function resetBill() {
  loadId += 1;
  clearTimeout(reloadTimer);
  bill = null;
  people = MIN_PEOPLE;
  picks = new Map();
  render();
}

/** Read the bill (with the shares for the party size shown); a later read drops this one's answer. */
export async function loadBill() {
  const load = ++loadId;
  await guarded(
    async () => {
      const answer = await requestJson(`${BILL}?split=${people}`);
      if (load !== loadId) return;
      bill = answer;
      keepPicks();
      $("bill-error").hidden = true;
      render();
    },
    (error) => {
      if (load !== loadId) return;
      $("bill-error").textContent = `${t("billLoadFailed")} ${messageOf(error)}`;
      $("bill-error").hidden = false;
    },
  );
}

/** An order or the session changed: a bill on screen is read again, one off screen dropped. */
export function billChanged() {
  clearTimeout(reloadTimer);
  // Read afresh when next shown: an outdated bill, maybe of other guests, never shows even for a moment.
  if (currentView() !== "bill") bill = null;
  else reloadTimer = setTimeout(loadBill, RELOAD_DELAY_MS);
}

export function openBill() {
  render();
  loadBill();
}

/** The store's call reasons changed (with the menu): 계산 요청 shows only when staff can be called. */
export function refreshBill() {
  $("bill-request").hidden = !calls || !calls.reasons.length;
}

/** Picks of lines still on the bill, at most their quantity now. */
function keepPicks() {
  const lines = new Map(bill.lines.map((line) => [lineKey(line), line]));
  picks = new Map(
    [...picks].filter(([key]) => lines.has(key)).map(([key, count]) => [key, Math.min(count, lines.get(key).quantity)]),
  );
}

function setPeople(count) {
  people = Math.min(MAX_PEOPLE, Math.max(MIN_PEOPLE, count));
  renderSplit();
  loadBill();
}

function pick(line, count) {
  picks.set(lineKey(line), Math.min(line.quantity, Math.max(0, count)));
  renderPicks();
}

/** The store's reason for asking for the bill: the one that names 계산, if any. */
function billReason() {
  return calls.reasons.find((reason) => reason.includes("계산")) || null;
}

async function requestBill() {
  const reason = billReason();
  // Without such a reason the guest says it with one of the store's own.
  if (!reason) return calls.open();
  await calls.call(reason);
  if (calls.waiting.some((call) => call.reason === reason)) toast(t("billRequested"));
}

export function bindBill(staffCalls) {
  calls = staffCalls;
  $("split-minus").addEventListener("click", () => {
    setPeople(people - 1);
    // At the limit it is off: the keyboard goes to its other half.
    if ($("split-minus").disabled) $("split-plus").focus();
  });
  $("split-plus").addEventListener("click", () => {
    setPeople(people + 1);
    if ($("split-plus").disabled) $("split-minus").focus();
  });
  $("pick-clear").addEventListener("click", () => {
    picks = new Map();
    renderPicks();
  });
  $("bill-request").addEventListener("click", requestBill);
}

function render() {
  const lines = bill ? bill.lines : [];
  $("bill-lines").replaceChildren(...lines.map(billLine));
  $("bill-empty").hidden = !bill || lines.length > 0;
  $("bill-total").textContent = bill ? won(bill.total) : "";
  $("bill-summary").textContent = bill && bill.order_count ? t("billOrders", { count: bill.order_count }) : "";
  $("bill-split").hidden = !lines.length;
  refreshBill();
  renderSplit();
  renderPicks();
}

function billLine(line) {
  return h("li", { class: "bill-line" },
    h("span", { class: "bill-line-name" },
      h("span", { text: t("lineItem", { name: lineItemName(line), quantity: line.quantity }) }),
      line.options.length ? h("span", { class: "line-options", text: optionsText(line.options, (name) => name) }) : null,
    ),
    h("span", { class: "bill-line-amount", text: won(line.amount) }),
  );
}

function renderSplit() {
  $("split-people").textContent = t("billPeople", { count: people });
  $("split-minus").disabled = people <= MIN_PEOPLE;
  $("split-plus").disabled = people >= MAX_PEOPLE;
  const split = bill && bill.split && bill.split.people === people ? bill.split : null;
  $("split-shares").setAttribute("aria-busy", String(!split));
  $("split-shares").replaceChildren(
    ...runs(split ? split.shares : []).map(([share, count]) =>
      h("li", {},
        h("span", { text: t("billPeople", { count }) }),
        h("strong", { text: count > 1 ? t("billShareEach", { amount: won(share) }) : won(share) }),
      ),
    ),
  );
}

/** [[share, how many in a row pay it]]: "10명 ₩1,000씩" reads better than ten rows. */
function runs(shares) {
  const result = [];
  for (const share of shares) {
    const last = result[result.length - 1];
    if (last && last[0] === share) last[1] += 1;
    else result.push([share, 1]);
  }
  return result;
}

function renderPicks() {
  const lines = bill ? bill.lines : [];
  // The lines are drawn anew: the keyboard stays on the same control of the same line.
  const focused = document.activeElement;
  const row = $("pick-lines").contains(focused) ? focused.closest("li") : null;
  const at = row && [[...$("pick-lines").children].indexOf(row), [...row.querySelectorAll("input, button")].indexOf(focused)];
  $("pick-lines").replaceChildren(...lines.map(pickLine));
  const again = at && $("pick-lines").children[at[0]];
  if (again) {
    const controls = [...again.querySelectorAll("input, button")];
    (controls[at[1]] && !controls[at[1]].disabled ? controls[at[1]] : controls[0]).focus();
  }
  const sum = lines.reduce((total, line) => total + line.unit_price * (picks.get(lineKey(line)) || 0), 0);
  $("pick-total").textContent = won(sum);
}

function pickLine(line) {
  const count = picks.get(lineKey(line)) || 0;
  const label = optionsText([lineItemName(line), ...line.options], (name) => name);
  return h("li", { class: `pick-line${count ? " is-picked" : ""}` },
    h("label", { class: "pick-check" },
      h("input", { type: "checkbox", checked: count > 0, onchange: (event) => pick(line, event.target.checked ? line.quantity : 0) }),
      h("span", { text: t("billPickLine", { name: label, price: won(line.unit_price) }) }),
    ),
    line.quantity > 1
      ? h("div", { class: "stepper stepper-sm", role: "group", "aria-label": label },
          h("button", { type: "button", class: "btn btn-icon", disabled: count <= 0, "aria-label": t("decrease", { name: label }), onclick: () => pick(line, count - 1), text: "−" }),
          h("output", { text: t("billPicked", { count, quantity: line.quantity }) }),
          h("button", { type: "button", class: "btn btn-icon", disabled: count >= line.quantity, "aria-label": t("increase", { name: label }), onclick: () => pick(line, count + 1), text: "+" }),
        )
      : null,
  );
}

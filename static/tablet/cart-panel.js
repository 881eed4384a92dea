// The cart beside the menu (a bottom sheet on narrow screens): its lines with their steppers,
// what the current menu cannot take, and the total.

import { optionsText } from "../shared/format.js";
import { MAX_QUANTITY, countOf, currentCart, totalOf } from "./cart.js";
import { $, h, t, won } from "./dom.js";
import { hasMenu, itemById, renderCardBadges } from "./menu.js";
import { lineProblem, optionsLabel } from "./options.js";
import { closedText, orderingOpen } from "./ordering.js";
import { announce } from "./screens.js";

const sheetQuery = window.matchMedia("(max-width: 1023px)");

/**
 * Cart lines the current menu cannot take as they are, each with its problem ("soldOut": the
 * item or an option sold out or removed; "optionsChanged": the choice no longer fits).
 */
export function lineProblems() {
  const problems = new Map();
  if (!hasMenu()) return problems;
  for (const line of currentCart().lines) {
    const problem = lineProblem(line, itemById(line.id));
    if (problem) problems.set(line, problem);
  }
  return problems;
}

/**
 * The cart as it can be ordered now: `problems` (lineProblems), the `orderable` lines, and their
 * `count` and `total`. Lines that cannot be ordered count nowhere: the one-tap order leaves them
 * out (orderLabel).
 */
export function cartSummary() {
  const problems = lineProblems();
  const orderable = currentCart().lines.filter((line) => !problems.has(line));
  return { problems, orderable, count: countOf(orderable), total: totalOf(orderable) };
}

/**
 * The order button's words for `summary` with problem lines: the one tap that leaves them out, or
 * why nothing can be ordered; null without problems.
 */
export function orderLabel({ problems, orderable, total }) {
  if (!problems.size) return null;
  const soldOutOnly = [...problems.values()].every((problem) => problem === "soldOut");
  if (!orderable.length) return t(soldOutOnly ? "allSoldOut" : "nothingOrderable");
  return t(soldOutOnly ? "orderWithoutSoldOut" : "orderWithoutUnorderable", { total: won(total) });
}

/** A line's name for screen readers: two lines of one item differ by their options. */
export function lineName(line) {
  return line.options.length ? `${line.name} (${optionsText(line.options)})` : line.name;
}

/** Tell screen readers what a tap on a line's buttons did: the line's quantity now (or that it is gone) and the total. */
function announceLine(key, name) {
  const line = currentCart().line(key);
  const done = line ? t("lineItem", { name, quantity: line.quantity }) : t("removed", { name });
  announce(`${done} · ${t("total")} ${won(cartSummary().total)}`);
}

/** Where the keyboard was among the cart's lines, to keep it there once they are drawn anew. */
function focusedLine() {
  const focused = document.activeElement;
  const row = focused && focused.closest ? focused.closest("#cart-lines .cart-line") : null;
  if (!row) return null;
  return { key: row.dataset.line, action: focused.dataset.action, index: [...row.parentNode.children].indexOf(row) };
}

/** The same button of the same line, else that line's (or the next line's) delete button, else the cart's title. */
function restoreFocus({ key, action, index }) {
  const rows = [...$("cart-lines").children];
  const same = rows.find((row) => row.dataset.line === key);
  const row = same || rows[index] || rows[index - 1];
  const target = row && ((same && same.querySelector(`[data-action="${action}"]:not(:disabled)`)) || row.querySelector('[data-action="remove"]'));
  (target || $("cart-title")).focus();
}

export function renderCart() {
  const cart = currentCart();
  const summary = cartSummary();
  const hadFocus = focusedLine();
  const { problems } = summary;
  const lines = cart.lines.map((line) => {
    const problem = problems.get(line);
    const name = lineName(line);
    return h("li", { class: `cart-line${problem ? " is-soldout" : ""}`, "data-line": line.key },
      h("div", { class: "cart-line-text" },
        h("span", { class: "cart-line-name", text: line.name }),
        problem ? h("span", { class: "tag tag-danger", text: t(problem) }) : null,
        h("span", { class: "cart-line-price", text: won(line.price * line.quantity) }),
        problem ? h("span", { class: "line-excluded", text: t("notInTotal") }) : null,
        optionsLabel(line.options),
      ),
      h("div", { class: "stepper stepper-sm", role: "group", "aria-label": `${name} ${t("quantity")}` },
        h("button", {
          type: "button", class: "btn btn-icon", "data-action": "decrease",
          "aria-label": t("decrease", { name }),
          onclick: () => {
            cart.change(line.key, -1);
            announceLine(line.key, name);
          },
        }, "−"),
        h("output", { class: "qty", text: String(line.quantity) }),
        h("button", {
          type: "button", class: "btn btn-icon", "data-action": "increase", disabled: Boolean(problem) || line.quantity >= MAX_QUANTITY,
          "aria-label": t("increase", { name }),
          onclick: () => {
            cart.change(line.key, 1);
            announceLine(line.key, name);
          },
        }, "+"),
      ),
      h("button", {
        type: "button", class: "btn btn-text btn-remove", "data-action": "remove",
        "aria-label": t("remove", { name }),
        onclick: () => {
          cart.remove(line.key);
          announceLine(line.key, name);
        },
        text: t("removeShort"),
      }),
    );
  });
  $("cart-lines").replaceChildren(...lines);
  if (hadFocus) restoreFocus(hadFocus);
  const empty = !cart.lines.length;
  $("cart-empty").hidden = !empty;
  $("cart-empty").textContent = cart.isHeld ? t("cartChecking") : t("cartEmpty");
  $("cart-clear").disabled = empty;
  const label = orderLabel(summary);
  $("cart-order").disabled = !summary.orderable.length || !orderingOpen();
  $("cart-order").textContent = closedText() || (label && summary.orderable.length ? label : t("placeOrder"));
  $("cart-alert").textContent = label && !summary.orderable.length ? label : "";
  $("cart-alert").hidden = !$("cart-alert").textContent;
  $("cart-total").textContent = won(summary.total);
  $("cart-count").textContent = summary.count ? t("cartCount", { count: summary.count }) : "";
  $("cart-open-count").textContent = t("cartCount", { count: summary.count });
  document.body.classList.toggle("cart-has-items", !empty);
  if (empty) closeSheet();
  renderCardBadges();
}

/** While the sheet is open, what it covers takes no focus (nor clicks: the backdrop closes it). */
function coverBehindSheet(covered) {
  for (const el of document.querySelectorAll(".topbar, .workspace > .view")) el.inert = covered;
}

function openSheet() {
  if (!sheetQuery.matches) return;
  document.body.classList.add("sheet-open");
  coverBehindSheet(true);
  $("toast").hidden = true;
  $("cart-backdrop").hidden = false;
  $("cart-open").setAttribute("aria-expanded", "true");
  $("cart-close").focus();
}

export function closeSheet() {
  if (!document.body.classList.contains("sheet-open")) return;
  const hadFocus = $("cart").contains(document.activeElement);
  document.body.classList.remove("sheet-open");
  coverBehindSheet(false);
  $("cart-backdrop").hidden = true;
  $("cart-open").setAttribute("aria-expanded", "false");
  if (hadFocus) $("cart-open").focus();
}

export function bindCartPanel() {
  $("cart-clear").addEventListener("click", () => {
    currentCart().clear();
    announce(t("cartEmpty"));
    // The button is off now: the keyboard stays in the cart.
    $("cart-title").focus();
  });
  $("cart-open").addEventListener("click", openSheet);
  $("cart-close").addEventListener("click", closeSheet);
  $("cart-backdrop").addEventListener("click", closeSheet);
  sheetQuery.addEventListener("change", closeSheet);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeSheet();
  });
}

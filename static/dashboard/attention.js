// What must not be missed, kept at the top of the screen while the floor scrolls: the new
// orders (how many, and the newest of them), whether the sound can tell about them, and the
// count in the page's title for a tab in the background.

import { $, clock, displayNumber, h, t } from "./dom.js";

// Chips of the newest new orders; the rest are counted in the title of the strip.
const NEWEST_SHOWN = 6;
const FLASH_MS = 1600;
const baseTitle = document.title;

/** Keep `--top-height` (the sticky top's height) current, so a card scrolled to sits below it. */
export function trackTopHeight() {
  const top = $("dash-top");
  const set = () => document.documentElement.style.setProperty("--top-height", `${top.offsetHeight}px`);
  new ResizeObserver(set).observe(top);
  set();
}

/**
 * Redraw the strip, the sound's warnings and the title from the floor, the calls and the chime;
 * `showFloor()` brings the floor back from the history view when a new order is picked there.
 */
export function renderAttention({ floor, calls, chime, showFloor }) {
  const fresh = floor.newOrders();
  $("new-orders").hidden = fresh.length === 0;
  $("new-title").textContent = t("newCount", { count: fresh.length });
  $("new-list").replaceChildren(
    ...fresh.slice(0, NEWEST_SHOWN).map((order) =>
      h("li", {},
        h("button", {
          type: "button",
          class: "new-chip",
          "data-order": order.id,
          onclick: () => {
            showFloor();
            showOrder(order);
          },
        },
          h("strong", { text: t("tableLabel", { number: order.table.number }) }),
          h("span", { text: displayNumber(order) }),
          h("span", { class: "new-chip-time", text: clock(order.created_at) }),
        ),
      ),
    ),
    fresh.length > NEWEST_SHOWN ? h("li", { class: "new-more", text: t("newMore", { count: fresh.length - NEWEST_SHOWN }) }) : "",
  );
  // Off while orders wait: say so until the sound is on or nothing waits.
  $("sound-warning").hidden = chime.on || fresh.length === 0;
  $("sound-blocked").hidden = !chime.blocked;
  const waiting = fresh.length + calls.open.size;
  document.title = waiting ? t("pageTitle", { count: waiting, title: baseTitle }) : baseTitle;
}

/** Bring an order's card into view below the sticky top and point at the order. */
function showOrder(order) {
  const ticket = document.querySelector(`[data-ticket="${order.id}"]`);
  if (!ticket) return;
  ticket.closest(".card").scrollIntoView({ behavior: "smooth", block: "start" });
  ticket.classList.remove("is-flash");
  // Restart the animation when the same order is picked twice.
  void ticket.offsetWidth;
  ticket.classList.add("is-flash");
  setTimeout(() => ticket.classList.remove("is-flash"), FLASH_MS);
  // Its 확인 when it still waits for one, else the order itself.
  (ticket.querySelector(".o-ack") || ticket.querySelector(".order-row")).focus({ preventScroll: true });
}

// Ordering open or closed on the tablet: the banner every screen shows, the order buttons'
// state (cart-panel.js and review.js ask `orderingOpen`), and a menu re-read when the state
// changes by the clock. Set from the menu (`ordering`) and from `store.updated`.

import { orderingText, recheckAt } from "../shared/ordering.js";
import { $, t } from "./dom.js";

let state = { open: true };
let cancel = () => {};
const listeners = [];

/** Whether the store takes orders, as last heard. */
export function orderingOpen() {
  return state.open !== false;
}

/** Why the tablet cannot order now ("" while it can). */
export function closedText() {
  return orderingText(state, t);
}

/** `listener(state)` after every change; `recheck()` reads the menu again. */
export function bindOrdering({ onChange, recheck }) {
  listeners.push(onChange);
  listeners.push(() => {
    cancel();
    cancel = recheckAt(state, recheck);
  });
}

export function setOrdering(next) {
  if (!next) return;
  state = next;
  const banner = $("ordering-banner");
  // A pause's own message says why; the banner also says that ordering is paused.
  const paused = state.open === false && state.reason === "paused" && state.message;
  banner.textContent = paused ? `${t("orderingPaused")} · ${state.message}` : closedText();
  banner.hidden = orderingOpen();
  document.body.classList.toggle("ordering-closed", !orderingOpen());
  for (const listener of listeners) listener(state);
}

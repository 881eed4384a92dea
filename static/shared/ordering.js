// Whether the store takes orders (the menu's and the store settings' `ordering`, and the
// `store.updated` event), in words, and a timer that fires when it changes by the clock.
// Words come from each page's strings (ORDERING_STRINGS).

import { clock } from "./format.js";

// A little after the server's moment: a clock a second behind still finds the change made.
const MARGIN_MS = 1000;
// The state did not change when expected (this device's clock runs ahead): ask again soon.
const RETRY_MS = 5000;

/** Why ordering is closed, for guests and staff alike; "" while open. */
export function orderingText(state, t) {
  if (!state || state.open !== false) return "";
  if (state.reason === "break") {
    return state.reopens_at ? t("orderingBreak", { time: clock(state.reopens_at) }) : t("orderingBreakNow");
  }
  if (state.reason === "last_order") return t("orderingLastOrder");
  return state.message || t("orderingPaused");
}

/** Calls `recheck()` when `state` changes by the clock (a break begins or ends); returns a cancel. */
export function recheckAt(state, recheck) {
  const at = state && (state.open === false ? state.reopens_at : state.closes_at);
  if (!at) return () => {};
  const delay = Math.max(new Date(at).getTime() - Date.now() + MARGIN_MS, 0) || RETRY_MS;
  const timer = setTimeout(recheck, Math.min(delay, 2 ** 31 - 1));
  return () => clearTimeout(timer);
}

// The tablet's screens (loading, setup, main, success) and the main screen's views (menu,
// history, bill), the toast, and what happens when the tablet is signed out during an API action.

import { SignedOut } from "./api.js";
import { $, t } from "./dom.js";

const viewListeners = [];
let signOut = () => {};
let toastTimer = null;

export function showScreen(name) {
  for (const id of ["loading-screen", "setup-screen", "main-screen", "success-screen"]) {
    $(id).hidden = id !== `${name}-screen`;
  }
  $("toast").hidden = true;
  document.body.dataset.screen = name;
}

// The main screen's views and their tabs.
const VIEWS = { menu: "nav-menu", history: "nav-history", bill: "nav-bill" };

export function showView(name) {
  for (const [view, tab] of Object.entries(VIEWS)) {
    $(`${view}-view`).hidden = view !== name;
    if (view === name) $(tab).setAttribute("aria-current", "page");
    else $(tab).removeAttribute("aria-current");
  }
  document.body.dataset.view = name;
  for (const listener of viewListeners) listener(name);
}

/** `listener(view)` runs each time a view is shown. */
export function onView(listener) {
  viewListeners.push(listener);
}

export function currentView() {
  return document.body.dataset.view;
}

/** Say `message` to screen readers (the announcer is a live region that is always there). */
export function announce(message) {
  const el = $("announcer");
  // The same words twice in a row are a change too.
  el.textContent = el.textContent === message ? `${message}\u00a0` : message;
}

export function toast(message) {
  announce(message);
  const el = $("toast");
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 3500);
}

/** `handler(message)`: the tablet is signed out (revoked, or from another tab). */
export function onSignedOut(handler) {
  signOut = handler;
}

export function signedOut(message) {
  signOut(message);
}

/** Run an API action; a revoked tablet goes back to setup, other errors go to `onError`. */
export async function guarded(action, onError) {
  try {
    return await action();
  } catch (error) {
    if (error instanceof SignedOut) return signedOut(t("signedOut"));
    if (onError) return onError(error);
    throw error;
  }
}

// The page's small widgets: the yes/no confirmation dialog.

import { $ } from "./dom.js";

let confirmResolve = null;

/** A yes/no question in the modal #confirm-dialog; resolves true on its confirm button. */
export function confirmDialog({ title, message, action }) {
  settleConfirm(false);
  $("confirm-title").textContent = title;
  $("confirm-message").textContent = message;
  $("confirm-ok").textContent = action;
  $("confirm-dialog").showModal();
  $("confirm-ok").focus();
  return new Promise((resolve) => {
    confirmResolve = resolve;
  });
}

function settleConfirm(answer) {
  const resolve = confirmResolve;
  confirmResolve = null;
  if ($("confirm-dialog").open) $("confirm-dialog").close();
  resolve?.(answer);
}

export function bindConfirm() {
  $("confirm-ok").addEventListener("click", () => settleConfirm(true));
  $("confirm-dialog").addEventListener("close", () => settleConfirm(false));
}

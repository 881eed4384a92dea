// The page's small widgets: the yes/no confirmation dialog and the deletion's reason dialog.

import { $, t } from "./dom.js";

let confirmResolve = null;

/** A yes/no question in the modal #confirm-dialog; resolves true on its confirm button.
 * A `warning` stands out under the question. */
export function confirmDialog({ title, message, action, warning = "" }) {
  settleConfirm(false);
  $("confirm-title").textContent = title;
  $("confirm-message").textContent = message;
  $("confirm-warning").textContent = warning;
  $("confirm-warning").hidden = !warning;
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

let reasonResolve = null;

/** Ask why an order is deleted, in the modal #delete-dialog: one of the reasons, and a text for
 * "other". Resolves the request body ({reason} or {reason: "other", reason_text}) on its delete
 * button, or null when cancelled. */
export function deleteReasonDialog({ message }) {
  settleReason(null);
  $("delete-form").reset();
  $("delete-message").textContent = message;
  showReasonError("");
  showReasonText();
  $("delete-dialog").showModal();
  $("delete-form").elements.reason[0].focus();
  return new Promise((resolve) => {
    reasonResolve = resolve;
  });
}

function settleReason(answer) {
  const resolve = reasonResolve;
  reasonResolve = null;
  if ($("delete-dialog").open) $("delete-dialog").close();
  resolve?.(answer);
}

/** The text field shows (and takes the focus) only for "other". */
function showReasonText() {
  const other = $("delete-form").elements.reason.value === "other";
  $("delete-text-field").hidden = !other;
  $("delete-text").required = other;
  if (other) $("delete-text").focus();
}

function showReasonError(message, field = null) {
  $("delete-error").textContent = message;
  $("delete-error").hidden = !message;
  field?.focus();
}

export function bindDeleteReason() {
  const form = $("delete-form");
  form.addEventListener("change", (event) => {
    if (event.target.name !== "reason") return;
    showReasonError("");
    showReasonText();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const reason = form.elements.reason.value;
    const text = $("delete-text").value.trim();
    if (!reason) return showReasonError(t("reasonRequired"), form.elements.reason[0]);
    if (reason !== "other") return settleReason({ reason });
    if (!text) return showReasonError(t("reasonTextRequired"), $("delete-text"));
    settleReason({ reason, reason_text: text });
  });
  $("delete-dialog").addEventListener("close", () => settleReason(null));
}

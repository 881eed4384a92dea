// The page's small widgets: the yes/no confirmation dialog, the deletion's reason dialog and the chime.

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

const CHIME_KEY = "tableorder.dashboard.chime";
// [start (s), frequency (Hz)] of each short tone: rising for an order, a repeated
// high-low "ding-dong" for a staff call, so the floor hears which it is.
const TONES = {
  order: [[0, 880], [0.18, 1320]],
  call: [[0, 1320], [0.2, 990], [0.45, 1320], [0.65, 990]],
};

/** The optional sound for new orders and staff calls: off unless switched on (remembered). */
export class Chime {
  constructor(button) {
    this.button = button;
    this.on = localStorage.getItem(CHIME_KEY) === "1";
    this.audio = null;
    button.addEventListener("click", () => this.toggle());
    // A remembered chime can only sound once the page was touched (browsers' autoplay rule).
    document.addEventListener("pointerdown", () => this.on && this.#context().resume(), { once: true });
    this.render();
  }

  render() {
    this.button.setAttribute("aria-pressed", String(this.on));
    this.button.textContent = this.on ? t("chimeOn") : t("chimeOff");
  }

  toggle() {
    this.on = !this.on;
    localStorage.setItem(CHIME_KEY, this.on ? "1" : "0");
    this.render();
    this.play("order");
  }

  /** Sound `kind` ("order" or "call") if the chime is on. */
  play(kind) {
    if (!this.on) return;
    const audio = this.#context();
    if (audio.state === "suspended") audio.resume();
    for (const [offset, frequency] of TONES[kind]) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      const start = audio.currentTime + offset;
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.17);
    }
  }

  #context() {
    this.audio ??= new AudioContext();
    return this.audio;
  }
}

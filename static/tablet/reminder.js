// The cart that was never sent: with items in the cart and no touch for 2 minutes, the table is
// told that an order goes in only with 주문하기, with that button right there and a soft chime
// the store can turn off. It never sends an order itself.

import { currentCart } from "./cart.js";
import { $ } from "./dom.js";
import { onMenu } from "./menu.js";
import { isSending } from "./review.js";

export const REMINDER_MS = 120000;

let timer = null;
let chime = true;
let audio = null;

function due() {
  const cart = currentCart();
  return (
    document.body.dataset.screen === "main" &&
    Boolean(cart?.lines.length) &&
    !$("cart-order").disabled &&
    !$("review-dialog").open &&
    !isSending() &&
    !cart.unconfirmed()
  );
}

function playChime() {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") audio.resume().catch(() => {});
    const now = audio.currentTime;
    const gain = audio.createGain();
    gain.gain.setValueAtTime(0.0001, now);
    gain.gain.exponentialRampToValueAtTime(0.06, now + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.7);
    gain.connect(audio.destination);
    const tone = audio.createOscillator();
    tone.type = "sine";
    tone.frequency.setValueAtTime(784, now);
    tone.frequency.setValueAtTime(659, now + 0.25);
    tone.connect(gain);
    tone.start(now);
    tone.stop(now + 0.75);
  } catch {
    // No sound on this device: the reminder shows all the same.
  }
}

function remind() {
  if (!due()) return;
  $("reminder-total").textContent = $("cart-total").textContent;
  if (!$("reminder-dialog").open) $("reminder-dialog").showModal();
  if (chime) playChime();
}

function wait() {
  clearTimeout(timer);
  timer = setTimeout(remind, REMINDER_MS);
}

export function bindReminder() {
  for (const type of ["pointerdown", "keydown", "touchstart"]) {
    document.addEventListener(type, wait, { capture: true, passive: true });
  }
  // A menu without the setting (an older server) chimes.
  onMenu((menu) => (chime = menu.cart_reminder_chime !== false));
  $("reminder-order").addEventListener("click", () => {
    for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
    $("cart-order").click();
  });
  wait();
}

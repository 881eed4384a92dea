// Voice guidance in easy mode: the browser's speech synthesis reads, in the page's language, the
// menu item that takes the focus with its price, the cart's total when it changes, the order's
// result and the reminder of a cart never sent. Each phrase cuts off the one before it.

import { cartSummary } from "./cart-panel.js";
import { currentCart } from "./cart.js";
import { $, t } from "./dom.js";
import { itemById } from "./menu.js";

const VOICES = { ko: "ko-KR", en: "en-US", "zh-hans": "zh-CN", ja: "ja-JP" };

let on = false;
let heardCart = null;

function speak(text) {
  if (!on || !text || !window.speechSynthesis) return;
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = VOICES[document.documentElement.lang.toLowerCase()] || VOICES.ko;
  speechSynthesis.cancel();
  speechSynthesis.speak(utterance);
}

function amount(won) {
  return t("voiceWon", { amount: won.toLocaleString("en-US") });
}

function cartWords() {
  if (!currentCart()) return null;
  const { count, total } = cartSummary();
  return count ? t("voiceCart", { count, total: amount(total) }) : t("cartEmpty");
}

function itemFocused(event) {
  const card = event.target.closest?.("#menu-content .item");
  const item = card && itemById(Number(card.dataset.item));
  if (!item) return;
  speak(item.is_available ? t("voiceItem", { name: item.name, price: amount(item.price) }) : t("voiceSoldOut", { name: item.name }));
}

function cartChanged() {
  const words = cartWords();
  if (words === heardCart) return;
  heardCart = words;
  speak(words);
}

function orderShown() {
  if ($("success-screen").hidden) return;
  const number = Number($("success-number").textContent.replace(/\D/g, ""));
  speak(t("voiceOrdered", { number }));
}

function reminderShown() {
  if ($("reminder-dialog").open) speak($("reminder-title").textContent);
}

function errorShown() {
  const box = $("review-error");
  if (!box.hidden && $("review-dialog").open) speak(box.querySelector(".alert-title")?.textContent);
}

export function startVoice() {
  on = true;
  heardCart = cartWords();
}

export function stopVoice() {
  if (on) window.speechSynthesis?.cancel();
  on = false;
}

document.addEventListener("focusin", itemFocused);
new MutationObserver(cartChanged).observe($("cart-total"), { childList: true, characterData: true, subtree: true });
new MutationObserver(orderShown).observe($("success-screen"), { attributes: true, attributeFilter: ["hidden"] });
new MutationObserver(errorShown).observe($("review-error"), { attributes: true, attributeFilter: ["hidden"], childList: true });
new MutationObserver(reminderShown).observe($("reminder-dialog"), { attributes: true, attributeFilter: ["open"] });

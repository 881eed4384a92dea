// The live page's ordering control: whether the store takes orders now (and why not, until
// when), and the "주문 일시 중지 / 주문 재개" button with an optional message for the tablets.
// Read from the store settings (GET /api/v1/admin/store), kept current by `store.updated`.

import { orderingText, recheckAt } from "../shared/ordering.js";
import { api, messageOf } from "./api.js";
import { $, t, toast } from "./dom.js";

export const ORDERING_EVENTS = ["store.updated"];

export class OrderingControl {
  constructor() {
    this.paused = false;
    this.state = null;
    this.busy = false;
    this.cancel = () => {};
    $("ordering-toggle").addEventListener("click", () => this.toggle());
  }

  /** The settings now (on every stream connection: a change may have been missed). */
  async load() {
    try {
      this.show(await api("store"));
    } catch (error) {
      toast(t("orderingFailed", { message: messageOf(error) }));
    }
  }

  /** A `store.updated` event. */
  push(data) {
    this.show(data);
  }

  show({ ordering_paused: paused, pause_message: message, ordering }) {
    this.paused = paused;
    this.state = ordering;
    const input = $("ordering-message");
    if (document.activeElement !== input) input.value = message || "";
    const status = $("ordering-state");
    status.textContent = ordering.open
      ? t("orderingOpen")
      : ordering.reason === "paused"
        ? [t("orderingPausedState"), ordering.message].filter(Boolean).join(" · ")
        : orderingText(ordering, t);
    status.dataset.open = String(ordering.open);
    $("ordering").classList.toggle("is-closed", !ordering.open);
    this.render();
    this.cancel();
    this.cancel = recheckAt(ordering, () => this.load());
  }

  render() {
    const button = $("ordering-toggle");
    button.disabled = this.busy;
    button.textContent = this.busy ? t("orderingSaving") : t(this.paused ? "orderingResume" : "orderingPause");
    button.setAttribute("aria-pressed", String(this.paused));
  }

  async toggle() {
    if (this.busy) return;
    this.busy = true;
    this.render();
    const body = { ordering_paused: !this.paused };
    if (!this.paused) body.pause_message = $("ordering-message").value.trim();
    try {
      this.show(await api("store", { method: "PATCH", body }));
    } catch (error) {
      toast(t("orderingFailed", { message: messageOf(error) }));
    } finally {
      this.busy = false;
      this.render();
    }
  }
}

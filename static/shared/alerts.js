// Printer alerts (a late print job, an agent offline, a printer refusing): a red banner per open
// alert on the kitchen display and the live dashboard, from `GET admin/alerts` and the stream's
// alert.* events, until the alert is resolved. Where the server has no alerts (yet), or the read
// fails, the banner shows what the events bring and the page carries on.

import { h } from "./dom.js";
import { clock } from "./format.js";
import { SnapshotBuffer } from "./snapshot.js";

export const ALERT_EVENTS = ["alert.raised", "alert.resolved"];

export class AlertBanner {
  /**
   * - `element`: the list the banners go in (hidden while there is none);
   * - `api(path, options)`: the page's JSON client (paths under /api/v1/admin/);
   * - `t(key, params)`: the page's translator; `toast(message, {error})`, `messageOf(error)`.
   */
  constructor({ element, api, t, toast, messageOf }) {
    Object.assign(this, { element, api, t, toast, messageOf });
    /** id → alert, the open ones. */
    this.open = new Map();
    this.buffer = new SnapshotBuffer({ apply: (type, data) => this.#apply(type, data) });
  }

  /** A stream event (alert.raised / alert.resolved); it waits while a read is on its way. */
  push(type, data) {
    this.buffer.push(type, data);
  }

  /** Read the open alerts (after each connection of the stream); never rejects. */
  async load() {
    const read = async () => {
      try {
        return (await this.api("alerts")).results;
      } catch (error) {
        console.warn("Printer alerts could not be read:", error);
        return null;
      }
    };
    await this.buffer.load(read, (alerts) => {
      if (alerts !== null) this.open = new Map(alerts.map((alert) => [alert.id, alert]));
    });
    this.render();
  }

  #apply(type, { alert }) {
    if (type === "alert.raised" && !alert.resolved_at) this.open.set(alert.id, alert);
    else this.open.delete(alert.id);
    this.render();
  }

  render() {
    const alerts = [...this.open.values()].sort((a, b) => a.raised_at.localeCompare(b.raised_at) || a.id - b.id);
    this.element.hidden = alerts.length === 0;
    this.element.setAttribute("aria-label", this.t("alertsLabel"));
    this.element.replaceChildren(...alerts.map((alert) => this.#banner(alert)));
  }

  #banner(alert) {
    const t = this.t;
    const what = t(`alert_${alert.kind}`) === `alert_${alert.kind}` ? alert.kind_label : t(`alert_${alert.kind}`);
    return h("li", { class: "alert-banner", "data-alert": alert.id, "data-kind": alert.kind },
      h("span", { class: "alert-icon", "aria-hidden": "true", text: "⚠" }),
      h("span", { class: "alert-text" },
        h("strong", { class: "alert-printer", text: t("alertPrinter", { name: alert.printer.name }) }),
        " ",
        h("span", { class: "alert-what", text: what }),
        alert.detail ? h("span", { class: "alert-detail", text: alert.detail }) : null,
        " ",
        h("span", { class: "alert-since", text: t("alertSince", { time: clock(alert.raised_at) }) }),
      ),
      alert.order_id
        ? h("button", {
          type: "button",
          class: "alert-reprint",
          "aria-label": t("reprintLabel", { name: alert.printer.name }),
          onclick: (event) => this.#reprint(alert, event.currentTarget),
          text: t("reprint"),
        })
        : null,
    );
  }

  async #reprint(alert, button) {
    button.disabled = true;
    try {
      await this.api(`orders/${alert.order_id}/reprint`, { method: "POST", body: {} });
      this.toast(this.t("reprinted"));
    } catch (error) {
      this.toast(this.messageOf(error), { error: true });
    } finally {
      button.disabled = false;
    }
  }
}

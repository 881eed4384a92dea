// A ticket as the kitchen reads it at arm's length: the table number large, the order number,
// the time it has waited (amber, then red, each with a word and a mark as well as the colour),
// the lines "name × qty" with their options under them, the note, and one big button for the
// next step. Text only ever goes in as text.

import { clock, config, displayNumber, h, t } from "./dom.js";

const MINUTE_MS = 60_000;
const STATUS_WORD = { new: "statusNew", cooking: "statusCooking", done: "statusDone", cancelled: "statusCancelled" };

/** "7:05", or "1:02:05" past an hour. */
export function elapsedText(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const [hours, minutes, rest] = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60];
  const mmss = `${hours ? String(minutes).padStart(2, "0") : minutes}:${String(rest).padStart(2, "0")}`;
  return hours ? `${hours}:${mmss}` : mmss;
}

/** "" in time, "amber" after the store's amber minutes, "red" after its red minutes. */
export function lateness(ms) {
  if (ms >= config.redMinutes * MINUTE_MS) return "red";
  if (ms >= config.amberMinutes * MINUTE_MS) return "amber";
  return "";
}

/** Bring a card's clock to `now` (each second): the time, and its lateness as class and words. */
export function tick(card, now) {
  const waited = now - Date.parse(card.dataset.created);
  const late = lateness(waited);
  card.querySelector(".kt-time").textContent = elapsedText(waited);
  if (card.dataset.late === late) return;
  card.dataset.late = late;
  const flag = card.querySelector(".kt-flag");
  flag.hidden = !late;
  flag.textContent = late === "red" ? `▲ ${t("red")}` : late ? `● ${t("amber")}` : "";
}

function line(item) {
  return h("li", { class: "kt-line" },
    h("span", { class: "kt-name", text: item.name }),
    // Read aloud as "김치찌개 × 2".
    " ",
    h("span", { class: "kt-qty", text: t("quantity", { quantity: item.quantity }) }),
    item.options.length ? h("span", { class: "kt-options", text: item.options.join(", ") }) : null,
  );
}

/**
 * A ticket of the board. `key`: its digit on a bump bar (1–9, or null); `selected`, `busy`
 * (a step on its way); `onStep(ticket)`, `onSelect(ticket)`.
 */
export function ticketCard(ticket, { key, selected, busy, now, onStep, onSelect }) {
  const cancelled = ticket.status === "cancelled";
  const status = t(STATUS_WORD[ticket.status]);
  const card = h("li", {
    class: `kt kt-${ticket.status}${selected ? " is-selected" : ""}`,
    "data-ticket": ticket.id,
    "data-created": ticket.created_at,
    tabindex: cancelled ? null : "-1",
    "aria-label": t("ticketLabel", { table: ticket.table.number, number: displayNumber(ticket), status }),
    onclick: cancelled ? null : () => onSelect(ticket),
  },
    h("div", { class: "kt-head" },
      h("span", { class: "kt-table" },
        h("span", { class: "kt-table-no", text: t("tableNumber", { number: ticket.table.number }) }),
        h("span", { class: "kt-table-word", text: t("tableWord") }),
      ),
      h("span", { class: "kt-meta" },
        h("span", { class: "kt-order", text: displayNumber(ticket) }),
        config.stations.length > 1 ? h("span", { class: "kt-station", text: ticket.station.name }) : null,
      ),
      key ? h("span", { class: "kt-key", "aria-hidden": "true", text: String(key) }) : null,
    ),
    h("div", { class: "kt-state" },
      h("span", { class: "kt-status", text: cancelled ? `✕ ${status}` : status }),
      h("span", { class: "kt-flag", hidden: true }),
      h("span", { class: "kt-time" }),
    ),
    h("ul", { class: "kt-lines" }, ticket.lines.map(line)),
    ticket.note
      ? h("p", { class: "kt-note" }, h("span", { class: "kt-note-label", text: t("noteLabel") }), h("span", { text: ticket.note }))
      : null,
    cancelled
      ? null
      : h("button", {
        type: "button",
        class: `kt-action kt-action-${ticket.status}`,
        disabled: busy,
        onclick: () => onStep(ticket),
        text: ticket.status === "new" ? t("start") : t("finish"),
      }),
  );
  if (!cancelled) tick(card, now);
  else card.querySelector(".kt-time").remove();
  return card;
}

/** A finished ticket in the done strip, greyed, with its 되돌리기. */
export function doneCard(ticket, { busy, onRecall }) {
  const summary = ticket.lines.map((item) => `${item.name} ${t("quantity", { quantity: item.quantity })}`).join(", ");
  return h("li", { class: "kd", "data-ticket": ticket.id },
    h("span", { class: "kd-head" },
      h("strong", { class: "kd-table", text: t("tableNumber", { number: ticket.table.number }) }),
      h("span", { class: "kd-order", text: displayNumber(ticket) }),
      h("span", { class: "kd-time", text: t("doneAt", { time: clock(ticket.done_at) }) }),
    ),
    h("span", { class: "kd-lines", text: summary }),
    h("button", {
      type: "button",
      class: "kd-recall",
      disabled: busy,
      "aria-label": t("recallLabel", { table: ticket.table.number, number: displayNumber(ticket) }),
      onclick: () => onRecall(ticket),
      text: `↶ ${t("recall")}`,
    }),
  );
}

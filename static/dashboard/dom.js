// The dashboard's DOM helpers: the shared ones, its strings and config, and its formats.

import { $, closeOnBackdrop, h, toast, translator } from "../shared/dom.js";
import { clock, displayNumber, optionsText, TIME_ZONE, won } from "../shared/format.js";

export { $, clock, closeOnBackdrop, displayNumber, h, toast, won };

export const t = translator("dashboard-strings");
export const config = JSON.parse(document.getElementById("dashboard-config").textContent);

const dateTimeFormat = new Intl.DateTimeFormat("ko-KR", {
  month: "numeric",
  day: "numeric",
  weekday: "short",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: TIME_ZONE,
});
const dayFormat = new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE });

/** "5. 3. (금) 14:05" in the store's time zone. */
export function dateTime(iso) {
  return dateTimeFormat.format(new Date(iso));
}

/** Today in the store's time zone as YYYY-MM-DD, for date inputs. */
export function today() {
  return dayFormat.format(new Date());
}

/** "김치찌개 × 2 외 1": the first line and how many more. */
export function linesShort(order) {
  const [first, ...rest] = order.items;
  if (!first) return "";
  const head = t("lineItem", { name: first.name, quantity: first.quantity });
  return rest.length ? t("linesShort", { first: head, rest: rest.length }) : head;
}

/** "순한맛, 치즈 추가 +₩1,000": a line's options as chosen, each extra price after its name. */
export function lineOptions(line) {
  return optionsText(line.options, (option) =>
    option.price_delta ? t("optionPrice", { name: option.name, price: won(option.price_delta) }) : option.name,
  );
}

/** A line's "name × quantity", with its options under it when it has any. */
export function lineLabel(line) {
  const options = lineOptions(line);
  return h("span", { class: "line-name" },
    h("span", { text: t("lineItem", { name: line.name, quantity: line.quantity }) }),
    options ? h("span", { class: "line-options", text: options }) : null,
  );
}

/** The order's note (요청사항), labelled; the guest's own words, so text only. */
export function noteBlock(note) {
  return h("p", { class: "note" },
    h("span", { class: "note-label", text: t("noteLabel") }),
    h("span", { class: "note-text", text: note }),
  );
}

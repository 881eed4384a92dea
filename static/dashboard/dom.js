// The dashboard's DOM helpers: the shared ones, its strings and config, and its formats.

import { $, closeOnBackdrop, h, toast, translator } from "../shared/dom.js";
import { clock, displayNumber, optionsText, TIME_ZONE, won } from "../shared/format.js";

export { $, clock, closeOnBackdrop, displayNumber, h, toast, won };

export const t = translator("dashboard-strings");
export const config = JSON.parse(document.getElementById("dashboard-config").textContent);

const FOCUSABLE = "button, [href], input, select, textarea, summary, [tabindex]:not([tabindex='-1'])";

/** The controls of `root` the Tab key reaches, in order (of a radio group, its checked one or
 * else its first). */
function focusables(root) {
  return [...root.querySelectorAll(FOCUSABLE)].filter((el) => {
    if (el.disabled || !el.checkVisibility()) return false;
    if (el.type !== "radio" || !el.name || el.checked) return true;
    const group = [...root.querySelectorAll("input[type=radio]")].filter((radio) => radio.name === el.name);
    return !group.some((radio) => radio.checked) && group[0] === el;
  });
}

/** A modal `dialog` keeps the focus: Tab and Shift+Tab go round its controls (a browser's own
 * modal lets them out to its address bar). Closed, it gives the focus back where the dialog was
 * opened from; when that control was redrawn meanwhile (a card after a change), to its
 * successor: the same kind of control with the same data on the card, else the card's first. */
export function holdFocus(dialog) {
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab" || event.altKey || event.ctrlKey || event.metaKey) return;
    const controls = focusables(dialog);
    if (!controls.length) return;
    const [first, last] = [controls[0], controls.at(-1)];
    const at = document.activeElement;
    if (event.shiftKey && (at === first || !dialog.contains(at))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (at === last || !dialog.contains(at))) {
      event.preventDefault();
      first.focus();
    }
  });
  let opener = null;
  document.addEventListener("focusin", (event) => {
    if (!dialog.open && !dialog.contains(event.target)) opener = event.target;
  });
  dialog.addEventListener("close", () => {
    const from = opener;
    if (!from || from.isConnected || document.querySelector("dialog[open]")) return;
    if (document.activeElement && document.activeElement !== document.body) return;
    successor(from)?.focus();
  });
}

// Each control remembers where it was drawn: the nearest element with an id around it.
const homes = new WeakMap();
document.addEventListener("focusin", (event) => {
  const home = event.target.parentElement?.closest("[id]");
  if (home) homes.set(event.target, home.id);
});

function successor(gone) {
  const home = document.getElementById(homes.get(gone) || "");
  if (!home) return null;
  const data = JSON.stringify({ ...gone.dataset });
  const controls = focusables(home);
  return (
    controls.find((el) => el.className === gone.className && JSON.stringify({ ...el.dataset }) === data) ||
    controls[0] ||
    null
  );
}

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

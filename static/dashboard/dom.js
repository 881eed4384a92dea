// DOM building and formatting. Menu text is untrusted: it only ever goes in through textContent.

const strings = JSON.parse(document.getElementById("dashboard-strings").textContent);
export const config = JSON.parse(document.getElementById("dashboard-config").textContent);

/** A translated string with `{name}` placeholders filled in. */
export function t(key, params = {}) {
  return (strings[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

const TIME_ZONE = "Asia/Seoul";
const wonFormat = new Intl.NumberFormat("ko-KR", { style: "currency", currency: "KRW" });
const timeFormat = new Intl.DateTimeFormat("ko-KR", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: TIME_ZONE });
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

/** 12000 → "₩12,000". */
export function won(amount) {
  return wonFormat.format(amount);
}

/** "14:05" in the store's time zone. */
export function clock(iso) {
  return timeFormat.format(new Date(iso));
}

/** "5. 3. (금) 14:05" in the store's time zone. */
export function dateTime(iso) {
  return dateTimeFormat.format(new Date(iso));
}

/** Today in the store's time zone as YYYY-MM-DD, for date inputs. */
export function today() {
  return dayFormat.format(new Date());
}

/**
 * h("button", {class: "btn", onclick: fn, "aria-label": "…"}, "text", child…)
 * Strings become text nodes; `text` sets textContent; null/false children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "text") el.textContent = value;
    else if (name === "class") el.className = value;
    else if (name in el && typeof value !== "string") el[name] = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function $(id) {
  return document.getElementById(id);
}

/** A short-lived message at the bottom of the screen; errors stay a little longer. */
export function toast(message, { error = false } = {}) {
  const el = h("div", { class: `toast${error ? " toast-error" : ""}`, role: error ? "alert" : "status", text: message });
  const box = $("toasts");
  box.append(el);
  // Re-shown each time, so it comes in front of a dialog opened after it.
  if (box.matches(":popover-open")) box.hidePopover();
  box.showPopover();
  setTimeout(() => {
    el.remove();
    if (!box.children.length && box.matches(":popover-open")) box.hidePopover();
  }, error ? 6000 : 3500);
}

export function orderNumber(order) {
  return order.display_number || `#${String(order.number).padStart(4, "0")}`;
}

/** "김치찌개 × 2 외 1": the first line and how many more. */
export function linesShort(order) {
  const [first, ...rest] = order.items;
  if (!first) return "";
  const head = t("lineItem", { name: first.name, quantity: first.quantity });
  return rest.length ? t("linesShort", { first: head, rest: rest.length }) : head;
}

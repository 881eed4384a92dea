// DOM building and formatting for the tablet and the dashboard. Menu text is untrusted: it
// only ever goes in through textContent.

/** `t(key, params)` over the page's JSON strings (`json_script` with id `elementId`), `{name}` filled in. */
export function translator(elementId) {
  const strings = JSON.parse(document.getElementById(elementId).textContent);
  return (key, params = {}) => (strings[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

export const TIME_ZONE = "Asia/Seoul";
const wonFormat = new Intl.NumberFormat("ko-KR", { style: "currency", currency: "KRW" });
const timeFormat = new Intl.DateTimeFormat("ko-KR", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: TIME_ZONE });

/** 12000 → "₩12,000". */
export function won(amount) {
  return wonFormat.format(amount);
}

/** "14:05" in the store's time zone. */
export function clock(iso) {
  return timeFormat.format(new Date(iso));
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
    // Through the CSSOM: the pages' Content-Security-Policy forbids inline style attributes.
    else if (name === "style") el.style.cssText = value;
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

// DOM building and formatting. Menu text is untrusted: it only ever goes in through textContent.

const strings = JSON.parse(document.getElementById("tablet-strings").textContent);

/** A translated string with `{name}` placeholders filled in. */
export function t(key, params = {}) {
  return (strings[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

const wonFormat = new Intl.NumberFormat("ko-KR", { style: "currency", currency: "KRW" });
const timeFormat = new Intl.DateTimeFormat("ko-KR", {
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "Asia/Seoul",
});

/** 12000 → "₩12,000". */
export function won(amount) {
  return wonFormat.format(amount);
}

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
    // Through the CSSOM: the page's Content-Security-Policy forbids inline style attributes.
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

/** An item's picture, or a tinted tile with its first letter when it has none (or it fails to load). */
export function itemImage(item, className) {
  const fallback = () =>
    h("div", { class: `${className} placeholder`, style: `--hue:${(item.id * 47) % 360}`, "aria-hidden": "true" },
      h("span", { text: Array.from(item.name.trim())[0] || "·" }));
  if (!item.image_url) return fallback();
  const img = h("img", { class: className, src: item.image_url, alt: "", loading: "lazy", decoding: "async" });
  img.addEventListener("error", () => img.replaceWith(fallback()), { once: true });
  return img;
}

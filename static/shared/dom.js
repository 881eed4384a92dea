// DOM building for the tablet, the dashboard and the kitchen display. Menu text is untrusted: it only ever goes in
// through textContent.

/** `t(key, params)` over the page's JSON strings (`json_script` with id `elementId`), `{name}` filled in. */
export function translator(elementId) {
  const strings = JSON.parse(document.getElementById(elementId).textContent);
  return (key, params = {}) => (strings[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
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

/** A tap on the dialog's backdrop, or on an element in it marked `data-close`, closes it, unless `keepOpen()`. */
export function closeOnBackdrop(dialog, keepOpen = () => false) {
  dialog.addEventListener("click", (event) => {
    const box = dialog.getBoundingClientRect();
    const outside =
      event.clientX < box.left || event.clientX > box.right || event.clientY < box.top || event.clientY > box.bottom;
    if (((outside && event.target === dialog) || event.target.closest("[data-close]")) && !keepOpen()) dialog.close();
  });
}

/** A short-lived message in the popover #toasts; errors stay a little longer. */
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

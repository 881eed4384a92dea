// The tablet's DOM helpers: the shared ones, its strings, and item pictures.

import { $, closeOnBackdrop, h, translator } from "../shared/dom.js";
import { clock, displayNumber, won } from "../shared/format.js";

export { $, clock, closeOnBackdrop, displayNumber, h, won };

export const t = translator("tablet-strings");

const CONTROLS = "button, input, textarea, select, a[href], [tabindex]:not([tabindex='-1'])";

/** Keyboard focus goes round inside the open `dialog`: Tab from its last control to its first, Shift+Tab back. */
export function trapFocus(dialog) {
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const controls = [...dialog.querySelectorAll(CONTROLS)].filter((el) => !el.disabled && el.getClientRects().length);
    if (!controls.length) return;
    const [first, last] = [controls[0], controls[controls.length - 1]];
    const focused = document.activeElement;
    // A group of radio buttons is one stop.
    const at = (control) => control === focused || (control.type === "radio" && focused.type === "radio" && control.name === focused.name);
    if (event.shiftKey && (at(first) || !controls.includes(focused))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && at(last)) {
      event.preventDefault();
      first.focus();
    }
  });
}

// How wide each picture is drawn, for the browser to choose among an uploaded image's display
// sizes (`image_srcset`): the width it is laid out at ("auto", for lazy images), else at most this.
const DRAWN_WIDTH = { "item-image": "auto, 300px", "detail-image": "auto, 560px" };

/** An item's picture, or a tinted tile with its first letter when it has none (or it fails to load). */
export function itemImage(item, className) {
  const fallback = () =>
    h("div", { class: `${className} placeholder`, style: `--hue:${(item.id * 47) % 360}`, "aria-hidden": "true" },
      h("span", { text: Array.from(item.name.trim())[0] || "·" }));
  if (!item.image_url) return fallback();
  const sizes = item.image_srcset ? { srcset: item.image_srcset, sizes: DRAWN_WIDTH[className] } : {};
  // loading before src and srcset: an eager image would start loading the moment it gets a source.
  const img = h("img", { class: className, alt: "", loading: "lazy", decoding: "async", ...sizes, src: item.image_url });
  img.addEventListener("error", () => img.replaceWith(fallback()), { once: true });
  return img;
}

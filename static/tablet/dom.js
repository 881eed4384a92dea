// The tablet's DOM helpers: the shared ones, its strings, and item pictures.

import { $, closeOnBackdrop, h, translator } from "../shared/dom.js";
import { clock, displayNumber, won } from "../shared/format.js";

export { $, clock, closeOnBackdrop, displayNumber, h, won };

export const t = translator("tablet-strings");

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

// The tablet's DOM helpers: the shared ones, its strings, and item pictures.

import { $, closeOnBackdrop, h, translator } from "../shared/dom.js";
import { clock, displayNumber, won } from "../shared/format.js";

export { $, clock, closeOnBackdrop, displayNumber, h, won };

export const t = translator("tablet-strings");

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

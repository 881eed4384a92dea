// The layout a busy floor may choose: smaller cards, more tables at a glance (kept on the device).

import { $ } from "./dom.js";

const DENSITY_KEY = "tableorder.dashboard.dense";

export function bindDensity() {
  const button = $("density");
  const apply = (dense) => {
    $("dash").classList.toggle("is-dense", dense);
    button.setAttribute("aria-pressed", String(dense));
  };
  apply(localStorage.getItem(DENSITY_KEY) === "1");
  button.addEventListener("click", () => {
    const dense = button.getAttribute("aria-pressed") !== "true";
    localStorage.setItem(DENSITY_KEY, dense ? "1" : "0");
    apply(dense);
  });
}

// The menu: read with its ETag and kept in localStorage (a flaky network still shows the last
// copy), drawn as category chips and item cards, re-read when the store changes it.

import { errorOf, request } from "./api.js";
import { currentCart } from "./cart.js";
import { $, h, itemImage, t, won } from "./dom.js";
import { itemFacts, openOriginNotice, pageLanguage, setItemNames } from "./lang.js";
import { hasOptions } from "./options.js";
import { guarded } from "./screens.js";

let menu = null;
let itemsById = new Map();
let storeCode = null;
// The read in progress after a change: `again` asks it to read once more.
let menuLoad = null;
let categoryObserver = null;
const listeners = [];
const cardActions = { open: () => {}, add: () => {} };

/** A new table signed in (`code`: its store), or none (null): no menu yet. */
export function resetMenu(code) {
  storeCode = code;
  menu = null;
  itemsById = new Map();
}

export function hasMenu() {
  return menu !== null;
}

export function itemById(id) {
  return itemsById.get(id);
}

/** `listener(menu)` runs each time a menu is shown. */
export function onMenu(listener) {
  listeners.push(listener);
}

/** What an item card does: `open(item)` shows its dialog, `add(item)` puts one in the cart. */
export function bindMenu({ open, add }) {
  Object.assign(cardActions, { open, add });
}

function cacheKey() {
  // Each language's copy and ETag apart; Korean's under the name it always had.
  const language = pageLanguage();
  return `tableorder.menu.${storeCode}${language === "ko" ? "" : `.${language}`}`;
}

/** The menu, revalidated with its ETag; the last copy is kept so a flaky network still shows it. */
export async function loadMenu() {
  let cached = null;
  try {
    cached = JSON.parse(localStorage.getItem(cacheKey()));
  } catch {
    cached = null;
  }
  if (cached && !menu) setMenu(cached.menu);
  const headers = cached && cached.etag ? { "If-None-Match": cached.etag } : {};
  const response = await request(`/api/v1/menu?lang=${pageLanguage()}`, { headers });
  if (response.status === 304 && cached) return setMenu(cached.menu);
  if (!response.ok) throw await errorOf(response);
  const fresh = await response.json();
  const etag = response.headers.get("ETag");
  localStorage.setItem(cacheKey(), JSON.stringify({ etag, menu: fresh }));
  setMenu(fresh);
}

/** After a change (menu.updated, or now and then): read the menu again, and once more if it changed during a read. */
export async function refreshMenu() {
  if (menuLoad) {
    menuLoad.again = true;
    return;
  }
  const load = { again: true };
  menuLoad = load;
  try {
    while (load.again && storeCode !== null) {
      load.again = false;
      await guarded(loadMenu, () => null);
    }
  } finally {
    menuLoad = null;
  }
}

function setMenu(next) {
  menu = next;
  itemsById = new Map(menu.categories.flatMap((category) => category.items.map((item) => [item.id, item])));
  setItemNames(itemsById);
  currentCart().syncWithMenu(itemsById);
  render();
  for (const listener of listeners) listener(menu);
}

function render() {
  const bar = $("category-bar");
  const content = $("menu-content");
  const categories = menu.categories.filter((category) => category.items.length);
  bar.replaceChildren(
    ...categories.map((category, index) =>
      h("button", {
        type: "button",
        class: "chip",
        "data-category": category.id,
        "aria-current": index === 0 ? "true" : null,
        onclick: () => jumpTo(category.id),
        text: category.name,
      }),
    ),
    // The store's origin notice, a page of its own (SPEC 3.12).
    ...(menu.origin_notice ? [originChip(menu.origin_notice)] : []),
  );
  if (!categories.length) {
    content.replaceChildren(h("p", { class: "empty", text: t("menuEmpty") }));
    return;
  }
  content.replaceChildren(
    ...categories.map((category) =>
      h("section", { class: "category", id: `category-${category.id}`, "aria-labelledby": `category-title-${category.id}` },
        h("h2", { class: "category-title", id: `category-title-${category.id}`, text: category.name }),
        h("ul", { class: "item-grid" }, category.items.map(itemCard)),
      ),
    ),
  );
  watchCategories();
  renderCardBadges();
}

function originChip(notice) {
  return h("button", { type: "button", class: "chip chip-origin", id: "origin-open", "aria-haspopup": "dialog", onclick: () => openOriginNotice(notice), text: t("originNotice") });
}

function itemCard(item) {
  const soldOut = !item.is_available;
  return h("li", { class: `item${soldOut ? " is-soldout" : ""}`, "data-item": item.id },
    h("button", { type: "button", class: "item-card", "aria-haspopup": "dialog", onclick: () => cardActions.open(item) },
      h("div", { class: "item-media" },
        itemImage(item, "item-image"),
        soldOut ? h("span", { class: "soldout-badge", text: t("soldOut") }) : null,
        h("span", { class: "in-cart-badge", hidden: true }),
      ),
      h("span", { class: "item-text" },
        h("span", { class: "item-name", text: item.name }),
        itemFacts(item, "item-fact"),
        item.description ? h("span", { class: "item-desc", text: item.description }) : null,
        h("span", { class: "item-price", text: won(item.price) }),
      ),
    ),
    h("button", {
      type: "button",
      class: "item-add btn btn-icon",
      disabled: soldOut,
      "aria-label": soldOut ? `${item.name} ${t("soldOut")}` : t("addNamed", { name: item.name }),
      // An item with options is added through the chooser.
      "aria-haspopup": hasOptions(item) ? "dialog" : null,
      onclick: () => (hasOptions(item) ? cardActions.open(item) : cardActions.add(item)),
    }, soldOut ? t("soldOut") : plusIcon()),
  );
}

function plusIcon() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M12 5v14M5 12h14");
  svg.append(path);
  return svg;
}

/** How many of each item the cart holds, on its card. */
export function renderCardBadges() {
  if (!menu) return;
  for (const card of document.querySelectorAll("#menu-content .item")) {
    const count = currentCart().quantityOf(Number(card.dataset.item));
    const badge = card.querySelector(".in-cart-badge");
    badge.hidden = !count;
    badge.textContent = count ? t("inCart", { count }) : "";
  }
}

function jumpTo(categoryId) {
  const scroller = $("menu-view");
  const section = $(`category-${categoryId}`);
  const top = section.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop;
  scroller.scrollTo({ top: top - $("category-bar").offsetHeight, behavior: "smooth" });
  markCategory(categoryId);
}

function markCategory(categoryId) {
  const bar = $("category-bar");
  for (const chip of bar.children) {
    const current = chip.dataset.category === String(categoryId);
    chip.toggleAttribute("aria-current", current);
    if (!current) continue;
    chip.setAttribute("aria-current", "true");
    // Not scrollIntoView: it would also scroll the menu and cancel a jump in progress.
    if (chip.offsetLeft < bar.scrollLeft || chip.offsetLeft + chip.offsetWidth > bar.scrollLeft + bar.clientWidth) {
      bar.scrollTo({ left: chip.offsetLeft - 24, behavior: "smooth" });
    }
  }
}

function watchCategories() {
  categoryObserver?.disconnect();
  categoryObserver = new IntersectionObserver(
    (entries) => {
      const visible = entries.filter((entry) => entry.isIntersecting);
      if (visible.length) markCategory(visible[0].target.id.replace("category-", ""));
    },
    { root: $("menu-view"), rootMargin: "-80px 0px -70% 0px" },
  );
  for (const section of document.querySelectorAll("#menu-content .category")) categoryObserver.observe(section);
}

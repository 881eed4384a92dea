// The tablet's language (SPEC 3.10): the page comes in the language of its address (`/?lang=en`),
// the language button lists the four and goes to the chosen one's page (the cart stays in
// localStorage), and a closed session sends a tablet in another language back to Korean.
// Also the words the menu shows for an item's origin and allergens (SPEC 3.12).

import { $, h, t } from "./dom.js";

// <html lang> → the API's code ("zh-Hans" → "zh-hans").
const LANGUAGE = (document.documentElement.lang || "ko").toLowerCase();
const ALLERGEN_NAMES = JSON.parse($("tablet-strings").textContent).allergenNames || {};
// The menu's item and option names in the page's language, by id (menu.js keeps them current).
let itemNames = new Map();
let optionNames = new Map();

/** The page's language as the API names it: ko, en, zh-hans or ja. */
export function pageLanguage() {
  return LANGUAGE;
}

/** The next guests start in Korean: a tablet in another language reloads in Korean. */
export function backToKorean() {
  if (LANGUAGE !== "ko") location.assign("/");
}

/** The item's origin and allergens, as lines (of `className`) of its card or dialog; none for an item without. */
export function itemFacts(item, className) {
  const facts = [];
  if (item.origin) facts.push(h("span", { class: className, text: t("origin", { origin: item.origin }) }));
  if (item.allergens && item.allergens.length) {
    const names = item.allergens.map((name) => ALLERGEN_NAMES[name] || name).join(t("listSeparator"));
    facts.push(h("span", { class: className, text: t("allergens", { names }) }));
  }
  return facts;
}

export function setItemNames(itemsById) {
  itemNames = new Map([...itemsById].map(([id, item]) => [id, item.name]));
  const options = [...itemsById.values()].flatMap((item) => (item.option_groups || []).flatMap((group) => group.options));
  optionNames = new Map(options.map((option) => [option.id, option.name]));
}

/** An order line's item as the menu names it in the page's language; the order keeps the Korean name. */
export function lineItemName(line) {
  return (LANGUAGE !== "ko" && itemNames.get(line.menu_item_id)) || line.name;
}

/** An order line's options (`{id, name, …}`) named as the menu names them in the page's language. */
export function lineOptions(line) {
  if (LANGUAGE === "ko" || !line.options) return line.options;
  return line.options.map((option) => ({ ...option, name: optionNames.get(option.id) || option.name }));
}

/** The store's origin notice, on a dialog of its own. */
export function openOriginNotice(notice) {
  $("origin-notice").textContent = notice;
  $("origin-dialog").showModal();
}

export function bindLanguage() {
  $("lang-open").addEventListener("click", () => $("lang-dialog").showModal());
}
